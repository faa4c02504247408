"""Per-network metrics (CloudWatch EMF, namespace ``ANPR``): the contract behind the per-network
dashboard and alarms in ``infra/constructs/monitoring.py``. Ingest calls these (one line each).

Dimensions are bounded: ``network`` (tens) and, for quarantine, ``reason`` (a dozen).
"""

from __future__ import annotations

from aws_lambda_powertools.metrics import MetricUnit, single_metric

NAMESPACE = "ANPR"
SNAPSHOTS = "NetworkSnapshots"
QUARANTINED = "NetworkQuarantined"
CONFIDENCE = "NetworkReadConfidence"
LATENCY = "NetworkUploadToReadMs"
REFUSED = "UploadRefused"
SILENT = "SilentCameras"
DISAGREEMENTS = "NetworkReadDisagreements"


def _emit(name: str, value: float, unit: MetricUnit, namespace: str, **dimensions: str) -> None:
    with single_metric(name=name, unit=unit, value=value, namespace=namespace) as metric:
        for key, dim in dimensions.items():
            metric.add_dimension(name=key, value=dim or "none")


def snapshot_ingested(
    network: str, upload_to_read_ms: float | None, confidence: float | None, namespace: str = NAMESPACE
):
    _emit(SNAPSHOTS, 1, MetricUnit.Count, namespace, network=network)
    if upload_to_read_ms is not None:
        _emit(LATENCY, upload_to_read_ms, MetricUnit.Milliseconds, namespace, network=network)
    if confidence is not None:
        _emit(CONFIDENCE, confidence, MetricUnit.NoUnit, namespace, network=network)


def snapshot_quarantined(network: str, reason: str, namespace: str = NAMESPACE) -> None:
    _emit(QUARANTINED, 1, MetricUnit.Count, namespace, network=network, reason=reason)


def read_disagreements(network: str, count: int, namespace: str = NAMESPACE) -> None:
    """Reads where our OCR and the camera's own reading differ (the operator's calibration)."""
    _emit(DISAGREEMENTS, count, MetricUnit.Count, namespace, network=network)


def upload_refused(network: str, reason: str, namespace: str = NAMESPACE) -> None:
    _emit(REFUSED, 1, MetricUnit.Count, namespace, network=network, reason=reason)
    _emit(REFUSED, 1, MetricUnit.Count, namespace)  # the total, for the alarm


def silent_cameras(network: str, count: int, namespace: str = NAMESPACE) -> None:
    _emit(SILENT, count, MetricUnit.Count, namespace, network=network)
    _emit(SILENT, count, MetricUnit.Count, namespace)
