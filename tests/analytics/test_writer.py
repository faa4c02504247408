"""The analytics writer: day/hour layout, idempotent batches, compaction, retention (fixed clock)."""

from __future__ import annotations

import boto3
import pyarrow.parquet as pq
import pytest
from anpr.analytics.adapters import DuckDBEngine
from anpr.analytics.models import COLUMNS, Partition
from anpr.analytics.stores import FolderStore, S3Store
from anpr.analytics.writer import AnalyticsWriter
from anpr.search import synthetic as syn
from moto import mock_aws

from tests.analytics.helpers import DAY, HOUR, plate_read
from tests.helpers import NOW_MS

MIDNIGHT = NOW_MS - NOW_MS % DAY
CAMS = syn.cameras_on_a_line(3)


def _reads(n: int, start_ms: int, span_ms: int, seed: int = 1):
    plates = syn.plate_pool(50, seed=seed)
    return [plate_read(s) for s in syn.background(n, CAMS, start_ms, start_ms + span_ms, plates, seed=seed)]


@pytest.fixture
def folder(tmp_path):
    return FolderStore(tmp_path)


def test_a_batch_lands_in_its_day_and_hour_partitions(folder):
    # GIVEN reads spread over two hours of one day, with every PlateRead column filled
    reads = _reads(200, MIDNIGHT + 10 * HOUR, 2 * HOUR)
    writer = AnalyticsWriter(folder, clock=lambda: NOW_MS)
    # WHEN the batch is written
    keys = writer.write(reads)
    # THEN one file per hour, under reads/day=YYYY-MM-DD/hour=HH/, holding exactly those reads
    day = Partition.of(MIDNIGHT).day
    assert {k.rsplit("/", 1)[0] for k in keys} == {
        f"reads/day={day}/hour=10",
        f"reads/day={day}/hour=11",
    } | ({f"reads/day={day}/hour=12"} if any(r.capture_ms >= MIDNIGHT + 12 * HOUR for r in reads) else set())
    table = pq.ParquetFile(folder.root / keys[0]).read()
    assert table.column_names == list(COLUMNS)  # partition values live in the path only
    assert sum(pq.read_metadata(folder.root / k).num_rows for k in keys) == 200
    first = table.to_pylist()[0]
    read = next(r for r in reads if r.read_id == first["read_id"])
    assert first["plate"] == read.plate and first["capture_ms"] == read.capture_ms
    assert first["snapshot_key"] == read.snapshot_key and first["country"] == "BE"


def test_a_batch_delivered_twice_is_one_file(folder):
    reads = _reads(50, MIDNIGHT + HOUR, 10 * 60_000)
    writer = AnalyticsWriter(folder, clock=lambda: NOW_MS)
    assert writer.write(reads) == writer.write(list(reversed(reads)))
    assert len(folder.list("reads/")) == 1


def test_compaction_merges_the_small_files_of_a_closed_hour_and_drops_duplicates(folder):
    # GIVEN a closed hour written in 5 batches, one of them overlapping another (a stream retry),
    # and the current hour still open
    closed = _reads(500, MIDNIGHT + 3 * HOUR, HOUR - 1)
    now = MIDNIGHT + 5 * HOUR + 30 * 60_000
    writer = AnalyticsWriter(folder, clock=lambda: now)
    for i in range(0, 500, 100):
        writer.write(closed[i : i + 100])
    writer.write(closed[150:260])  # overlaps two batches
    writer.write(_reads(20, MIDNIGHT + 5 * HOUR, 20 * 60_000, seed=2))
    engine = DuckDBEngine(folder.root, threads=1)
    # WHEN compaction runs
    done = writer.compact()
    # THEN the closed hour is one file of 500 distinct reads sorted by camera then time
    assert [(c.partition.hour, c.inputs, c.rows) for c in done] == [("03", 6, 500)]
    files = folder.list(Partition.of(MIDNIGHT + 3 * HOUR).prefix)
    assert len(files) == 1 and "compacted-" in files[0][0]
    rows = pq.read_table(folder.root / files[0][0]).to_pylist()
    assert len({r["read_id"] for r in rows}) == 500
    assert [(r["camera_id"], r["capture_ms"]) for r in rows] == sorted(
        (r["camera_id"], r["capture_ms"]) for r in rows
    )
    # AND the open hour is untouched, and queries still see every read once
    assert len(folder.list(Partition.of(now).prefix)) == 1
    day = Partition.of(MIDNIGHT).day
    assert engine.connect().execute(
        f"SELECT count(*), count(DISTINCT read_id) FROM {engine.relation(day, day)}"
    ).fetchone() == (520, 520)
    # AND running it again changes nothing
    assert writer.compact() == []


def test_retention_sweep_deletes_hours_older_than_retention(folder):
    # GIVEN reads 400, 366 and 364 days old (retention 365 days) and a fixed clock
    writer = AnalyticsWriter(folder, clock=lambda: NOW_MS, retention_days=365)
    for age_days in (400, 366, 364):
        writer.write(_reads(10, NOW_MS - age_days * DAY, 10 * 60_000, seed=age_days))
    # WHEN the sweep runs
    gone = writer.sweep()
    # THEN the two expired partitions are gone (folders too), the 364-day-old one stays
    assert len(gone) == 2
    left = {Partition.from_key(k) for k, _ in folder.list("reads/")}
    assert left == {Partition.of(NOW_MS - 364 * DAY)}
    assert sorted(p.name for p in (folder.root / "reads").iterdir()) == [
        f"day={Partition.of(NOW_MS - 364 * DAY).day}"
    ]


def test_the_hour_that_straddles_the_cutoff_is_kept_until_its_last_read_expired(folder):
    cutoff = NOW_MS - 365 * DAY
    hour_start = cutoff - cutoff % HOUR
    writer = AnalyticsWriter(folder, clock=lambda: NOW_MS, retention_days=365)
    writer.write(_reads(5, hour_start, HOUR - 1))
    assert writer.sweep() == []
    later = AnalyticsWriter(folder, clock=lambda: hour_start + HOUR + 365 * DAY, retention_days=365)
    assert len(later.sweep()) == 1


def test_writer_compaction_and_sweep_work_on_s3():
    with mock_aws():
        s3 = boto3.client("s3", region_name="eu-west-1")
        s3.create_bucket(Bucket="analytics", CreateBucketConfiguration={"LocationConstraint": "eu-west-1"})
        store = S3Store("analytics", s3)
        now = MIDNIGHT + 6 * HOUR
        writer = AnalyticsWriter(store, clock=lambda: now, retention_days=1)
        reads = _reads(60, MIDNIGHT + HOUR, HOUR - 1)
        writer.write(reads[:30])
        writer.write(reads[30:])
        writer.write(_reads(5, now - 3 * DAY, 60_000, seed=9))
        assert len(writer.compact()) == 1
        assert len(writer.sweep()) == 1
        keys = [k for k, _ in store.list("reads/")]
        assert len(keys) == 1 and "compacted-" in keys[0]
