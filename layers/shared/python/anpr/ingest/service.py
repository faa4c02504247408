"""Snapshot → plate reads. Knows nothing of Lambda, SQS or S3 events.

Every snapshot ends in exactly one of: stored reads (possibly none: no plate visible),
or quarantine with a machine-readable reason. Infrastructure failures raise
``StorageError`` so the message is retried and, after three tries, kept in the DLQ.
"""

from __future__ import annotations

import io
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

from PIL import Image, UnidentifiedImageError
from pydantic import BaseModel, ValidationError

from anpr.ingest.hooks import (
    ActivityRecorder,
    Disagreement,
    DisagreementStore,
    IngestObserver,
    UploadLatency,
    ZoneLookup,
)
from anpr.ingest.quarantine import QuarantineStore
from anpr.ingest.snapshots import SNAPSHOT_PREFIX, ObjectMissing, SnapshotStore, camera_crop_key, crop_key
from anpr.kernel.clock import DAY_MS, Clock, expires_at_s
from anpr.networks.service import camera_of_key, network_of_key
from anpr.ocr.camera_read import CameraReadDocument, parse_camera_read
from anpr.ocr.engine import CameraHint, OcrEngine, PlateDetection
from anpr.reads import keys
from anpr.reads.cameras import CameraRegistry
from anpr.reads.models import CameraStatus, CaptureMetadata, PlateRead, QuarantineReason, SnapshotRef
from anpr.reads.plates import mask, normalise
from anpr.reads.repository import PlateReadRepository

log = logging.getLogger(__name__)

#: the formats cameras send: checked by magic bytes before Pillow sees the body, and again by
#: the format Pillow detects (Image.open is restricted to these two decoders)
ACCEPTED_FORMATS = ("JPEG", "PNG")
_IMAGE_MAGIC = {b"\xff\xd8\xff": "JPEG", b"\x89PNG\r\n\x1a\n": "PNG"}
#: image formats Pillow could decode but cameras do not send (EPS/PS would reach Ghostscript)
_OTHER_IMAGE_MAGIC = {
    b"II*\x00": "TIFF",
    b"MM\x00*": "TIFF",
    b"GIF87a": "GIF",
    b"GIF89a": "GIF",
    b"BM": "BMP",
    b"%!PS": "PostScript/EPS",
    b"\xc5\xd0\xd3\xc6": "EPS",
    b"\x00\x00\x01\x00": "ICO",
    b"\x00\x00\x00\x0cjP  ": "JPEG 2000",
    b"\xffO\xffQ": "JPEG 2000",
    b"8BPS": "PSD",
    b"P1": "PNM",
    b"P2": "PNM",
    b"P3": "PNM",
    b"P4": "PNM",
    b"P5": "PNM",
    b"P6": "PNM",
    b"#define": "XBM",
    b"/* XPM */": "XPM",
    b"\x59\xa6\x6a\x95": "Sun raster",
    b"icns": "ICNS",
    b"DDS ": "DDS",
    b"qoif": "QOI",
}


def sniff_format(body: bytes) -> str | None:
    """The image format the first bytes announce: "JPEG"/"PNG", another name, or None."""
    for magic, name in _IMAGE_MAGIC.items():
        if body.startswith(magic):
            return name
    if body[:4] == b"RIFF" and body[8:12] == b"WEBP":
        return "WebP"
    if body[4:8] == b"ftyp":
        return "ISO media (HEIF/AVIF)"
    for magic, name in _OTHER_IMAGE_MAGIC.items():
        if body.startswith(magic):
            return name
    return None


#: a camera-made read (docs/networks.md "Camera-made reads") is uploaded as a JSON document
CAMERA_READ_SUFFIX = ".json"

#: a camera snapshot is at most a few megapixels; anything far larger is hostile
_MAX_PIXELS = 40_000_000


def snapshot_identity(ref: SnapshotRef) -> str:
    """One snapshot = one bucket/key, whatever its S3 version: the idempotency and read-id key."""
    return f"{ref.bucket}/{ref.key}"


class IngestOutcome(BaseModel):
    status: Literal["stored", "quarantined"]
    bucket: str
    key: str
    reason: QuarantineReason | None = None
    detail: str = ""
    read_ids: list[str] = []
    engine: str = ""
    ocr_ms: float = 0.0


@dataclass(frozen=True)
class IngestPolicy:
    retention_days: int = 365
    max_snapshot_bytes: int = 10 * 1024 * 1024
    max_future_skew_s: int = 300
    #: the bucket cameras upload to; a message naming another bucket is refused (None: any,
    #: for fakes that do not model buckets)
    snapshot_bucket: str | None = None


