"""SNS adapter of the alerts concern: one publish per send (formats: ``anpr.alerts.messages``)."""

from __future__ import annotations

import json

from botocore.exceptions import BotoCoreError, ClientError

from anpr.alerts.messages import alert_message, message_attributes, push_payloads
from anpr.alerts.models import Alert
from anpr.alerts.ports import AlertDeliveryError, Presigner
from anpr.kernel.clock import Clock


class SnsAlertPublisher:
    def __init__(
        self,
        topic_arn: str,
        sns_client,
        presigner: Presigner,
        clock: Clock,
        ttl_s: int = 900,
    ):
        self.topic_arn, self._sns, self.presigner = topic_arn, sns_client, presigner
        self.ttl_s, self.clock = ttl_s, clock

    def publish(self, alert: Alert) -> int:
        sent_ms = self.clock()
        body = {
            "default": json.dumps(alert_message(alert, self.presigner, sent_ms, self.ttl_s)),
            **push_payloads(alert),
        }
        try:
            self._sns.publish(
                TopicArn=self.topic_arn,
                MessageStructure="json",
                Message=json.dumps(body),
                MessageAttributes=message_attributes(alert),
            )
        except (ClientError, BotoCoreError) as exc:
            raise AlertDeliveryError(f"alert {alert.alert_id} not published: {exc}") from exc
        return sent_ms
