"""Managing watchlists: create, update, delete, list, bulk CSV import. Every change is audited
with who, when, and the entry before and after; every change bumps the version stamp the
ingest containers poll (so it is matched within 60 s)."""

from __future__ import annotations

import csv
import io
import uuid
from collections.abc import Callable

from pydantic import ValidationError

from anpr.alerts.audit import audit_event
from anpr.alerts.models import WatchlistEntry, WatchlistEntryIn, from_ms
from anpr.alerts.ports import WatchlistRepository
from anpr.kernel.audit import AuditTrail
from anpr.kernel.auth import Caller
from anpr.kernel.clock import Clock
from anpr.kernel.errors import BadRequest, NotFound

#: CSV header (one entry per line); zones separated by ';' ("national" or police zones)
CSV_COLUMNS = (
    "plate",
    "country",
    "category",
    "priority",
    "reason",
    "owning_unit",
    "handling_instructions",
    "valid_from",
    "expires",
    "zones",
)
_REQUIRED_COLUMNS = {"plate", "category", "reason", "owning_unit", "expires"}


def _new_id() -> str:
    return uuid.uuid4().hex


class WatchlistService:
    def __init__(
        self,
        repo: WatchlistRepository,
        audit: AuditTrail,
        *,
        clock: Clock,
        new_id: Callable[[], str] = _new_id,
        max_validity_days: int = 366,
        max_import_lines: int = 2000,
        hits: Callable[[list[str]], dict[str, int]] | None = None,
    ):
        """``hits``: exact-match alerts raised per entry id (the listing's hit counts)."""
        self.repo, self.audit, self.clock, self.new_id = repo, audit, clock, new_id
        self.hits = hits
        self.max_validity_days, self.max_import_lines = max_validity_days, max_import_lines

    # -- queries ---------------------------------------------------------------------------

    def get(self, entry_id: str, caller: Caller) -> WatchlistEntry:
        entry = self._existing(entry_id)
        self.audit.record(
            audit_event("watchlist.viewed", caller, f"watchlist/{entry_id}", plates=[entry.plate])
        )
        return entry

    def page(self, caller: Caller, limit: int = 100, cursor: str | None = None, plate: str | None = None):
        if not 1 <= limit <= 1000:
            raise BadRequest("limit must be 1-1000")
        entries, nxt = self.repo.page(limit, cursor, plate)
        if self.hits is not None and entries:
            counts = self.hits([e.entry_id for e in entries])
            entries = [e.model_copy(update={"hit_count": counts.get(e.entry_id, 0)}) for e in entries]
        self.audit.record(
            audit_event(
                "watchlist.listed",
                caller,
                "watchlist",
                plates=[e.plate for e in entries],
                detail={"count": len(entries), "plate_filter": bool(plate)},
            )
        )
        return entries, nxt

    # -- changes ---------------------------------------------------------------------------

    def create(self, data: WatchlistEntryIn, caller: Caller) -> WatchlistEntry:
        entry = self._entry(data, caller)
        self.repo.create(entry)
        self._changed([(None, entry)], caller)
        return entry

    def update(self, entry_id: str, data: WatchlistEntryIn, caller: Caller) -> WatchlistEntry:
        before = self._existing(entry_id)
        now = self.clock()
        after = self._entry(
            data,
            caller,
            entry_id=entry_id,
            created_by=before.created_by,
            created_ms=before.created_ms,
            misread_count=before.misread_count,
            valid_from_default=before.valid_from_ms,
        )
        self.repo.replace(after, expected_updated_ms=before.updated_ms)
        self._changed([(before, after)], caller, now)
        return after

    def delete(self, entry_id: str, caller: Caller) -> WatchlistEntry:
        before = self._existing(entry_id)
        self.repo.delete(entry_id, expected_updated_ms=before.updated_ms)
        self._changed([(before, None)], caller)
        return before

    def import_csv(self, text: str, caller: Caller) -> dict:
        """Creates every valid line; reports each line (created, or its errors). One file ≤
        ``max_import_lines`` entries; invalid lines never block the valid ones."""
        reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
        header = {h.strip() for h in (reader.fieldnames or [])}
        missing, unknown = _REQUIRED_COLUMNS - header, header - set(CSV_COLUMNS)
        if missing or unknown:
            raise BadRequest(
                f"CSV header must be {','.join(CSV_COLUMNS)}"
                + (f"; missing {sorted(missing)}" if missing else "")
                + (f"; unknown {sorted(unknown)}" if unknown else "")
            )
        report, entries, seen = [], [], {}
        for row in reader:
            line = reader.line_num
            if len(entries) + sum(1 for r in report if r["status"] == "error") >= self.max_import_lines:
                raise BadRequest(f"more than {self.max_import_lines} lines: split the file")
            clean = {k.strip(): (v or "").strip() for k, v in row.items() if k is not None}
            if not any(clean.values()):
                continue
            try:
                entry = self._entry(_from_csv(clean), caller)
            except (ValidationError, BadRequest) as exc:
                report.append({"line": line, "status": "error", "errors": _errors(exc)})
                continue
            key = (entry.plate, entry.category, entry.owning_unit)
            if key in seen:
                report.append({"line": line, "status": "error", "errors": [f"duplicate of line {seen[key]}"]})
                continue
            seen[key] = line
            entries.append(entry)
            report.append(
                {"line": line, "status": "created", "entry_id": entry.entry_id, "plate": entry.plate}
            )
        if entries:
            self.repo.create_many(entries)
            self._changed([(None, e) for e in entries], caller)
        return {
            "created": len(entries),
            "errors": sum(1 for r in report if r["status"] == "error"),
            "lines": report,
        }

    # -- helpers ---------------------------------------------------------------------------

    def _existing(self, entry_id: str) -> WatchlistEntry:
        entry = self.repo.get(entry_id)
        if entry is None:
            raise NotFound(f"watchlist entry {entry_id} not found")
        return entry

    def _entry(
        self,
        data: WatchlistEntryIn,
        caller: Caller,
        *,
        entry_id: str | None = None,
        created_by: str | None = None,
        created_ms: int | None = None,
        misread_count: int = 0,
        valid_from_default: int | None = None,
    ) -> WatchlistEntry:
        now = self.clock()
        valid_from = data.valid_from or from_ms(valid_from_default or now)
        if data.expires.timestamp() * 1000 <= now:
            raise BadRequest("expires is in the past")
        if (data.expires - valid_from).days > self.max_validity_days:
            raise BadRequest(f"an entry is valid at most {self.max_validity_days} days; re-submit to extend")
        return WatchlistEntry(
            **data.model_dump(exclude={"valid_from"}),
            valid_from=valid_from,
            entry_id=entry_id or self.new_id(),
            created_by=created_by or caller.user_id,
            created_ms=created_ms or now,
            updated_by=caller.user_id,
            updated_ms=now,
            misread_count=misread_count,
        )

    def _changed(
        self,
        changes: list[tuple[WatchlistEntry | None, WatchlistEntry | None]],
        caller: Caller,
        now: int | None = None,
    ) -> None:
        self.repo.bump_version(now or self.clock())
        for before, after in changes:
            action = (
                "watchlist.created"
                if before is None
                else "watchlist.deleted"
                if after is None
                else "watchlist.updated"
            )
            current = after or before
            self.audit.record(
                audit_event(
                    action,
                    caller,
                    f"watchlist/{current.entry_id}",
                    plates=[e.plate for e in (before, after) if e is not None],
                    detail={
                        "before": before.model_dump(mode="json") if before else None,
                        "after": after.model_dump(mode="json") if after else None,
                    },
                )
            )


def _from_csv(row: dict[str, str]) -> WatchlistEntryIn:
    data: dict = {k: v for k, v in row.items() if v != ""}
    if "zones" in data:
        data["zones"] = [z for z in data["zones"].replace(",", ";").split(";") if z.strip()]
    return WatchlistEntryIn.model_validate(data)


def _errors(exc: Exception) -> list[str]:
    if isinstance(exc, ValidationError):
        return [f"{'.'.join(str(p) for p in e['loc']) or 'entry'}: {e['msg']}" for e in exc.errors()]
    return [str(exc)]
