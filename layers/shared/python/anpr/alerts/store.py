"""Where alerts are kept (kept importable): the port is ``anpr.alerts.ports.AlertRepository``,
the DynamoDB adapter ``anpr.alerts.adapters.dynamo.DynamoAlertRepository``."""

from anpr.alerts.adapters.dynamo import (
    DUE,
    DynamoAlertRepository,
    alert_pk,
    alerts_models,
    index_keys,
    late_pk,
    pointer_pk,
    seen_model,
    seen_pk,
)
from anpr.alerts.ports import AlertRepository, Pointer, StaleAlert

__all__ = [
    "DUE",
    "AlertRepository",
    "DynamoAlertRepository",
    "Pointer",
    "StaleAlert",
    "alert_pk",
    "alerts_models",
    "index_keys",
    "late_pk",
    "pointer_pk",
    "seen_model",
    "seen_pk",
]
