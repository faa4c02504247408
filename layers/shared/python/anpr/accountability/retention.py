"""Retention helpers: what DynamoDB TTL does on AWS, done by hand where it is not (moto).

Reads carry ``expires_at`` = capture + retention (epoch seconds); a read under legal hold
has no ``expires_at`` at all, so neither TTL nor this sweep can touch it.
"""

from __future__ import annotations

from collections.abc import Sequence

from botocore.exceptions import ClientError

from anpr.kernel.clock import expires_at_s
from anpr.kernel.db import StorageError


def expires_at(capture_ms: int, retention_days: int) -> int:
    """The TTL of a read captured at ``capture_ms`` (epoch seconds)."""
    return expires_at_s(capture_ms, retention_days)


def sweep_expired(
    ddb_client, table_name: str, ttl_attribute: str, key_names: Sequence[str], now_s: int
) -> int:
    """Delete every item whose ``ttl_attribute`` is before ``now_s``; returns how many.

    Items without the attribute (held reads) never match. The local runtime calls this for
    each spec table with a TTL attribute; moto never expires anything itself.
    """
    deleted = 0
    try:
        for page in ddb_client.get_paginator("scan").paginate(
            TableName=table_name,
            FilterExpression="#t < :now",
            ExpressionAttributeNames={"#t": ttl_attribute},
            ExpressionAttributeValues={":now": {"N": str(now_s)}},
        ):
            for item in page["Items"]:
                try:
                    ddb_client.delete_item(
                        TableName=table_name,
                        Key={k: item[k] for k in key_names},
                        # a hold placed since the scan removed the attribute: keep the item
                        ConditionExpression="#t < :now",
                        ExpressionAttributeNames={"#t": ttl_attribute},
                        ExpressionAttributeValues={":now": {"N": str(now_s)}},
                    )
                    deleted += 1
                except ClientError as exc:
                    if exc.response["Error"]["Code"] != "ConditionalCheckFailedException":
                        raise
    except ClientError as exc:
        raise StorageError(f"sweep of {table_name} failed: {exc}") from exc
    return deleted


def sweep_spec_tables(ddb_client, name_of, now_s: int) -> int:
    """``sweep_expired`` over every ``anpr.kernel.platform`` table that declares a TTL attribute.

    ``name_of(table_id)`` gives the physical name (e.g. ``lambda t: rt.name("table", t)``).
    """
    from anpr.kernel import platform as spec

    total = 0
    for t in spec.TABLES:
        if t.ttl_attribute:
            keys = [t.partition_key.name] + ([t.sort_key.name] if t.sort_key else [])
            total += sweep_expired(ddb_client, name_of(t.id), t.ttl_attribute, keys, now_s)
    return total
