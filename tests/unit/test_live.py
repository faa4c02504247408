"""The live channel with fakes: who may connect, every officer of the zone gets each alert, claim
and close (an officer of another zone gets none), push payloads carry no plate, devices belong
to their officer; the Cognito token check against an injected clock."""

import json

import pytest
from anpr.alerts.matcher import Matcher, WatchlistCache
from anpr.alerts.models import Outcome
from anpr.alerts.service import AlertDesk, AlertPolicy, AlertService
from anpr.kernel.auth import Forbidden, Unauthenticated
from anpr.kernel.clock import ManualClock
from anpr.kernel.errors import BadRequest, NotFound
from anpr.live.adapters.jwt import CognitoTokenVerifier
from anpr.live.models import DeviceIn
from anpr.live.ports import InvalidToken
from anpr.live.service import DeviceRegistry, Fanout, LiveGate
from joserfc import jwt
from joserfc.jwk import KeySet, RSAKey
from pydantic import ValidationError

from tests.builders.alerts import OTHER_ZONE, ZONE, caller, entry, read
from tests.fakes.accountability import InMemoryAuditTrail
from tests.fakes.alerts import InMemoryAlertPublisher, InMemoryAlertRepository, InMemoryWatchlistRepository
from tests.fakes.live import InMemoryMemberStore, RecordingPoster, RecordingPush, TableVerifier
from tests.helpers import NOW_MS

POLICY = AlertPolicy(dedupe_window_s=600, resend_after_s=300, max_resends=3, max_age_s=15 * 60)


def claims(name: str, *groups: str, zones: str = ZONE) -> dict:
    return {
        "sub": f"sub-{name}",
        "cognito:username": name,
        "cognito:groups": list(groups),
        "custom:zones": zones,
    }


TOKENS = {
    "t-anna": claims("anna", "patrol"),
    "t-bram": claims("bram", "patrol"),
    "t-omar": claims("omar", "patrol", zones=OTHER_ZONE),
    "t-nora": claims("nora", "supervisor", zones="national"),
    "t-ivan": claims("ivan", "investigator"),
    "t-nozone": claims("zed", "patrol", zones=""),
}


class World:
    def __init__(self):
        self.clock = ManualClock(NOW_MS)
        self.alerts = InMemoryAlertRepository()
        self.watchlist = InMemoryWatchlistRepository(
            [entry("1ABC234", zones=[ZONE, OTHER_ZONE]), entry("3NAT333")]
        )
        self.service = AlertService(
            matcher=Matcher(WatchlistCache(self.watchlist, clock=self.clock)),
            alerts=self.alerts,
            publisher=InMemoryAlertPublisher(clock=self.clock),
            policy=POLICY,
            clock=self.clock,
        )
        self.audit = InMemoryAuditTrail()
        self.connections = InMemoryMemberStore()
        self.devices = InMemoryMemberStore()
        self.poster = RecordingPoster()
        self.push = RecordingPush()
        self.gate = LiveGate(
            connections=self.connections, verifier=TableVerifier(TOKENS), audit=self.audit, clock=self.clock
        )
        self.fanout = Fanout(
            alerts=self.alerts,
            connections=self.connections,
            devices=self.devices,
            poster=self.poster,
            push=self.push,
            audit=self.audit,
            clock=self.clock,
        )
        self.registry = DeviceRegistry(
            devices=self.devices, push=self.push, audit=self.audit, clock=self.clock
        )
        self.changes: list[tuple[str, str]] = []
        self.desk = AlertDesk(
            alerts=self.alerts,
            watchlist=self.watchlist,
            audit=self.audit,
            clock=self.clock,
            changes=self,
        )

    def changed(self, change: str, alert_id: str) -> None:  # the desk's AlertChanges port
        self.changes.append((change, alert_id))

    def received(self, connection_id: str) -> list[dict]:
        return [json.loads(d) for d in self.poster.sent.get(connection_id, [])]


@pytest.fixture
def world():
    w = World()
    for cid, token in (
        ("c-anna", "t-anna"),
        ("c-bram", "t-bram"),
        ("c-omar", "t-omar"),
        ("c-nora", "t-nora"),
    ):
        w.gate.connect(cid, token)
    return w


