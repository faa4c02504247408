"""`make local`: keep the local platform running for the CLIs (patrol, search, audit).

Prints the API URL, the moto endpoint and one ID token per role, then delivers events,
ticks the schedules and sweeps expired items (DynamoDB TTL) until interrupted.

    .venv/bin/anpr search trajectory 1ABC234 --from ... --to ... --case ... --reason ... \\
        --api $API --token $INVESTIGATOR_TOKEN
    .venv/bin/anpr patrol --zone BXL-5339 --endpoint-url $AWS_ENDPOINT_URL
"""

from __future__ import annotations

import argparse
import time

from anpr.reads.cameras import DynamoCameraRegistry, load_seed

from local.demo_features import PEOPLE
from local.runtime import LocalRuntime
from local.simulator import DEFAULT_CAMERAS
from local.web import start_web


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--port", type=int, default=4566, help="moto endpoint port")
    ap.add_argument("--api-port", type=int, default=8080)
    args = ap.parse_args(argv)
    with LocalRuntime(port=args.port) as rt:
        DynamoCameraRegistry(rt.name("table", "Cameras"), "eu-west-1").put_many(load_seed(DEFAULT_CAMERAS))
        gw = rt.start_api(args.api_port)
        for user, groups in PEOPLE.items():
            rt.identity.add_user(user, *groups)
        start_web(rt, gw)  # the console and the patrol app (local/web.py)
        rt.warm_up()
        rt.run_event_sources()
        print(
            f"export AWS_ENDPOINT_URL={rt.endpoint} AWS_ACCESS_KEY_ID=local AWS_SECRET_ACCESS_KEY=local "
            "AWS_REGION=eu-west-1"
        )
        print(f"export API={gw.url}")
        print(f"snapshots bucket: {rt.name('bucket', 'Snapshots')}")
        for user, groups in PEOPLE.items():
            print(f"export {groups[0].upper()}_TOKEN={rt.identity.login(user)}  # {user}")
        print("running; Ctrl-C to stop", flush=True)
        try:
            while True:
                time.sleep(60)
                rt.tick()
                rt.sweep_expired()
        except KeyboardInterrupt:
            print("stopping")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
