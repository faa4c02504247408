"""`make local`: the whole platform on this machine, for people, until Ctrl-C (or SIGTERM).

Simulated Brussels traffic (the cameras of ``data/cameras``) and a seeded watchlist run by
default, so a first search finds reads and the patrol feed gets alerts; ``--empty`` (``make local
EMPTY=1``) starts an empty platform. Prints the endpoints, each person's ID token and what to
try first with it; delivers events, ticks the schedules and sweeps expired items meanwhile.

    make local                       # moto on 4566, API on 8080, web apps on 8000
    make local PORT=4570 API_PORT=8090 WEB_PORT=8010 EMPTY=1
"""

from __future__ import annotations

import argparse
import signal
import socket
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path

from anpr.reads.cameras import DynamoCameraRegistry, load_seed

from local import demo_features
from local.demo_features import PEOPLE, profile_of
from local.resources import REGION
from local.runtime import LocalRuntime
from local.simulator import DEFAULT_CAMERAS, Simulator, SimulatorConfig
from local.web import start_web


class PortTaken(SystemExit):
    pass


def check_ports(ports: dict[str, int]) -> None:
    """Refuse at once, with the way out, when a port is taken (never hang on it)."""
    for what, port in ports.items():
        with socket.socket() as s:
            try:
                s.bind(("127.0.0.1", port))
            except OSError:
                flag = {"moto": "PORT", "API": "API_PORT", "web": "WEB_PORT"}[what]
                raise PortTaken(
                    f"make local: port {port} ({what}) is already in use (another `make local`, LocalStack?). "
                    f"Stop it, or choose another: make local {flag}=<free port>"
                ) from None


class _Stopped(Exception):
    pass


class Traffic:
    """The simulator in rounds of ``round_size`` uploads at ``rate`` per second, until stopped."""

    def __init__(self, rt: LocalRuntime, cameras, rate: float, seed: int, round_size: int = 600):
        self.rt, self.cameras, self.rate, self.seed, self.round_size = rt, cameras, rate, seed, round_size
        self.stop_event = threading.Event()
        self.rounds = 0
        self._thread = threading.Thread(target=self._run, daemon=True, name="traffic")

    def simulator(self, round_no: int, now_ms: int) -> Simulator:
        return Simulator(
            self.rt.client("s3"),
            self.rt.name("bucket", "Snapshots"),
            self.cameras,
            seed=self.seed + round_no,
            rate_per_s=self.rate,
            config=SimulatorConfig(bad_fraction=0.02),
            progress=None,
            now_ms=lambda: now_ms,
            sleep=self._sleep,
        )

    def _sleep(self, seconds: float) -> None:
        if self.stop_event.wait(seconds):
            raise _Stopped

    def start(self, first: Simulator) -> Traffic:
        self._first = first
        self._thread.start()
        return self

    def _run(self) -> None:
        sim = self._first
        while not self.stop_event.is_set():
            try:
                sim.run(self.round_size)
            except _Stopped:
                return
            except Exception as exc:  # noqa: BLE001 - the platform stopping under it
                if not self.stop_event.is_set():
                    print(f"traffic: {exc}", file=sys.stderr)
                return
            self.rounds += 1
            sim = self.simulator(self.rounds, int(time.time() * 1000))

    def stop(self) -> None:
        self.stop_event.set()
        self._thread.join(timeout=10)


def try_first(api: str, endpoint: str, prefix: str, plate: str | None = None) -> dict[str, list[str]]:
    """What each role can try first (curl and the CLIs), with the variables printed above."""
    from datetime import UTC, datetime, timedelta

    now = datetime.now(UTC).replace(microsecond=0)
    window = f"--from {(now - timedelta(hours=2)).isoformat()} --to {now.isoformat()}"
    return {
        "patrol": [
            'curl -s "$API/alerts?zone=BXL-5339" -H "Authorization: Bearer $PATROL_TOKEN"',
            (
                "ANPR_API=$API ANPR_TOKEN=$PATROL_TOKEN .venv/bin/anpr patrol --zone BXL-5339 "
                "--api $API --token $PATROL_TOKEN"
            ),
        ],
        "investigator": [
            'curl -s "$API/cameras" -H "Authorization: Bearer $INVESTIGATOR_TOKEN" | head -c 300',
            (
                f".venv/bin/anpr search trajectory {plate or '<PLATE>'} {window} "
                '--case PV-BRU-2026-01234 --reason "vehicle tracing, car-jacking series" '
                "--api $API --token $INVESTIGATOR_TOKEN"
            ),
        ],
        "watchlist_manager": [
            'curl -s "$API/watchlist" -H "Authorization: Bearer $WATCHLIST_MANAGER_TOKEN"',
        ],
        "auditor": [
            "ANPR_API=$API ANPR_TOKEN=$AUDITOR_TOKEN .venv/bin/anpr audit verify",
            "ANPR_API=$API ANPR_TOKEN=$AUDITOR_TOKEN .venv/bin/anpr audit who-accessed <PLATE>",
            (
                f"(without the API: AWS_ENDPOINT_URL={endpoint} AWS_ACCESS_KEY_ID=local "
                f"AWS_SECRET_ACCESS_KEY=local AWS_REGION={REGION} .venv/bin/anpr audit verify --prefix {prefix})"
            ),
        ],
        "supervisor": [
            'curl -s "$API/searches" -H "Authorization: Bearer $SUPERVISOR_TOKEN"',
        ],
    }


