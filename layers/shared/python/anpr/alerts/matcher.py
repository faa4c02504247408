"""Read → watchlist matches, in memory, in well under a tenth of a millisecond per read.

- **Exact**: the read's normalised plate is listed.
- **Possible misread**: one of the reader's own alternatives is listed, or a look-alike of the
  read (``anpr.reads.plates.lookalikes``: 8↔B, 0↔O, 1↔I, 5↔S, 2↔Z, 6↔G) is. Raised one priority
  step lower, so an officer checks the photo before acting.

Almost every read matches nothing. Look-alike swaps never leave their confusion class, so an
index of each listed plate's *class signature* (every confusable character replaced by its
class representative) answers "could any look-alike of this read be listed?" with one dict
lookup; only then are the look-alikes generated.

The active watchlist lives in the container (``WatchlistCache``): a GetItem on the version
stamp at most every ``refresh_s`` seconds, a full reload only when the stamp moved.
"""

from __future__ import annotations

import logging
import time
from collections import defaultdict
from collections.abc import Iterable

from anpr.alerts.models import Match, MatchKind, WatchlistEntry
from anpr.alerts.ports import WatchlistRepository
from anpr.kernel.clock import Clock
from anpr.kernel.db import StorageError
from anpr.reads.models import PlateRead
from anpr.reads.plates import CONFUSIONS, lookalikes

log = logging.getLogger(__name__)

UNKNOWN_COUNTRIES = frozenset({"", "UNKNOWN", "OTHER"})


def _confusion_classes() -> dict[str, str]:
    """Transitive closure of CONFUSIONS → one representative per class (0/O/D/Q → '0'...)."""
    rep: dict[str, str] = {}
    for ch in sorted(CONFUSIONS):
        if ch in rep:
            continue
        cls, todo = set(), [ch]
        while todo:
            c = todo.pop()
            if c not in cls:
                cls.add(c)
                todo.extend(CONFUSIONS.get(c, ""))
        first = min(cls)
        for c in cls:
            rep[c] = first
    return rep


_SIGNATURE = str.maketrans(_confusion_classes())


def signature(plate: str) -> str:
    """Equal for a plate and every one of its look-alikes."""
    return plate.translate(_SIGNATURE)


class WatchlistIndex:
    """An immutable snapshot of the active watchlist, keyed for O(1) lookups."""

    def __init__(self, entries: Iterable[WatchlistEntry], version: int = 0):
        self.version = version
        self.by_plate: dict[str, tuple[WatchlistEntry, ...]] = {}
        grouped: dict[str, list[WatchlistEntry]] = defaultdict(list)
        for e in entries:
            grouped[e.plate].append(e)
        self.by_plate = {p: tuple(es) for p, es in grouped.items()}
        self.signatures = frozenset(signature(p) for p in self.by_plate)

    def __len__(self) -> int:
        return sum(len(es) for es in self.by_plate.values())

    def match(self, read: PlateRead, now_ms: int) -> list[Match]:
        candidates: dict[str, MatchKind] = {}
        if read.plate in self.by_plate:
            candidates[read.plate] = MatchKind.EXACT
        for alt in read.alternatives:
            if alt in self.by_plate and alt not in candidates:
                candidates[alt] = MatchKind.POSSIBLE_MISREAD
        if signature(read.plate) in self.signatures:
            for alt in lookalikes(read.plate):
                if alt in self.by_plate and alt not in candidates:
                    candidates[alt] = MatchKind.POSSIBLE_MISREAD
        if not candidates:
            return []
        out = []
        for plate, kind in candidates.items():
            for entry in self.by_plate[plate]:
                # valid when seen, and still valid now (an entry lifted meanwhile raises nothing)
                if not (entry.active_at(read.capture_ms) and now_ms < entry.expires_ms):
                    continue
                if not entry.covers_zone(read.zone):
                    continue
                out.append(
                    Match(
                        entry=entry,
                        kind=kind,
                        read_plate=read.plate,
                        country_mismatch=_country_mismatch(entry, read),
                    )
                )
        return out


def _country_mismatch(entry: WatchlistEntry, read: PlateRead) -> bool:
    return bool(entry.country) and read.country not in UNKNOWN_COUNTRIES and read.country != entry.country


class WatchlistCache:
    """The active watchlist of this container, refreshed within ``refresh_s`` of a change.

    ``clock`` returns epoch milliseconds (injected: tests move time, not sleep).
    """

    def __init__(
        self,
        repo: WatchlistRepository,
        clock: Clock,
        refresh_s: float = 30.0,
    ):
        self.repo, self.refresh_s, self.clock = repo, refresh_s, clock
        self._index: WatchlistIndex | None = None
        self._checked_at = float("-inf")

    def index(self) -> WatchlistIndex:
        now = self.clock()
        if self._index is not None and now - self._checked_at < self.refresh_s * 1000:
            return self._index
        try:
            version = self.repo.version()
            if self._index is None or version != self._index.version:
                started = time.perf_counter()
                self._index = WatchlistIndex(self.repo.active(now), version)
                log.info(
                    "watchlist loaded",
                    extra={
                        "version": version,
                        "entries": len(self._index),
                        "load_ms": round((time.perf_counter() - started) * 1000, 1),
                    },
                )
            self._checked_at = now
        except StorageError:
            if self._index is None:
                raise  # no watchlist at all: fail the record (retried), never skip matching
            log.warning("watchlist refresh failed; matching with the cached version", exc_info=True)
        return self._index

    def invalidate(self) -> None:
        self._checked_at = float("-inf")


class Matcher:
    def __init__(self, cache: WatchlistCache):
        self.cache = cache

    def match(self, read: PlateRead) -> list[Match]:
        return self.cache.index().match(read, self.cache.clock())
