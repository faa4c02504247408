"""Ingest domain logic on in-memory fakes: every bad-input kind ends in quarantine."""

import pytest
from anpr.ingest.service import IngestPolicy, SnapshotIngestor
from anpr.ingest.snapshots import snapshot_key
from anpr.ocr.camera_read import CameraReadEngine
from anpr.reads.models import CameraStatus

from tests.fakes.ingest import InMemoryQuarantineStore, InMemorySnapshotStore
from tests.fakes.reads import InMemoryCameraRegistry, InMemoryPlateReadRepository
from tests.helpers import NOW_MS, camera, jpeg, metadata

BUCKET = "snapshots"


@pytest.fixture
def world():
    store = InMemorySnapshotStore()
    quarantine = InMemoryQuarantineStore()
    reads = InMemoryPlateReadRepository()
    cams = InMemoryCameraRegistry([camera("BRU-001"), camera("BRU-OLD", status=CameraStatus.RETIRED)])
    ingestor = SnapshotIngestor(
        snapshots=store,
        quarantine=quarantine,
        cameras=cams,
        reads=reads,
        engine=CameraReadEngine(),
        policy=IngestPolicy(retention_days=365),
        clock=lambda: NOW_MS,
    )
    return store, quarantine, reads, ingestor


def upload(store, body=None, meta=None, cam="BRU-001"):
    key = snapshot_key(cam, NOW_MS - 1000)
    return store.add(BUCKET, key, jpeg() if body is None else body, metadata(cam) if meta is None else meta)


def test_valid_snapshot_becomes_a_plate_read_with_ttl_and_crop(world):
    # GIVEN a valid snapshot from a registered camera
    store, quarantine, reads, ingestor = world
    ref = upload(store)
    # WHEN it is ingested
    outcome = ingestor.ingest(ref)
    # THEN one read is stored with TTL = capture + retention, and its crop is kept
    assert outcome.status == "stored" and len(outcome.read_ids) == 1
    (read,) = reads.all()
    assert read.plate == "1ABC234" and read.zone == "BRU-CAPITALE-IXELLES"
    assert read.expires_at == (NOW_MS - 1000) // 1000 + 365 * 86400
    assert (BUCKET, read.crop_key) in store.objects
    assert quarantine.entries == []


@pytest.mark.parametrize(
    "make, reason",
    [
        (lambda s: upload(s, body=b"x" * (10 * 1024 * 1024 + 1)), "too_large"),
        (lambda s: upload(s, body=jpeg()[:400]), "corrupt_image"),
        (lambda s: upload(s, body=b"%PDF-1.4 not an image"), "not_an_image"),
        (lambda s: upload(s, body=b""), "not_an_image"),
        (lambda s: upload(s, meta=metadata("BRU-999"), cam="BRU-999"), "unknown_camera"),
        (lambda s: upload(s, meta=metadata("BRU-OLD"), cam="BRU-OLD"), "retired_camera"),
        (lambda s: upload(s, meta={"capture-ms": str(NOW_MS)}), "missing_metadata"),
        (lambda s: upload(s, meta={**metadata(), "lat": "north"}), "invalid_metadata"),
        (lambda s: upload(s, meta=metadata(capture_ms=NOW_MS + 301_000)), "future_capture"),
        (lambda s: upload(s, meta=metadata(capture_ms=NOW_MS - 366 * 86_400_000)), "expired_capture"),
    ],
)
def test_bad_input_is_quarantined_with_its_reason(world, make, reason):
    # GIVEN a snapshot with one kind of bad input
    store, quarantine, reads, ingestor = world
    ref = make(store)
    # WHEN it is ingested
    outcome = ingestor.ingest(ref)
    # THEN it is quarantined with a machine-readable reason and no read is stored
    assert outcome.status == "quarantined" and outcome.reason.value == reason
    assert quarantine.reasons() == [reason] and quarantine.entries[0]["detail"]
    assert reads.all() == []


def test_same_snapshot_twice_yields_one_read(world):
    # GIVEN a snapshot already ingested
    store, _, reads, ingestor = world
    ref = upload(store)
    first = ingestor.ingest(ref)
    # WHEN the same object is ingested again (no idempotency layer in front)
    second = ingestor.ingest(ref)
    # THEN the deterministic read id keeps it to one read
    assert first.read_ids == second.read_ids and len(reads.all()) == 1


def test_no_plate_visible_stores_nothing_and_quarantines_nothing(world):
    store, quarantine, reads, ingestor = world
    ref = upload(store, meta=metadata(plate=None))
    outcome = ingestor.ingest(ref)
    assert outcome.status == "stored" and outcome.read_ids == []
    assert quarantine.entries == [] and reads.all() == []
