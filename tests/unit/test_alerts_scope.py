"""Issue 11 findings 3, 4, 10 and issue 17 item 4, with in-memory fakes and injected clocks:
patrol is scoped to its zones (feed, view with photo links, acknowledge; refusals audited),
late captures raise no live alert, patrol views obey the administrative window, a read from
camera metadata alone never raises a high-priority alert, and the feed's audit records what a
person was shown, not every poll."""

import pytest
from anpr.alerts.matcher import Matcher, WatchlistCache
from anpr.alerts.models import Outcome, Priority, from_ms
from anpr.alerts.publisher import alert_message, alert_summary
from anpr.alerts.service import AlertDesk, AlertPolicy, AlertResender, AlertService
from anpr.alerts.zones import ZoneDirectory, camera_zones
from anpr.kernel.auth import Forbidden, caller_from_claims
from anpr.kernel.clock import DAY_MS, ManualClock
from anpr.kernel.errors import BadRequest, NotFound

from tests.builders.alerts import OTHER_ZONE, ZONE, caller, entry, read
from tests.fakes.accountability import InMemoryAuditTrail
from tests.fakes.alerts import InMemoryAlertPublisher, InMemoryAlertRepository, InMemoryWatchlistRepository
from tests.fakes.reads import InMemoryCameraRegistry
from tests.helpers import NOW_MS, camera

MIN = 60_000
KNOWN = frozenset({ZONE, OTHER_ZONE, "BXL-5344"})
POLICY = AlertPolicy(dedupe_window_s=600, resend_after_s=300, max_resends=3, max_age_s=15 * 60)


class World:
    def __init__(self, *entries, policy=POLICY):
        self.clock = ManualClock(NOW_MS)
        self.watchlist = InMemoryWatchlistRepository(list(entries))
        self.alerts = InMemoryAlertRepository()
        self.publisher = InMemoryAlertPublisher(clock=self.clock)
        self.service = AlertService(
            matcher=Matcher(WatchlistCache(self.watchlist, clock=self.clock)),
            alerts=self.alerts,
            publisher=self.publisher,
            policy=policy,
            clock=self.clock,
        )
        self.resender = AlertResender(
            alerts=self.alerts, publisher=self.publisher, policy=policy, clock=self.clock
        )
        self.audit = InMemoryAuditTrail()
        self.desk = AlertDesk(
            alerts=self.alerts,
            watchlist=self.watchlist,
            audit=self.audit,
            known_zones=KNOWN,
            admin_window_days=30,
            clock=self.clock,
        )

    def actions(self) -> list[str]:
        return [e.action for e in self.audit.events]


@pytest.fixture
def world():
    # a zone entry (alerts only where seen) and a national one
    return World(
        entry("1ABC234", zones=[ZONE, OTHER_ZONE]),
        entry("2XYZ999", priority=Priority.MEDIUM, zones=[ZONE, OTHER_ZONE]),
        entry("3NAT333"),
    )


MINE = caller("olivia", "patrol", zones=(ZONE,))
OTHER = caller("omar", "patrol", zones=(OTHER_ZONE,))


# -- finding 3: zones -----------------------------------------------------------------------


def test_an_officer_of_another_zone_can_neither_list_nor_open_nor_acknowledge(world):
    # GIVEN a high-priority alert seen in ZONE
    [alert] = world.service.on_reads([read("1ABC234", read_id="r0")])
    # WHEN an officer of OTHER_ZONE asks for ZONE's feed THEN 403, audited
    with pytest.raises(Forbidden, match="not one of your zones"):
        world.desk.feed(ZONE, "open", 10, OTHER)
    # AND their own feed does not hold it
    assert world.desk.feed(OTHER_ZONE, "open", 10, OTHER) == []
    # AND opening it (the photo links) or acknowledging it is refused, audited with the plate
    with pytest.raises(Forbidden, match="not yours"):
        world.desk.view(alert.alert_id, OTHER)
    with pytest.raises(Forbidden):
        world.desk.acknowledge(alert.alert_id, Outcome.NOT_FOUND, "", OTHER)
    denied = [e for e in world.audit.events if e.action == "access.denied"]
    assert len(denied) == 3 and all(e.outcome == "denied" and e.actor_id == "sub-omar" for e in denied)
    assert denied[1].plates == ["1ABC234"] and denied[2].resource == f"alert/{alert.alert_id}"
    # THEN the alert is still open and its re-sends go on
    assert world.alerts.get(alert.alert_id).status == "open"
    world.clock.advance(minutes=6)
    assert world.resender.run()["sent"] == 1


