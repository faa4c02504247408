"""``anpr audit verify``, ``anpr audit who-accessed PLATE``, ``anpr transparency``.

With ``--api URL --token T`` (or ``ANPR_API`` / ``ANPR_TOKEN``: ``make local`` prints them)
the commands go through the REST API as the person logged in: the API checks their role,
records the access under their name and answers with its own error messages, which are
printed as one line (exit 1).

Without an API address they read AWS directly (ops, or an independent check of the chain),
or the local runtime's moto server with ``--endpoint URL`` (or env ``AWS_ENDPOINT_URL``). Physical names come from flags, from the functions' env variables
(``ANPR_TABLE_AUDIT_TRAIL``...), or from ``--prefix`` (the local runtime's naming,
``anpr-local`` → ``anpr-local-audit-trail``).

``who-accessed`` reads personal data, so it needs ``--case-ref`` and ``--reason`` and is
itself recorded in the trail (actor ``cli:<os user>``).
"""

from __future__ import annotations

import argparse
import getpass
import json
import os
import sys
import urllib.error
import urllib.parse
import urllib.request

#: (flag, env var, spec kind, spec id)
_RESOURCES = {
    "audit_table": ("--audit-table", "ANPR_TABLE_AUDIT_TRAIL", "table", "AuditTrail"),
    "archive_bucket": ("--archive-bucket", "ANPR_BUCKET_AUDIT_ARCHIVE", "bucket", "AuditArchive"),
    "probes_table": ("--probes-table", "ANPR_TABLE_PROBES", "table", "Probes"),
    "cameras_table": ("--cameras-table", "ANPR_TABLE_CAMERAS", "table", "Cameras"),
    "reads_table": ("--reads-table", "ANPR_TABLE_READS", "table", "Reads"),
    "alerts_table": ("--alerts-table", "ANPR_TABLE_ALERTS", "table", "Alerts"),
}


def register(subparsers: argparse._SubParsersAction) -> None:
    audit = subparsers.add_parser("audit", help="audit trail: verify the hash chain, who accessed a plate")
    audit_sub = audit.add_subparsers(dest="audit_command", required=True)

    verify = audit_sub.add_parser("verify", help="check the hash chain and its write-once mirror")
    _common(verify, "audit_table", "archive_bucket")
    verify.add_argument("--no-archive", action="store_true", help="check the table's chain only")
    verify.set_defaults(func=run_verify)

    who = audit_sub.add_parser("who-accessed", help="every recorded access to a plate (COC, complaints)")
    who.add_argument("plate")
    who.add_argument("--case-ref", required=True, help="complaint or investigation reference")
    who.add_argument("--reason", required=True, help="why this report is needed (recorded)")
    who.add_argument("--from", dest="start", default=None, help="ISO date or epoch ms")
    who.add_argument("--to", dest="end", default=None, help="ISO date or epoch ms")
    who.add_argument("--format", choices=("json", "csv"), default="json")
    _common(who, "audit_table", "archive_bucket")
    who.set_defaults(func=run_who_accessed)

    tr = subparsers.add_parser("transparency", help="public figures over a period (no personal data)")
    tr.add_argument("--from", dest="start", required=True, help="ISO date (the whole day) or epoch ms")
    tr.add_argument("--to", dest="end", required=True, help="ISO date (included: the whole day) or epoch ms")
    tr.add_argument("--no-reads", action="store_true", help="skip counting reads (a full table scan)")
    _common(tr, "audit_table", "probes_table", "cameras_table", "reads_table", "alerts_table")
    tr.set_defaults(func=run_transparency)


