"""Ingest and camera networks: a key under another network's prefix is refused and reported,
mobile cameras take the zone at capture, activity feeds the silence watch, camera-made reads
are stored beside our OCR's with disagreements flagged (fakes only)."""

import base64
import json

import pytest
from anpr.alerts.matcher import MatchKind, WatchlistIndex
from anpr.ingest.service import IngestPolicy, SnapshotIngestor
from anpr.networks.zones import ZoneMap
from anpr.ocr.camera_read import CAMERA_READ_FORMAT
from anpr.ocr.engine import PlateDetection
from anpr.reads.models import CameraKind, SnapshotRef

from tests.builders.alerts import entry
from tests.builders.networks import square_zone
from tests.fakes.ingest import InMemoryQuarantineStore, InMemorySnapshotStore
from tests.fakes.networks import InMemoryDisagreementStore, RecordingActivity, RecordingIngestOps
from tests.fakes.reads import InMemoryCameraRegistry, InMemoryPlateReadRepository
from tests.helpers import NOW_MS, camera, jpeg, metadata

BUCKET = "snapshots"
CAPTURE = NOW_MS - 1000


class FixedEngine:
    """Our OCR, pinned: reads ``plate`` (or nothing) whatever the image."""

    name = "fixed"

    def __init__(self, plate: str | None):
        self.plate = plate

    def read(self, image, hint=None):
        if self.plate is None:
            return []
        return [PlateDetection(self.plate, self.plate, 0.91, (10, 10, 60, 20), country="BE")]


def zones() -> ZoneMap:
    from anpr.networks.zones import zones_from_geojson

    return ZoneMap(
        zones_from_geojson({"type": "FeatureCollection", "features": [square_zone("ZONE-B", 5.0, 51.0)]})
    )


@pytest.fixture
def world():
    store, quarantine, reads = (
        InMemorySnapshotStore(),
        InMemoryQuarantineStore(),
        InMemoryPlateReadRepository(),
    )
    cams = InMemoryCameraRegistry(
        [
            camera("A-001", network="net-a"),
            camera("A-002", network="net-a"),
            camera("V-001", network="net-v", kind=CameraKind.MOBILE, zone="ZONE-A"),
        ]
    )
    ops, activity, disagreements = RecordingIngestOps(), RecordingActivity(), InMemoryDisagreementStore()
    engine = FixedEngine("1ABC234")

    def make(ocr=engine):
        return SnapshotIngestor(
            snapshots=store,
            quarantine=quarantine,
            cameras=cams,
            reads=reads,
            engine=ocr,
            policy=IngestPolicy(snapshot_bucket=BUCKET),
            clock=lambda: NOW_MS,
            zones=zones(),
            activity=activity,
            observer=ops,
            disagreements=disagreements,
        )

    return {
        "store": store, "quarantine": quarantine, "reads": reads, "ops": ops, "activity": activity,
        "disagreements": disagreements, "ingestor": make(), "make": make,
    }  # fmt: skip


def key(network: str, cam: str, name: str = "1_a.jpg") -> str:
    return f"snapshots/{network}/{cam}/2026/11/18/10/{name}"


def test_a_key_under_another_networks_prefix_is_refused_reported_and_the_batch_goes_on(world):
    # GIVEN a camera of net-a whose snapshot was written under net-b's prefix, and a good one
    store, ingestor = world["store"], world["ingestor"]
    forced = store.add(BUCKET, key("net-b", "A-001"), jpeg(), metadata("A-001"))
    good = store.add(BUCKET, key("net-a", "A-002"), jpeg(), metadata("A-002"))
    # WHEN both are ingested
    refused, stored = ingestor.ingest(forced), ingestor.ingest(good)
    # THEN the forced one is quarantined wrong_network, counted and audited for net-b ...
    assert refused.status == "quarantined" and refused.reason.value == "wrong_network"
    assert "'net-a'" in refused.detail and "'net-b'" in refused.detail
    assert world["quarantine"].reasons() == ["wrong_network"]
    assert world["ops"].refusals == [("net-b", "A-001", "wrong_network")]
    assert ("net-b", "wrong_network") in world["ops"].quarantines
    # ... and the other snapshot is read as usual, counted for its own network
    assert stored.status == "stored" and len(world["reads"].all()) == 1
    assert [s[0] for s in world["ops"].stored_] == ["net-a"]


def test_an_unknown_camera_under_a_network_prefix_keeps_its_reason(world):
    # GIVEN a key naming a camera nobody registered
    ref = world["store"].add(BUCKET, key("net-a", "X-404"), jpeg(), metadata("X-404"))
    # WHEN it is ingested THEN it is an unknown camera, not a refusal
    assert world["ingestor"].ingest(ref).reason.value == "unknown_camera"
    assert world["ops"].refusals == []


def test_a_mobile_cameras_read_takes_the_zone_at_its_gps_position(world):
    # GIVEN a police-vehicle camera (home zone ZONE-A) capturing inside ZONE-B, then outside every zone
    store, ingestor = world["store"], world["ingestor"]
    inside = store.add(
        BUCKET, key("net-v", "V-001", "1_in.jpg"), jpeg(), metadata("V-001", lat=51.5, lon=5.5)
    )
    outside = store.add(BUCKET, key("net-v", "V-001", "2_out.jpg"), jpeg(), metadata("V-001", lat=10, lon=10))
    # WHEN both are ingested
    ingestor.ingest(inside), ingestor.ingest(outside)
    # THEN the first read is in ZONE-B at the GPS position; the other keeps the home zone
    by_key = {r.snapshot_key: r for r in world["reads"].all()}
    assert by_key[inside.key].zone == "ZONE-B" and (by_key[inside.key].lat, by_key[inside.key].lon) == (
        51.5,
        5.5,
    )
    assert by_key[outside.key].zone == "ZONE-A"