def test_own_zone_national_scope_and_a_zone_supervisor_may(world):
    [alert] = world.service.on_reads([read("1ABC234", read_id="r0")])
    # GIVEN the officer of the zone, a national-scope dispatcher and the zone's supervisor
    dispatch = caller("dana", "patrol", zones=("national",))
    supervisor = caller("sam", "supervisor", zones=(ZONE,))
    for who in (MINE, dispatch, supervisor):
        # THEN each sees it in the zone's feed and may open it
        assert [a.alert_id for a in world.desk.feed(ZONE, "open", 10, who)] == [alert.alert_id]
        assert world.desk.view(alert.alert_id, who).alert_id == alert.alert_id
    assert "access.denied" not in world.actions()
    # AND the zone's officer acknowledges it
    assert world.desk.acknowledge(alert.alert_id, Outcome.STOPPED, "", MINE).status == "acknowledged"


def test_a_car_that_crossed_into_another_zone_is_visible_to_both(world):
    # GIVEN a car seen in ZONE, then in OTHER_ZONE within the window (one alert)
    world.service.on_reads([read("1ABC234", read_id="r0", capture_ms=NOW_MS - 3 * MIN)])
    [alert] = world.service.on_reads([read("1ABC234", read_id="r1", zone=OTHER_ZONE)])
    # THEN it follows the car into OTHER_ZONE's feed, and ZONE's officer may still open it
    assert [a.alert_id for a in world.desk.feed(OTHER_ZONE, "open", 10, OTHER)] == [alert.alert_id]
    assert world.desk.view(alert.alert_id, MINE).sighting_count == 2
    # AND an officer of a third zone may not
    with pytest.raises(Forbidden):
        world.desk.view(alert.alert_id, caller("zoe", "patrol", zones=("BXL-5344",)))


def test_national_entries_alerts_reach_every_zone_but_only_where_seen_may_acknowledge(world):
    # GIVEN a national entry's alert, the car seen in ZONE
    [alert] = world.service.on_reads([read("3NAT333", read_id="n0")])
    # THEN an officer of another zone sees it in their feed and may open it
    assert [a.alert_id for a in world.desk.feed(OTHER_ZONE, "open", 10, OTHER)] == [alert.alert_id]
    assert world.desk.view(alert.alert_id, OTHER).alert_id == alert.alert_id
    # BUT may not acknowledge it (that would stop the re-sends to the zone where the car is)
    with pytest.raises(Forbidden, match="acknowledgement refused"):
        world.desk.acknowledge(alert.alert_id, Outcome.NOT_FOUND, "", OTHER)
    assert world.desk.acknowledge(alert.alert_id, Outcome.STOPPED, "", MINE).status == "acknowledged"


def test_unknown_zone_is_a_400_with_the_reason_and_no_zone_claim_is_a_403(world):
    with pytest.raises(BadRequest, match="unknown zone 'BXL-9999'"):
        world.desk.feed("BXL-9999", "open", 10, MINE)
    [alert] = world.service.on_reads([read("1ABC234", read_id="r0")])
    nobody = caller("nina", "patrol", zones=())
    with pytest.raises(Forbidden, match="no police zone"):
        world.desk.feed(ZONE, "open", 10, nobody)
    with pytest.raises(Forbidden, match="no police zone"):
        world.desk.view(alert.alert_id, nobody)
    assert world.actions() == ["access.denied", "access.denied"]


# -- finding 4: late captures, administrative window ---------------------------------------


