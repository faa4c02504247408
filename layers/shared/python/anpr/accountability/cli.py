"""``anpr audit verify``, ``anpr audit who-accessed PLATE``, ``anpr transparency``.

Talks to AWS, or to the local runtime's moto server with ``--endpoint URL`` (or env
``AWS_ENDPOINT_URL``). Physical names come from flags, from the functions' env variables
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


def _common(p: argparse.ArgumentParser, *resources: str) -> None:
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

    region = _setup(args)
    trail = _trail(args, region, with_archive=not args.no_archive)
    report = verify_store(trail, trail.archive)
    print(json.dumps(report.model_dump(mode="json"), indent=2))
    if not report.ok:
        print(f"audit chain NOT intact: {len(report.problems)} problem(s)", file=sys.stderr)
        return 1
    print(f"audit chain intact: {report.checked} record(s), head {report.head_seq}", file=sys.stderr)
    return 0


def _actor() -> str:
    try:
        return getpass.getuser()
    except Exception:  # noqa: BLE001 - no login name in some containers
        return "unknown"


def run_who_accessed(args: argparse.Namespace) -> int:
    from anpr.accountability.access_report import who_accessed
    from anpr.accountability.justification import Justification, check_justification
    from anpr.accountability.service import parse_time
    from anpr.kernel.audit import AuditEvent
    from anpr.kernel.clock import system_clock
    from anpr.kernel.errors import BadRequest

    try:
        j = check_justification(Justification(args.case_ref, args.reason))
        start, end = parse_time(args.start, "--from"), parse_time(args.end, "--to", end_of_day=True)
    except BadRequest as exc:
        raise SystemExit(f"anpr: {exc}") from None
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
    from anpr.accountability.adapters.dynamo import DynamoProbeStore, alert_counter, reads_counter
    from anpr.accountability.models import ProbeStatus
    from anpr.accountability.service import period
    from anpr.accountability.transparency import figures
    from anpr.kernel.errors import BadRequest
    from anpr.reads.cameras import DynamoCameraRegistry

    region = _setup(args)
    try:  # both ends included: --to 2026-11-30 counts the 30th
        start, end = period(args.start, args.end, now_ms=0)
    except BadRequest as exc:
        raise SystemExit(f"anpr: {exc}") from None
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
    result = figures(trail, cameras, probes, start, end, count_reads=count, count_alerts=alerts)
    print(result.model_dump_json(indent=2))
    return 0
