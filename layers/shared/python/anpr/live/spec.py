"""Live: the WebSocket channel's connections, push devices, the functions behind ``$connect``,
``$disconnect`` and the fan-out, and the device routes. The WebSocket API itself, the SNS
platform applications and the VAPID secret are built by ``infra/constructs/live.py``."""

from anpr.accountability.spec import AUDIT_WRITER_USES
from anpr.kernel.spec import Attribute as S
from anpr.kernel.spec import (
    FunctionSpec,
    QueueSource,
    QueueSpec,
    RouteSpec,
    SpecPart,
    SubscriptionSpec,
    TableSpec,
    Use,
)

#: every alert send (the Alerts topic, no filter) and every claim or close (the alerts API)
FANOUT_QUEUE = "LiveFanout"
_PATROL = ("patrol", "supervisor")

PART = SpecPart(
    tables=(
        # "K#{connection_id}"/"#" the connection; "Z#{zone}"/id and "ALL"/id: found by zone
        TableSpec(
            id="LiveConnections",
            partition_key=S("pk"),
            sort_key=S("sk"),
            ttl_attribute="expires_at",
            data_class="ops",
        ),
        # the same layout for devices ("K#{device_id}"...): one endpoint per device
        TableSpec(
            id="PushDevices",
            partition_key=S("pk"),
            sort_key=S("sk"),
            ttl_attribute="expires_at",
            data_class="ops",
        ),
    ),
    queues=(QueueSpec(id=FANOUT_QUEUE, dlq="AlertsDlq", max_receive_count=3, visibility_timeout_s=30),),
    subscriptions=(SubscriptionSpec(id=f"{FANOUT_QUEUE}Sub", topic="Alerts", queue=FANOUT_QUEUE),),
    functions=(
        FunctionSpec(
            id="LiveConnect",
            code="live",
            handler="handler.connect",
            service="live-connect",
            memory_mb=256,
            timeout_s=10,
            uses=(Use("table", "LiveConnections", "read_write"), *AUDIT_WRITER_USES),
        ),
        FunctionSpec(
            id="LiveDisconnect",
            code="live",
            handler="handler.disconnect",
            service="live-disconnect",
            memory_mb=256,
            timeout_s=10,
            uses=(Use("table", "LiveConnections", "read_write"),),
        ),
        FunctionSpec(
            id="LiveFanout",
            code="live",
            handler="handler.fanout",
            service="live-fanout",
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
        FunctionSpec(
            id="LiveDevices",
            code="live",
            service="live-devices",
            memory_mb=256,
            timeout_s=29,
            uses=(Use("table", "PushDevices", "read_write"), *AUDIT_WRITER_USES),
        ),
    ),
    routes=(
        RouteSpec("POST", "/devices", "LiveDevices", roles=_PATROL),
        RouteSpec("DELETE", "/devices/{device_id}", "LiveDevices", roles=_PATROL),
        RouteSpec("GET", "/devices/webpush-key", "LiveDevices", roles=_PATROL, personal_data=False),
    ),
    # the desk announces claims and closes to the fan-out
    extra_uses={"AlertsApi": (Use("queue", FANOUT_QUEUE, "send"),)},
)
