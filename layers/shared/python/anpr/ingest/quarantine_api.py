"""The quarantine browser for ops (routes in ``anpr.networks.api``, served by NetworksApi; roles:
``anpr.networks.spec``).

``GET /quarantine``: the reason documents ingest wrote (``anpr.ingest.quarantine``), filtered by
reason, a page at a time: reason, detail, camera, network, original key, size, when. No image.
``GET /quarantine/image``: a short presigned link to the kept copy of one snapshot. A snapshot
is personal data (a vehicle, its plate, its surroundings): a case or ticket reference and a
reason are required, and every view, or refusal, is audited (``quarantine.image_viewed``).

The bucket holds ``{reason}/{original key}`` (the copy) beside ``….reason.json`` (the document);
a queue message that was no S3 event is ``malformed_event/{message id}.json`` (no image).
"""

from __future__ import annotations

import json
import re
from collections import Counter, defaultdict

from botocore.exceptions import BotoCoreError, ClientError

from anpr.accountability.justification import (
    DEFAULT_RULES,
    Justification,
    JustificationRules,
    check_justification,
)
from anpr.kernel.audit import AuditEvent, AuditTrail
from anpr.kernel.auth import Caller
from anpr.kernel.clock import Clock
from anpr.kernel.db import StorageError
from anpr.kernel.errors import BadRequest, DomainError, NotFound
from anpr.networks.service import camera_of_key, network_of_key
from anpr.reads.models import QuarantineReason

DOC_SUFFIX = ".reason.json"
#: upload keys name their upload time: …/{ms}_{id}.{ext} (anpr.networks.service.UploadService)
_UPLOAD_MS = re.compile(r"/(\d{13})_[^/]*$")


def _is_document(key: str) -> bool:
    return key.endswith(DOC_SUFFIX) or key.startswith(f"{QuarantineReason.MALFORMED_EVENT.value}/")


def document_key(key: str, field: str) -> str:
    """``key`` when it names a reason document (as ``GET /quarantine`` lists them), else 400."""
    if not (_is_document(key) and key.isprintable() and ".." not in key and len(key.encode()) <= 1024):
        raise BadRequest(f"{field}: a quarantine document's id from GET /quarantine")
    return key


def _image_key(doc_key: str) -> str | None:
    return doc_key.removesuffix(DOC_SUFFIX) if doc_key.endswith(DOC_SUFFIX) else None


class S3QuarantineBrowser:
    """Reads the Quarantine bucket: documents a page at a time, counts per camera, image links."""

    def __init__(self, bucket: str, client, url_ttl_s: int = 60):
        self._bucket, self._s3, self.url_ttl_s = bucket, client, url_ttl_s

    def page(self, reason: str | None, limit: int, after: str | None) -> tuple[list[dict], str | None]:
        """Up to ``limit`` documents in key order (reason, network, camera, time) after ``after``."""
        kwargs = {"Bucket": self._bucket, "Prefix": f"{reason}/" if reason else ""}
        if after:
            kwargs["StartAfter"] = after
        docs: list[dict] = []
        try:
            for page in self._s3.get_paginator("list_objects_v2").paginate(**kwargs):
                for obj in page.get("Contents", []):
                    if not _is_document(obj["Key"]):
                        continue
                    if len(docs) == limit:  # one more exists: the next page starts after ours
                        return docs, docs[-1]["id"]
                    docs.append(self._document(obj))
        except (ClientError, BotoCoreError) as exc:
            raise StorageError(f"quarantine listing failed: {exc}") from exc
        return docs, None

    def counts(self, since_ms: int) -> dict[str, dict[str, int]]:
        """{camera: {reason: n}} of snapshots quarantined since ``since_ms`` (by the upload time
        in the key, else the document's write time): keys only, no document read."""
        out: dict[str, Counter] = defaultdict(Counter)
        try:
            for page in self._s3.get_paginator("list_objects_v2").paginate(Bucket=self._bucket):
                for obj in page.get("Contents", []):
                    key = obj["Key"]
                    if not key.endswith(DOC_SUFFIX):
                        continue
                    reason, _, original = key.removesuffix(DOC_SUFFIX).partition("/")
                    found = _UPLOAD_MS.search(original)
                    at = int(found.group(1)) if found else int(obj["LastModified"].timestamp() * 1000)
                    camera = camera_of_key(original)
                    if at >= since_ms and camera:
                        out[camera][reason] += 1
        except (ClientError, BotoCoreError) as exc:
            raise StorageError(f"quarantine listing failed: {exc}") from exc
        return {camera: dict(c) for camera, c in out.items()}

    def image_url(self, doc_key: str) -> str | None:
        """A presigned GET of the kept copy, or None when the document has no image."""
        key = _image_key(doc_key)
        if key is None:
            return None
        try:
            self._s3.head_object(Bucket=self._bucket, Key=key)
        except ClientError as exc:
            if exc.response["Error"]["Code"] in ("404", "NoSuchKey", "NotFound"):
                return None
            raise StorageError(f"quarantine read failed: {exc}") from exc
        return self._s3.generate_presigned_url(
            "get_object", Params={"Bucket": self._bucket, "Key": key}, ExpiresIn=self.url_ttl_s
        )

    def _document(self, obj: dict) -> dict:
        key = obj["Key"]
        try:
            doc = json.loads(self._s3.get_object(Bucket=self._bucket, Key=key)["Body"].read())
        except (ClientError, BotoCoreError) as exc:
            raise StorageError(f"quarantine read failed: {exc}") from exc
        except ValueError:
            doc = {"detail": "the reason document is not JSON"}
        original = doc.get("key") or ""
        return {
            "id": key,
            "reason": doc.get("reason") or key.partition("/")[0],
            "detail": str(doc.get("detail", ""))[:500],
            "key": original,
            "camera_id": camera_of_key(original),
            "network": network_of_key(original),
            "size": doc.get("size"),
            "quarantined_ms": doc.get("quarantined_ms") or int(obj["LastModified"].timestamp() * 1000),
            "image": _image_key(key) is not None and "(object gone)" not in str(doc.get("detail", "")),
        }


class QuarantineService:
    def __init__(
        self,
        browser: S3QuarantineBrowser,
        audit: AuditTrail,
        clock: Clock,
        rules: JustificationRules = DEFAULT_RULES,
    ):
        self.browser, self._audit, self._clock, self._rules = browser, audit, clock, rules

    def list(self, reason: str | None, limit: int, after: str | None) -> dict:
        items, next_after = self.browser.page(reason, limit, document_key(after, "after") if after else None)
        return {"reason": reason, "items": items, "next": next_after}

    def image(self, who: Caller, doc_key: str, case_ref: str | None, why: str | None) -> dict:
        resource = f"quarantine/{doc_key[:300]}"
        try:
            j = check_justification(Justification(case_ref or "", why or ""), self._rules)
            url = self.browser.image_url(document_key(doc_key, "id"))
            if url is None:
                raise NotFound(f"no kept image for {doc_key}")
        except DomainError as exc:
            self._audit.record(
                AuditEvent.by(who, "quarantine.image_viewed", outcome="denied", resource=resource,
                              case_ref=case_ref, reason=why, detail={"why": str(exc)}, at_ms=self._clock())
            )  # fmt: skip
            raise
        self._audit.record(
            AuditEvent.by(who, "quarantine.image_viewed", resource=resource, case_ref=j.case_ref,
                          reason=j.reason, detail={"camera": camera_of_key(_image_key(doc_key) or "")},
                          at_ms=self._clock())
        )  # fmt: skip
        return {"id": doc_key, "url": url, "expires_s": self.browser.url_ttl_s}
