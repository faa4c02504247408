"""Live: the WebSocket channel's connections, push devices, the functions behind ``$connect``,
``$disconnect`` and the fan-out, and the device routes. The WebSocket API itself, the SNS
platform applications and the VAPID secret are built by ``infra/constructs/live.py``."""

from anpr.accountability.spec import AUDIT_WRITER_USES
from anpr.kernel.spec import Attribute as S
from anpr.kernel.spec import (
    FunctionSpec,
    QueueSource,
    QueueSpec,
    SpecPart,
    SubscriptionSpec,
    TableSpec,
    Use,
    api_function,
    routes,
)

#: every alert send (the Alerts topic, no filter) and every claim or close (the alerts API)
FANOUT_QUEUE = "LiveFanout"
_PATROL = ("patrol", "supervisor")


def _keyed(id: str) -> TableSpec:
    """A table of "K#{key}" items and the pointers to find them by (pk, sk), expiring."""
    return TableSpec(
        id=id, partition_key=S("pk"), sort_key=S("sk"), ttl_attribute="expires_at", data_class="ops"
    )


PART = SpecPart(
    tables=(
        # "K#{connection_id}"/"#" the connection; "Z#{zone}"/id and "ALL"/id: found by zone
        _keyed("LiveConnections"),
        # the same layout for devices ("K#{device_id}"...): one endpoint per device
        _keyed("PushDevices"),
    ),
    queues=(QueueSpec(id=FANOUT_QUEUE, dlq="AlertsDlq", max_receive_count=3, visibility_timeout_s=30),),
    subscriptions=(SubscriptionSpec(id=f"{FANOUT_QUEUE}Sub", topic="Alerts", queue=FANOUT_QUEUE),),
    functions=(
        FunctionSpec(
            id="LiveConnect",
            code="live",
            handler="handler.connect",
            memory_mb=256,
            timeout_s=10,
            uses=(Use("table", "LiveConnections", "read_write"), *AUDIT_WRITER_USES),
        ),
        FunctionSpec(
            id="LiveDisconnect",
            code="live",
            handler="handler.disconnect",
            memory_mb=256,
            timeout_s=10,
            uses=(Use("table", "LiveConnections", "read_write"),),
        ),
        FunctionSpec(
            id="LiveFanout",
            code="live",
            handler="handler.fanout",
            memory_mb=512,
            timeout_s=20,
            # no batching window: an alert is on screen as soon as it is published
            sources=(QueueSource(FANOUT_QUEUE, batch_size=10, batching_window_s=0),),
            uses=(
                Use("table", "LiveConnections", "read_write"),  # gone connections are removed
                Use("table", "PushDevices", "read_write"),  # uninstalled apps are removed
                Use("table", "Alerts", "read_write"),  # the feed line; "shown" marks
                *AUDIT_WRITER_USES,
            ),
        ),
        api_function(
            "LiveDevices",
            "live",
            uses=(Use("table", "PushDevices", "read_write"), *AUDIT_WRITER_USES),
            memory_mb=256,
        ),
    ),
    routes=(
        *routes("LiveDevices", _PATROL, "POST /devices", "DELETE /devices/{device_id}"),
        *routes("LiveDevices", _PATROL, "GET /devices/webpush-key", personal_data=False),
    ),
    # the desk announces claims and closes to the fan-out
    extra_uses={"AlertsApi": (Use("queue", FANOUT_QUEUE, "send"),)},
)
