"""Live channel settings (env: ``anpr.kernel.platform.env_var_for`` for resources; the WebSocket
endpoint, user pool and push credentials are set by ``infra/constructs/live.py``, or locally by
``local/live.py``)."""

from __future__ import annotations

from pydantic import Field

from anpr.accountability.settings import AuditTrailSettings
from anpr.alerts.settings import AlertsTable
from anpr.kernel.config import BaseConfig


class ConnectionsTable(BaseConfig):
    table_live_connections: str


class DevicesTable(BaseConfig):
    table_push_devices: str


class PushSettings(BaseConfig):
    #: local runtime: every push goes to this JSON-lines file instead of a push service
    push_sink: str = ""
    #: SNS platform applications (created by the CDK app from Secrets Manager credentials)
    push_fcm_app_arn: str = ""
    push_apns_app_arn: str = ""
    #: Secrets Manager secret {"private_key": PEM or base64url, "public_key": base64url}
    push_vapid_secret_arn: str = ""
    push_vapid_subject: str = "mailto:anpr-operations@police.invalid"


class LiveConnectSettings(ConnectionsTable, AuditTrailSettings):
    #: the Cognito user pool's issuer URL and the app client: what a token must name
    user_pool_issuer: str
    user_pool_client_id: str
    #: where the pool's public keys are (default: the issuer's well-known URL)
    live_jwks_url: str = ""
    #: API Gateway closes a WebSocket after 2 hours: the record expires then
    live_connection_ttl_s: int = Field(default=7200, ge=60, le=7200)


class LiveFanoutSettings(ConnectionsTable, DevicesTable, AlertsTable, PushSettings, AuditTrailSettings):
    #: the Management API: https://{api-id}.execute-api.{region}.amazonaws.com/{stage}
    live_endpoint: str


class DevicesApiSettings(DevicesTable, PushSettings, AuditTrailSettings):
    #: a device not registered again within this many days is forgotten
    device_ttl_days: int = Field(default=90, ge=1, le=400)
