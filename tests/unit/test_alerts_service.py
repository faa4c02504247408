"""Reads → alerts with in-memory fakes: dedupe window, idempotent retries, publish exactly
once, acknowledgement lifecycle, the re-sender."""

import pytest
from anpr.alerts.matcher import Matcher, WatchlistCache
from anpr.alerts.messages import NoPresigner, alert_message, alert_summary
from anpr.alerts.models import MatchKind, Outcome, Priority, from_ms
from anpr.alerts.publisher import AlertDeliveryError
from anpr.alerts.service import AlertDesk, AlertPolicy, AlertResender, AlertService
from anpr.kernel.auth import Caller, Forbidden
from anpr.kernel.errors import BadRequest, Conflict

from tests.builders.alerts import caller, entry, read
from tests.fakes.accountability import InMemoryAuditTrail
from tests.fakes.alerts import InMemoryAlertPublisher, InMemoryAlertRepository, InMemoryWatchlistRepository
from tests.helpers import NOW_MS

MIN = 60_000


#: re-sends only: escalation is tested with its own policy (ESCALATING)
POLICY = AlertPolicy(dedupe_window_s=600, resend_after_s=300, max_resends=2, escalate_after_s=24 * 3600)
ESCALATING = AlertPolicy(dedupe_window_s=600, resend_after_s=300, max_resends=2, escalate_after_s=180)


class World:
    def __init__(self, *entries, policy=POLICY):
        self.now = NOW_MS
        self.watchlist = InMemoryWatchlistRepository(list(entries))
        self.alerts = InMemoryAlertRepository()
        self.publisher = InMemoryAlertPublisher(clock=lambda: self.now)
        self.cache = WatchlistCache(self.watchlist, clock=lambda: self.now)
        self.service = AlertService(
            matcher=Matcher(self.cache),
            alerts=self.alerts,
            publisher=self.publisher,
            policy=policy,
            clock=lambda: self.now,
        )
        self.resender = AlertResender(
            alerts=self.alerts, publisher=self.publisher, policy=policy, clock=lambda: self.now
        )
        self.audit = InMemoryAuditTrail()
        self.desk = AlertDesk(
            alerts=self.alerts, watchlist=self.watchlist, audit=self.audit, clock=lambda: self.now
        )


@pytest.fixture
def world():
    return World(entry("1ABC234"), entry("2XYZ999", priority=Priority.MEDIUM))


def test_sightings_within_the_window_update_one_alert(world):
    # GIVEN a listed plate seen by three cameras within the dedupe window
    for i, dt in enumerate((0, 4 * MIN, 9 * MIN)):
        world.service.on_reads([read("1ABC234", read_id=f"r{i}", capture_ms=NOW_MS + dt)])
    # THEN exactly one alert, published once, holding the three sightings
    [alert] = world.alerts.alerts.values()
    assert alert.sighting_count == 3 and [s.read_id for s in alert.sightings] == ["r0", "r1", "r2"]
    assert len(world.publisher.sent) == 1


def test_sighting_after_the_window_raises_a_new_alert(world):
    world.service.on_reads([read("1ABC234", read_id="r0", capture_ms=NOW_MS)])
    world.service.on_reads([read("1ABC234", read_id="r1", capture_ms=NOW_MS + 11 * MIN)])
    assert len(world.alerts.alerts) == 2
    assert len(world.publisher.sent) == 2


def test_window_slides_with_each_sighting(world):
    for i in range(5):  # every 8 minutes for 32 minutes: never a 10-minute gap
        world.service.on_reads([read("1ABC234", read_id=f"r{i}", capture_ms=NOW_MS + i * 8 * MIN)])
    assert len(world.alerts.alerts) == 1


def test_retried_read_neither_doubles_the_alert_nor_the_sighting(world):
    r = read("1ABC234", read_id="r0")
    world.service.on_reads([r])
    world.service.on_reads([r])
    [alert] = world.alerts.alerts.values()
    assert alert.sighting_count == 1
    assert len(world.publisher.sent) == 1


def test_publish_failure_mid_batch_is_published_once_on_retry(world):
    # GIVEN a batch of two listed plates, and a topic that fails for the second publish
    batch = [read("1ABC234", read_id="a"), read("2XYZ999", read_id="b")]
    world.publisher.fail_next = 0
    calls = []
    real = world.publisher.publish

    def flaky(alert):
        calls.append(alert.alert_id)
        if len(calls) == 2:
            raise AlertDeliveryError("throttled")
        return real(alert)

    world.publisher.publish = flaky
    # WHEN the hook runs THEN it raises (the record is retried) with both alerts stored
    with pytest.raises(AlertDeliveryError):
        world.service.on_reads(batch)
    assert len(world.alerts.alerts) == 2
    assert sum(a.published for a in world.alerts.alerts.values()) == 1
    # WHEN the record is retried THEN the second alert is published, the first not again
    world.service.on_reads(batch)
    assert sorted(a.plate for a in world.publisher.sent) == ["1ABC234", "2XYZ999"]
    assert all(a.published for a in world.alerts.alerts.values())


