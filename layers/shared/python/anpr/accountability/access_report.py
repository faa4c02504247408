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


#: the row's columns copied as they are from the audit event
EVENT_COLUMNS = set(AccessRow.model_fields) - {"seq", "at", "intact"}


class AccessReport(BaseModel):
    plate: str
    from_ms: int | None
    to_ms: int | None
    generated_ms: int
    accesses: list[AccessRow]
    #: who asked for this report, and why (the report is itself an audited access)
    requested_by: str | None = None
    case_ref: str | None = None
    reason: str | None = None

    def provenance(self) -> list[tuple[str, str]]:
        """What the report is, in words: never mixed with the data rows."""
        period = f"{iso(self.from_ms) if self.from_ms is not None else 'the first record'} to " + (
            f"{iso(self.to_ms)}" if self.to_ms is not None else "the report time"
        )
        return [
            ("report", f"every recorded access to the data of plate {self.plate}"),
            ("period", f"{period}, both ends included (UTC)"),
            ("generated", iso(self.generated_ms)),
            ("requested by", self.requested_by or ""),
            ("case reference", self.case_ref or ""),
            ("reason", self.reason or ""),
            ("rows", str(len(self.accesses))),
            ("integrity", "intact = the record still matches its hash; the whole chain: anpr audit verify"),
        ]

    def to_csv(self) -> str:
        """Every cell quoted, text a spreadsheet would evaluate neutralised: a case reference
        or reason stays inside its cell whatever it holds (newlines, quotes, ``=HYPERLINK``).
        A block of ``provenance, label, value`` rows, an empty row, then the data table."""
        buf = io.StringIO()
        writer = csv.writer(buf, quoting=csv.QUOTE_ALL, lineterminator="\r\n")
        for label, text in self.provenance():
            writer.writerow([PROVENANCE_MARK, label, neutralise(text)])
        writer.writerow([])
        fields = list(AccessRow.model_fields)
        writer.writerow(fields)
        for row in self.accesses:
            data = row.model_dump()
            data["roles"] = " ".join(row.roles)
            writer.writerow([neutralise("" if data[f] is None else data[f]) for f in fields])
        return buf.getvalue()


def read_csv(text: str) -> tuple[dict[str, str], list[dict[str, str]]]:
    """The provenance block and the data rows of a who-accessed CSV (checks and tools)."""
    rows = list(csv.reader(io.StringIO(text, newline="")))
    blank = rows.index([])
    provenance = {r[1]: r[2] for r in rows[:blank] if r and r[0] == PROVENANCE_MARK}
    header, data = rows[blank + 1], rows[blank + 2 :]
    return provenance, [dict(zip(header, r, strict=True)) for r in data]


#: first cell of every provenance row of the CSV
PROVENANCE_MARK = "provenance"
#: what a spreadsheet reads as the start of a formula (or a cell break)
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value: object) -> object:
    """A text cell a spreadsheet would evaluate gets a leading ``'``; numbers stay numbers."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def iso(ms: int) -> str:
    return datetime.fromtimestamp(ms / 1000, tz=UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def access_row(rec) -> AccessRow:
    """One audit record as a row of an access report or of the access log."""
    e = rec.event
    return AccessRow(seq=rec.seq, at=iso(e.at_ms), intact=rec.intact(), **e.model_dump(include=EVENT_COLUMNS))


def who_accessed(
    trail: AuditReader,
    plate: str,
    now_ms: int,
    from_ms: int | None = None,
    to_ms: int | None = None,
    *,
    requested_by: str | None = None,
    case_ref: str | None = None,
    reason: str | None = None,
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
                seq=rec.seq, at=iso(e.at_ms), intact=rec.intact(), **e.model_dump(include=EVENT_COLUMNS)
            )
        )
    rows.sort(key=lambda r: r.seq)
    return AccessReport(
        plate=p,
        from_ms=from_ms,
        to_ms=to_ms,
        generated_ms=now_ms,
        accesses=rows,
        requested_by=requested_by,
        case_ref=case_ref,
        reason=reason,
    )
