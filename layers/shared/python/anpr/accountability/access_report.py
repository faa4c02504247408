"""Who looked at this car's data, when and why: the query a COC investigation or a
citizen's complaint starts from, exportable as a report (JSON or CSV)."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime

from pydantic import BaseModel

from anpr.accountability.ports import AuditReader
from anpr.reads.plates import normalise


class AccessRow(BaseModel):
    seq: int
    at: str  # ISO 8601, UTC
    at_ms: int
    action: str
    outcome: str
    actor_id: str
    actor_name: str
    roles: list[str]
    resource: str
    case_ref: str | None
    reason: str | None
    prosecutor_ref: str | None
    #: the record still matches its hash (a full chain check: ``anpr audit verify``)
    intact: bool


class AccessReport(BaseModel):
    plate: str
    from_ms: int | None
    to_ms: int | None
    generated_ms: int
    accesses: list[AccessRow]

    def to_csv(self) -> str:
        buf = io.StringIO()
        fields = list(AccessRow.model_fields)
        writer = csv.DictWriter(buf, fieldnames=fields)
        writer.writeheader()
        for row in self.accesses:
            data = row.model_dump()
            data["roles"] = " ".join(row.roles)
            writer.writerow(data)
        return buf.getvalue()


def iso(ms: int) -> str:
    return datetime.fromtimestamp(ms / 1000, tz=UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def who_accessed(
    trail: AuditReader, plate: str, now_ms: int, from_ms: int | None = None, to_ms: int | None = None
) -> AccessReport:
    """Every audit record that touched ``plate`` (normalised), oldest first."""
    p = normalise(plate)
    rows = []
    for rec in trail.by_plate(p):
        e = rec.event
        if (from_ms is not None and e.at_ms < from_ms) or (to_ms is not None and e.at_ms > to_ms):
            continue
        rows.append(
            AccessRow(
                seq=rec.seq,
                at=iso(e.at_ms),
                at_ms=e.at_ms,
                action=e.action,
                outcome=e.outcome,
                actor_id=e.actor_id,
                actor_name=e.actor_name,
                roles=e.roles,
                resource=e.resource,
                case_ref=e.case_ref,
                reason=e.reason,
                prosecutor_ref=e.prosecutor_ref,
                intact=rec.intact(),
            )
        )
    rows.sort(key=lambda r: r.seq)
    return AccessReport(plate=p, from_ms=from_ms, to_ms=to_ms, generated_ms=now_ms, accesses=rows)
