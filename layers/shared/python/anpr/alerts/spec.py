"""Alerts: watchlists matched in the ingest path, alerts stored, published to SNS and fanned
out to per-zone SQS queues (filter policies), the alerts REST API and the re-sender.

Design notes: docs/alerts.md.
"""

from anpr.accountability.spec import AUDIT_WRITER_USES
from anpr.kernel.spec import (
    Attribute as S,
)
from anpr.kernel.spec import (
    FunctionSpec,
    Index,
    QueueSpec,
    ScheduleSpec,
    SpecPart,
    SubscriptionSpec,
    TableSpec,
    TopicSpec,
    Use,
    api_function,
    routes,
)

#: the ``zone`` message attribute value of national entries' alerts
NATIONAL = "national"
PRIORITIES: tuple[str, ...] = ("high", "medium", "low")
#: Zones are data (the camera registry, ``anpr.networks``): no resource per zone. Officers get
#: their zones' alerts from the API feed (scoped by the token's zones); the dispatch queue takes
#: every alert for control rooms and bridges, each message naming its zones.
DISPATCH_QUEUE = "AlertsDispatch"


_AUDIT = AUDIT_WRITER_USES

#: patrol officers and their supervisors read and acknowledge; managers own the watchlist
_PATROL = ("patrol", "supervisor")
_WATCH_READ = ("watchlist_manager", "supervisor")
_WATCH_WRITE = ("watchlist_manager",)

PART = SpecPart(
    tables=(
        # entry_id = uuid hex; one extra item "#version" is the change stamp the ingest caches poll
        TableSpec(id="Watchlist", partition_key=S("entry_id")),
        TableSpec(
            id="Alerts",
            # "A#{alert_id}" (alerts) or "D#{entry_id}#{plate}" (open-alert pointer: dedupe window)
            partition_key=S("pk"),
            indexes=(
                # the patrol feed: "{zone}#{status}" (national alerts: "national#{status}"), newest last
                Index("byZone", S("zone_status"), S("seen_sk")),
                # sparse: alerts to (re)send: unpublished ones and open high-priority ones
                Index("byDue", S("due_pk"), S("due_sk")),
            ),
            ttl_attribute="expires_at",
        ),
    ),
    topics=(TopicSpec(id="Alerts"),),
    queues=(
        QueueSpec(id="AlertsDlq", is_dlq=True),
        # dispatch (control room, HTTPS bridges): everything, every zone, every priority
        QueueSpec(id=DISPATCH_QUEUE, dlq="AlertsDlq", max_receive_count=5),
    ),
    subscriptions=(SubscriptionSpec(id=f"{DISPATCH_QUEUE}Sub", topic="Alerts", queue=DISPATCH_QUEUE),),
    functions=(
        api_function(
            "AlertsApi",
            "alerts_api",
            uses=(
                Use("table", "Watchlist", "read_write"),
                Use("table", "Alerts", "read_write"),
                Use("bucket", "Snapshots", "read"),  # presigned URLs to crop and snapshot
                Use("table", "Cameras", "read"),  # the known zones: those of the registered cameras
                *_AUDIT,
            ),
        ),
        FunctionSpec(
            id="AlertResender",
            code="alert_resender",
            memory_mb=256,
            timeout_s=60,
            reserved_concurrency=1,  # one sweep at a time: never two re-sends of one alert
            uses=(
                Use("table", "Alerts", "read_write"),
                Use("topic", "Alerts", "publish"),
                Use("bucket", "Snapshots", "read"),
            ),
        ),
    ),
    routes=(
        *routes("AlertsApi", _WATCH_READ, "GET /watchlist"),
        *routes("AlertsApi", _WATCH_WRITE, "POST /watchlist", "POST /watchlist/import"),
        *routes("AlertsApi", _WATCH_READ, "GET /watchlist/{entry_id}"),
        *routes("AlertsApi", _WATCH_WRITE, "PUT /watchlist/{entry_id}", "DELETE /watchlist/{entry_id}"),
        *routes(
            "AlertsApi",
            _PATROL,
            "GET /alerts",
            "GET /alerts/{alert_id}",
            "POST /alerts/{alert_id}/claim",
            "POST /alerts/{alert_id}/acknowledge",
        ),
        # a zone's shift: open, claimed, closed, escalated and the follow-up rate
        *routes("AlertsApi", ("supervisor",), "GET /alerts/follow-up"),
    ),
    schedules=(ScheduleSpec(id="AlertResend", function="AlertResender", rate_minutes=1),),
    extra_uses={
        # matching in the ingest path (Snapshots: Ingest already has read_write, used to presign)
        "Ingest": (
            Use("table", "Watchlist", "read"),
            Use("table", "Alerts", "read_write"),
            Use("topic", "Alerts", "publish"),
        ),
    },
)
