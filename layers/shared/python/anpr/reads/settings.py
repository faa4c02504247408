"""What the read model's users need to reach its tables (validated once, from the env)."""

from __future__ import annotations

from anpr.kernel.config import BaseConfig


class CamerasTable(BaseConfig):
    table_cameras: str


class ReadsTable(BaseConfig):
    table_reads: str