class ApiClient:
    """GET on the REST API with the person's token; failures become one-line ``SystemExit``."""

    def __init__(self, base_url: str, token: str):
        if not token:
            raise SystemExit(
                "anpr: no token: pass --token T or set ANPR_TOKEN (make local prints one per role)"
            )
        self.base, self.token = base_url.rstrip("/"), token

    def get(self, path: str, query: dict | None = None) -> str:
        params = {k: v for k, v in (query or {}).items() if v not in (None, "")}
        url = self.base + urllib.parse.quote(path) + (f"?{urllib.parse.urlencode(params)}" if params else "")
        req = urllib.request.Request(url, headers={"Authorization": f"Bearer {self.token}"})
        try:
            with urllib.request.urlopen(req, timeout=60) as resp:
                return resp.read().decode()
        except urllib.error.HTTPError as exc:
            raw = exc.read().decode(errors="replace")
            try:
                message = json.loads(raw).get("error") or raw
            except (ValueError, AttributeError):
                message = raw.strip()[:300] or exc.reason
            raise SystemExit(f"anpr: {message} (HTTP {exc.code})") from None
        except (urllib.error.URLError, OSError) as exc:
            raise SystemExit(
                f"anpr: cannot reach the API at {self.base}: {getattr(exc, 'reason', exc)}"
            ) from None


def _api(args: argparse.Namespace) -> ApiClient | None:
    return ApiClient(args.api, args.token) if getattr(args, "api", "") else None


def _common(p: argparse.ArgumentParser, *resources: str) -> None:
    p.add_argument(
        "--api", default=os.environ.get("ANPR_API", ""), help="API base URL: act as yourself (env ANPR_API)"
    )
    p.add_argument(
        "--token", default=os.environ.get("ANPR_TOKEN", ""), help="your bearer token (env ANPR_TOKEN)"
    )
    p.add_argument("--endpoint", default=None, help="AWS endpoint (moto server of the local runtime)")
    p.add_argument("--region", default=None, help="default: $AWS_REGION or eu-west-1")
    p.add_argument("--prefix", default=None, help="local runtime resource prefix, e.g. anpr-local")
    for r in resources:
        flag, env, _, _ = _RESOURCES[r]
        p.add_argument(flag, dest=r, default=None, help=f"physical name (default: ${env} or --prefix)")


def _name(args: argparse.Namespace, resource: str) -> str | None:
    _, env, _, rid = _RESOURCES[resource]
    value = getattr(args, resource, None) or os.environ.get(env)
    if not value and args.prefix:
        from anpr.kernel.platform import _snake

        value = f"{args.prefix}-{_snake(rid).replace('_', '-')}"
    return value


def _required(args: argparse.Namespace, resource: str) -> str:
    value = _name(args, resource)
    if not value:
        flag, env, _, _ = _RESOURCES[resource]
        raise SystemExit(f"anpr: no {resource.replace('_', ' ')}: pass {flag}, set ${env} or give --prefix")
    return value


def _setup(args: argparse.Namespace) -> str:
    if args.endpoint:
        os.environ["AWS_ENDPOINT_URL"] = args.endpoint  # boto3, and pynamodb through botocore
    return args.region or os.environ.get("AWS_REGION") or "eu-west-1"


def _trail(args: argparse.Namespace, region: str, with_archive: bool = True):
    from anpr.accountability.adapters.dynamo import DynamoAuditTrail
    from anpr.accountability.adapters.s3 import S3AuditArchive
    from anpr.kernel.clock import system_clock

    bucket = _name(args, "archive_bucket") if with_archive else None
    archive = S3AuditArchive(bucket, region=region) if bucket else None
    return DynamoAuditTrail(_required(args, "audit_table"), region, archive=archive, clock=system_clock)


def run_verify(args: argparse.Namespace) -> int:
    from anpr.accountability.verify import verify_store

    api = _api(args)
    if api is not None:
        report = json.loads(api.get("/audit/verify"))
    else:
        region = _setup(args)
        trail = _trail(args, region, with_archive=not args.no_archive)
        report = _direct(lambda: verify_store(trail, trail.archive)).model_dump(mode="json")
    print(json.dumps(report, indent=2))
    if not report["ok"]:
        print(f"audit chain NOT intact: {len(report['problems'])} problem(s)", file=sys.stderr)
        return 1
    print(f"audit chain intact: {report['checked']} record(s), head {report['head_seq']}", file=sys.stderr)
    return 0