def test_a_late_capture_is_recorded_as_a_late_hit_not_published():
    # GIVEN a plate listed for two months, a snapshot of it captured 40 days ago and one 16 minutes ago
    world = World(entry("1ABC234", zones=[ZONE], valid_from=from_ms(NOW_MS - 60 * DAY_MS)))
    forty_days = read("1ABC234", read_id="old", capture_ms=NOW_MS - 40 * DAY_MS)
    sixteen_min = read("1ABC234", read_id="late", capture_ms=NOW_MS - 16 * MIN)
    # WHEN they are ingested now
    hits = world.service.on_reads([forty_days, sixteen_min])
    # THEN nothing is published; both are kept as late hits, out of every feed and view
    assert [h.status for h in hits] == ["late", "late"] and world.publisher.sent == []
    assert all(h.next_due_ms is None for h in hits)
    assert world.desk.feed(ZONE, "open", 10, MINE) == []
    with pytest.raises(NotFound):
        world.desk.view(hits[0].alert_id, MINE)
    # AND the re-sender never publishes them
    world.clock.advance(minutes=30)
    assert world.resender.run()["sent"] == 0
    # AND a retried late read is recorded once
    world.service.on_reads([forty_days])
    assert len(world.alerts.late) == 2 and world.alerts.alerts == {}


def test_a_capture_within_the_freshness_limit_raises_a_live_alert(world):
    [alert] = world.service.on_reads([read("1ABC234", read_id="r", capture_ms=NOW_MS - 14 * MIN)])
    assert alert.status == "open" and len(world.publisher.sent) == 1


def test_the_freshness_limit_is_configurable():
    strict = World(entry("1ABC234"), policy=AlertPolicy(max_age_s=60))
    [hit] = strict.service.on_reads([read("1ABC234", read_id="r", capture_ms=NOW_MS - 2 * MIN)])
    assert hit.status == "late" and strict.publisher.sent == []


def test_patrol_views_obey_the_administrative_window(world):
    # GIVEN an alert raised (fresh) and never acknowledged
    [alert] = world.service.on_reads([read("1ABC234", read_id="r0")])
    # WHEN patrol looks at it 31 days later
    world.clock.advance(days=31)
    # THEN it is out of the feed, and opening or acknowledging it is refused with the reason
    assert world.desk.feed(ZONE, "open", 10, MINE) == []
    with pytest.raises(Forbidden, match="administrative window"):
        world.desk.view(alert.alert_id, MINE)
    with pytest.raises(Forbidden, match="administrative window"):
        world.desk.acknowledge(alert.alert_id, Outcome.OTHER, "old", MINE)


