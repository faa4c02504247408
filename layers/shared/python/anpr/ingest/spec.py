"""Core: camera snapshots in, plate reads stored, camera registry, the first API route."""

from anpr.kernel.roles import ROLES
from anpr.kernel.spec import (
    Attribute as S,
)
from anpr.kernel.spec import (
    BucketSpec,
    FunctionSpec,
    Index,
    Notification,
    QueueSource,
    QueueSpec,
    SpecPart,
    TableSpec,
    Use,
    api_function,
    routes,
)

PART = SpecPart(
    tables=(
        # Key design and load calculation: docs/decisions.md (2026-11-28, reads table).
        TableSpec(
            id="Reads",
            partition_key=S("pk"),  # T#{yyyymmddHHMM}#{shard:02d}: one-minute slice × write shard
            sort_key=S("sk"),  # {capture_ms:013d}#{read_id}
            indexes=(
                Index("byPlate", S("plate_pk"), S("ts_sk")),  # P#{plate}
                Index("byCamera", S("camera_pk"), S("ts_sk")),  # C#{camera_id}#{yyyymmddHH}
            ),
            ttl_attribute="expires_at",
            # new reads feed the analytics copy (anpr.analytics; infra/constructs/analytics.py)
            stream=True,
        ),
        TableSpec(id="Cameras", partition_key=S("camera_id"), data_class="ops"),
        TableSpec(id="Idempotency", partition_key=S("id"), ttl_attribute="expiration", data_class="ops"),
    ),
    buckets=(
        BucketSpec(
            id="Snapshots",
            # a camera re-posting a key cannot erase the original a read was made from
            lock_versions_for_retention=True,
            notifications=(
                Notification(events=("s3:ObjectCreated:*",), queue="Ingest", prefix="snapshots/"),
            ),
        ),
        # Bad input is kept, never dropped: the object copy plus a reason document.
        BucketSpec(id="Quarantine"),
    ),
    queues=(
        QueueSpec(id="IngestDlq", is_dlq=True),
        # visibility ≥ 6 × function timeout (AWS guidance for SQS event sources)
        QueueSpec(id="Ingest", dlq="IngestDlq", max_receive_count=3, visibility_timeout_s=180),
    ),
    functions=(
        FunctionSpec(
            id="Ingest",
            code="ingest",
            memory_mb=1024,
            timeout_s=30,
            layers=("shared", "ocr", "models"),
            uses=(
                Use("bucket", "Snapshots", "read"),  # reads snapshots ...
                Use("bucket", "Snapshots", "write", prefix="crops/"),  # ... writes plate crops only
                Use("bucket", "Quarantine", "write"),
                Use("table", "Reads", "write"),
                Use("table", "Cameras", "read"),
                Use("table", "Idempotency", "read_write"),
            ),
            sources=(QueueSource(queue="Ingest", batch_size=10, batching_window_s=1),),
            reserved_concurrency=300,  # the national peak (≈ 220 needed), never starved by a search Map (docs/networks.md)
        ),
        api_function(
            "Api",
            "api",
            uses=(Use("table", "Cameras", "read"),),
        ),
    ),
    routes=(
        *routes(
            "Api",
            ROLES,
            "GET /cameras",
            # the REST API's OpenAPI document (typed web clients, adversarial tests)
            "GET /openapi.json",
            personal_data=False,
        ),
    ),
)
