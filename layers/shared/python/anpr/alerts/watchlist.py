"""Where watchlist entries are kept (kept importable): the port is
``anpr.alerts.ports.WatchlistRepository``, the DynamoDB adapter
``anpr.alerts.adapters.dynamo.DynamoWatchlistRepository``."""

from anpr.alerts.adapters.dynamo import (
    VERSION_ID,
    DynamoWatchlistRepository,
    decode_cursor,
    encode_cursor,
    watchlist_model,
)
from anpr.alerts.ports import WatchlistRepository

__all__ = [
    "VERSION_ID",
    "DynamoWatchlistRepository",
    "WatchlistRepository",
    "decode_cursor",
    "encode_cursor",
    "watchlist_model",
]
