"""Plate crops for the HTML export: each read's box cut from its snapshot.

The read keeps its box (``bbox``, pixels of the snapshot) and where the snapshot lies
(``snapshot_bucket``); the search sightings carry only the snapshot key, so the export step
fetches the box with one GetItem per read (the base-table key is computable from the sighting)
and the snapshot from S3. Bounded (``limit`` reads, the first of the result); a read whose
snapshot is gone (expired, or never stored) simply has no crop.
"""

from __future__ import annotations

import io
import logging
from collections.abc import Sequence
from typing import Protocol

from botocore.exceptions import BotoCoreError, ClientError
from PIL import Image, UnidentifiedImageError

from anpr.reads import keys
from anpr.search.models import Sighting

log = logging.getLogger(__name__)


class CropSource(Protocol):
    def crops(self, sightings: Sequence[Sighting]) -> dict[str, bytes]: ...


def crop_jpeg(snapshot: Image.Image, bbox: Sequence[float], height: int = 48, pad: float = 0.08) -> bytes:
    """The box (x1, y1, x2, y2) with a little margin, scaled to ``height`` pixels, as JPEG."""
    x1, y1, x2, y2 = (float(v) for v in bbox)
    mx, my = (x2 - x1) * pad, (y2 - y1) * pad
    box = (
        max(0, int(x1 - mx)),
        max(0, int(y1 - my)),
        min(snapshot.width, int(x2 + mx)),
        min(snapshot.height, int(y2 + my)),
    )
    if box[2] <= box[0] or box[3] <= box[1]:
        raise ValueError(f"empty box {bbox}")
    crop = snapshot.convert("RGB").crop(box)
    crop = crop.resize((max(1, round(crop.width * height / crop.height)), height))
    out = io.BytesIO()
    crop.save(out, format="JPEG", quality=85)
    return out.getvalue()


class SnapshotCrops:
    def __init__(self, table_name: str, dynamodb, s3, limit: int = 200, height: int = 48):
        self._table, self._ddb, self._s3 = table_name, dynamodb, s3
        self.limit, self.height = limit, height

    def crops(self, sightings: Sequence[Sighting]) -> dict[str, bytes]:
        out: dict[str, bytes] = {}
        for s in list(sightings)[: self.limit]:
            if not s.snapshot_key or s.read_id in out:
                continue
            try:
                item = self._ddb.get_item(
                    TableName=self._table,
                    Key={
                        "pk": {"S": keys.partition_key(s.capture_ms, s.read_id)},
                        "sk": {"S": keys.sort_key(s.capture_ms, s.read_id)},
                    },
                    ProjectionExpression="bbox, snapshot_bucket",
                ).get("Item")
                if not item:
                    continue
                bbox = [float(v["N"]) for v in item["bbox"]["L"]]
                body = self._s3.get_object(Bucket=item["snapshot_bucket"]["S"], Key=s.snapshot_key)[
                    "Body"
                ].read()
                with Image.open(io.BytesIO(body)) as snapshot:
                    out[s.read_id] = crop_jpeg(snapshot, bbox, self.height)
            except (ClientError, BotoCoreError, KeyError, OSError, UnidentifiedImageError, ValueError) as exc:
                log.warning("no plate crop for a read", extra={"read_id": s.read_id, "error": str(exc)})
        return out
