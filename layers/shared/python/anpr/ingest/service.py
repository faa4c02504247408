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

from anpr.ingest.quarantine import QuarantineStore
from anpr.ingest.snapshots import ObjectMissing, SnapshotStore, crop_key
from anpr.kernel.clock import DAY_MS, Clock, expires_at_s
from anpr.ocr.engine import CameraHint, OcrEngine, PlateDetection
from anpr.reads import keys
from anpr.reads.cameras import CameraRegistry
from anpr.reads.models import CameraStatus, CaptureMetadata, PlateRead, QuarantineReason, SnapshotRef
from anpr.reads.plates import mask
from anpr.reads.repository import PlateReadRepository

log = logging.getLogger(__name__)

_IMAGE_MAGIC = (b"\xff\xd8\xff", b"\x89PNG\r\n\x1a\n")
#: a camera snapshot is at most a few megapixels; anything far larger is hostile
_MAX_PIXELS = 40_000_000


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
    ):
        self.snapshots, self.quarantine_store, self.cameras = snapshots, quarantine, cameras
        self.reads, self.engine, self.policy, self.clock = reads, engine, policy, clock
        #: runs once the reads are stored (watchlist matching). If it raises, the snapshot is
        #: retried: reads are idempotent (deterministic ids), so the hook must be too.
        self.after_store = after_store

    def ingest(self, ref: SnapshotRef) -> IngestOutcome:
        try:
            return self._ingest(ref)
        except Rejected as rej:
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

    def _ingest(self, ref: SnapshotRef) -> IngestOutcome:
        try:
            head = self.snapshots.head(ref)
        except ObjectMissing:
            raise Rejected(QuarantineReason.OBJECT_MISSING, "object no longer exists", False) from None
        if head.size > self.policy.max_snapshot_bytes:
            raise Rejected(
                QuarantineReason.TOO_LARGE, f"{head.size} bytes > {self.policy.max_snapshot_bytes}"
            )
        meta = self._metadata(head.metadata)
        camera = self.cameras.get(meta.camera_id)
        if camera is None:
            raise Rejected(QuarantineReason.UNKNOWN_CAMERA, f"camera {meta.camera_id!r} is not registered")
        if camera.status == CameraStatus.RETIRED:
            raise Rejected(QuarantineReason.RETIRED_CAMERA, f"camera {meta.camera_id!r} is retired")
        self._check_capture_time(meta.capture_ms)
        try:
            body = self.snapshots.get(ref)
        except ObjectMissing:
            raise Rejected(QuarantineReason.OBJECT_MISSING, "object no longer exists", False) from None
        image = self._decode(body)

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
        self.reads.put_many(reads)
        if self.after_store and reads:
            self.after_store(reads)
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
        looks_like_image = body.startswith(_IMAGE_MAGIC)
        try:
            image = Image.open(io.BytesIO(body))
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
        read_id = keys.read_id_for(ref.identity, index)
        ckey = crop_key(ref.key, index)
        self.snapshots.put_crop(
            ref.bucket, ckey, _crop_jpeg(image, det.bbox), {"read-id": read_id, "camera-id": meta.camera_id}
        )
        mobile = camera.kind == "mobile"
        return PlateRead(
            read_id=read_id,
            plate=det.text,
            raw_text=det.raw_text,
            confidence=max(0.0, min(1.0, det.confidence)),
            country=det.country,
            bbox=tuple(int(v) for v in det.bbox),
            alternatives=tuple(det.alternatives),
            camera_id=meta.camera_id,
            zone=camera.zone,
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