def test_possible_misread_alert_at_lower_priority(world):
    [alert] = world.service.on_reads([read("1A8C234")])
    assert alert.match_kind == MatchKind.POSSIBLE_MISREAD
    assert alert.priority == Priority.MEDIUM
    assert alert.entry_plate == "1ABC234" and alert.plate == "1A8C234"


def test_expired_entry_raises_nothing():
    w = World(entry("1ABC234", expires=from_ms(NOW_MS - MIN)))
    assert w.service.on_reads([read("1ABC234")]) == []
    assert w.publisher.sent == []


def test_acknowledged_alert_closes_and_a_later_sighting_raises_a_new_one(world):
    [alert] = world.service.on_reads([read("1ABC234", read_id="r0", capture_ms=NOW_MS)])
    world.desk.acknowledge(alert.alert_id, Outcome.NOT_FOUND, "", caller("olivia", "patrol"))
    [again] = world.service.on_reads([read("1ABC234", read_id="r1", capture_ms=NOW_MS + 2 * MIN)])
    assert again.alert_id != alert.alert_id and again.status == "open"
    assert len(world.publisher.sent) == 2
    # a late, older sighting does not reopen anything
    [late] = world.service.on_reads([read("1ABC234", read_id="r-late", capture_ms=NOW_MS + MIN)])
    assert late.alert_id in (alert.alert_id, again.alert_id)
    assert len(world.publisher.sent) == 2


def test_acknowledge_records_outcome_audit_and_misread_count(world):
    [alert] = world.service.on_reads([read("1A8C234")])
    officer = caller("olivia", "patrol")
    acked = world.desk.acknowledge(alert.alert_id, Outcome.MISREAD, "plate was 1A8C234", officer)
    assert acked.status == "acknowledged" and acked.acknowledgement.by_id == "sub-olivia"
    assert world.watchlist.get("e-1ABC234").misread_count == 1
    [event] = world.audit.events
    assert event.action == "alert.acknowledged" and event.plates == ["1A8C234"]
    assert event.detail["outcome"] == "misread"
    with pytest.raises(Conflict):
        world.desk.acknowledge(alert.alert_id, Outcome.STOPPED, "", officer)


def test_outcome_other_needs_a_comment(world):
    [alert] = world.service.on_reads([read("1ABC234")])
    with pytest.raises(BadRequest):
        world.desk.acknowledge(alert.alert_id, Outcome.OTHER, "  ", caller("olivia", "patrol"))


def test_view_and_feed_are_audited_and_national_alerts_reach_every_zone(world):
    # GIVEN an alert of a national entry, seen in BXL-5339
    [alert] = world.service.on_reads([read("1ABC234")])
    # WHEN an officer of another zone lists their feed and opens it
    officer = caller("olivia", "patrol", zones=("BXL-5344",))
    assert [a.alert_id for a in world.desk.feed("BXL-5344", "open", 10, officer)] == [alert.alert_id]
    world.desk.view(alert.alert_id, officer)
    # THEN both are audited: shown in the feed, then opened
    assert [e.action for e in world.audit.events] == ["alert.shown", "alert.viewed"]


def test_resender_resends_open_high_priority_alerts_until_acknowledged(world):
    # GIVEN a high-priority alert (sent once) and a medium one
    world.service.on_reads([read("1ABC234", read_id="h"), read("2XYZ999", read_id="m")])
    assert len(world.publisher.sent) == 2
    # WHEN the re-sender runs before N minutes THEN nothing is sent
    world.now += 4 * MIN
    assert world.resender.run()["sent"] == 0
    # WHEN N minutes passed THEN only the high one is re-sent
    world.now += 2 * MIN
    assert world.resender.run()["sent"] == 1
    assert world.publisher.sent[-1].plate == "1ABC234"
    # and at most max_resends times
    for _ in range(5):
        world.now += 6 * MIN
        world.resender.run()
    high = [a for a in world.publisher.sent if a.plate == "1ABC234"]
    assert len(high) == 1 + 2


def test_resender_publishes_an_alert_the_ingest_path_never_could(world):
    # GIVEN an alert stored but never published (its read ended in the DLQ)
    world.publisher.fail_next = 5
    with pytest.raises(AlertDeliveryError):
        world.service.on_reads([read("2XYZ999", read_id="m")])
    world.publisher.fail_next = 0
    # WHEN the re-sender runs after N minutes THEN it is published once, and not re-sent (medium)
    world.now += 6 * MIN
    assert world.resender.run() == {"sent": 1, "first_sends": 1, "cleared": 0, "escalated": 0}
    world.now += 6 * MIN
    world.resender.run()
    assert len(world.publisher.sent) == 1


