"""Watchlist entries and alerts: validation and the small rules they carry.

Also the builders the other alert tests share (``entry``, ``read``, ``caller``)."""

from datetime import UTC, datetime, timedelta

import pytest
from anpr.alerts.models import (
    MatchKind,
    Priority,
    WatchlistEntryIn,
    alert_id_for,
    from_ms,
    new_alert,
    with_sighting,
)
from pydantic import ValidationError

from tests.builders.alerts import OTHER_ZONE, ZONE, caller, entry, read  # noqa: F401
from tests.helpers import NOW_MS


def test_entry_input_normalises_plate_and_zones():
    # GIVEN a manager's input with separators and messy zones
    data = WatchlistEntryIn(
        plate="1-abc-234",
        category="wanted_person",
        reason="warrant 42",
        owning_unit="PJF",
        expires=datetime(2027, 1, 1, tzinfo=UTC),
        zones=[" BXL-5340", "BXL-5339", "BXL-5339"],
    )
    # THEN the plate is normalised and zones are a clean sorted set
    assert data.plate == "1ABC234"
    assert data.zones == ["BXL-5339", "BXL-5340"]
    assert data.priority == Priority.HIGH


@pytest.mark.parametrize(
    "change",
    [
        {"expires": None},
        {"plate": "-"},
        {"category": "parking"},
        {"zones": ["national", "BXL-5339"]},
        {"valid_from": datetime(2027, 2, 1, tzinfo=UTC)},  # after expiry
        {"expires": datetime(2027, 1, 1)},  # naive: ambiguous
    ],
)
def test_entry_input_rejects_bad_fields(change):
    base = {
        "plate": "1ABC234",
        "category": "other",
        "reason": "why not",
        "owning_unit": "PJF",
        "expires": datetime(2027, 1, 1, tzinfo=UTC),
    }
    with pytest.raises(ValidationError):
        WatchlistEntryIn(**{**base, **change})


def test_priority_lowered_for_possible_misreads():
    assert Priority.HIGH.lowered() == Priority.MEDIUM
    assert Priority.MEDIUM.lowered() == Priority.LOW
    assert Priority.LOW.lowered() == Priority.LOW


def test_alert_id_is_deterministic_and_sightings_are_idempotent():
    from anpr.alerts.models import Match
    from anpr.alerts.service import sighting_of

    # GIVEN an alert raised by one read
    m = Match(entry=entry(), kind=MatchKind.EXACT, read_plate="1ABC234")
    first = sighting_of(read())
    alert = new_alert(m, first, NOW_MS)
    assert alert.alert_id == alert_id_for("e-1ABC234", "1ABC234", first.read_id)
    # WHEN the same read is added again, THEN nothing changes
    assert with_sighting(alert, first) is None
    # WHEN a later read is added, THEN it is the latest and counted
    later = sighting_of(read(capture_ms=NOW_MS + 60_000))
    extended = with_sighting(alert, later)
    assert extended.latest == later and extended.sighting_count == 2
    assert alert.target_zones == [ZONE, "national"]


def test_entry_activity_window():
    e = entry(valid_from=from_ms(NOW_MS), expires=from_ms(NOW_MS) + timedelta(days=1))
    assert not e.active_at(NOW_MS - 1)
    assert e.active_at(NOW_MS)
    assert not e.active_at(NOW_MS + 86_400_000)
