"""Ingest domain logic on in-memory fakes: every bad-input kind ends in quarantine."""

import io

import pytest
from anpr.ingest.service import IngestPolicy, SnapshotIngestor
from anpr.ingest.snapshots import snapshot_key
from anpr.ocr.camera_read import CameraReadEngine
from anpr.reads.models import CameraStatus
from PIL import Image

from tests.fakes.ingest import InMemoryQuarantineStore, InMemorySnapshotStore
from tests.fakes.reads import InMemoryCameraRegistry, InMemoryPlateReadRepository
from tests.helpers import NOW_MS, camera, jpeg, metadata

BUCKET = "snapshots"


@pytest.fixture
def world():
    store = InMemorySnapshotStore()
    quarantine = InMemoryQuarantineStore()
    reads = InMemoryPlateReadRepository()
    cams = InMemoryCameraRegistry(
        [camera("BRU-001"), camera("BRU-002"), camera("BRU-OLD", status=CameraStatus.RETIRED)]
    )
    ingestor = SnapshotIngestor(
        snapshots=store,
        quarantine=quarantine,
        cameras=cams,
        reads=reads,
        engine=CameraReadEngine(),
        policy=IngestPolicy(retention_days=365, snapshot_bucket=BUCKET),
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


def test_no_plate_visible_leaves_a_durable_outcome_record(world):
    # GIVEN a valid snapshot on which no plate is visible
    store, quarantine, reads, ingestor = world
    ref = upload(store, meta=metadata(plate=None))
    # WHEN it is ingested
    outcome = ingestor.ingest(ref)
    # THEN no read and no quarantine, but a durable outcome record says what happened to it
    assert outcome.status == "stored" and outcome.read_ids == []
    assert quarantine.entries == [] and reads.all() == []
    (record,) = quarantine.outcomes
    assert record["outcome"] == "no_plate" and record["key"] == ref.key and record["bucket"] == BUCKET


def _image(fmt: str, **kw) -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", (64, 48), (200, 10, 10)).save(buf, format=fmt, **kw)
    return buf.getvalue()


EPS = b"%!PS-Adobe-3.0 EPSF-3.0\n%%BoundingBox: 0 0 10 10\n(x) show\nshowpage\n%%EOF\n"
DOS_EPS = b"\xc5\xd0\xd3\xc6" + b"\x00" * 28 + EPS


@pytest.mark.parametrize(
    "body",
    [
        pytest.param(_image("TIFF"), id="tiff"),
        pytest.param(_image("GIF"), id="gif"),
        pytest.param(_image("WEBP"), id="webp"),
        pytest.param(_image("BMP"), id="bmp"),
        pytest.param(_image("PPM"), id="ppm"),
        pytest.param(_image("ICO"), id="ico"),
        pytest.param(EPS, id="eps"),
        pytest.param(DOS_EPS, id="dos-eps"),
    ],
)
def test_formats_cameras_do_not_send_are_quarantined_as_unsupported(world, body):
    # GIVEN a decodable image in a format other than JPEG or PNG, with valid metadata
    store, quarantine, reads, ingestor = world
    ref = upload(store, body=body)
    # WHEN it is ingested
    outcome = ingestor.ingest(ref)
    # THEN it is quarantined as unsupported_format (never decoded), and no read exists
    assert outcome.reason is not None and outcome.reason.value == "unsupported_format"
    assert "JPEG or PNG" in outcome.detail
    assert quarantine.reasons() == ["unsupported_format"] and reads.all() == []


def test_png_snapshots_are_accepted(world):
    # GIVEN a PNG snapshot
    store, _, reads, ingestor = world
    ref = upload(store, body=_image("PNG"))
    # WHEN it is ingested
    outcome = ingestor.ingest(ref)
    # THEN it is read like a JPEG
    assert outcome.status == "stored" and len(reads.all()) == 1


def test_a_read_from_camera_metadata_alone_is_marked_as_such(world):
    # GIVEN the camera-read engine (no OCR on the image: the plate comes from camera metadata)
    store, _, reads, ingestor = world
    # WHEN a snapshot is ingested
    ingestor.ingest(upload(store))
    # THEN the read says its plate text is the camera's claim, not image evidence
    (read,) = reads.all()
    assert read.source == "camera"


@pytest.mark.parametrize(
    "bucket, key, reason",
    [
        ("other-bucket", "snapshots/BRU-001/2026/11/18/10/1_a.jpg", "foreign_object"),
        (BUCKET, "crops/BRU-001/2026/11/18/10/1_a.jpg", "foreign_object"),
        (BUCKET, "BRU-001.jpg", "foreign_object"),
        (BUCKET, "snapshots/x.jpg", "foreign_object"),
        (BUCKET, "snapshots/BRU-001/../../crops/a.jpg", "foreign_object"),
        (BUCKET, "snapshots/BRU-002/2026/11/18/10/1_a.jpg", "camera_mismatch"),
    ],
)
def test_messages_naming_other_objects_are_quarantined(world, bucket, key, reason):
    # GIVEN an object (metadata of camera BRU-001) outside the snapshot bucket / prefix / camera
    store, quarantine, reads, ingestor = world
    ref = store.add(bucket, key, jpeg(), metadata("BRU-001"))
    # WHEN a queue message naming it is ingested
    outcome = ingestor.ingest(ref)
    # THEN it is quarantined with the reason, foreign objects are not copied, and no read exists
    assert outcome.reason is not None and outcome.reason.value == reason
    assert quarantine.entries[0]["bucket"] == bucket and quarantine.entries[0]["key"] == key
    assert quarantine.entries[0]["kept_object"] is (reason == "camera_mismatch")
    assert reads.all() == []


def test_network_key_layout_is_accepted(world):
    # GIVEN a snapshot under snapshots/{network}/{camera}/ from a camera of that network
    store, _, reads, ingestor = world
    ingestor.cameras.put_many([camera("BRU-001", network="bxl")])
    ref = store.add(BUCKET, "snapshots/bxl/BRU-001/2026/11/18/10/1_a.jpg", jpeg(), metadata("BRU-001"))
    # WHEN it is ingested THEN it is read
    assert ingestor.ingest(ref).status == "stored" and len(reads.all()) == 1


def test_a_camera_without_a_network_cannot_write_under_a_network_prefix(world):
    # GIVEN a camera registered before networks existed, its snapshot under a network's prefix
    store, quarantine, reads, ingestor = world
    ref = store.add(BUCKET, "snapshots/bxl/BRU-001/2026/11/18/10/1_a.jpg", jpeg(), metadata("BRU-001"))
    # WHEN it is ingested THEN it is refused: the camera is in no network, so not in that one
    outcome = ingestor.ingest(ref)
    assert outcome.reason.value == "wrong_network" and "no network" in outcome.detail
    assert quarantine.reasons() == ["wrong_network"] and reads.all() == []


def test_a_new_version_of_the_same_key_does_not_make_a_second_read(world):
    # GIVEN a snapshot already ingested
    store, _, reads, ingestor = world
    first = ingestor.ingest(upload_at(store, KEY))
    # WHEN the same key is uploaded again (new S3 version, other bytes) and ingested
    second = ingestor.ingest(upload_at(store, KEY, body=jpeg(text="1-ABC-235")))
    # THEN the read ids are keyed by bucket/key: still one read
    assert first.read_ids == second.read_ids and len(reads.all()) == 1


KEY = "snapshots/BRU-001/2026/11/18/10/1795000000000_same.jpg"


def upload_at(store, key, body=None):
    return store.add(BUCKET, key, jpeg() if body is None else body, metadata("BRU-001"))