def _direct(work):
    """Run ``work`` against AWS; a missing credential or endpoint is one line, not a traceback."""
    from botocore.exceptions import BotoCoreError, ClientError

    from anpr.kernel.db import StorageError

    try:
        return work()
    except (BotoCoreError, ClientError, StorageError) as exc:
        raise SystemExit(f"anpr: AWS access failed: {exc} (or use --api URL --token T)") from None


def _actor() -> str:
    try:
        return getpass.getuser()
    except Exception:  # noqa: BLE001 - no login name in some containers
        return "unknown"


def run_who_accessed(args: argparse.Namespace) -> int:
    from anpr.accountability.justification import Justification, check_justification
    from anpr.accountability.service import parse_time
    from anpr.kernel.errors import BadRequest

    try:
        j = check_justification(Justification(args.case_ref, args.reason))
        start, end = parse_time(args.start, "--from"), parse_time(args.end, "--to", end_of_day=True)
    except BadRequest as exc:
        raise SystemExit(f"anpr: {exc}") from None
    api = _api(args)
    if api is not None:  # recorded by the API under the person's own name
        query = {
            "case_ref": j.case_ref,
            "reason": j.reason,
            "from": args.start,
            "to": args.end,
            "format": args.format,
        }
        print(api.get(f"/audit/plates/{args.plate}/accesses", query))
        return 0
    return _direct(lambda: _who_accessed_direct(args, j, start, end))


def _who_accessed_direct(args: argparse.Namespace, j, start: int | None, end: int | None) -> int:
    from anpr.accountability.access_report import who_accessed
    from anpr.kernel.audit import AuditEvent
    from anpr.kernel.clock import system_clock

    region = _setup(args)
    trail = _trail(args, region)
    now = system_clock()
    user = _actor()
    report = who_accessed(
        trail, args.plate, now, start, end, requested_by=f"cli:{user}", case_ref=j.case_ref, reason=j.reason
    )
    trail.record(
        AuditEvent(
            action="audit.accesses_viewed",
            actor_id=f"cli:{user}",
            actor_name=user,
            resource=f"audit/plates/{report.plate}",
            plates=[report.plate],
            case_ref=j.case_ref,
            reason=j.reason,
            detail={"rows": len(report.accesses), "format": args.format, "via": "cli"},
            at_ms=now,
        )
    )
    print(report.to_csv() if args.format == "csv" else report.model_dump_json(indent=2))
    return 0


def run_transparency(args: argparse.Namespace) -> int:
    from anpr.accountability.service import period
    from anpr.kernel.errors import BadRequest

    try:  # both ends included: --to 2026-11-30 counts the 30th
        start, end = period(args.start, args.end, now_ms=0)
    except BadRequest as exc:
        raise SystemExit(f"anpr: {exc}") from None
    api = _api(args)
    if api is not None:
        print(
            json.dumps(json.loads(api.get("/transparency", {"from": args.start, "to": args.end})), indent=2)
        )
        return 0
    print(_direct(lambda: _transparency_direct(args, start, end)).model_dump_json(indent=2))
    return 0


def _transparency_direct(args: argparse.Namespace, start: int, end: int):
    from anpr.accountability.adapters.dynamo import DynamoProbeStore, alert_counter, reads_counter
    from anpr.accountability.models import ProbeStatus
    from anpr.accountability.transparency import figures
    from anpr.reads.cameras import DynamoCameraRegistry

    region = _setup(args)
    trail = _trail(args, region, with_archive=False)
    probes_table = _name(args, "probes_table")
    probes = []
    if probes_table:
        store = DynamoProbeStore(probes_table, region)
        probes = [p for s in ProbeStatus for p in store.by_status(s)]
    cameras_table = _name(args, "cameras_table")
    cameras = DynamoCameraRegistry(cameras_table, region).list() if cameras_table else []
    reads_table = None if args.no_reads else _name(args, "reads_table")
    count = reads_counter(reads_table, region) if reads_table else (lambda s, e: None)
    alerts_table = _name(args, "alerts_table")
    alerts = alert_counter(alerts_table, region) if alerts_table else (lambda s, e: None)
    return figures(trail, cameras, probes, start, end, count_reads=count, count_alerts=alerts)