def test_connect_needs_a_valid_token_a_patrol_role_and_a_zone():
    w = World()
    with pytest.raises(Unauthenticated):
        w.gate.connect("c1", None)
    with pytest.raises(Unauthenticated):
        w.gate.connect("c1", "forged")
    with pytest.raises(Forbidden):
        w.gate.connect("c1", "t-ivan")
    with pytest.raises(Forbidden, match="no police zone"):
        w.gate.connect("c1", "t-nozone")
    # THEN nothing is stored and both refusals of a known person are audited
    assert w.connections.items == {}
    assert [e.action for e in w.audit.events] == ["access.denied", "access.denied"]
    # GIVEN a patrol officer WHEN connecting THEN the connection carries the token's zones, expiring in 2 h
    conn = w.gate.connect("c1", "t-anna")
    assert conn.zones == (ZONE,) and conn.expires_at == NOW_MS // 1000 + 7200
    w.gate.disconnect("c1")
    assert w.connections.items == {}


def test_every_officer_of_the_zone_gets_the_alert_and_no_other_zone_does(world):
    # GIVEN officers of ZONE (anna, bram), of OTHER_ZONE (omar) and national scope (nora)
    [alert] = world.service.on_reads([read("1ABC234", read_id="r1")])
    # WHEN the alert message is fanned out
    result = world.fanout.deliver({"schema": "anpr.alert/1", "alert_id": alert.alert_id, "send": 1})
    # THEN both ZONE officers and national scope have it, as a feed line; omar has nothing
    assert result["posted"] == 3
    for cid in ("c-anna", "c-bram", "c-nora"):
        [msg] = world.received(cid)
        assert msg["type"] == "alert" and msg["alert"]["alert_id"] == alert.alert_id
        assert msg["alert"]["plate"] == "1ABC234" and msg["alert"]["zone"] == ZONE
    assert world.received("c-omar") == []
    # AND each person shown it is recorded once (again on a re-send: no second record)
    world.fanout.deliver({"alert_id": alert.alert_id, "send": 2})
    shown = [e.actor_id for e in world.audit.events if e.action == "alert.shown"]
    assert sorted(shown) == ["sub-anna", "sub-bram", "sub-nora"]


def test_a_national_entry_alert_goes_to_every_connection(world):
    [alert] = world.service.on_reads([read("3NAT333", read_id="r2")])
    assert world.fanout.deliver({"alert_id": alert.alert_id})["posted"] == 4
    assert world.received("c-omar")[0]["alert"]["national"] is True


def test_a_claim_and_a_close_reach_every_officer_of_the_zone(world):
    [alert] = world.service.on_reads([read("1ABC234", read_id="r3")])
    anna = caller("anna", "patrol", zones=(ZONE,))
    # WHEN anna claims and then closes it THEN the desk announces both
    world.desk.claim(alert.alert_id, anna)
    world.desk.acknowledge(alert.alert_id, Outcome.STOPPED, "", anna)
    assert world.changes == [("alert.claimed", alert.alert_id), ("alert.closed", alert.alert_id)]
    # WHEN the fan-out delivers them THEN bram sees who took it, then the outcome
    for change, alert_id in world.changes:
        world.fanout.deliver({"schema": "anpr.live/1", "type": change, "alert_id": alert_id})
    claimed, closed = world.received("c-bram")
    assert claimed["type"] == "alert.claimed" and claimed["alert"]["claimed_by"] == "anna"
    assert closed["type"] == "alert.closed" and closed["alert"]["outcome"] == "stopped"
    assert world.received("c-omar") == []
    # AND claims and closes push nothing
    assert world.push.sent == []


def test_a_closed_socket_is_forgotten(world):
    world.poster.closed.add("c-bram")
    [alert] = world.service.on_reads([read("1ABC234", read_id="r4")])
    result = world.fanout.deliver({"alert_id": alert.alert_id})
    assert result == {"posted": 2, "gone": 1, "pushed": 0}
    assert world.connections.get("c-bram") is None


def test_unknown_alert_sends_nothing(world):
    assert world.fanout.deliver({"alert_id": "nope"})["posted"] == 0
    assert world.fanout.deliver({"alert_id": 12})["posted"] == 0
    assert world.poster.sent == {}


