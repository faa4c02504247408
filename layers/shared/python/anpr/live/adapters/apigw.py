"""API Gateway's Management API (``post_to_connection``); on the local runtime the same client
talks to ``local/live.py``'s stand-in."""

from __future__ import annotations

from botocore.exceptions import BotoCoreError, ClientError

from anpr.kernel.db import StorageError
from anpr.live.ports import Gone


class ManagementApiPoster:
    def __init__(self, client):
        self._client = client

    def post(self, connection_id: str, data: bytes) -> None:
        try:
            self._client.post_to_connection(ConnectionId=connection_id, Data=data)
        except ClientError as exc:
            code = exc.response.get("Error", {}).get("Code", "")
            status = exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode")
            if code == "GoneException" or status == 410:
                raise Gone(connection_id) from exc
            raise StorageError(f"post to connection failed: {code or exc}") from exc
        except BotoCoreError as exc:
            raise StorageError(f"post to connection failed: {exc}") from exc
