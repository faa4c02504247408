"""A search on the analytics copy: SQL → tagged sightings → the search package's ``merge``.

``merge`` is the one ranking for both engines (partial/place vehicles, A-and-B, convoy
scores), so a search gives the same items and sightings whichever engine read the reads.
"""

from __future__ import annotations

from anpr.analytics.adapters import QueryEngine
from anpr.analytics.engine import (
    DEFAULT_POLICY,
    DEFAULT_SCAN_BOUNDS,
    EngineChoice,
    EnginePolicy,
    ScanBounds,
    check_scan,
    choose_for,
)
from anpr.analytics.sql import ALT_SEP, build
from anpr.kernel.errors import BadRequest
from anpr.reads.cameras import CameraRegistry
from anpr.search.merge import merge
from anpr.search.models import ConvoyQuery, SearchResult, Sighting
from anpr.search.source import ReadSource


def to_sighting(r: tuple) -> Sighting:
    read_id, plate, capture_ms, camera_id, zone, lat, lon, confidence, alts, snapshot_key, tag = r
    return Sighting.model_construct(
        read_id=read_id,
        plate=plate,
        capture_ms=int(capture_ms),
        camera_id=camera_id,
        zone=zone or "",
        lat=float(lat if lat is not None else 0.0),
        lon=float(lon if lon is not None else 0.0),
        confidence=float(confidence if confidence is not None else 1.0),
        alternatives=tuple(a for a in (alts or "").split(ALT_SEP) if a),
        snapshot_key=snapshot_key or "",
        tag=tag or "",
    )


class AnalyticsSearch:
    """``plates``: optional, a source whose byPlate look-up gives a convoy's target sightings
    (the reads table: one plate, a few hundred items); the SQL then scans only the camera
    windows around them instead of every read of the range for one plate."""

    def __init__(self, engine: QueryEngine, cameras: CameraRegistry, plates: ReadSource | None = None):
        self.engine, self.cameras, self.plates = engine, cameras, plates

    def sightings(self, query) -> list[Sighting]:
        """Every sighting the DynamoDB plan would find for ``query``, with the same tags."""
        if isinstance(query, ConvoyQuery) and self.plates is not None:
            return self._convoy_with_known_targets(query)
        rows = [to_sighting(r) for r in self.engine.rows(build(query, self.cameras, self.engine.dialect))]
        if isinstance(query, ConvoyQuery) and not any(s.tag == "target" for s in rows):
            raise BadRequest("the target plate was not seen in this period")
        return rows

    def _convoy_with_known_targets(self, query: ConvoyQuery) -> list[Sighting]:
        targets = list(self.plates.plate(query.plate, query.start_ms, query.end_ms))
        if not targets:
            raise BadRequest("the target plate was not seen in this period")
        sql = build(query, self.cameras, self.engine.dialect, targets=targets)
        return [t.tagged("target") for t in targets] + [to_sighting(r) for r in self.engine.rows(sql)]

    def run(self, query, provenance: dict) -> SearchResult:
        return merge(query, self.sightings(query), provenance)


class AnalyticsRoute:
    """The search workflow's hook (``SearchWorkflow(analytics=...)``): for each job, which engine
    reads the reads; an analytics job is planned as ONE Map item of kind ``analytics``, which
    the same Step Functions workflow runs as its query task (the SQL, on DuckDB or Athena), then
    merges, exports and finishes exactly as a DynamoDB job."""

    def __init__(self, search: AnalyticsSearch, policy: EnginePolicy = DEFAULT_POLICY):
        self.search, self.policy = search, policy

    def choose(self, query) -> EngineChoice:
        return choose_for(query, policy=self.policy)

    def plan(self, query) -> tuple[EngineChoice, list[dict] | None]:
        """The choice, and the items when the analytics copy runs it (None: the reads table)."""
        choice = self.choose(query)
        if choice.engine != "analytics":
            return choice, None
        return choice, [{"kind": "analytics", "engine": choice.as_dict(), "index": 0}]

    def run_item(self, query, item: dict) -> list[Sighting]:
        return self.search.sightings(query)


class AnalyticsCost:
    """The API's side of the route (``SearchService(analytics=...)``): at submit, which engine
    the workflow will choose (the same ``choose_for`` and policy as :class:`AnalyticsRoute`),
    and the job's estimate in that engine's terms. A search for the copy is bounded by what it
    scans (:class:`ScanBounds`), not by the reads table's partitions and read units."""

    def __init__(self, policy: EnginePolicy = DEFAULT_POLICY, bounds: ScanBounds = DEFAULT_SCAN_BOUNDS):
        self.policy, self.bounds = policy, bounds

    def choose(self, query) -> EngineChoice:
        return choose_for(query, policy=self.policy)

    def estimate(self, query, reads_table: dict, scanned_today: int = 0) -> dict:
        """``reads_table``: the reads table's estimate (``Estimate.public()``), kept as it is
        when the search stays there; otherwise the copy's figures, after ``check_scan``."""
        choice = self.choose(query)
        if choice.engine != "analytics":
            return {**reads_table, "engine": "dynamodb", "reason": choice.reason}
        check_scan(choice, self.bounds, scanned_today)
        return {
            **reads_table,
            "engine": "analytics",
            "reason": choice.reason,
            "partitions": choice.partitions,
            "read_units": 0,
            "items": 1,
            "map": "inline",
            "scan_bytes": choice.bytes,
            "athena_usd": round(choice.athena_usd, 4),
        }
