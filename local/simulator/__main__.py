"""python -m local.simulator --endpoint http://127.0.0.1:PORT --bucket B --snapshots 500 --rate 10 --seed 7

National fleet, each network's cameras with their own key through ``POST /uploads``:
``--networks data/networks/*.json --api http://127.0.0.1:API_PORT --keys keys.json`` (keys.json:
``{"network id": "anpr_..."}``, the keys ``anpr networks register`` printed for each network).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

import boto3

from local.simulator.network_uploads import NetworkUploader, cameras_of_networks, http_grants
from local.simulator.uploader import (
    BAD_INPUTS,
    DEFAULT_CAMERAS,
    SimulatorConfig,
    describe,
    print_progress,
    simulate,
)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(
        prog="python -m local.simulator", description="Upload simulated ANPR snapshots."
    )
    ap.add_argument("--endpoint", help="S3 endpoint, e.g. the local moto server http://127.0.0.1:PORT")
    ap.add_argument("--region", default=os.environ.get("AWS_REGION", "eu-west-1"))
    ap.add_argument("--bucket", required=True, help="the snapshots bucket")
    ap.add_argument("--snapshots", type=int, default=500)
    ap.add_argument("--rate", type=float, default=10.0, help="uploads per second (0: as fast as possible)")
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--truth", type=Path, help="write the ground truth (JSON) here")
    ap.add_argument("--cameras", type=Path, default=DEFAULT_CAMERAS, help="camera seed file")
    ap.add_argument("--threads", type=int, default=3)
    ap.add_argument("--window-min", type=float, default=120.0, help="traffic spread over the last N minutes")
    ap.add_argument("--bad-fraction", type=float, default=0.0, help="share of deliberately bad uploads")
    ap.add_argument(
        "--bad-kinds", default=",".join(BAD_INPUTS), help="comma-separated, of: " + ", ".join(BAD_INPUTS)
    )
    ap.add_argument("--convoys", type=int, default=None)
    ap.add_argument("--quiet", action="store_true", help="no progress lines")
    ap.add_argument("--networks", type=Path, nargs="*", help="network data files: their cameras upload")
    ap.add_argument("--api", help="the API (POST /uploads) the networks' cameras ask for upload grants")
    ap.add_argument("--keys", type=Path, help='JSON {"network id": "upload key"}')
    args = ap.parse_args(argv)

    kinds = tuple(k for k in args.bad_kinds.split(",") if k)
    unknown = [k for k in kinds if k not in BAD_INPUTS]
    if unknown:
        ap.error(f"unknown bad kinds: {', '.join(unknown)}")
    client_kwargs = {"region_name": args.region}
    if args.endpoint:
        # a local emulator accepts any key; never reach for real credentials here
        client_kwargs.update(
            endpoint_url=args.endpoint,
            aws_access_key_id=os.environ.get("AWS_ACCESS_KEY_ID", "local"),
            aws_secret_access_key=os.environ.get("AWS_SECRET_ACCESS_KEY", "local"),
        )
    s3 = boto3.client("s3", **client_kwargs)
    cameras, uploader = None, None
    if args.networks:
        if not (args.api and args.keys):
            ap.error("--networks needs --api and --keys (each network's cameras upload with its key)")
        cameras = cameras_of_networks(args.networks)
        uploader = NetworkUploader(
            http_grants(args.api),
            json.loads(args.keys.read_text()),
            {c.camera_id: c.network for c in cameras},
        )
    config = SimulatorConfig(
        window_s=args.window_min * 60,
        bad_fraction=args.bad_fraction,
        bad_kinds=kinds,
        convoys=args.convoys,
        threads=args.threads,
    )
    truth = simulate(
        args.seed,
        args.snapshots,
        s3_client=s3,
        bucket=args.bucket,
        cameras=cameras,
        cameras_path=args.cameras,
        rate_per_s=args.rate or None,
        config=config,
        truth_path=args.truth,
        progress=None if args.quiet else print_progress,
        uploader=uploader,
    )
    print(describe(truth), file=sys.stderr)
    return 1 if truth.stats.get("failed") else 0


if __name__ == "__main__":
    sys.exit(main())
