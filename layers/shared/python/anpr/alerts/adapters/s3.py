"""S3 adapter of the alerts concern: presigned links to a sighting's crop and snapshot."""

from __future__ import annotations


class S3Presigner:
    def __init__(self, s3_client, ttl_s: int = 900):
        self._s3, self.ttl_s = s3_client, ttl_s

    def url(self, bucket: str, key: str | None) -> str | None:
        if not key:
            return None
        return self._s3.generate_presigned_url(
            "get_object", Params={"Bucket": bucket, "Key": key}, ExpiresIn=self.ttl_s
        )