def test_a_view_shows_only_the_sightings_within_the_window():
    # GIVEN an alert whose first sighting is 30 days + 1 min old and the latest 29 days old
    w = World(
        entry("1ABC234", zones=[ZONE], valid_from=from_ms(NOW_MS - 60 * DAY_MS)),
        policy=AlertPolicy(dedupe_window_s=2 * DAY_MS // 1000),
    )
    w.clock.advance(days=-30, minutes=-1)
    w.service.on_reads([read("1ABC234", read_id="old", capture_ms=w.clock())])
    w.clock.advance(days=1)
    w.service.on_reads([read("1ABC234", read_id="new", capture_ms=w.clock())])
    w.clock.advance(days=29, minutes=1)
    [alert] = w.alerts.alerts.values()
    # WHEN the officer opens it THEN only the sighting within 30 days is shown
    assert [s.read_id for s in w.desk.view(alert.alert_id, MINE).sightings] == ["new"]


# -- finding 10: camera metadata alone ----------------------------------------------------


def test_a_camera_read_alone_never_raises_a_high_priority_alert(world):
    # GIVEN a listed (high) plate read by the camera, not by our OCR
    [alert] = world.service.on_reads([read("1ABC234", read_id="cam", source="camera", engine="camera")])
    # THEN the alert is medium and flagged unverified, in the message and the feed
    assert alert.priority == Priority.MEDIUM and alert.unverified
    [sent] = world.publisher.sent
    assert alert_message(sent, _NoLinks(), NOW_MS)["unverified"] is True
    assert alert_summary(alert)["unverified"] is True
    # AND it is not re-sent like a high one
    world.clock.advance(minutes=6)
    assert world.resender.run()["sent"] == 0


def test_our_own_read_confirms_a_camera_read_and_raises_it_to_high(world):
    world.service.on_reads([read("1ABC234", read_id="cam", source="camera", capture_ms=NOW_MS - 2 * MIN)])
    # WHEN our OCR reads the car on the next camera, within the window
    [alert] = world.service.on_reads([read("1ABC234", read_id="ocr", source="ocr")])
    # THEN one alert, now verified and high, sent again
    assert alert.priority == Priority.HIGH and not alert.unverified and alert.sighting_count == 2
    assert [a.priority for a in world.publisher.sent] == [Priority.MEDIUM, Priority.HIGH]


def test_a_camera_read_of_a_medium_entry_stays_medium_and_is_flagged(world):
    [alert] = world.service.on_reads([read("2XYZ999", read_id="cam", source="camera")])
    assert alert.priority == Priority.MEDIUM and alert.unverified


class _NoLinks:
    def url(self, bucket, key):
        return None


# -- issue 17 item 4: audit what a person saw ----------------------------------------------


def test_an_hour_of_polling_records_each_alert_shown_once_not_each_poll(world):
    # GIVEN an officer whose client polls the zone feed every 5 s for an hour (720 polls),
    # while three alerts appear at 0, 20 and 40 minutes
    appear = {0: "1ABC234", 240: "2XYZ999", 480: "3NAT333"}
    for poll in range(720):
        if poll in appear:
            world.service.on_reads([read(appear[poll], read_id=f"r{poll}", capture_ms=world.clock())])
        world.desk.feed(ZONE, "open", 50, MINE)
        world.clock.advance(seconds=5)
    # THEN one record per alert shown, with its plate ("who saw plate X"), not 720
    shown = [e for e in world.audit.events if e.action == "alert.shown"]
    assert len(world.audit.events) == len(shown) == 3
    assert sorted(p for e in shown for p in e.plates) == ["1ABC234", "2XYZ999", "3NAT333"]
    assert {e.actor_id for e in shown} == {"sub-olivia"}
    # AND another officer's first poll is recorded for them
    world.desk.feed(ZONE, "open", 50, caller("oscar", "patrol", zones=(ZONE,)))
    assert len([e for e in world.audit.events if e.action == "alert.shown"]) == 6


# -- the identity contract -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "zones"),
    [
        ("BXL-5339,BXL-5340", {"BXL-5339", "BXL-5340"}),
        ("[BXL-5339, BXL-5340]", {"BXL-5339", "BXL-5340"}),
        (["BXL-5339"], {"BXL-5339"}),
        ("national", {"national"}),
        ("", set()),
        (None, set()),
    ],
)
def test_zones_and_unit_come_from_the_identity_claims(raw, zones):
    claims = {
        "sub": "s-1",
        "cognito:username": "olivia",
        "cognito:groups": "patrol",
        "custom:unit": " PZ-5339 ",
    }
    if raw is not None:
        claims["custom:zones"] = raw
    who = caller_from_claims(claims)
    assert who.zones == frozenset(zones) and who.unit == "PZ-5339" and who.groups == {"patrol"}
    assert who.covers_zone("BXL-5339") == bool(zones & {"BXL-5339", "national"})


# -- zones as data (issue 12, item 2) ------------------------------------------------------


class _CountingRegistry(InMemoryCameraRegistry):
    def __init__(self, cameras):
        super().__init__(cameras)
        self.scans = 0

    def list(self):
        self.scans += 1
        return super().list()


def test_known_zones_are_the_registered_cameras_zones_and_a_new_zone_needs_no_deployment():
    # GIVEN cameras in two zones, and a feed check backed by the camera registry
    clock = ManualClock(NOW_MS)
    registry = _CountingRegistry([camera("C1", zone=ZONE), camera("C2", zone=OTHER_ZONE)])
    zones = ZoneDirectory(camera_zones(registry), clock=clock, refresh_s=300)
    desk = World().desk
    desk.known_zones = zones
    # THEN a zone without cameras is a 400 with the reason
    with pytest.raises(BadRequest, match="no camera is registered"):
        desk.feed("LGE-5277", "open", 10, caller("lea", "patrol", zones=("national",)))
    assert zones.known() == {ZONE, OTHER_ZONE}
    # AND asking again for unknown zones does not scan the registry on every request
    scans = registry.scans
    for _ in range(50):
        assert "LGE-5277" not in zones
    assert registry.scans == scans
    # WHEN ops register a camera in a new zone THEN it is known within a minute, no deployment
    registry.put_many([camera("C3", zone="LGE-5277")])
    clock.advance(seconds=31)
    assert "LGE-5277" in zones
    assert desk.feed("LGE-5277", "open", 10, caller("lea", "patrol", zones=("national",))) == []