def test_push_goes_to_the_zone_devices_without_the_plate(world):
    anna = caller("anna", "patrol", zones=(ZONE,))
    omar = caller("omar", "patrol", zones=(OTHER_ZONE,))
    phone = world.registry.register(DeviceIn(platform="fcm", token="fcm-token-anna-1"), anna)
    world.registry.register(DeviceIn(platform="apns", token="apns-token-omar-1"), omar)
    [alert] = world.service.on_reads([read("1ABC234", read_id="r5")])
    result = world.fanout.deliver({"alert_id": alert.alert_id})
    # THEN only anna's phone is pushed, with the id, priority, category, zone and a masked plate
    assert result["pushed"] == 1
    [(device_id, payload)] = world.push.sent
    assert device_id == phone.device_id
    assert payload == {
        "alert_id": alert.alert_id,
        "priority": "high",
        "category": "stolen_vehicle",
        "zone": ZONE,
        "plate_masked": "1*****4",
    }
    assert "1ABC234" not in json.dumps(payload)


def test_a_device_gone_at_its_push_service_is_removed(world):
    anna = caller("anna", "patrol", zones=(ZONE,))
    phone = world.registry.register(DeviceIn(platform="fcm", token="fcm-token-anna-2"), anna)
    world.push.gone.add(phone.device_id)
    [alert] = world.service.on_reads([read("1ABC234", read_id="r6")])
    assert world.fanout.deliver({"alert_id": alert.alert_id})["pushed"] == 0
    assert world.devices.get(phone.device_id) is None


def test_a_device_is_one_endpoint_tied_to_its_officer(world):
    anna = caller("anna", "patrol", zones=(ZONE,))
    bram = caller("bram", "patrol", zones=(ZONE,))
    first = world.registry.register(DeviceIn(platform="fcm", token="fcm-token-shared"), anna)
    again = world.registry.register(DeviceIn(platform="fcm", token="fcm-token-shared"), anna)
    assert first.device_id == again.device_id and len(world.devices.items) == 1
    # WHEN another officer tries to remove it THEN 403, audited
    with pytest.raises(Forbidden):
        world.registry.remove(first.device_id, bram)
    assert world.audit.events[-1].action == "access.denied"
    # WHEN its officer removes it THEN its endpoint is deleted too
    world.registry.remove(first.device_id, anna)
    assert world.push.unenrolled == [first.device_id] and world.devices.items == {}
    with pytest.raises(NotFound):
        world.registry.remove(first.device_id, anna)
    # AND a person with no zone or no patrol role cannot register
    with pytest.raises(Forbidden):
        world.registry.register(DeviceIn(platform="fcm", token="fcm-token-x"), caller("ivan", "investigator"))


@pytest.mark.parametrize(
    "body",
    [
        {"platform": "fcm"},
        {"platform": "webpush", "token": "abcdefgh"},
        {"platform": "apns", "token": "abc def ghi"},
        {"platform": "sms", "token": "abcdefgh"},
        {
            "platform": "webpush",
            "subscription": {"endpoint": "not a url", "keys": {"p256dh": "x" * 20, "auth": "y" * 10}},
        },
    ],
)
def test_a_bad_device_is_refused(body):
    with pytest.raises((ValidationError, BadRequest)):
        DeviceIn.model_validate(body)


# -- the token check, against the injected clock -----------------------------------------------

ISSUER = "https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_test"


@pytest.fixture(scope="module")
def key():
    return RSAKey.generate_key(2048, parameters={"kid": "k1", "alg": "RS256"})


def _token(key, **over) -> str:
    now = NOW_MS // 1000
    body = {"sub": "s1", "iss": ISSUER, "aud": "client", "token_use": "id", "iat": now, "exp": now + 3600}
    return jwt.encode({"alg": "RS256", "kid": "k1"}, {**body, **over}, key)


def test_the_token_is_verified_like_the_cognito_authorizer(key):
    clock = ManualClock(NOW_MS)
    jwks = KeySet([RSAKey.import_key(key.as_dict(private=False))]).as_dict()
    fetched = []
    verifier = CognitoTokenVerifier(ISSUER, "client", clock, fetch=lambda url: fetched.append(url) or jwks)
    assert verifier.verify(_token(key))["sub"] == "s1"
    assert fetched == [f"{ISSUER}/.well-known/jwks.json"]
    for bad in (_token(key, aud="other"), _token(key, token_use="access"), _token(key, iss="https://evil")):
        with pytest.raises(InvalidToken):
            verifier.verify(bad)
    other = RSAKey.generate_key(2048, parameters={"kid": "k1", "alg": "RS256"})
    with pytest.raises(InvalidToken):
        verifier.verify(_token(other))
    # WHEN the clock passes the expiry THEN the same token is refused
    token = _token(key)
    clock.advance(seconds=3600 + 6)  # past the 5 s leeway
    with pytest.raises(InvalidToken):
        verifier.verify(token)