def test_each_valid_snapshot_records_camera_activity_and_refused_ones_do_not(world):
    # GIVEN one valid snapshot and one under the wrong network
    store, ingestor = world["store"], world["ingestor"]
    ingestor.ingest(store.add(BUCKET, key("net-a", "A-001"), jpeg(), metadata("A-001")))
    ingestor.ingest(store.add(BUCKET, key("net-b", "A-002"), jpeg(), metadata("A-002")))
    # THEN only the valid one counts as the camera being alive
    assert world["activity"].records == [("A-001", "net-a", CAPTURE)]


def test_upload_to_read_latency_comes_from_the_upload_time(world):
    store, ingestor = world["store"], world["ingestor"]
    ref = store.add(BUCKET, key("net-a", "A-001"), jpeg(), metadata("A-001"))
    ingestor.ingest(ref.model_copy(update={"uploaded_ms": NOW_MS - 2500}))
    assert world["ops"].stored_ == [("net-a", 2500, 0.91, 0)]
    # AND the camera's activity keeps it (the ops screen's per-camera latency)
    assert world["activity"].latencies == [("A-001", 2500, NOW_MS)]


# --- camera-made reads ------------------------------------------------------------------------


def document(**kw) -> bytes:
    doc = {
        "format": CAMERA_READ_FORMAT,
        "camera_id": "A-001",
        "capture_ms": CAPTURE,
        "plate": "1-ABC-234",
        "confidence": 0.88,
        "country": "BE",
        "overview_image": base64.b64encode(jpeg()).decode(),
        "crop_image": base64.b64encode(jpeg(80, 40)).decode(),
    }
    doc.update(kw)
    return json.dumps({k: v for k, v in doc.items() if v is not None}).encode()


def upload_read(world, body: bytes, cam: str = "A-001", name: str = "1_r.json") -> SnapshotRef:
    return world["store"].add(BUCKET, key("net-a", cam, name), body, {"camera-id": cam})


def test_a_camera_made_read_that_agrees_is_stored_with_the_cameras_reading_beside_ours(world):
    ref = upload_read(world, document())
    outcome = world["ingestor"].ingest(ref)
    (read,) = world["reads"].all()
    assert outcome.status == "stored" and read.source == "ocr" and read.engine == "fixed"
    assert (read.plate, read.camera_plate, read.camera_confidence, read.camera_country, read.agree) == (
        "1ABC234", "1ABC234", 0.88, "BE", True,
    )  # fmt: skip
    assert read.snapshot_key == ref.key and world["disagreements"].items == []
    # the camera's crop is kept beside ours as evidence
    assert any(k.endswith("_camera.jpg") for (_, k) in world["store"].objects)


def test_a_disagreement_is_flagged_for_the_network_and_never_hides_a_listed_plate(world):
    # GIVEN the camera read 1ABC284 where our OCR reads 1ABC234, and 1ABC284 is listed
    ref = upload_read(world, document(plate="1ABC284", confidence=0.7))
    world["ingestor"].ingest(ref)
    (read,) = world["reads"].all()
    # THEN our read is stored with the camera's reading beside it, flagged for net-a (masked)
    assert read.plate == "1ABC234" and read.camera_plate == "1ABC284" and read.agree is False
    (d,) = world["disagreements"].items
    assert d.network == "net-a" and d.camera_id == "A-001" and "1ABC284" not in d.camera_masked
    assert world["ops"].stored_[-1][3] == 1
    # AND watchlist matching still finds the listed plate through the camera's reading
    matches = WatchlistIndex([entry("1ABC284")]).match(read, NOW_MS)
    assert [(m.entry.plate, m.kind) for m in matches] == [("1ABC284", MatchKind.POSSIBLE_MISREAD)]


def test_a_plate_only_the_camera_saw_is_stored_as_a_camera_read(world):
    # GIVEN our OCR finds no plate where the camera read one
    ingestor = world["make"](FixedEngine(None))
    ingestor.ingest(upload_read(world, document(plate_bbox=[5, 5, 50, 20])))
    (read,) = world["reads"].all()
    # THEN a camera-sourced read is stored (matchable), flagged as a disagreement
    assert read.source == "camera" and read.plate == "1ABC234" and read.agree is False
    assert read.bbox == (5, 5, 50, 20) and read.confidence == 0.88
    assert world["disagreements"].items[0].ours_masked == ""


@pytest.mark.parametrize(
    "body, reason, words",
    [
        (b"not json", "invalid_camera_read", "document"),
        (document(format="other/2"), "invalid_camera_read", "format"),
        (document(confidence=1.5), "invalid_camera_read", "confidence"),
        (document(plate="--"), "invalid_camera_read", "plate"),
        (document(lat=50.0), "invalid_camera_read", "lat and lon"),
        (document(overview_image="@@@@ not base64 @@@@"), "invalid_camera_read", "overview_image"),
        (document(extra_field=1), "invalid_camera_read", "extra_field"),
        (document(overview_image=base64.b64encode(b"%PDF-1.4 " * 4).decode()), "not_an_image", ""),
        (document(camera_id="A-002"), "camera_mismatch", "A-002"),
        (document(capture_ms=NOW_MS + 3_600_000), "future_capture", ""),
    ],
)
def test_a_bad_camera_made_read_is_quarantined_with_a_clear_reason(world, body, reason, words):
    outcome = world["ingestor"].ingest(upload_read(world, body))
    assert outcome.status == "quarantined" and outcome.reason.value == reason
    assert words in outcome.detail and world["reads"].all() == []
