"""What ingest reports to the networks concern (``anpr.ingest.hooks``' adapters).

- ``NetworkIngestOps``: per-network metrics (the dashboard, the ``UploadRefused`` alarm) and,
  for a key under another network's prefix, an ``upload.refused`` audit record.
- ``DynamoDisagreementStore``: reads where our OCR and the camera disagree, per network, for
  that network's operator (``GET /networks/{id}/disagreements``); plates masked, TTL = the read's.
"""

from __future__ import annotations

from datetime import UTC, datetime

from pynamodb.attributes import NumberAttribute, TTLAttribute, UnicodeAttribute
from pynamodb.exceptions import PynamoDBException
from pynamodb.models import Model

from anpr.ingest.hooks import Disagreement
from anpr.kernel.audit import AuditTrail
from anpr.kernel.db import StorageError, table_meta, table_models
from anpr.kernel.observability import logger
from anpr.networks import metrics
from anpr.networks.service import refusal_event


class NetworkIngestOps:
    def __init__(self, audit: AuditTrail | None, namespace: str = metrics.NAMESPACE):
        self._audit, self._namespace = audit, namespace

    def refused(self, network: str, camera_id: str, key: str, reason: str, detail: str) -> None:
        logger.warning("upload refused by ingest", extra={"network": network, "camera_id": camera_id,
                                                          "reason": reason, "key": key})  # fmt: skip
        metrics.upload_refused(network, reason, self._namespace)
        if self._audit is not None:
            self._audit.record(refusal_event(network, camera_id, reason, key=key, detail=detail, by="ingest"))

    def quarantined(self, network: str, reason: str) -> None:
        metrics.snapshot_quarantined(network, reason, self._namespace)

    def stored(
        self, network: str, upload_to_read_ms: float | None, confidence: float | None, disagreements: int
    ) -> None:
        metrics.snapshot_ingested(network, upload_to_read_ms, confidence, self._namespace)
        if disagreements:
            metrics.read_disagreements(network, disagreements, self._namespace)


@table_models
def disagreements_model(table_name: str, region: str, host: str | None) -> type[Model]:
    class DisagreementItem(Model):
        Meta = table_meta(table_name, region, host)

        network = UnicodeAttribute(hash_key=True)
        sk = UnicodeAttribute(range_key=True)  # {capture_ms:013d}#{read_id}
        camera_id = UnicodeAttribute()
        read_id = UnicodeAttribute()
        capture_ms = NumberAttribute()
        ours_masked = UnicodeAttribute()
        ours_confidence = NumberAttribute()
        camera_masked = UnicodeAttribute()
        camera_confidence = NumberAttribute(null=True)
        snapshot_key = UnicodeAttribute()
        expires_at = TTLAttribute()

    return DisagreementItem


class DynamoDisagreementStore:
    def __init__(self, table_name: str, region: str):
        self._model = disagreements_model(table_name, region)

    def put(self, d: Disagreement) -> None:
        try:
            self._model(
                **d.model_dump(exclude={"expires_at"}),
                sk=f"{d.capture_ms:013d}#{d.read_id}",
                expires_at=datetime.fromtimestamp(d.expires_at, tz=UTC),
            ).save()
        except PynamoDBException as exc:
            raise StorageError(f"disagreements write failed: {exc.msg}") from exc

    def list(self, network: str, since_ms: int, limit: int = 200) -> list[Disagreement]:
        try:
            items = self._model.query(
                network, self._model.sk >= f"{since_ms:013d}#", scan_index_forward=False, limit=limit
            )
            return [
                Disagreement(
                    **{k: v for k, v in i.attribute_values.items() if k not in ("sk", "expires_at")},
                    expires_at=int(i.expires_at.timestamp()),
                )
                for i in items
            ]
        except PynamoDBException as exc:
            raise StorageError(f"disagreements read failed: {exc.msg}") from exc
