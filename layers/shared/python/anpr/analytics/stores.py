"""Where the analytics files live: a local folder (tests, local runtime, bench) or S3."""

from __future__ import annotations

from pathlib import Path
from typing import Protocol

from botocore.exceptions import BotoCoreError, ClientError

from anpr.kernel.db import StorageError


class FileStore(Protocol):
    def put(self, key: str, body: bytes) -> None: ...

    def get(self, key: str) -> bytes: ...

    def list(self, prefix: str) -> list[tuple[str, int]]:
        """(key, size) of every object under ``prefix``, sorted by key."""
        ...

    def delete(self, keys: list[str]) -> None: ...


class FolderStore:
    """Keys are paths under ``root`` (what DuckDB reads)."""

    def __init__(self, root: Path | str):
        self.root = Path(root)

    def put(self, key: str, body: bytes) -> None:
        path = self.root / key
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f".{path.name}.tmp")  # readers never see half a file
        tmp.write_bytes(body)
        tmp.replace(path)

    def get(self, key: str) -> bytes:
        return (self.root / key).read_bytes()

    def list(self, prefix: str) -> list[tuple[str, int]]:
        base = self.root / prefix
        folder = base if prefix.endswith("/") or base.is_dir() else base.parent
        if not folder.exists():
            return []
        out = []
        for p in folder.rglob("*"):
            if p.is_file() and not p.name.startswith("."):
                key = p.relative_to(self.root).as_posix()
                if key.startswith(prefix):
                    out.append((key, p.stat().st_size))
        return sorted(out)

    def delete(self, keys: list[str]) -> None:
        for key in keys:
            path = self.root / key
            path.unlink(missing_ok=True)
            for parent in path.parents:  # drop emptied partition folders
                if parent == self.root or any(parent.iterdir()):
                    break
                parent.rmdir()


class S3Store:
    def __init__(self, bucket: str, client):
        self.bucket, self._s3 = bucket, client

    def put(self, key: str, body: bytes) -> None:
        self._call(self._s3.put_object, Bucket=self.bucket, Key=key, Body=body)

    def get(self, key: str) -> bytes:
        return self._call(self._s3.get_object, Bucket=self.bucket, Key=key)["Body"].read()

    def list(self, prefix: str) -> list[tuple[str, int]]:
        try:
            pages = self._s3.get_paginator("list_objects_v2").paginate(Bucket=self.bucket, Prefix=prefix)
            return sorted((o["Key"], o["Size"]) for page in pages for o in page.get("Contents", []))
        except (ClientError, BotoCoreError) as exc:
            raise StorageError(f"analytics bucket list failed: {exc}") from exc

    def delete(self, keys: list[str]) -> None:
        for i in range(0, len(keys), 1000):
            chunk = keys[i : i + 1000]
            self._call(
                self._s3.delete_objects,
                Bucket=self.bucket,
                Delete={"Objects": [{"Key": k} for k in chunk], "Quiet": True},
            )

    def _call(self, fn, **kwargs):
        try:
            return fn(**kwargs)
        except (ClientError, BotoCoreError) as exc:
            raise StorageError(f"analytics bucket call failed: {exc}") from exc
