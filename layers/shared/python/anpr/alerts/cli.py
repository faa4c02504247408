"""``anpr patrol --zone Z``: follow a zone's alerts live, the reference for the mobile apps.

Prints plate, where, when and what to do; saves the plate crop to a file; lets the officer
acknowledge with an outcome (stopped, not found, misread, other + comment) through the API.

Sources: the API feed (``--api`` + ``--token``, polled; scoped to the token's zones — the
officer's channel) or, for a control room, the dispatch queue (``--source queue``: every
alert, kept when seen in ``--zone`` or national; ``--queue-url``, or derived from ``--prefix``
as the local runtime names it). There is no queue per zone: zones are data. Acknowledging always goes
through the API (audited, role-checked); without ``--api`` the outcome is only printed.
Non-interactive (tests, demos): ``--outcome stopped --comment ... --max-alerts N``.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import TextIO

from anpr.alerts.feed import parse_body
from anpr.kernel.http_cli import bearer_request

OUTCOME_KEYS = {"s": "stopped", "n": "not_found", "m": "misread", "o": "other"}


def register(subparsers) -> None:
    p = subparsers.add_parser("patrol", help="follow a police zone's watchlist alerts live")
    p.add_argument("--zone", required=True, help="police zone code (one of your token's zones)")
    p.add_argument("--queue-url", help="a control room's SQS queue (default: the local dispatch queue)")
    p.add_argument("--prefix", default="anpr-local", help="resource name prefix of the local runtime")
    p.add_argument("--endpoint-url", help="AWS endpoint (the local runtime's moto server)")
    p.add_argument("--region", default="eu-west-1")
    p.add_argument("--api", help="API base URL (acknowledging; the feed source when no queue is used)")
    p.add_argument("--token", help="bearer token for --api (Cognito id token, or a local one)")
    p.add_argument("--source", choices=("api", "queue"), default="api")
    p.add_argument("--crops", default="patrol-crops", help="folder for the plate crops")
    p.add_argument("--max-alerts", type=int, default=0, help="stop after N alerts (0: follow forever)")
    p.add_argument(
        "--idle-timeout", type=float, default=0, help="stop after S seconds without alerts (0: never)"
    )
    p.add_argument(
        "--outcome", choices=sorted(OUTCOME_KEYS.values()), help="non-interactive: acknowledge every alert"
    )
    p.add_argument("--comment", default="", help="non-interactive: comment for --outcome")
    p.add_argument("--no-ack", action="store_true", help="only show alerts")
    p.set_defaults(func=main)


# -- sources -----------------------------------------------------------------------------


class QueueFeed:
    """A control room's queue (every alert); ``zone`` keeps the alerts seen in it (and national)."""

    def __init__(self, sqs, queue_url: str, wait_s: int = 10, zone: str | None = None):
        self.sqs, self.url, self.wait_s, self.zone = sqs, queue_url, wait_s, zone

    def _wanted(self, alert: dict) -> bool:
        return self.zone is None or alert.get("zone") == self.zone or bool(alert.get("national"))

    def __iter__(self) -> Iterator[dict | None]:
        while True:
            msgs = self.sqs.receive_message(
                QueueUrl=self.url, MaxNumberOfMessages=10, WaitTimeSeconds=self.wait_s
            ).get("Messages", [])
            if not msgs:
                yield None  # idle tick
            for m in msgs:
                try:
                    alert = parse_body(m["Body"])
                    if self._wanted(alert):
                        yield alert
                finally:
                    # shown (or unreadable): the alert itself stays in the API until acknowledged
                    self.sqs.delete_message(QueueUrl=self.url, ReceiptHandle=m["ReceiptHandle"])


class ApiClient:
    def __init__(self, base_url: str, token: str, opener: Callable = urllib.request.urlopen):
        self.base, self.token, self.opener = base_url.rstrip("/"), token, opener

    def request(self, method: str, path: str, body: dict | None = None) -> dict:
        req = bearer_request(self.base, self.token, method, path, body)
        with self.opener(req, timeout=10) as resp:
            return json.loads(resp.read() or b"{}")

    def acknowledge(self, alert_id: str, outcome: str, comment: str) -> dict:
        return self.request(
            "POST", f"/alerts/{alert_id}/acknowledge", {"outcome": outcome, "comment": comment}
        )


