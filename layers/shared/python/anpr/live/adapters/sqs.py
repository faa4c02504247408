"""Claims and closes to the live fan-out's queue (the Alerts topic carries alert sends only)."""

from __future__ import annotations

import json

from botocore.exceptions import BotoCoreError, ClientError

from anpr.kernel.db import StorageError
from anpr.live.models import LIVE_SCHEMA


class QueueAlertChanges:
    def __init__(self, sqs_client, queue_url: str):
        self._sqs, self.queue_url = sqs_client, queue_url

    def changed(self, change: str, alert_id: str) -> None:
        body = {"schema": LIVE_SCHEMA, "type": change, "alert_id": alert_id}
        try:
            self._sqs.send_message(QueueUrl=self.queue_url, MessageBody=json.dumps(body))
        except (ClientError, BotoCoreError) as exc:
            raise StorageError(f"alert change not queued: {exc}") from exc
