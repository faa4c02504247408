"""Accountability: the append-only audit trail and its Object Lock mirror, random audit
probes, legal holds, the auditor's and the oversight body's endpoints.

Design notes and trade-offs: docs/accountability.md.
"""

from anpr.kernel.spec import (
    Attribute as S,
)
from anpr.kernel.spec import (
    BucketSpec,
    FunctionSpec,
    Index,
    ScheduleSpec,
    SpecPart,
    TableSpec,
    Use,
    api_function,
    routes,
)

#: What every function writing audit records needs (``anpr.accountability.wiring.trail_from``):
#: PutItem on the trail (never Update/Delete) and PutObject on the write-once mirror.
AUDIT_WRITER_USES = (
    Use("table", "AuditTrail", "append"),
    Use("bucket", "AuditArchive", "append"),
)

AUDIT_READER_USES = (
    Use("table", "AuditTrail", "read"),
    Use("bucket", "AuditArchive", "read"),
)

#: Who may release someone else's legal hold (with their own case reference and reason);
#: the holder may always release their own.
HOLD_RELEASE_ROLES = frozenset({"supervisor"})
_HOLD_READ = ("investigator", "supervisor", "auditor")

PART = SpecPart(
    tables=(
        # One hash chain: chain="AUDIT", seq=1,2,3... (conditional put on the next seq).
        # Plate pointers live in their own partitions: chain="P#{plate}", seq=<record seq>
        # (a record touches many plates; a GSI indexes one value per item).
        TableSpec(
            id="AuditTrail",
            partition_key=S("chain"),
            sort_key=S("seq", "N"),
            indexes=(
                Index("byActor", S("actor_pk"), S("at_sk")),  # A#{actor_id}, {at_ms:013d}#{seq:012d}
                Index("byDay", S("day_pk"), S("at_sk")),  # D#{yyyymmdd}: figures over a period
            ),
            data_class="audit",
        ),
        TableSpec(
            id="Probes",
            partition_key=S("probe_id"),
            indexes=(Index("byStatus", S("status"), S("drawn_sk")),),
            data_class="audit",
        ),
        # hold_id + item ("HOLD" header, "READ#{read_id}" per held read)
        TableSpec(
            id="LegalHolds",
            partition_key=S("hold_id"),
            sort_key=S("item"),
            indexes=(Index("byRead", S("read_id"), S("hold_id")),),
        ),
    ),
    buckets=(
        # One object per audit record, write-once (If-None-Match) and Object Lock in compliance
        # mode: not even the account root can alter or delete a record for two years.
        BucketSpec(
            id="AuditArchive",
            expire_with_retention=False,
            versioned=True,
            data_class="audit",
            object_lock_days=730,
        ),
        # Copies of held snapshots/crops (same keys): outlive the Snapshots lifecycle until released.
        BucketSpec(id="HeldEvidence", expire_with_retention=False, versioned=True, object_lock=True),
    ),
    functions=(
        api_function(
            "AuditApi",
            "audit_api",
            uses=(
                *AUDIT_WRITER_USES,
                *AUDIT_READER_USES,
                Use("table", "Probes", "read_write"),
                Use("table", "LegalHolds", "read_write"),
                Use("table", "Reads", "read_write"),  # legal hold: TTL removed / restored
                Use("table", "Cameras", "read"),  # transparency figures
                Use("table", "Alerts", "read"),  # transparency: alerts raised, outcomes
                Use("bucket", "Snapshots", "read"),  # copy source of held images
                Use("bucket", "HeldEvidence", "manage"),  # release deletes the copies
            ),
        ),
        FunctionSpec(
            id="Probes",
            code="probes",
            memory_mb=256,
            timeout_s=120,
            uses=(
                *AUDIT_WRITER_USES,
                Use("table", "AuditTrail", "read"),
                Use("table", "Probes", "read_write"),
            ),
        ),
    ),
    schedules=(
        ScheduleSpec(
            id="ProbeDraw", function="Probes", rate_minutes=24 * 60, payload={"job": "draw", "period_days": 1}
        ),
        ScheduleSpec(id="ProbeEscalation", function="Probes", rate_minutes=60, payload={"job": "escalate"}),
    ),
    routes=(
        # oversight (COC, citizen complaints): who looked at this car's data, when and why; the
        # access log, filtered
        *routes("AuditApi", ("auditor",), "GET /audit/plates/{plate}/accesses", "GET /audit/accesses"),
        *routes("AuditApi", ("auditor", "ops"), "GET /audit/verify", personal_data=False),
        *routes("AuditApi", ("auditor", "supervisor"), "GET /transparency", personal_data=False),
        *routes("AuditApi", ("supervisor", "auditor"), "GET /probes"),
        *routes("AuditApi", ("supervisor",), "POST /probes/{probe_id}/answer"),
        *routes("AuditApi", _HOLD_READ, "GET /legal-holds"),
        *routes("AuditApi", ("investigator",), "POST /legal-holds"),
        *routes("AuditApi", _HOLD_READ, "GET /legal-holds/{hold_id}"),
        *routes("AuditApi", ("investigator", "supervisor"), "POST /legal-holds/{hold_id}/release"),
    ),
    # The core API records denied attempts (anpr.kernel.http.new_resolver(audit=default_trail)).
    extra_uses={"Api": AUDIT_WRITER_USES},
)
