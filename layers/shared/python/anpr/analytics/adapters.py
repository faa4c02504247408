"""Query engines: DuckDB over a local folder of the layout, Athena over the Glue table.

Both take a :class:`~anpr.analytics.sql.SqlQuery` and return rows as tuples in
``SIGHTING_COLUMNS + ("tag",)`` order, alternatives as one comma-separated string.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import Protocol

from botocore.exceptions import BotoCoreError, ClientError

from anpr.analytics.models import READS_PREFIX
from anpr.analytics.sql import ATHENA, DUCKDB, Dialect, SqlQuery
from anpr.kernel.db import StorageError


class QueryEngine(Protocol):
    dialect: Dialect

    def rows(self, query: SqlQuery) -> list[tuple]: ...


class DuckDBEngine:
    """Runs the SQL in-process over ``root/reads/day=*/hour=*/*.parquet``.

    Partition pruning is explicit: only the day folders in the query's range that exist are
    handed to ``read_parquet`` (no folder → no rows, without running anything).
    """

    dialect = DUCKDB

    def __init__(self, root: Path | str, *, threads: int | None = None, memory_limit: str | None = None):
        self.root = Path(root)
        self.threads, self.memory_limit = threads, memory_limit
        #: what the last query scanned (files, bytes): the bench's cost figure
        self.last_scan: dict = {}

    def relation(self, day_lo: str, day_hi: str) -> str | None:
        base = self.root / READS_PREFIX
        if not base.is_dir():
            return None
        days = sorted(
            d for d in base.iterdir() if d.is_dir() and day_lo <= d.name.removeprefix("day=") <= day_hi
        )
        files = [f for d in days for f in sorted(d.glob("hour=*/*.parquet"))]
        self.last_scan = {"files": len(files), "bytes": sum(f.stat().st_size for f in files)}
        if not files:
            return None
        globs = ", ".join(
            f"'{d.as_posix()}/hour=*/*.parquet'" for d in days if any(d.glob("hour=*/*.parquet"))
        )
        return (
            f"read_parquet([{globs}], hive_partitioning = true, "
            "hive_types = {'day': VARCHAR, 'hour': VARCHAR})"
        )

    def connect(self):
        import duckdb  # dev / local runtime only

        con = duckdb.connect(":memory:")
        if self.threads:
            con.execute(f"SET threads = {int(self.threads)}")
        if self.memory_limit:
            con.execute(f"SET memory_limit = '{self.memory_limit}'")
        return con

    def rows(self, query: SqlQuery) -> list[tuple]:
        relation = self.relation(query.day_lo, query.day_hi)
        if relation is None:
            return []
        import duckdb

        con = self.connect()
        try:
            return con.execute(query.render(relation)).fetchall()
        except duckdb.IOException as exc:  # a file compacted away meanwhile: the workflow retries
            raise StorageError(f"analytics files changed while reading: {exc}") from exc
        finally:
            con.close()


class AthenaEngine:
    """Runs the SQL in an Athena workgroup (enforced config: result location, encryption and
    the bytes-scanned cutoff come from the workgroup, not from here)."""

    dialect = ATHENA

    def __init__(
        self,
        client,
        *,
        workgroup: str,
        database: str,
        table: str,
        poll_s: float = 1.0,
        timeout_s: float = 240.0,
        sleep: Callable[[float], None] = time.sleep,
    ):
        self._athena = client
        self.workgroup, self.database, self.table = workgroup, database, table
        self.poll_s, self.timeout_s, self._sleep = poll_s, timeout_s, sleep
        self.last_scan: dict = {}

    def rows(self, query: SqlQuery) -> list[tuple]:
        sql = query.render(f'"{self.database}"."{self.table}"')
        try:
            qid = self._athena.start_query_execution(
                QueryString=sql,
                WorkGroup=self.workgroup,
                QueryExecutionContext={"Database": self.database},
            )["QueryExecutionId"]
            self._wait(qid)
            out: list[tuple] = []
            pages = self._athena.get_paginator("get_query_results").paginate(QueryExecutionId=qid)
            first = True
            for page in pages:
                rows = page["ResultSet"]["Rows"]
                if first:  # the header row
                    rows, first = rows[1:], False
                out.extend(_typed(tuple(c.get("VarCharValue") for c in r["Data"])) for r in rows)
            return out
        except (ClientError, BotoCoreError) as exc:
            raise StorageError(f"athena query failed: {exc}") from exc

    def _wait(self, qid: str) -> None:
        waited = 0.0
        while True:
            ex = self._athena.get_query_execution(QueryExecutionId=qid)["QueryExecution"]
            state = ex["Status"]["State"]
            if state == "SUCCEEDED":
                self.last_scan = {"bytes": ex.get("Statistics", {}).get("DataScannedInBytes", 0)}
                return
            if state in ("FAILED", "CANCELLED"):
                raise StorageError(f"athena query {state}: {ex['Status'].get('StateChangeReason', '')}")
            if waited >= self.timeout_s:
                self._athena.stop_query_execution(QueryExecutionId=qid)
                raise StorageError(f"athena query still running after {self.timeout_s:.0f} s")
            self._sleep(self.poll_s)
            waited += self.poll_s


def _typed(r: tuple) -> tuple:
    """Athena returns every value as a string: back to the Sighting types."""
    read_id, plate, capture_ms, camera_id, zone, lat, lon, confidence, alts, snapshot_key, tag = r
    return (
        read_id,
        plate,
        int(capture_ms),
        camera_id,
        zone or "",
        float(lat or 0.0),
        float(lon or 0.0),
        float(confidence if confidence is not None else 1.0),
        alts or "",
        snapshot_key or "",
        tag or "",
    )