def api_error(exc: urllib.error.HTTPError) -> str:
    """The API's own reason (``{"error": ...}``), on one line."""
    try:
        body = json.loads(exc.read() or b"{}")
    except ValueError:
        body = {}
    reason = body.get("error") if isinstance(body, dict) else None
    return f"HTTP {exc.code}: {reason or exc.reason}"


class ApiFeed:
    """Polls the zone's open alerts; opens each new one (an audited view, with fresh links)."""

    def __init__(self, api: ApiClient, zone: str, poll_s: float = 5, sleep: Callable = time.sleep):
        self.api, self.zone, self.poll_s, self.sleep = api, zone, poll_s, sleep
        self.seen: set[str] = set()

    def __iter__(self) -> Iterator[dict | None]:
        while True:
            listed = self.api.request("GET", f"/alerts?zone={self.zone}&status=open")["alerts"]
            new = [a for a in reversed(listed) if a["alert_id"] not in self.seen]
            for a in new:
                self.seen.add(a["alert_id"])
                yield self.api.request("GET", f"/alerts/{a['alert_id']}")
            if not new:
                yield None
                self.sleep(self.poll_s)


# -- the console -------------------------------------------------------------------------


def _when(ms: int, now_ms: int) -> str:
    t = datetime.fromtimestamp(ms / 1000, tz=UTC)
    return f"{t:%Y-%m-%d %H:%M:%S} UTC ({max(0, now_ms - ms) / 1000:.0f} s ago)"


def render(alert: dict, now_ms: int) -> list[str]:
    cam = alert.get("camera") or {}
    heading = f", heading {cam['heading']:.0f}°" if cam.get("heading") is not None else ""
    head = f"[{alert['priority'].upper()}] {alert['category'].replace('_', ' ').upper()}  {alert['plate']}"
    lines = [head]
    if alert.get("match_kind") == "possible_misread":
        lines.append(
            f"  POSSIBLE MISREAD: read {alert['plate']}, listed {alert['entry_plate']}: CHECK THE PHOTO BEFORE ACTING"
        )
    if alert.get("unverified"):
        lines.append("  CAMERA READ ONLY (no image evidence from our reader): CHECK THE PHOTO BEFORE ACTING")
    if alert.get("country_mismatch"):
        lines.append(f"  country mismatch: read {alert.get('country')}, listed {alert.get('entry_country')}")
    place = f"{cam.get('name') or cam.get('camera_id')} ({alert.get('zone')})"
    lines += [
        f"  where : {place} {cam.get('lat', 0):.5f},{cam.get('lon', 0):.5f}{heading}",
        f"  when  : {_when(alert['capture_ms'], now_ms)}; seen {alert.get('sighting_count', 1)}x",
        f"  read  : confidence {alert.get('confidence', 0):.2f}",
        f"  why   : {alert.get('reason', '')} [{alert.get('owning_unit', '')}]",
        f"  DO    : {alert.get('handling_instructions') or '(no instructions)'}",
        f"  alert : {alert['alert_id']} (send {alert.get('send', 1)})",
    ]
    return lines


