"""The analytics copy at national scale: a month of reads as Parquet, three long searches on DuckDB.

Generates ``DAYS`` days × ``READS_PER_DAY`` reads in the real layout
(``reads/day=YYYY-MM-DD/hour=HH/*.parquet``, zstd, sorted by camera and time within an hour,
as compaction leaves it) with DuckDB's own generator (2,000 cameras in 20 zones, 3 M vehicles
with a skewed repeat rate, 8 % low-confidence reads with an alternative), plants a commuting
target with a convoy partner and a commuter regular, then times the real search path
(``anpr.analytics.sql`` → DuckDB → ``anpr.search.merge``) for:

- a national four-week wildcard (``partial``, no camera limit),
- a one-month convoy (3 control days, ±120 s),
- a three-place query (``place`` at three cameras, four weeks) and an A-and-B over the month.

Belgium reads 10–30 M plates a day; the generated density is lower so the month fits a few
minutes and a few GB on a small machine. Scan work is linear in rows, so the table states the
measured figure and its extrapolation to 30 M/day; Athena's cost comes from the bytes of the
columns each query reads ($5 per TB scanned, 10 MB minimum).

``READS_PER_DAY`` / ``DAYS`` from the environment (``ANPR_BENCH_READS_PER_DAY``,
``ANPR_BENCH_DAYS``); ``main()`` prints the table, ``run()`` returns its rows (bench/run.py).
"""

from __future__ import annotations

import os
import shutil
import tempfile
import time
from pathlib import Path

from anpr.analytics.adapters import DuckDBEngine
from anpr.analytics.models import DAY_MS, HOUR_MS, day_of
from anpr.analytics.service import AnalyticsSearch
from anpr.analytics.sql import SIGHTING_COLUMNS, build
from anpr.reads.models import Camera
from anpr.search.merge import merge
from anpr.search.models import parse_query

from tests.fakes.reads import InMemoryCameraRegistry
from tests.fakes.search import InMemoryReadSource