def test_a_car_read_once_as_a_lookalike_and_once_exactly_is_one_alert_upgraded_to_exact(world):
    # GIVEN a listed 1ABC234 first read as 1A8C234 (look-alike: possible misread, lower priority)
    world.service.on_reads([read("1A8C234", read_id="r0", capture_ms=NOW_MS)])
    [alert] = world.alerts.alerts.values()
    assert alert.match_kind == MatchKind.POSSIBLE_MISREAD and alert.priority != Priority.HIGH
    # WHEN the next camera reads it exactly, within the dedupe window
    world.service.on_reads([read("1ABC234", read_id="r1", capture_ms=NOW_MS + 3 * MIN)])
    # THEN it is still one alert, now exact at the entry's priority, sent again so patrols know
    [alert] = world.alerts.alerts.values()
    assert alert.match_kind == MatchKind.EXACT and alert.priority == Priority.HIGH
    assert alert.sighting_count == 2 and len(world.publisher.sent) == 2


def _officer(name: str, zone: str = "BXL-5339") -> Caller:
    return Caller(f"sub-{name}", name, frozenset({"patrol"}), zones=frozenset({zone}))


def test_a_claim_is_seen_by_every_officer_of_the_zone_and_cannot_be_taken_twice():
    # GIVEN a high-priority alert in an officer's zone, seen by two officers of that zone
    world = World(entry("1ABC234"), policy=ESCALATING)
    [alert] = world.service.on_reads([read("1ABC234", read_id="h")])
    zone = alert.latest.zone
    anna, ben = _officer("anna", zone), _officer("ben", zone)
    # WHEN Anna claims it
    world.desk.claim(alert.alert_id, anna)
    # THEN Ben's feed shows Anna on it, Ben cannot take it over, Anna claiming again is harmless
    [line] = [alert_summary(a) for a in world.desk.feed(zone, "open", 10, ben)]
    assert line["claimed_by"] == "anna"
    with pytest.raises(Conflict, match="already claimed by anna"):
        world.desk.claim(alert.alert_id, ben)
    assert world.desk.claim(alert.alert_id, anna).claim.by_id == "sub-anna"
    # AND the claim is audited once, with the plate
    claims = [e for e in world.audit.events if e.action == "alert.claimed"]
    assert [(e.actor_id, e.plates) for e in claims] == [("sub-anna", ["1ABC234"])]
    # AND an officer of another zone may not claim it
    with pytest.raises(Forbidden):
        world.desk.claim(alert.alert_id, _officer("omar", "BXL-5342"))


def test_an_unclaimed_high_alert_escalates_once_on_time_and_a_claimed_one_never():
    # GIVEN two high-priority alerts sent at the same time, one claimed at once
    world = World(entry("1ABC234"), entry("7KLM890"), policy=ESCALATING)
    raised = {
        a.plate: a
        for a in world.service.on_reads([read("1ABC234", read_id="a"), read("7KLM890", read_id="b")])
    }
    unclaimed, claimed = raised["1ABC234"], raised["7KLM890"]
    world.desk.claim(claimed.alert_id, _officer("anna", claimed.latest.zone))
    # WHEN the re-sender runs just before the escalation time THEN nothing is escalated
    world.now += 2 * MIN
    assert world.resender.run()["escalated"] == 0
    # WHEN it runs after it THEN the unclaimed one is sent once more, marked escalated
    world.now += 2 * MIN
    assert world.resender.run()["escalated"] == 1
    last = world.publisher.sent[-1]
    assert last.alert_id == unclaimed.alert_id and alert_message(last, NoPresigner(), world.now)["escalated"]
    # AND never again, and the claimed one never
    for _ in range(4):
        world.now += 6 * MIN
        assert world.resender.run()["escalated"] == 0
    assert world.alerts.get(claimed.alert_id).escalated_ms is None


def test_the_supervisor_sees_a_shift_with_its_follow_up_rate():
    # GIVEN three alerts in one zone: one closed, one claimed, one nobody took
    world = World(entry("1ABC234"), entry("7KLM890"), entry("5QRS111"), policy=ESCALATING)
    raised = world.service.on_reads(
        [read("1ABC234", read_id="a"), read("7KLM890", read_id="b"), read("5QRS111", read_id="c")]
    )
    a, b, c = (next(x for x in raised if x.plate == p) for p in ("1ABC234", "7KLM890", "5QRS111"))
    zone = a.latest.zone
    anna = _officer("anna", zone)
    world.desk.acknowledge(a.alert_id, Outcome.STOPPED, "", anna)
    world.desk.claim(b.alert_id, anna)
    supervisor = Caller("sub-sam", "sam", frozenset({"supervisor"}), zones=frozenset({zone}))
    # WHEN the supervisor looks at the shift
    view = world.desk.follow_up(zone, NOW_MS - 3_600_000, NOW_MS + 3_600_000, supervisor)
    # THEN every state is counted and the unanswered one is named
    assert (view["raised"], view["closed"], view["claimed"], view["open_unclaimed"]) == (3, 1, 1, 1)
    assert view["follow_up_rate"] == pytest.approx(1 / 3)
    assert [u["alert_id"] for u in view["unanswered"]] == [c.alert_id]
    # AND looking at it is audited with the plates it shows
    [seen] = [e for e in world.audit.events if e.action == "alert.follow_up_viewed"]
    assert seen.plates == sorted(["1ABC234", "7KLM890", "5QRS111"])
