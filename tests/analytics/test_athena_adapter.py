"""The Athena adapter: the same SQL on the Glue table, results typed back (fake Athena client)."""

from __future__ import annotations

import pytest
from anpr.analytics.adapters import AthenaEngine
from anpr.analytics.service import AnalyticsSearch
from anpr.analytics.sql import build
from anpr.kernel.db import StorageError
from anpr.search.models import parse_query

from tests.fakes.reads import InMemoryCameraRegistry
from tests.helpers import NOW_MS


class FakeAthena:
    def __init__(self, rows, states=("RUNNING", "SUCCEEDED")):
        self.rows, self.states, self.sql = rows, list(states), None

    def start_query_execution(self, QueryString, WorkGroup, QueryExecutionContext):
        self.sql, self.workgroup = QueryString, WorkGroup
        return {"QueryExecutionId": "q1"}

    def get_query_execution(self, QueryExecutionId):
        state = self.states.pop(0) if len(self.states) > 1 else self.states[0]
        return {
            "QueryExecution": {
                "Status": {"State": state, "StateChangeReason": "boom"},
                "Statistics": {"DataScannedInBytes": 1234},
            }
        }

    def stop_query_execution(self, QueryExecutionId):
        self.stopped = True

    def get_paginator(self, name):
        rows = self.rows

        class P:
            def paginate(self, QueryExecutionId):
                header = {"Data": [{"VarCharValue": "read_id"}]}
                yield {
                    "ResultSet": {
                        "Rows": [header] + [{"Data": [{"VarCharValue": v} for v in r]} for r in rows[:1]]
                    }
                }
                yield {"ResultSet": {"Rows": [{"Data": [{"VarCharValue": v} for v in r]} for r in rows[1:]]}}

        return P()


ROW = [
    "r1",
    "1ABC234",
    str(NOW_MS - 1000),
    "CAM-1",
    "BRU",
    "50.8",
    "4.3",
    "0.75",
    "1ABC284,1A8C234",
    "snap/1.jpg",
    "",
]


def test_athena_runs_the_same_definition_on_the_glue_table_and_types_the_rows():
    fake = FakeAthena(
        [ROW, ["r2", "1ABD234", str(NOW_MS), "CAM-1", None, "50.8", "4.3", "1.0", None, "s", ""]]
    )
    engine = AthenaEngine(
        fake, workgroup="anpr-dev-analytics", database="anpr_dev", table="reads", sleep=lambda s: None
    )
    query = parse_query(
        "partial", {"pattern": "1AB?234", "start_ms": NOW_MS - 5 * 86_400_000, "end_ms": NOW_MS}
    )
    found = AnalyticsSearch(engine, InMemoryCameraRegistry()).sightings(query)
    # THEN the SQL names the table and the Athena array function, and the rows are Sightings
    assert '"anpr_dev"."reads"' in fake.sql and "array_join(alternatives, ',')" in fake.sql
    assert fake.sql == build(query, InMemoryCameraRegistry(), engine.dialect).render('"anpr_dev"."reads"')
    assert fake.workgroup == "anpr-dev-analytics"
    assert [s.read_id for s in found] == ["r1", "r2"]
    assert found[0].alternatives == ("1ABC284", "1A8C234") and found[0].confidence == 0.75
    assert found[1].zone == "" and found[1].alternatives == ()
    assert engine.last_scan == {"bytes": 1234}


def test_a_failed_athena_query_is_a_storage_error():
    fake = FakeAthena([], states=("FAILED",))
    engine = AthenaEngine(fake, workgroup="w", database="d", table="t", sleep=lambda s: None)
    query = parse_query("partial", {"pattern": "1AB?234", "start_ms": NOW_MS - 86_400_000, "end_ms": NOW_MS})
    with pytest.raises(StorageError, match="FAILED: boom"):
        AnalyticsSearch(engine, InMemoryCameraRegistry()).sightings(query)


def test_sql_literals_are_validated():
    from anpr.analytics.sql import like_pattern
    from anpr.kernel.errors import BadRequest

    assert like_pattern("1AB?2*") == "1AB_2%"
    with pytest.raises(BadRequest):
        like_pattern("1AB'; DROP")