READS_PER_DAY = int(os.environ.get("ANPR_BENCH_READS_PER_DAY", "1000000"))
DAYS = int(os.environ.get("ANPR_BENCH_DAYS", "28"))
NATIONAL_PER_DAY = 30_000_000  # the top of Belgium's 10–30 M reads a day
N_CAMERAS = 2_000
N_VEHICLES = 3_000_000
END_MS = 1_795_000_000_000 - 1_795_000_000_000 % DAY_MS  # midnight UTC, 2026-11-18
START_MS = END_MS - DAYS * DAY_MS
USD_PER_TB = 5.0
#: row groups as a national hour file has them: 122,880 rows of 1.25 M an hour ≈ 10 per file,
#: each a slice of the cameras (the file is sorted by camera); scaled to the generated density
#: so that statistics-based skipping (place, convoy windows) is neither flattered nor hidden
ROW_GROUP_ROWS = max(1024, 122_880 * READS_PER_DAY // NATIONAL_PER_DAY)
#: goals (docs/analytics.md): query seconds at national density on one 2-vCPU DuckDB, the
#: Athena bill per search, bytes per read
GOAL_QUERY_S = 60.0
#: the local engine, at the generated density (the local runtime's and the tests' volumes are far smaller)
GOAL_LOCAL_S = 30.0
GOAL_USD = 0.50
GOAL_BYTES_PER_READ = 60.0


def _cam(i: int) -> str:
    return f"CAM-{i:04d}"


def _cameras() -> list[Camera]:
    return [
        Camera(
            camera_id=_cam(i),
            lat=49.5 + (i * 7919 % 1000) / 1000 * 1.9,
            lon=2.6 + (i * 104729 % 1000) / 1000 * 3.7,
            zone=f"Z{i % 20:02d}",
        )
        for i in range(N_CAMERAS)
    ]


# One day of synthetic reads, all columns of the layout (anpr.analytics.models.COLUMNS).
_DAY_SQL = """
SELECT
  substr(md5(CAST({day_index} AS VARCHAR) || '-' || CAST(i AS VARCHAR)), 1, 20) AS read_id,
  plate,
  substr(plate, 1, 1) || '-' || substr(plate, 2, 3) || '-' || substr(plate, 5) AS raw_text,
  CASE WHEN h % 50 = 0 THEN 'NL' WHEN h % 70 = 1 THEN 'FR' ELSE 'BE' END AS country,
  confidence,
  CASE WHEN confidence < 0.8 THEN [substr(plate, 1, 6) || chr(48 + CAST(h % 10 AS INTEGER))]
       ELSE CAST([] AS VARCHAR[]) END AS alternatives,
  'CAM-' || lpad(CAST(cam AS VARCHAR), 4, '0') AS camera_id,
  'Z' || lpad(CAST(cam % 20 AS VARCHAR), 2, '0') AS zone,
  capture_ms,
  49.5 + ((cam * 7919) % 1000) / 1000 * 1.9 AS lat,
  2.6 + ((cam * 104729) % 1000) / 1000 * 3.7 AS lon,
  CAST((cam * 37) % 360 AS DOUBLE) AS heading,
  CAST(h % 3 AS INTEGER) AS lane,
  CASE WHEN h % 2 = 0 THEN 'in' ELSE 'out' END AS direction,
  'anpr-prod-snapshots' AS snapshot_bucket,
  'snapshots/CAM-' || lpad(CAST(cam AS VARCHAR), 4, '0') || '/' || CAST(capture_ms AS VARCHAR) || '.jpg'
    AS snapshot_key,
  'crops/CAM-' || lpad(CAST(cam AS VARCHAR), 4, '0') || '/' || CAST(capture_ms AS VARCHAR) || '-0.png'
    AS crop_key,
  'ocr' AS source,
  'tflite-2026.11' AS engine,
  capture_ms + 300 + CAST(h % 1500 AS BIGINT) AS ingested_ms,
  strftime(make_timestamp(capture_ms * 1000), '%Y-%m-%d') AS day,
  strftime(make_timestamp(capture_ms * 1000), '%H') AS hour
FROM (
  SELECT i, h, cam, confidence, capture_ms,
         CAST(1 + v % 9 AS VARCHAR)
           || chr(65 + CAST((v // 9) % 26 AS INTEGER)) || chr(65 + CAST((v // 234) % 26 AS INTEGER))
           || chr(65 + CAST((v // 6084) % 26 AS INTEGER))
           || lpad(CAST((v // 158184) % 1000 AS VARCHAR), 3, '0') AS plate
  FROM (
    SELECT i, hash(i + CAST({day_index} AS BIGINT) * 1000000007) AS h,
           CAST(floor(pow(random(), 1.6) * {cameras}) AS INTEGER) AS cam,
           round(0.6 + 0.4 * sqrt(random()), 3) AS confidence,
           {day_ms} + CAST(floor(random() * 86400000) AS BIGINT) AS capture_ms,
           hash(CAST(floor(pow(random(), 2.5) * {vehicles}) AS BIGINT)) % 158184000 AS v
    FROM range({n}) t(i)
  )
)
UNION ALL SELECT * EXCLUDE (k) FROM planted WHERE day = '{day}'
ORDER BY hour, camera_id, capture_ms
"""


def _planted(cameras: list[Camera]) -> list[tuple]:
    """A target commuting past 8 cameras every weekday at 08:00 and 17:30, a regular 20 s behind
    it every day, a convoy partner 40 s behind in the last week, and plates for the pattern."""
    route = [cameras[i] for i in (1500, 1510, 1520, 1530, 1540, 1550, 1560, 1570)]
    rows = []

    def add(plate: str, cam: Camera, t: int, k: int) -> None:
        rows.append(
            (
                f"p{k:019d}",
                plate,
                plate,
                "BE",
                0.95,
                [],
                cam.camera_id,
                cam.zone,
                t,
                cam.lat,
                cam.lon,
                0.0,
                0,
                "in",
                "anpr-prod-snapshots",
                f"snapshots/{cam.camera_id}/{t}.jpg",
                None,
                "ocr",
                "tflite-2026.11",
                t + 400,
                day_of(t),
                f"{(t % DAY_MS) // HOUR_MS:02d}",
                k,
            )
        )

    k = 0
    for d in range(DAYS):
        for start in (8 * HOUR_MS, 17 * HOUR_MS + 30 * 60_000):
            t0 = START_MS + d * DAY_MS + start
            for j, cam in enumerate(route if start < 12 * HOUR_MS else list(reversed(route))):
                t = t0 + j * 150_000
                add("1TGT001", cam, t, (k := k + 1))
                add("1REG002", cam, t + 20_000, (k := k + 1))
                if d >= DAYS - 7:
                    add("1PAR003", cam, t + 40_000, (k := k + 1))
    return rows


def _generate(root: Path, cameras: list[Camera]) -> dict:
    import duckdb

    con = duckdb.connect()
    con.execute("SELECT setseed(0.42)")
    con.execute(
        "CREATE TABLE planted (read_id VARCHAR, plate VARCHAR, raw_text VARCHAR, country VARCHAR,"
        " confidence DOUBLE, alternatives VARCHAR[], camera_id VARCHAR, zone VARCHAR, capture_ms BIGINT,"
        " lat DOUBLE, lon DOUBLE, heading DOUBLE, lane INTEGER, direction VARCHAR, snapshot_bucket VARCHAR,"
        " snapshot_key VARCHAR, crop_key VARCHAR, source VARCHAR, engine VARCHAR, ingested_ms BIGINT,"
        " day VARCHAR, hour VARCHAR, k BIGINT)"
    )
    con.executemany("INSERT INTO planted VALUES (" + ", ".join("?" * 23) + ")", _planted(cameras))
    out = root / "reads"
    root.mkdir(parents=True, exist_ok=True)
    t0 = time.perf_counter()
    for d in range(DAYS):
        day_ms = START_MS + d * DAY_MS
        sql = _DAY_SQL.format(
            day_index=d,
            n=READS_PER_DAY,
            cameras=N_CAMERAS,
            vehicles=N_VEHICLES,
            day_ms=day_ms,
            day=day_of(day_ms),
        )
        con.execute(
            f"COPY ({sql}) TO '{out}' (FORMAT parquet, COMPRESSION zstd, PARTITION_BY (day, hour),"
            f" OVERWRITE_OR_IGNORE, FILENAME_PATTERN 'compacted-{{i}}', ROW_GROUP_SIZE {ROW_GROUP_ROWS})"
        )
    seconds = time.perf_counter() - t0
    rows = con.execute(
        f"SELECT count(*) FROM read_parquet('{out}/*/*/*.parquet', hive_partitioning = true)"
    ).fetchone()[0]
    con.close()
    files = list(out.rglob("*.parquet"))
    return {
        "rows": rows,
        "bytes": sum(f.stat().st_size for f in files),
        "files": len(files),
        "seconds": seconds,
    }


def _by_column(root: Path) -> list[tuple[str, int]]:
    import pyarrow.parquet as pq

    sizes: dict[str, int] = {}
    for f in (root / "reads").glob("day=*/hour=*/*.parquet"):
        meta = pq.ParquetFile(f).metadata
        for g in range(meta.num_row_groups):
            for c in range(meta.row_group(g).num_columns):
                col = meta.row_group(g).column(c)
                name = col.path_in_schema.split(".")[0]
                sizes[name] = sizes.get(name, 0) + col.total_compressed_size
    return sorted(sizes.items(), key=lambda kv: -kv[1])


def _count(root: Path) -> int:
    import duckdb

    return duckdb.sql(
        f"SELECT count(*) FROM read_parquet('{root}/reads/*/*/*.parquet', hive_partitioning = true)"
    ).fetchone()[0]


def _column_bytes(
    root: Path, day_lo: str, day_hi: str, columns: tuple[str, ...], cameras: set[str] | None = None
) -> int:
    """Compressed bytes of ``columns`` in the days a query reads: what Athena bills. With
    ``cameras``, only the row groups whose camera_id statistics may hold one of them (what a
    reader that skips row groups by statistics reads); without, every row group (upper bound)."""
    import pyarrow.parquet as pq

    total = 0
    for f in (root / "reads").glob("day=*/hour=*/*.parquet"):
        if not day_lo <= f.parent.parent.name.removeprefix("day=") <= day_hi:
            continue
        meta = pq.ParquetFile(f).metadata
        cam_index = meta.schema.to_arrow_schema().get_field_index("camera_id")
        for g in range(meta.num_row_groups):
            rg = meta.row_group(g)
            if cameras is not None:
                st = rg.column(cam_index).statistics
                if st is not None and st.has_min_max and not any(st.min <= c <= st.max for c in cameras):
                    continue
            for c in range(rg.num_columns):
                col = rg.column(c)
                if col.path_in_schema.split(".")[0] in columns:
                    total += col.total_compressed_size
    return total


def _queries(cameras: list[Camera]) -> dict[str, object]:
    month = {"start_ms": START_MS, "end_ms": END_MS - 1}
    route = [cameras[i].camera_id for i in (1500, 1530, 1570)]
    return {
        f"national {DAYS}-day wildcard 1AB?2*": parse_query("partial", {"pattern": "1AB?2*", **month}),
        f"{DAYS}-day convoy (3 control days, ±120 s)": parse_query(
            "convoy", {"plate": "1TGT001", **month, "window_s": 120, "min_cameras": 3, "control_days": 3}
        ),
        f"{DAYS}-day convoy, target from the byPlate index": parse_query(
            "convoy", {"plate": "1TGT001", **month, "window_s": 120, "min_cameras": 3, "control_days": 3}
        ),
        f"three-place query (3 cameras, {DAYS} days)": parse_query("place", {"cameras": route, **month}),
        f"A-and-B over {DAYS} days": parse_query(
            "ab", {"a": {"cameras": route[:1], **month}, "b": {"cameras": route[2:], **month}}
        ),
    }


def run() -> list[dict]:
    """``ANPR_BENCH_ROOT``: keep the generated month there (and reuse it on the next run)."""
    keep = os.environ.get("ANPR_BENCH_ROOT")
    root = Path(keep) if keep else Path(tempfile.mkdtemp(prefix="anpr-analytics-bench-"))
    try:
        return _run(root)
    finally:
        if not keep:
            shutil.rmtree(root, ignore_errors=True)


def _run(root: Path) -> list[dict]:
    cameras = _cameras()
    if (root / "reads").is_dir():  # kept from an earlier run (ANPR_BENCH_ROOT)
        files = list((root / "reads").rglob("*.parquet"))
        gen = {
            "rows": _count(root),
            "bytes": sum(f.stat().st_size for f in files),
            "files": len(files),
            "seconds": 0.0,
        }
    else:
        gen = _generate(root, cameras)
    scale = NATIONAL_PER_DAY / READS_PER_DAY
    per_read = gen["bytes"] / gen["rows"]
    rows = [
        {
            "name": "reads generated",
            "value": gen["rows"],
            "unit": "reads",
            "notes": f"{DAYS} days × {READS_PER_DAY:,}/day + planted; {gen['files']} files, "
            f"{gen['bytes'] / 1e9:.2f} GB, generated in {gen['seconds']:.0f} s; ×{scale:.0f} to 30 M/day",
        },
        {
            "name": "Parquet bytes per read (zstd, all columns)",
            "value": round(per_read, 1),
            "unit": "B",
            "goal": f"≤ {GOAL_BYTES_PER_READ:.0f}",
            "met": "met" if per_read <= GOAL_BYTES_PER_READ else "missed",
            "notes": f"30 M/day × 365 days ≈ {per_read * NATIONAL_PER_DAY * 365 / 1e12:.2f} TB a year",
        },
    ]
    rows.append(
        {
            "name": "   largest columns",
            "value": "",
            "unit": "",
            "notes": ", ".join(f"{c} {b / gen['rows']:.1f} B" for c, b in _by_column(root)[:5]) + " per read",
        }
    )
    registry = InMemoryCameraRegistry(cameras)
    engine = DuckDBEngine(root)
    plain = AnalyticsSearch(engine, registry)
    # the reads table's byPlate look-up stands in as the target's sightings, found once (untimed:
    # on AWS it is one DynamoDB query of a few hundred items)
    convoy = next(q for q in _queries(cameras).values() if q.type == "convoy")
    known = InMemoryReadSource(s.tagged("") for s in plain.sightings(convoy) if s.tag == "target")
    hybrid = AnalyticsSearch(engine, registry, plates=known)
    for name, query in _queries(cameras).items():
        search = hybrid if "byPlate" in name else plain
        targets = list(known.plate(query.plate, query.start_ms, query.end_ms)) if search is hybrid else None
        sql = build(query, registry, engine.dialect, targets=targets)
        t0 = time.perf_counter()
        sightings = search.sightings(query)
        t_sql = time.perf_counter() - t0
        result = merge(query, sightings, {"job_id": "bench"})
        seconds = time.perf_counter() - t0
        national_s = t_sql * scale + (seconds - t_sql)
        # each reference to the reads is one scan on Athena (A-and-B: two; convoy: target +
        # windows, and Trino inlines the target CTE at each of its two uses: three)
        target_scans = 2 if query.type == "convoy" and search is plain else 0
        scans = sql.sql.count("{reads}") + (target_scans > 0)
        cols = (*SIGHTING_COLUMNS, "day")
        full = _column_bytes(root, sql.day_lo, sql.day_hi, cols) * scale
        scanned = full * scans
        if query.type == "partial":
            skipping = scanned
        else:  # camera-bound scans skip row groups of other cameras (a convoy's target scans cannot)
            touched = {s.camera_id for s in sightings if s.tag != "target"}
            bound = _column_bytes(root, sql.day_lo, sql.day_hi, cols, touched) * scale
            skipping = bound * (scans - target_scans) + full * target_scans
        usd_skip = max(skipping, 10e6) / 1e12 * USD_PER_TB
        usd = max(scanned, 10e6) / 1e12 * USD_PER_TB
        top = result.items[0]["plate"] if result.items else "-"
        rows.append(
            {
                "name": f"DuckDB: {name}",
                "value": round(seconds, 2),
                "unit": "s",
                "goal": f"≤ {GOAL_LOCAL_S:.0f} s",
                "met": "met" if seconds <= GOAL_LOCAL_S else "missed",
                "notes": f"{len(result.items)} items (first {top}), {len(sightings)} sightings, "
                f"SQL {t_sql:.2f} s + merge {seconds - t_sql:.2f} s, at {READS_PER_DAY / 1e6:g} M reads/day, "
                f"row groups of {ROW_GROUP_ROWS:,}",
            }
        )
        rows.append(
            {
                "name": "   same, extrapolated to 30 M/day on this one machine",
                "value": round(national_s),
                "unit": "s",
                "goal": f"≤ {GOAL_QUERY_S:.0f} s",
                "met": "met" if national_s <= GOAL_QUERY_S else "missed",
                "notes": f"SQL × {scale:.0f} (scan time is linear in rows); production runs Athena, "
                "which spreads the day/hour files over many workers",
            }
        )
        rows.append(
            {
                "name": "   same on Athena at 30 M/day: cost",
                "value": round(usd, 3),
                "unit": "USD",
                "goal": f"≤ ${GOAL_USD:.2f}",
                "met": "met" if usd <= GOAL_USD else "missed",
                "notes": f"{scanned / 1e9:.1f} GB: the columns read × {scans} scan(s), $5/TB, no "
                f"row-group skipping; with skipping by camera statistics {skipping / 1e9:.1f} GB = ${usd_skip:.3f}",
            }
        )
    return rows


def main() -> int:
    from bench.machine import print_table

    print_table("analytics_bench", run(), columns=("name", "value", "unit", "goal", "met", "notes"))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
