"""The reads table's stream → Firehose (→ Parquet in the analytics bucket): anpr.analytics.feed.

Raises on a Firehose failure so the stream retries the batch (bisected on error by the event
source mapping); duplicates are harmless to searches and removed by compaction.
"""

from anpr.analytics.wiring import analytics_feed
from aws_lambda_powertools import Logger
from aws_lambda_powertools.utilities.typing import LambdaContext

logger = Logger()


@logger.inject_lambda_context
def lambda_handler(event: dict, context: LambdaContext) -> dict:
    return analytics_feed().handle(event)
