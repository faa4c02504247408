"""Accountability's adapters: DynamoDB (``dynamo``) and S3 (``s3``)."""
