"""Alerts → the SNS topic (kept importable): message formats in ``anpr.alerts.messages``, the
port ``anpr.alerts.ports.AlertPublisher``, the adapters ``anpr.alerts.adapters.sns`` and
``anpr.alerts.adapters.s3``."""

from anpr.alerts.adapters.s3 import S3Presigner
from anpr.alerts.adapters.sns import SnsAlertPublisher
from anpr.alerts.messages import (
    MESSAGE_SCHEMA,
    NoPresigner,
    alert_message,
    alert_summary,
    alert_view,
    message_attributes,
    push_payloads,
)
from anpr.alerts.ports import AlertDeliveryError, AlertPublisher, Presigner

__all__ = [
    "MESSAGE_SCHEMA",
    "AlertDeliveryError",
    "AlertPublisher",
    "NoPresigner",
    "Presigner",
    "S3Presigner",
    "SnsAlertPublisher",
    "alert_message",
    "alert_summary",
    "alert_view",
    "message_attributes",
    "push_payloads",
]