def _install_stop_signals() -> Callable[[], None]:
    """SIGTERM (and SIGHUP) stop like Ctrl-C: the runtime then stops every worker it started."""

    def stop(signum, frame):
        raise KeyboardInterrupt

    previous = {s: signal.signal(s, stop) for s in (signal.SIGTERM, signal.SIGHUP)}
    return lambda: [signal.signal(s, h) for s, h in previous.items()]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--port", type=int, default=4566, help="moto endpoint port (make local PORT=...)")
    ap.add_argument("--api-port", type=int, default=8080, help="API gateway port (API_PORT=...)")
    ap.add_argument("--web-port", type=int, default=8000, help="web apps port (WEB_PORT=...)")
    ap.add_argument("--live-port", type=int, default=0, help="live WebSocket port (default: a free one)")
    ap.add_argument("--empty", action="store_true", help="no simulated traffic, no watchlist (EMPTY=1)")
    ap.add_argument("--rate", type=float, default=2.0, help="simulated snapshots per second")
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--workdir", default=".local-runtime")
    args = ap.parse_args(argv)
    try:
        check_ports({"moto": args.port, "API": args.api_port, "web": args.web_port})
    except PortTaken as exc:
        print(exc, file=sys.stderr, flush=True)
        return 2
    restore_signals = _install_stop_signals()
    traffic = None
    rt = LocalRuntime(port=args.port, workdir=args.workdir)
    try:
        rt.start()
        cameras = load_seed(DEFAULT_CAMERAS)
        DynamoCameraRegistry(rt.name("table", "Cameras"), REGION).put_many(cameras)
        gw = rt.start_api(args.api_port)
        # each person's authenticator secret, for `python -m local.totp <user>` (this run only)
        rt.identity.keep_secrets(Path(args.workdir) / "totp.json")
        zones = sorted({c.zone for c in cameras})
        for user, groups in PEOPLE.items():
            rt.identity.add_user(user, *groups, **profile_of(user, zones))
        # one patrol officer per police zone of the seeded cameras (custom:zones = that zone)
        zone_officers = {f"officer.{z.lower()}": z for z in zones}
        for user, zone in zone_officers.items():
            rt.identity.add_user(user, "patrol", zones=zone, unit=f"PZ-{zone}")
        # the live channel (WebSocket + push sink): before warming, it sets the functions' env
        live = rt.start_live(args.live_port or None)
        print("warming the functions…", flush=True)
        rt.warm_up()
        rt.run_event_sources()
        listed = []
        if not args.empty:
            api = demo_features.Api(rt)
            first = Traffic(rt, cameras, args.rate, args.seed)
            sim = first.simulator(0, int(time.time() * 1000))
            planned, _ = sim.plan(first.round_size)
            listed = demo_features.seed_watchlist(api, planned, 3)
            traffic = first.start(sim)
        web = start_web(rt, gw, args.web_port)
        if web is not None:
            live.expose(web)
        print(f"live alerts (WebSocket): {live.url}/?token=<ID token>; push sink: {live.sink}", flush=True)
        _print_welcome(rt, gw, web, listed, zone_officers, args)
        while True:
            time.sleep(5)
            rt.tick()
            rt.sweep_expired()
    except KeyboardInterrupt:
        print("stopping…", flush=True)
    finally:
        if traffic:
            traffic.stop()
        rt.stop()
        restore_signals()
    print("stopped", flush=True)
    return 0


def _print_welcome(rt, gw, web, listed, zone_officers, args) -> None:
    out = []
    out.append(
        f"\nexport AWS_ENDPOINT_URL={rt.endpoint} AWS_ACCESS_KEY_ID=local AWS_SECRET_ACCESS_KEY=local "
        f"AWS_REGION={REGION}"
    )
    out.append(f"export API={gw.url} ANPR_API={gw.url}")
    out.append(
        f"# resource prefix (audit CLIs without the API: --prefix {rt.prefix}); "
        f"snapshots bucket {rt.name('bucket', 'Snapshots')}"
    )
    for user, groups in PEOPLE.items():
        out.append(f"export {groups[0].upper()}_TOKEN={rt.identity.login(user)}  # {user}")
    out.append(
        "# zone patrol officers (sign in on the patrol app: password, then the code of "
        "`.venv/bin/python -m local.totp <user>`, as listed above): "
        + ", ".join(f"{u} ({z})" for u, z in zone_officers.items())
    )
    if listed:
        out.append(
            "\nwatchlist (seeded): "
            + ", ".join(f"{e['listed_plate']} [{','.join(e['zones'])}]" for e in listed)
        )
        out.append(
            f"simulated traffic: {args.rate:g} snapshots/s from {len(load_seed(DEFAULT_CAMERAS))} cameras "
            "(make local EMPTY=1 for an empty platform)"
        )
    else:
        out.append("\nempty platform: no traffic, no watchlist (drop EMPTY=1 for simulated Brussels traffic)")
    out.append("\ntry first (tokens valid one hour; restart for new ones):")
    plate = next((e["vehicle_plate"] for e in listed), None)
    for role, lines in try_first(gw.url, rt.endpoint, rt.prefix, plate).items():
        out.append(f"  {role}:")
        out.extend(f"    {line}" for line in lines)
    if web is None:
        out.append("\nweb apps: not built (make web)")
    out.append("\nrunning; Ctrl-C (or SIGTERM) stops everything")
    print("\n".join(out), flush=True)


if __name__ == "__main__":
    raise SystemExit(main())
