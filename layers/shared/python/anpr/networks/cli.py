"""``anpr networks ...`` (ops): zones, networks, cameras, keys, through the API.

    anpr networks zones load data/zones/belgium.geojson
    anpr networks register data/networks/NETWORK.json   # network + its cameras; prints the key once
    anpr networks import NETWORK cameras.csv            # or .geojson; per-line report
    anpr networks retire NETWORK                        # revokes the key, retires the cameras
    anpr networks rotate-key NETWORK | list | show NETWORK | retire-camera NETWORK CAMERA
    anpr networks disagreements NETWORK                 # our OCR vs the cameras' reads, per camera

``--api URL --token T`` (env ``ANPR_API``, ``ANPR_TOKEN``): an ops user's token.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Callable
from pathlib import Path

from anpr.kernel.http_cli import ApiClient, CliError


class NetworksClient(ApiClient):
    timeout_s = 60  # a camera import of thousands of lines


def _import_body(path: Path) -> dict:
    fmt = "geojson" if path.suffix.lower() in (".geojson", ".json") else "csv"
    return {"format": fmt, "content": path.read_text(encoding="utf-8")}


def _cameras_geojson(cameras: list[dict]) -> str:
    fields = ("camera_id", "name", "kind", "heading", "lanes", "road", "municipality", "zone")
    return json.dumps(
        {
            "type": "FeatureCollection",
            "features": [
                {
                    "type": "Feature",
                    "properties": {k: c[k] for k in fields if c.get(k) is not None},
                    "geometry": {"type": "Point", "coordinates": [c["lon"], c["lat"]]},
                }
                for c in cameras
            ],
        }
    )


def _report(out: dict, write: Callable[[str], None]) -> None:
    write(f"{out['network_id']}: {out['registered']} registered, {out['rejected']} rejected\n")
    for line in out["lines"]:
        if line["outcome"] == "rejected":
            write(f"  line {line['line']} ({line.get('camera_id') or '?'}): {line['reason']}\n")


def run(args: argparse.Namespace, client: NetworksClient | None = None, write=sys.stdout.write) -> int:
    try:
        api = client or NetworksClient(args.api, args.token)
        action = args.networks
        if action == "zones":
            out = api.call("PUT", "/zones", json.loads(Path(args.file).read_text(encoding="utf-8")))
            write(f"{out['zones']} zones loaded\n")
        elif action == "list":
            for n in api.call("GET", "/networks")["networks"]:
                write(f"{n['network_id']:24} {n['kind']:9} {n['status']:8} {','.join(n['zones'])[:60]}\n")
        elif action == "show":
            write(json.dumps(api.call("GET", f"/networks/{args.network}"), indent=2) + "\n")
        elif action == "register":
            doc = json.loads(Path(args.file).read_text(encoding="utf-8"))
            out = api.call("POST", "/networks", doc["network"])
            write(f"{out['network_id']} registered; upload key (shown once): {out['upload_key']}\n")
            if doc.get("cameras"):
                body = {"format": "geojson", "content": _cameras_geojson(doc["cameras"])}
                _report(api.call("POST", f"/networks/{out['network_id']}/cameras/import", body), write)
        elif action == "import":
            _report(
                api.call("POST", f"/networks/{args.network}/cameras/import", _import_body(Path(args.file))),
                write,
            )
        elif action == "retire":
            out = api.call("DELETE", f"/networks/{args.network}")
            write(f"{args.network} retired; key revoked; {out['cameras_retired']} cameras retired\n")
        elif action == "retire-camera":
            api.call("DELETE", f"/networks/{args.network}/cameras/{args.camera}")
            write(f"{args.camera} retired\n")
        elif action == "disagreements":
            out = api.call("GET", f"/networks/{args.network}/disagreements")
            per_camera = ", ".join(f"{cam} {n}" for cam, n in out["per_camera"].items()) or "none"
            write(f"{args.network}: {out['count']} disagreements since {out['since_ms']} ({per_camera})\n")
            for d in out["disagreements"]:
                write(f"  {d['camera_id']} {d['capture_ms']} ours {d['ours_masked'] or '-'} "
                      f"camera {d['camera_masked']} ({d['read_id']})\n")  # fmt: skip
        elif action == "rotate-key":
            write(
                f"new upload key (shown once): {api.call('POST', f'/networks/{args.network}/key')['upload_key']}\n"
            )
    except (CliError, OSError, ValueError, KeyError) as exc:
        sys.stderr.write(f"anpr networks: {exc}\n")
        return 1
    return 0


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser("networks", help="camera networks, cameras and police zones (ops)")
    actions = p.add_subparsers(dest="networks", required=True)

    def add(name: str, help: str, *positional: str):
        sp = actions.add_parser(name, help=help)
        for arg in positional:
            sp.add_argument(arg)
        sp.add_argument("--api", default=os.environ.get("ANPR_API", ""), help="API base URL (env ANPR_API)")
        sp.add_argument(
            "--token", default=os.environ.get("ANPR_TOKEN", ""), help="ops token (env ANPR_TOKEN)"
        )
        sp.set_defaults(func=run)
        return sp

    zones = actions.add_parser("zones", help="police zones and federal units")
    zsub = zones.add_subparsers(dest="zones_action", required=True)
    load = zsub.add_parser("load", help="load a GeoJSON FeatureCollection (replaces the zones)")
    load.add_argument("file")
    load.add_argument("--api", default=os.environ.get("ANPR_API", ""))
    load.add_argument("--token", default=os.environ.get("ANPR_TOKEN", ""))
    load.set_defaults(func=run, networks="zones")
    add("list", "networks and their status")
    add("show", "one network", "network")
    add("register", "register a network and its cameras from a data/networks/*.json file", "file")
    add("import", "bulk import cameras (CSV or GeoJSON) with a per-line report", "network", "file")
    add("retire", "retire a network: revoke its key and retire its cameras", "network")
    add("retire-camera", "retire one camera", "network", "camera")
    add("rotate-key", "issue a new upload key (the old one stops working)", "network")
    add("disagreements", "reads where our OCR and the camera disagree (masked), last 24 h", "network")
