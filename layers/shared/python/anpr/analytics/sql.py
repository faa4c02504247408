"""One query definition per search type, as SQL over the Parquet layout.

The SQL returns *tagged sightings*: the same rows, with the same tags, that the DynamoDB plan
(``anpr.search.plan`` + ``partition``) hands to ``anpr.search.merge``. Ranking stays in one
place (``merge``), so both engines give identical results by construction; what moves into SQL
is the expensive part: scanning months of reads for a pattern, or joining the whole country's
reads to a target's windows (convoy).

One text for both engines: the only differences are where the reads are (``{reads}``, filled
by the adapter: ``read_parquet([...])`` for DuckDB, ``"db"."reads"`` for Athena) and how an
array becomes a string (:class:`Dialect`). Every literal is validated before it is written
into the text (plates A-Z0-9, camera ids ``[A-Za-z0-9_-]``, integers), so no user text reaches
SQL unchecked; Athena's execution parameters cannot carry lists, DuckDB's cannot carry
relations.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from anpr.analytics.models import day_of
from anpr.kernel.errors import BadRequest
from anpr.reads.cameras import CameraRegistry
from anpr.reads.plates import lookalikes
from anpr.search.models import (
    DAY_MS,
    SIGHTING_FIELDS,
    ABQuery,
    ConvoyQuery,
    PartialQuery,
    Place,
    PlaceQuery,
    TrajectoryQuery,
)
from anpr.search.plan import cameras_at

#: the Sighting fields every query returns, in this order, then ``tag``
SIGHTING_COLUMNS = SIGHTING_FIELDS
#: separator of the alternatives in the result (plates are A-Z0-9: never inside one)
ALT_SEP = ","


@dataclass(frozen=True)
class Dialect:
    name: str
    #: array<string> → string, ``{}`` the column
    join_array: str


DUCKDB = Dialect("duckdb", "array_to_string({}, ',')")
ATHENA = Dialect("athena", "array_join({}, ',')")


@dataclass(frozen=True)
class SqlQuery:
    """SQL with a ``{reads}`` placeholder, and the days it may touch (partition pruning)."""

    sql: str
    day_lo: str
    day_hi: str

    def render(self, reads: str) -> str:
        return self.sql.replace("{reads}", reads)


_PLATE = re.compile(r"^[A-Z0-9]{1,16}$")
_LIKE = re.compile(r"^[A-Z0-9_%]{1,16}$")
_CAMERA = re.compile(r"^[A-Za-z0-9_-]{1,64}$")


def _plate(p: str) -> str:
    if not _PLATE.match(p):
        raise BadRequest(f"not a normalised plate: {p!r}")
    return f"'{p}'"


def _cameras(ids: list[str]) -> str:
    for c in ids:
        if not _CAMERA.match(c):
            raise BadRequest(f"not a camera id: {c!r}")
    return ", ".join(f"'{c}'" for c in ids)


def _int(v: int) -> str:
    return str(int(v))


def like_pattern(pattern: str) -> str:
    """The search package's wildcard (``?`` one character, ``*`` any run) as SQL LIKE.

    Plates are normalised A-Z0-9, so ``_`` and ``%`` never occur in them: no escaping needed.
    Same semantics as ``anpr.search.partition.wildcard_regex`` (whole plate must match).
    """
    out = pattern.replace("?", "_").replace("*", "%")
    if not _LIKE.match(out):
        raise BadRequest(f"not a wildcard pattern: {pattern!r}")
    return out


def _select(dialect: Dialect, alias: str = "") -> str:
    a = f"{alias}." if alias else ""
    cols = []
    for c in SIGHTING_COLUMNS:
        if c == "alternatives":
            cols.append(f"{dialect.join_array.format(a + c)} AS alternatives")
        else:
            cols.append(f"{a}{c}")
    return ", ".join(cols)


def _days(alias: str, start_ms: int, end_ms: int) -> str:
    a = f"{alias}." if alias else ""
    return f"{a}\"day\" BETWEEN '{day_of(start_ms)}' AND '{day_of(end_ms)}'"


def _window(tag: str, start_ms: int, end_ms: int, extra: str, dialect: Dialect) -> str:
    return (
        f"SELECT {_select(dialect)}, '{tag}' AS tag FROM {{reads}}\n"
        f" WHERE {_days('', start_ms, end_ms)}\n"
        f"   AND capture_ms BETWEEN {_int(start_ms)} AND {_int(end_ms)}\n"
        f"   AND {extra}"
    )


def build(query, cameras: CameraRegistry, dialect: Dialect = DUCKDB, targets: list | None = None) -> SqlQuery:
    """The SQL for ``query`` (partial, place, ab, convoy; trajectory too, for completeness).

    ``targets``: a convoy's target sightings already known (from the byPlate index): the SQL then
    reads only the camera windows around them (see :func:`convoy_windows`)."""
    if isinstance(query, PartialQuery):
        return _partial(query, cameras, dialect)
    if isinstance(query, PlaceQuery):
        return _places([("", query)], cameras, dialect)
    if isinstance(query, ABQuery):
        return _places([("a", query.a), ("b", query.b)], cameras, dialect)
    if isinstance(query, ConvoyQuery):
        return _convoy(query, dialect) if targets is None else convoy_windows(query, targets, dialect)
    if isinstance(query, TrajectoryQuery):
        return _trajectory(query, dialect)
    raise BadRequest(f"no analytics query for {type(query).__name__}")


def _partial(query: PartialQuery, cameras: CameraRegistry, dialect: Dialect) -> SqlQuery:
    cond = f"plate LIKE '{like_pattern(query.pattern)}'"
    if query.cameras or query.zones:  # the same camera set the DynamoDB plan windows over
        zones = set(query.zones)
        limited = sorted(set(query.cameras) | {c.camera_id for c in cameras.list() if c.zone in zones})
        if not limited:
            raise BadRequest("no camera in the given zones")
        cond += f"\n   AND camera_id IN ({_cameras(limited)})"
    sql = _window("", query.start_ms, query.end_ms, cond, dialect) + "\nORDER BY capture_ms, read_id"
    return SqlQuery(sql, day_of(query.start_ms), day_of(query.end_ms))


def _places(places: list[tuple[str, Place]], cameras: CameraRegistry, dialect: Dialect) -> SqlQuery:
    parts = [
        _window(tag, p.start_ms, p.end_ms, f"camera_id IN ({_cameras(cameras_at(p, cameras))})", dialect)
        for tag, p in places
    ]
    sql = "\nUNION ALL\n".join(parts) + "\nORDER BY capture_ms, read_id, tag"
    return SqlQuery(
        sql,
        day_of(min(p.start_ms for _, p in places)),
        day_of(max(p.end_ms for _, p in places)),
    )


def _trajectory(query: TrajectoryQuery, dialect: Dialect) -> SqlQuery:
    plates = [query.plate] + (lookalikes(query.plate, max_swaps=1) if query.include_lookalikes else [])
    tag = f"CASE WHEN plate = {_plate(query.plate)} THEN '' ELSE 'lookalike' END"
    sql = (
        f"SELECT {_select(dialect)}, {tag} AS tag FROM {{reads}}\n"
        f" WHERE {_days('', query.start_ms, query.end_ms)}\n"
        f"   AND capture_ms BETWEEN {_int(query.start_ms)} AND {_int(query.end_ms)}\n"
        f"   AND plate IN ({', '.join(_plate(p) for p in plates)})\n"
        "ORDER BY capture_ms, read_id"
    )
    return SqlQuery(sql, day_of(query.start_ms), day_of(query.end_ms))


def _convoy(query: ConvoyQuery, dialect: Dialect) -> SqlQuery:
    """The plan's convoy items in one statement.

    - ``target``: every sighting of the plate in the range (tag ``target``);
    - ``centres``: its ``max_sightings`` most recent ones (the DynamoDB plan keeps the same);
    - each centre, and the same time of day on ``control_days`` previous days, is a window
      ±Δt at the centre's camera: every read there is tagged ``w:<read>`` / ``c:<read>:<day>``.
    The join is an equi-join on camera plus a range: the build side is the few hundred
    windows, the probe side the reads of the days they reach.
    """
    dt = query.window_s * 1000
    oldest = query.start_ms - query.control_days * DAY_MS - dt
    newest = query.end_ms + dt
    sql = f"""WITH target AS (
  SELECT {_select(dialect)} FROM {{reads}}
   WHERE {_days("", query.start_ms, query.end_ms)}
     AND capture_ms BETWEEN {_int(query.start_ms)} AND {_int(query.end_ms)}
     AND plate = {_plate(query.plate)}
),
centres AS (
  SELECT read_id AS centre_id, camera_id AS centre_camera, capture_ms AS centre_ms FROM target
   ORDER BY capture_ms DESC, read_id DESC
   LIMIT {_int(query.max_sightings)}
),
{_windows("centres c", query.control_days)}
SELECT *, 'target' AS tag FROM target
UNION ALL
{_window_reads(dialect, dt, oldest, newest)}
ORDER BY capture_ms, read_id, tag"""
    return SqlQuery(sql, day_of(oldest), day_of(newest))


def _windows(centres: str, control_days: int) -> str:
    """The ``windows`` CTE: each centre (``centre_id, centre_camera, centre_ms`` of the
    relation ``centres``, aliased ``c``) and the same time on ``control_days`` previous days."""
    offsets = ", ".join(f"({d})" for d in range(control_days + 1))
    return f"""windows AS (
  SELECT c.centre_id, c.centre_camera, c.centre_ms - o.day_offset * {DAY_MS} AS t, o.day_offset
    FROM {centres}
   CROSS JOIN (VALUES {offsets}) AS o(day_offset)
)"""


def _window_reads(dialect: Dialect, dt: int, oldest: int, newest: int) -> str:
    """Every read within ±``dt`` of a window at its centre's camera, tagged ``w:<centre>`` (the
    centre's own day) or ``c:<centre>:<day>`` (a control day); the WHERE clause may go on."""
    return f"""SELECT {_select(dialect, "r")},
       CASE WHEN w.day_offset = 0 THEN 'w:' || w.centre_id
            ELSE 'c:' || w.centre_id || ':' || CAST(w.day_offset AS VARCHAR) END AS tag
  FROM {{reads}} r
  JOIN windows w
    ON r.camera_id = w.centre_camera
   AND r.capture_ms BETWEEN w.t - {_int(dt)} AND w.t + {_int(dt)}
 WHERE {_days("r", oldest, newest)}"""


