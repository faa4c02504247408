"""Tells the investigator a search ended: an SNS message without personal data."""

from __future__ import annotations

import json

from botocore.exceptions import BotoCoreError, ClientError

from anpr.kernel.db import StorageError
from anpr.search.models import SearchJob


def message(job: SearchJob) -> dict:
    return {
        "event": "search.finished",
        "job_id": job.job_id,
        "status": job.status.value,
        "owner_id": job.owner_id,
        "case_ref": job.case_ref,
        "result_count": job.result_count,
    }


class SnsNotifier:
    def __init__(self, topic_arn: str, client):
        self._topic, self._sns = topic_arn, client

    def notify(self, job: SearchJob) -> None:
        try:
            self._sns.publish(
                TopicArn=self._topic,
                Message=json.dumps(message(job)),
                MessageAttributes={
                    "owner_id": {"DataType": "String", "StringValue": job.owner_id},
                    "status": {"DataType": "String", "StringValue": job.status.value},
                },
            )
        except (ClientError, BotoCoreError) as exc:
            raise StorageError(f"search notification failed: {exc}") from exc
