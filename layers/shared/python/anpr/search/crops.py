"""Plate crops for the HTML export: each read's box cut from its snapshot.

The read keeps its box (``bbox``, pixels of the snapshot) and where the snapshot lies
(``snapshot_bucket``); the search sightings carry only the snapshot key, so the export step
fetches the box with one GetItem per read (the base-table key is computable from the sighting)
and the snapshot from S3. Bounded (``limit`` reads, the first of the result); a read whose
snapshot is gone (expired, or never stored) simply has no crop.

The console's results table shows the crop ingest already cut and stored (``crop_key`` of the
read, under ``crops/`` in the Snapshots bucket): ``DynamoCropKeys`` finds those keys for the
reads of one results page, and the search service presigns them (anpr.search.service).
"""

from __future__ import annotations

import io
import logging
from collections.abc import Sequence
from typing import Protocol

from botocore.exceptions import BotoCoreError, ClientError
from PIL import Image, UnidentifiedImageError

from anpr.kernel.db import StorageError
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


# -- the console's results table: each row's plate crop, as ingest stored it ---------------


class CropKeys(Protocol):
    def crop_keys(self, sightings: Sequence[Sighting]) -> dict[str, str]:
        """read_id → the key of the plate crop ingest stored (Snapshots bucket, ``crops/``);
        reads without one are left out."""
        ...


class DynamoCropKeys:
    """The crop keys of a results page's reads: one BatchGetItem per 100 reads (the base-table
    key is computable from the sighting), projecting ``crop_key`` only. No scan, no query: a page
    of 100 rows costs 50 read units at most (eventually consistent, items under 4 KB)."""

    BATCH = 100

    def __init__(self, table_name: str, dynamodb, retries: int = 3):
        self._table, self._ddb, self._retries = table_name, dynamodb, retries

    def crop_keys(self, sightings: Sequence[Sighting]) -> dict[str, str]:
        wanted = {s.read_id: s for s in sightings if s.read_id}
        rows = list(wanted.values())
        out: dict[str, str] = {}
        for lo in range(0, len(rows), self.BATCH):
            request = {
                self._table: {
                    "Keys": [
                        {
                            "pk": {"S": keys.partition_key(s.capture_ms, s.read_id)},
                            "sk": {"S": keys.sort_key(s.capture_ms, s.read_id)},
                        }
                        for s in rows[lo : lo + self.BATCH]
                    ],
                    "ProjectionExpression": "read_id, crop_key",
                }
            }
            for _ in range(self._retries + 1):
                try:
                    resp = self._ddb.batch_get_item(RequestItems=request)
                except (ClientError, BotoCoreError) as exc:
                    raise StorageError(f"crop keys read failed: {exc}") from exc
                for item in resp.get("Responses", {}).get(self._table, []):
                    rid, key = item.get("read_id", {}).get("S"), item.get("crop_key", {}).get("S")
                    if rid in wanted and key:
                        out[rid] = key
                request = resp.get("UnprocessedKeys") or {}
                if not request:
                    break
            else:  # still unprocessed after the retries: those rows show no crop
                log.warning(
                    "crop keys not all read", extra={"unprocessed": len(request[self._table]["Keys"])}
                )
        return out