class PatrolConsole:
    def __init__(
        self,
        *,
        feed,
        api: ApiClient | None,
        crops_dir: Path,
        out: TextIO = sys.stdout,
        ask: Callable[[str], str] | None = input,
        outcome: str | None = None,
        comment: str = "",
        fetch: Callable[[str], bytes] | None = None,
        now_ms: Callable[[], int] = lambda: int(time.time() * 1000),
    ):
        self.feed, self.api, self.crops_dir, self.out = feed, api, Path(crops_dir), out
        self.ask, self.outcome, self.comment = ask, outcome, comment
        self.fetch = fetch or _fetch
        self.now_ms = now_ms
        self.handled: list[dict] = []

    def run(self, max_alerts: int = 0, idle_timeout_s: float = 0, ack: bool = True) -> list[dict]:
        idle_since = time.monotonic()
        for alert in self.feed:
            if alert is None:
                if idle_timeout_s and time.monotonic() - idle_since >= idle_timeout_s:
                    break
                continue
            idle_since = time.monotonic()
            self.handle(alert, ack)
            if max_alerts and len(self.handled) >= max_alerts:
                break
        return self.handled

    def handle(self, alert: dict, ack: bool = True) -> dict:
        print("\n".join(render(alert, self.now_ms())), file=self.out)
        crop = self.save_crop(alert)
        print(f"  crop  : {crop or 'unavailable'}", file=self.out)
        record = {"alert_id": alert["alert_id"], "plate": alert["plate"], "crop": str(crop) if crop else None}
        if ack:
            outcome, comment = self.choose()
            if outcome:
                record.update(
                    outcome=outcome, comment=comment, acknowledged=self.acknowledge(alert, outcome, comment)
                )
        self.handled.append(record)
        self.out.flush()
        return record

    def save_crop(self, alert: dict) -> Path | None:
        url = alert.get("crop_url")
        if not url:
            return None
        try:
            body = self.fetch(url)
        except (urllib.error.URLError, OSError) as exc:
            print(f"  crop download failed: {exc}", file=self.out)
            return None
        self.crops_dir.mkdir(parents=True, exist_ok=True)
        path = self.crops_dir / f"{alert['alert_id']}_{alert.get('send', 1)}.jpg"
        path.write_bytes(body)
        return path

    def choose(self) -> tuple[str | None, str]:
        if self.outcome:
            return self.outcome, self.comment
        if self.ask is None:
            return None, ""
        key = self.ask("  outcome: [s]topped [n]ot found [m]isread [o]ther, Enter = later > ").strip().lower()
        outcome = OUTCOME_KEYS.get(key[:1]) if key else None
        if outcome is None:
            return None, ""
        comment = self.ask("  comment > ").strip()
        while outcome == "other" and not comment:
            comment = self.ask("  'other' needs a comment > ").strip()
        return outcome, comment

    def acknowledge(self, alert: dict, outcome: str, comment: str) -> bool:
        if self.api is None:
            print(f"  outcome {outcome} NOT sent (no --api): acknowledge in the app", file=self.out)
            return False
        try:
            self.api.acknowledge(alert["alert_id"], outcome, comment)
        except urllib.error.HTTPError as exc:
            print(f"  acknowledgement refused: {api_error(exc)}", file=self.out)
            return False
        except (urllib.error.URLError, OSError) as exc:
            print(f"  acknowledgement failed: {exc}", file=self.out)
            return False
        print(f"  acknowledged: {outcome}", file=self.out)
        return True


def _fetch(url: str) -> bytes:
    with urllib.request.urlopen(url, timeout=10) as resp:
        return resp.read()


def dispatch_queue_url(sqs, prefix: str) -> str:
    """The dispatch queue's URL as the local runtime names it (``{prefix}-alerts-dispatch``)."""
    from anpr.alerts.spec import DISPATCH_QUEUE
    from anpr.kernel.platform import _snake

    return sqs.get_queue_url(QueueName=f"{prefix}-{_snake(DISPATCH_QUEUE).replace('_', '-')}")["QueueUrl"]


def main(
    args: argparse.Namespace,
    *,
    sqs=None,
    out: TextIO = sys.stdout,
    err: TextIO = sys.stderr,
    ask=input,
    opener: Callable = urllib.request.urlopen,
) -> int:
    api = ApiClient(args.api, args.token or "", opener) if args.api else None
    if args.source == "api":
        if api is None:
            print("--source api needs --api and --token", file=sys.stderr)
            return 2
        feed = ApiFeed(api, args.zone)
    else:
        if sqs is None:
            import boto3

            sqs = boto3.client("sqs", region_name=args.region, endpoint_url=args.endpoint_url)
        url = args.queue_url or dispatch_queue_url(sqs, args.prefix)
        feed = QueueFeed(sqs, url, wait_s=2 if args.idle_timeout else 10, zone=args.zone)
    console = PatrolConsole(
        feed=feed,
        api=api,
        crops_dir=Path(args.crops),
        out=out,
        ask=None if args.outcome or not sys.stdin.isatty() else ask,
        outcome=args.outcome,
        comment=args.comment,
    )
    print(f"following alerts for zone {args.zone} (Ctrl-C to stop)", file=out)
    try:
        console.run(max_alerts=args.max_alerts, idle_timeout_s=args.idle_timeout, ack=not args.no_ack)
    except KeyboardInterrupt:
        pass
    except urllib.error.HTTPError as exc:  # e.g. 403: the zone is not one of yours
        print(f"anpr patrol: {api_error(exc)}", file=err)
        return 1
    except urllib.error.URLError as exc:
        print(f"anpr patrol: cannot reach {args.api}: {exc.reason}", file=err)
        return 1
    return 0