_READ_ID = re.compile(r"^[A-Za-z0-9_-]{1,64}$")


def centres(query: ConvoyQuery, targets: list) -> list:
    """The target sightings the windows are centred on: the ``max_sightings`` most recent."""
    ordered = sorted(targets, key=lambda s: (s.capture_ms, s.read_id))
    return ordered[-query.max_sightings :]


def convoy_windows(query: ConvoyQuery, targets: list, dialect: Dialect) -> SqlQuery:
    """The convoy's windows only, around target sightings given as literals (one camera-bound
    scan: row groups of other cameras are skipped; no scan of every read for one plate)."""
    dt = query.window_s * 1000
    chosen = centres(query, targets)
    for s in chosen:
        if not _READ_ID.match(s.read_id) or not _CAMERA.match(s.camera_id):
            raise BadRequest("unexpected read or camera id in the target's sightings")
    values = ", ".join(f"('{s.read_id}', '{s.camera_id}', {_int(s.capture_ms)})" for s in chosen)
    oldest = min(s.capture_ms for s in chosen) - query.control_days * DAY_MS - dt
    newest = max(s.capture_ms for s in chosen) + dt
    given = f"(VALUES {values}) AS c(centre_id, centre_camera, centre_ms)"
    sql = f"""WITH {_windows(given, query.control_days)}
{_window_reads(dialect, dt, oldest, newest)}
   AND r.camera_id IN ({_cameras(sorted({s.camera_id for s in chosen}))})
ORDER BY capture_ms, read_id, tag"""
    return SqlQuery(sql, day_of(oldest), day_of(newest))
