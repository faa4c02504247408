"""The alerts concern's adapters: DynamoDB (``dynamo``), SNS (``sns``) and S3 (``s3``)."""