class Rejected(Exception):
    def __init__(self, reason: QuarantineReason, detail: str, keep_object: bool = True):
        super().__init__(f"{reason.value}: {detail}")
        self.reason, self.detail, self.keep_object = reason, detail, keep_object


class SnapshotIngestor:
    def __init__(
        self,
        *,
        snapshots: SnapshotStore,
        quarantine: QuarantineStore,
        cameras: CameraRegistry,
        reads: PlateReadRepository,
        engine: OcrEngine,
        policy: IngestPolicy,
        clock: Clock,
        after_store: Callable[[list[PlateRead]], None] | None = None,
        zones: ZoneLookup | None = None,
        activity: ActivityRecorder | None = None,
        observer: IngestObserver | None = None,
        disagreements: DisagreementStore | None = None,
    ):
        self.snapshots, self.quarantine_store, self.cameras = snapshots, quarantine, cameras
        self.reads, self.engine, self.policy, self.clock = reads, engine, policy, clock
        #: runs once the reads are stored (watchlist matching). If it raises, the snapshot is
        #: retried: reads are idempotent (deterministic ids), so the hook must be too.
        self.after_store = after_store
        #: networks (anpr.ingest.hooks): mobile cameras' zone at capture, camera activity for
        #: the silence watch, per-network outcomes for ops, disagreements for the operator
        self.zones, self.activity, self.observer = zones, activity, observer
        self.disagreements = disagreements

    def ingest(self, ref: SnapshotRef) -> IngestOutcome:
        try:
            self._check_location(ref)
            return self._ingest(ref)
        except Rejected as rej:
            if self.observer:
                network = network_of_key(ref.key)
                if rej.reason == QuarantineReason.WRONG_NETWORK:
                    self.observer.refused(
                        network, camera_of_key(ref.key), ref.key, rej.reason.value, rej.detail
                    )
                self.observer.quarantined(network, rej.reason.value)
            return self._quarantine(ref, rej.reason, rej.detail, rej.keep_object)

    def record_duplicate(self, ref: SnapshotRef, first: dict | None) -> IngestOutcome:
        """A redelivered event: the first outcome stands; the duplicate is recorded, not re-read."""
        detail = f"already processed: {(first or {}).get('status', 'unknown')}"
        self.quarantine_store.quarantine(ref, QuarantineReason.DUPLICATE_EVENT, detail, keep_object=False)
        return IngestOutcome(
            status="quarantined",
            bucket=ref.bucket,
            key=ref.key,
            reason=QuarantineReason.DUPLICATE_EVENT,
            detail=detail,
            read_ids=list((first or {}).get("read_ids", [])),
        )

    # -- steps ---------------------------------------------------------------------------

    def _check_location(self, ref: SnapshotRef) -> None:
        """Only objects of the snapshot bucket, under snapshots/, are read (never copied)."""
        expected = self.policy.snapshot_bucket
        if expected is not None and ref.bucket != expected:
            raise Rejected(
                QuarantineReason.FOREIGN_OBJECT, f"bucket {ref.bucket!r} is not the snapshot bucket", False
            )
        parts = ref.key.removeprefix(SNAPSHOT_PREFIX).split("/")
        if not ref.key.startswith(SNAPSHOT_PREFIX) or len(parts) < 2 or "" in parts or ".." in parts:
            raise Rejected(
                QuarantineReason.FOREIGN_OBJECT,
                f"key is not under {SNAPSHOT_PREFIX}{{camera}}/ or {SNAPSHOT_PREFIX}{{network}}/{{camera}}/",
                False,
            )

    @staticmethod
    def _check_key_camera(ref: SnapshotRef, camera) -> None:
        """The camera the key names is the one the metadata names (and its network, if any)."""
        parts = ref.key.removeprefix(SNAPSHOT_PREFIX).split("/")
        network = getattr(camera, "network", "") or ""
        if network:
            ok = len(parts) >= 3 and parts[0] == network and parts[1] == camera.camera_id
            where = f"{SNAPSHOT_PREFIX}{network}/{camera.camera_id}/"
        else:
            ok = parts[0] == camera.camera_id or (len(parts) >= 3 and parts[1] == camera.camera_id)
            where = f"{SNAPSHOT_PREFIX}{camera.camera_id}/"
        if not ok:
            raise Rejected(
                QuarantineReason.CAMERA_MISMATCH,
                f"metadata camera-id {camera.camera_id!r} but the key is not under {where}",
            )

    def _ingest(self, ref: SnapshotRef) -> IngestOutcome:
        try:
            head = self.snapshots.head(ref)
        except ObjectMissing:
            raise Rejected(QuarantineReason.OBJECT_MISSING, "object no longer exists", False) from None
        if head.size > self.policy.max_snapshot_bytes:
            raise Rejected(
                QuarantineReason.TOO_LARGE, f"{head.size} bytes > {self.policy.max_snapshot_bytes}"
            )
        document: CameraReadDocument | None = None
        if ref.key.endswith(CAMERA_READ_SUFFIX):
            document = self._camera_read(self._get(ref), head.metadata)
            meta = document.metadata()
        else:
            meta = self._metadata(head.metadata)
        camera = self._camera(ref, meta)
        self._check_capture_time(meta.capture_ms)
        if document is not None:
            overview, crop = document.images()
            image = self._decode(overview)
            if crop is not None:
                self._decode(crop)  # the camera's crop must be an image too (kept as evidence)
                self.snapshots.put_crop(
                    ref.bucket, camera_crop_key(ref.key), crop, {"camera-id": meta.camera_id}
                )
        else:
            image = self._decode(self._get(ref))

        t0 = time.perf_counter()
        hint = CameraHint(
            plate=meta.camera_plate,
            confidence=meta.camera_plate_confidence,
            country=meta.camera_plate_country,
        )
        detections = self.engine.read(image, hint)
        ocr_ms = (time.perf_counter() - t0) * 1000

        ref = ref.model_copy(
            update={"etag": ref.etag or head.etag, "version_id": ref.version_id or head.version_id}
        )
        reads = [self._plate_read(ref, meta, camera, det, i, image) for i, det in enumerate(detections)]
        reads, disagreement = self._beside_camera(reads, ref, meta, camera, image, document)
        if not reads:
            # no plate visible: a durable record, so "every snapshot has an outcome" can be checked
            self.quarantine_store.record_outcome(
                ref,
                {
                    "outcome": "no_plate",
                    "camera_id": meta.camera_id,
                    "capture_ms": meta.capture_ms,
                    "engine": self.engine.name,
                },
            )
        self.reads.put_many(reads)
        if disagreement is not None and self.disagreements is not None and camera.network:
            self.disagreements.put(disagreement)
        if self.after_store and reads:
            self.after_store(reads)
        read_ms = self.clock()
        upload_to_read_ms = read_ms - ref.uploaded_ms if ref.uploaded_ms else None
        if self.activity is not None:  # per camera, for the ops screen (anpr.networks.latency)
            upload = UploadLatency(upload_to_read_ms, read_ms) if upload_to_read_ms is not None else None
            self.activity.record(camera.camera_id, camera.network, meta.capture_ms, upload)
        if self.observer is not None:
            self.observer.stored(
                camera.network,
                upload_to_read_ms,
                reads[0].confidence if reads else None,
                1 if disagreement is not None else 0,
            )
        for r in reads:
            log.info(
                "plate read stored",
                extra={
                    "read_id": r.read_id,
                    "plate": mask(r.plate),
                    "camera_id": r.camera_id,
                    "confidence": round(r.confidence, 3),
                    "country": r.country,
                },
            )
        return IngestOutcome(
            status="stored",
            bucket=ref.bucket,
            key=ref.key,
            read_ids=[r.read_id for r in reads],
            engine=self.engine.name,
            ocr_ms=round(ocr_ms, 2),
        )

    def _get(self, ref: SnapshotRef) -> bytes:
        try:
            return self.snapshots.get(ref)
        except ObjectMissing:
            raise Rejected(QuarantineReason.OBJECT_MISSING, "object no longer exists", False) from None

    def _camera(self, ref: SnapshotRef, meta: CaptureMetadata):
        """The registered, active camera the metadata names, uploading under its own network."""
        camera = self.cameras.get(meta.camera_id)
        if camera is None:
            raise Rejected(QuarantineReason.UNKNOWN_CAMERA, f"camera {meta.camera_id!r} is not registered")
        key_network = network_of_key(ref.key)
        if key_network and camera_of_key(ref.key) == camera.camera_id and camera.network != key_network:
            # refused and visible to ops: the observer counts it per network and audits it
            raise Rejected(
                QuarantineReason.WRONG_NETWORK,
                f"camera {camera.camera_id!r} is in {camera.network or 'no network'!r}, "
                f"the key is under {key_network!r}",
            )
        if camera.status == CameraStatus.RETIRED:
            raise Rejected(QuarantineReason.RETIRED_CAMERA, f"camera {meta.camera_id!r} is retired")
        self._check_key_camera(ref, camera)
        return camera

    @staticmethod
    def _camera_read(body: bytes, raw_metadata: dict[str, str]) -> CameraReadDocument:
        try:
            document = parse_camera_read(body)
            document.images()
        except ValueError as exc:
            raise Rejected(QuarantineReason.INVALID_CAMERA_READ, str(exc)) from None
        signed = raw_metadata.get("camera-id")
        if signed and signed != document.camera_id:
            # the presigned POST binds x-amz-meta-camera-id to the camera of the key
            raise Rejected(
                QuarantineReason.CAMERA_MISMATCH,
                f"the document names {document.camera_id!r}, the upload was for {signed!r}",
            )
        return document

    def _beside_camera(
        self,
        reads: list[PlateRead],
        ref: SnapshotRef,
        meta: CaptureMetadata,
        camera,
        image: Image.Image,
        document: CameraReadDocument | None,
    ) -> tuple[list[PlateRead], Disagreement | None]:
        """Keep the camera's reading beside ours; a disagreement never hides a listed plate:
        the camera's plate joins our read's alternatives (watchlist: possible misread), and a
        plate only the camera saw is stored as a camera-sourced read."""
        theirs = normalise(meta.camera_plate or "")
        if not theirs:
            return reads, None
        beside = {
            "camera_plate": theirs,
            "camera_confidence": meta.camera_plate_confidence,
            "camera_country": meta.camera_plate_country,
        }
        for i, r in enumerate(reads):
            # only our own OCR can agree (an engine falling back on the camera's read cannot)
            if r.plate == theirs and r.source == "ocr":
                reads[i] = r.model_copy(update={**beside, "agree": True})
                return reads, None
        if reads:
            ours = reads[0]
            alternatives = tuple(a for a in ours.alternatives if a != theirs)
            if ours.plate != theirs:
                alternatives = (theirs, *alternatives)
            reads[0] = ours.model_copy(update={**beside, "agree": False, "alternatives": alternatives})
        else:
            box = document.plate_bbox if document and document.plate_bbox else (0, 0, *image.size)
            det = PlateDetection(
                text=theirs,
                raw_text=meta.camera_plate or theirs,
                confidence=meta.camera_plate_confidence if meta.camera_plate_confidence is not None else 0.5,
                bbox=box,
                country=meta.camera_plate_country or "UNKNOWN",
                source="camera",
            )
            read = self._plate_read(ref, meta, camera, det, 0, image)
            reads = [read.model_copy(update={**beside, "agree": False})]
        first = reads[0]
        disagreement = Disagreement(
            network=camera.network or "",
            camera_id=camera.camera_id,
            read_id=first.read_id,
            capture_ms=meta.capture_ms,
            ours_masked=mask(first.plate) if first.source == "ocr" else "",
            ours_confidence=first.confidence if first.source == "ocr" else 0.0,
            camera_masked=mask(theirs),
            camera_confidence=meta.camera_plate_confidence,
            snapshot_key=ref.key,
            expires_at=first.expires_at,
        )
        return reads, disagreement

    def _metadata(self, raw: dict[str, str]) -> CaptureMetadata:
        if not raw.get("camera-id") or not raw.get("capture-ms"):
            missing = [k for k in ("camera-id", "capture-ms") if not raw.get(k)]
            raise Rejected(QuarantineReason.MISSING_METADATA, f"missing {', '.join(missing)}")
        try:
            return CaptureMetadata.model_validate(raw)
        except ValidationError as exc:
            fields = ", ".join(f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in exc.errors())
            raise Rejected(QuarantineReason.INVALID_METADATA, fields) from None

    def _check_capture_time(self, capture_ms: int) -> None:
        now = self.clock()
        if capture_ms > now + self.policy.max_future_skew_s * 1000:
            raise Rejected(
                QuarantineReason.FUTURE_CAPTURE,
                f"capture time {(capture_ms - now) / 1000:.0f}s in the future",
            )
        if capture_ms < now - self.policy.retention_days * DAY_MS:
            raise Rejected(
                QuarantineReason.EXPIRED_CAPTURE,
                f"capture time older than the {self.policy.retention_days}-day retention",
            )

    @staticmethod
    def _decode(body: bytes) -> Image.Image:
        sniffed = sniff_format(body)
        if sniffed is not None and sniffed not in ACCEPTED_FORMATS:
            raise Rejected(
                QuarantineReason.UNSUPPORTED_FORMAT,
                f"{sniffed} is not accepted: cameras send {' or '.join(ACCEPTED_FORMATS)}",
            )
        looks_like_image = sniffed is not None
        try:
            # only the JPEG and PNG decoders may run (never Ghostscript, TIFF, ... plugins)
            image = Image.open(io.BytesIO(body), formats=list(ACCEPTED_FORMATS))
            if image.format not in ACCEPTED_FORMATS or image.format != sniffed:
                raise Rejected(
                    QuarantineReason.UNSUPPORTED_FORMAT,
                    f"detected {image.format}, announced {sniffed}: cameras send JPEG or PNG",
                )
            if image.width * image.height > _MAX_PIXELS:
                raise Rejected(QuarantineReason.CORRUPT_IMAGE, f"{image.width}x{image.height} pixels")
            image.load()
            return image.convert("RGB")
        except UnidentifiedImageError:
            if looks_like_image:
                raise Rejected(QuarantineReason.CORRUPT_IMAGE, "image header unreadable") from None
            raise Rejected(QuarantineReason.NOT_AN_IMAGE, "not a JPEG or PNG") from None
        except (OSError, SyntaxError, ValueError, Image.DecompressionBombError) as exc:
            raise Rejected(QuarantineReason.CORRUPT_IMAGE, f"image does not decode: {exc}") from None

    def _plate_read(
        self,
        ref: SnapshotRef,
        meta: CaptureMetadata,
        camera,
        det: PlateDetection,
        index: int,
        image: Image.Image,
    ) -> PlateRead:
        # keyed by bucket/key (not version): re-uploading a key never makes a second read
        read_id = keys.read_id_for(snapshot_identity(ref), index)
        ckey = crop_key(ref.key, index)
        self.snapshots.put_crop(
            ref.bucket, ckey, _crop_jpeg(image, det.bbox), {"read-id": read_id, "camera-id": meta.camera_id}
        )
        mobile = camera.kind == "mobile"
        zone = camera.zone
        if mobile and self.zones is not None and meta.lat is not None and meta.lon is not None:
            # a police vehicle's read belongs to the zone it was driving in at capture
            zone = self.zones.zone_at(meta.lat, meta.lon) or camera.zone
        return PlateRead(
            read_id=read_id,
            plate=det.text,
            raw_text=det.raw_text,
            confidence=max(0.0, min(1.0, det.confidence)),
            country=det.country,
            bbox=tuple(int(v) for v in det.bbox),
            alternatives=tuple(det.alternatives),
            camera_id=meta.camera_id,
            zone=zone,
            capture_ms=meta.capture_ms,
            # mobile (police-vehicle) units report their own position and heading
            lat=meta.lat if mobile and meta.lat is not None else camera.lat,
            lon=meta.lon if mobile and meta.lon is not None else camera.lon,
            heading=meta.heading if meta.heading is not None else camera.heading,
            lane=meta.lane,
            direction=meta.direction,
            snapshot_bucket=ref.bucket,
            snapshot_key=ref.key,
            crop_key=ckey,
            source=det.source if det.source in ("ocr", "camera") else "ocr",
            engine=self.engine.name,
            ingested_ms=self.clock(),
            expires_at=expires_at_s(meta.capture_ms, self.policy.retention_days),
        )

    def _quarantine(
        self, ref: SnapshotRef, reason: QuarantineReason, detail: str, keep_object: bool
    ) -> IngestOutcome:
        self.quarantine_store.quarantine(ref, reason, detail, keep_object=keep_object)
        log.warning("snapshot quarantined", extra={"reason": reason.value, "detail": detail, "key": ref.key})
        return IngestOutcome(
            status="quarantined", bucket=ref.bucket, key=ref.key, reason=reason, detail=detail
        )


def _crop_jpeg(image: Image.Image, bbox: tuple[int, int, int, int], pad: float = 0.15) -> bytes:
    x, y, w, h = bbox
    px, py = int(w * pad), int(h * pad)
    box = (max(0, x - px), max(0, y - py), min(image.width, x + w + px), min(image.height, y + h + py))
    crop = image.crop(box) if box[2] > box[0] and box[3] > box[1] else image
    buf = io.BytesIO()
    crop.save(buf, format="JPEG", quality=90)
    return buf.getvalue()
