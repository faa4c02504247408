"""Watchlist management: every change audited with before/after and bumping the version."""

from datetime import UTC, datetime

import pytest
from anpr.alerts.models import WatchlistEntryIn
from anpr.alerts.watchlist_service import WatchlistService
from anpr.kernel.errors import BadRequest, Conflict, NotFound

from tests.builders.alerts import caller
from tests.fakes.accountability import InMemoryAuditTrail
from tests.fakes.alerts import InMemoryWatchlistRepository
from tests.helpers import NOW_MS

EXPIRES = "2027-01-31T00:00:00Z"


@pytest.fixture
def svc():
    ids = iter(f"id{i}" for i in range(1000))
    repo = InMemoryWatchlistRepository()
    audit = InMemoryAuditTrail()
    s = WatchlistService(repo, audit, clock=lambda: NOW_MS, new_id=lambda: next(ids), max_import_lines=5)
    return s, repo, audit


def data(**kw) -> WatchlistEntryIn:
    base = {
        "plate": "1-ABC-234",
        "category": "stolen_vehicle",
        "reason": "stolen in Ixelles",
        "owning_unit": "PZ 5342",
        "expires": EXPIRES,
    }
    return WatchlistEntryIn(**{**base, **kw})


def test_create_update_delete_are_audited_with_before_and_after(svc):
    s, repo, audit = svc
    mia = caller("mia")
    # WHEN a manager creates, updates and deletes an entry
    created = s.create(data(), mia)
    updated = s.update(created.entry_id, data(priority="medium"), mia)
    s.delete(created.entry_id, mia)
    # THEN each change is one audit event: who, what, before and after
    assert [e.action for e in audit.events] == ["watchlist.created", "watchlist.updated", "watchlist.deleted"]
    c, u, d = audit.events
    assert c.actor_id == "sub-mia" and c.detail["before"] is None and c.detail["after"]["plate"] == "1ABC234"
    assert u.detail["before"]["priority"] == "high" and u.detail["after"]["priority"] == "medium"
    assert d.detail["after"] is None and d.plates == ["1ABC234"]
    assert updated.created_ms == created.created_ms and updated.valid_from == created.valid_from
    # AND every change moved the version stamp the ingest containers poll
    assert repo.version() == 3
    assert repo.get(created.entry_id) is None


def test_entry_must_expire_in_the_future_and_within_a_year(svc):
    s, _, _ = svc
    with pytest.raises(BadRequest):
        s.create(data(expires="2020-01-01T00:00:00Z"), caller())
    with pytest.raises(BadRequest):
        s.create(data(expires="2029-01-01T00:00:00Z"), caller())


def test_unknown_entry_is_404_and_concurrent_change_is_409(svc):
    s, repo, _ = svc
    with pytest.raises(NotFound):
        s.update("nope", data(), caller())
    e = s.create(data(), caller())
    stale = e.updated_ms - 1
    with pytest.raises(Conflict):
        repo.replace(e, expected_updated_ms=stale)


def test_csv_import_creates_valid_lines_and_reports_each_bad_one(svc):
    s, repo, audit = svc
    text = (
        "plate,country,category,priority,reason,owning_unit,handling_instructions,valid_from,expires,zones\n"
        f"1-ABC-234,BE,stolen_vehicle,high,stolen car,PZ 5342,call backup,,{EXPIRES},BXL-5342;BXL-5339\n"
        f"2XYZ999,,wanted_person,medium,warrant 12,PJF,,,{EXPIRES},national\n"
        f"3BAD000,,parking,high,unpaid,PZ,,,{EXPIRES},\n"
        "4NOEXP00,,other,low,no expiry,PZ,,,,\n"
        f"1ABC234,BE,stolen_vehicle,high,again,PZ 5342,,,{EXPIRES},\n"
    )
    report = s.import_csv(text, caller("mia"))
    assert report["created"] == 2 and report["errors"] == 3
    by_line = {r["line"]: r for r in report["lines"]}
    assert by_line[2]["status"] == "created" and by_line[3]["status"] == "created"
    assert "category" in by_line[4]["errors"][0]
    assert "expires" in by_line[5]["errors"][0]
    assert by_line[6]["errors"] == ["duplicate of line 2"]
    assert repo.get(by_line[2]["entry_id"]).zones == ["BXL-5339", "BXL-5342"]
    assert repo.version() == 1  # one bump per import
    assert [e.action for e in audit.events] == ["watchlist.created"] * 2


def test_csv_import_rejects_a_wrong_header_and_too_many_lines(svc):
    s, _, _ = svc
    with pytest.raises(BadRequest):
        s.import_csv("plate,colour\n1ABC234,red\n", caller())
    header = (
        "plate,country,category,priority,reason,owning_unit,handling_instructions,valid_from,expires,zones\n"
    )
    lines = "".join(f"{i}ABC234,,other,low,reason,PZ,,,{EXPIRES},\n" for i in range(1, 8))
    with pytest.raises(BadRequest):
        s.import_csv(header + lines, caller())


def test_listing_is_paginated_and_audited(svc):
    s, _, audit = svc
    for i in range(3):
        s.create(data(plate=f"{i + 1}ABC234"), caller())
    page, cursor = s.page(caller(), limit=2)
    rest, end = s.page(caller(), limit=2, cursor=cursor)
    assert len(page) == 2 and len(rest) == 1 and end is None
    assert audit.events[-1].action == "watchlist.listed"
    assert datetime.fromisoformat(page[0].model_dump(mode="json")["expires"]) == datetime(
        2027, 1, 31, tzinfo=UTC
    )
