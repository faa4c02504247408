"""Camera networks and police zones as data (docs/networks.md).

Only ``ops`` manages networks, cameras and zones; every change is audited. Cameras upload
through ``CameraUploads`` with their network's key (no Cognito user: see docs/networks.md
"Upload endpoint"); it may only sign keys under ``snapshots/{network}/{camera}/``.
No zone, city or network is named here: they are rows in these tables.
"""

from anpr.accountability.spec import AUDIT_WRITER_USES
from anpr.kernel.spec import Attribute as S
from anpr.kernel.spec import (
    FunctionSpec,
    RouteSpec,
    ScheduleSpec,
    SpecPart,
    TableSpec,
    Use,
    api_function,
    routes,
)

OPS = ("ops",)

PART = SpecPart(
    tables=(
        # operators, their zones and the SHA-256 of their upload key (never the key)
        TableSpec(id="Networks", partition_key=S("network_id"), data_class="ops"),
        # local zones and federal units with their boundaries (loaded from a GeoJSON file)
        TableSpec(id="PoliceZones", partition_key=S("code"), data_class="ops"),
        # per camera: last capture and the local hours it sent in, per week (anpr.networks.activity)
        TableSpec(id="CameraActivity", partition_key=S("camera_id"), data_class="ops"),
        # reads where our OCR and the camera's own reading differ, per network (masked plates)
        TableSpec(
            id="CameraDisagreements",
            partition_key=S("network"),
            sort_key=S("sk"),  # {capture_ms:013d}#{read_id}
            ttl_attribute="expires_at",
        ),
    ),
    functions=(
        api_function(
            "NetworksApi",
            "networks_api",
            uses=(
                Use("table", "Networks", "read_write"),
                Use("table", "PoliceZones", "read_write"),
                Use("table", "Cameras", "read_write"),
                Use("table", "CameraDisagreements", "read"),
                *AUDIT_WRITER_USES,
                # camera health: last capture and usual hours, quarantined snapshots by reason,
                # refused uploads (the networks' own upload.refused records); the quarantine browser
                Use("table", "CameraActivity", "read"),
                Use("table", "AuditTrail", "read"),
                Use("bucket", "Quarantine", "read"),
            ),
        ),
        FunctionSpec(
            id="CameraUploads",
            code="networks_api",
            handler="handler.upload_handler",
            memory_mb=256,
            timeout_s=10,
            uses=(
                Use("table", "Networks", "read"),
                Use("table", "Cameras", "read"),
                # presigned POSTs carry this role's permission: it writes snapshots only
                Use("bucket", "Snapshots", "write", prefix="snapshots/"),
                *AUDIT_WRITER_USES,  # upload.refused
            ),
        ),
        FunctionSpec(
            id="SilenceWatch",
            code="networks_api",
            handler="handler.silence_handler",
            memory_mb=512,
            timeout_s=120,
            uses=(Use("table", "CameraActivity", "read"),),
        ),
    ),
    schedules=(
        ScheduleSpec(id="SilenceCheck", function="SilenceWatch", rate_minutes=15, payload={"job": "watch"}),
        ScheduleSpec(
            id="SilenceReport", function="SilenceWatch", rate_minutes=24 * 60, payload={"job": "report"}
        ),
    ),
    # ingest records each camera's activity (at most once per camera per 10 minutes), takes a
    # mobile camera's zone at capture, keeps disagreements and audits a key under another
    # network's prefix (upload.refused)
    extra_uses={
        "Ingest": (
            Use("table", "CameraActivity", "read_write"),
            Use("table", "PoliceZones", "read"),
            Use("table", "CameraDisagreements", "write"),
            *AUDIT_WRITER_USES,
        )
    },
    routes=(
        *routes(
            "NetworksApi",
            OPS,
            "GET /networks",
            "POST /networks",
            "GET /networks/{id}",
            "DELETE /networks/{id}",
            "POST /networks/{id}/key",
            "GET /networks/{id}/cameras",
            "POST /networks/{id}/cameras",
            "POST /networks/{id}/cameras/import",
            "DELETE /networks/{id}/cameras/{camera_id}",
            # masked plates: the operator checks its camera, not the vehicle
            "GET /networks/{id}/disagreements",
            "GET /zones",
            # no plates: when each camera last sent, quarantine counts by reason, refusals
            "GET /cameras/health",
            # the quarantine browser (anpr.ingest.quarantine_api): documents without images...
            "GET /quarantine",
            personal_data=False,
        ),
        # ... and a kept snapshot (a vehicle): justified and audited
        *routes("NetworksApi", OPS, "GET /quarantine/image"),
        *routes("NetworksApi", OPS, "PUT /zones", personal_data=False),
        RouteSpec("POST", "/uploads", "CameraUploads", roles=(), personal_data=False, auth="network_key"),
    ),
)
