"""The reads table's stream → Firehose (→ Parquet in the analytics bucket): anpr.analytics.feed.
On the local runtime (no Firehose, ``ANPR_ANALYTICS_ENGINE=duckdb``) the same handler writes the
Parquet layout itself, into the folder the search task's DuckDB reads (local.esm.StreamPoller).

A Firehose failure reports the batch's first record as failed (ReportBatchItemFailures): the
stream retries from there, then dead-letters; duplicates are harmless to searches and removed by
compaction.
"""

from anpr.analytics.wiring import analytics_feed
from anpr.kernel.http import Lazy
from anpr.kernel.observability import instrumented

services = Lazy(analytics_feed)


def handle(event: dict, context) -> dict:
    return services().handle(event)


lambda_handler = instrumented(handle)
