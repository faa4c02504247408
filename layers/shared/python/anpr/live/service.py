"""The live channel: who may connect, and delivering each alert, claim and close to every
connected officer of the alert's zones (and push to their devices)."""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

from anpr.alerts.audit import record_shown
from anpr.alerts.messages import alert_summary
from anpr.alerts.models import Alert
from anpr.alerts.ports import AlertRepository
from anpr.alerts.service import AlertDesk
from anpr.kernel.audit import AuditEvent, AuditTrail
from anpr.kernel.auth import Caller, Forbidden, Unauthenticated, caller_from_claims
from anpr.kernel.clock import Clock
from anpr.kernel.errors import NotFound
from anpr.live.models import LIVE_SCHEMA, Connection, Device, DeviceIn, audience
from anpr.live.ports import Gone, InvalidToken, MemberStore, Poster, PushSender, TokenVerifier
from anpr.reads.plates import mask

log = logging.getLogger(__name__)

#: who may follow alerts live and register devices (as GET /alerts: anpr.alerts.spec)
LIVE_ROLES = frozenset({"patrol", "supervisor"})
_NO_ZONE = "your identity carries no police zone (custom:zones): ask your administrator to set it"


def _deny(audit: AuditTrail, caller: Caller, resource: str, why: str) -> Forbidden:
    audit.record(
        AuditEvent.by(caller, "access.denied", outcome="denied", resource=resource, detail={"why": why})
    )
    return Forbidden(why)


def check_member(caller: Caller, audit: AuditTrail, resource: str) -> None:
    """Patrol or supervisor, with at least one police zone; a refusal is audited."""
    if not caller.groups & LIVE_ROLES:
        raise _deny(audit, caller, resource, f"requires one of {sorted(LIVE_ROLES)}")
    if not caller.zones:
        raise _deny(audit, caller, resource, _NO_ZONE)


class LiveGate:
    """``$connect`` / ``$disconnect``: the token is verified here (WebSocket APIs have no Cognito
    authorizer); the connection is stored with the person and zones the token says."""

    def __init__(
        self,
        *,
        connections: MemberStore[Connection],
        verifier: TokenVerifier,
        audit: AuditTrail,
        clock: Clock,
        ttl_s: int = 7200,
    ):
        self.connections, self.verifier, self.audit, self.clock, self.ttl_s = (
            connections,
            verifier,
            audit,
            clock,
            ttl_s,
        )

    def connect(self, connection_id: str, token: str | None) -> Connection:
        if not token:
            raise Unauthenticated("no token: connect with ?token=<ID token>")
        try:
            claims = self.verifier.verify(token)
        except InvalidToken as exc:
            raise Unauthenticated(str(exc)) from None
        caller = caller_from_claims(claims)
        check_member(caller, self.audit, "live/$connect")
        now = self.clock()
        conn = Connection.model_validate(
            {
                **Connection.fields_of(caller),
                "connection_id": connection_id,
                "connected_ms": now,
                "expires_at": now // 1000 + self.ttl_s,
            }
        )
        self.connections.put(conn)
        log.info("live connection", extra={"user": caller.user_id, "zones": list(conn.zones)})
        return conn

    def disconnect(self, connection_id: str) -> None:
        self.connections.delete(connection_id)


def push_payload(alert: Alert) -> dict:
    """What leaves for Google, Apple or a browser vendor: no plate in clear, no image, no link."""
    return {
        "alert_id": alert.alert_id,
        "priority": alert.priority.value,
        "category": alert.category.value,
        "zone": alert.latest.zone,
        "plate_masked": mask(alert.plate),
    }


class Fanout:
    """Every alert message (from the Alerts topic) and every claim or close (from the desk) to
    each connection in the alert's audience; new alerts and re-sends also to their devices."""

    def __init__(
        self,
        *,
        alerts: AlertRepository,
        connections: MemberStore[Connection],
        devices: MemberStore[Device],
        poster: Poster,
        push: PushSender,
        audit: AuditTrail,
        clock: Clock,
        workers: int = 8,
    ):
        self.alerts, self.connections, self.devices = alerts, connections, devices
        self.poster, self.push, self.audit, self.clock = poster, push, audit, clock
        self.workers = workers

    def deliver(self, body: dict) -> dict:
        """``body``: an alert message (``anpr.alert/1``) or a change (``anpr.live/1``)."""
        kind = body.get("type", "alert") if body.get("schema") == LIVE_SCHEMA else "alert"
        alert_id = body.get("alert_id")
        alert = self.alerts.get(alert_id) if isinstance(alert_id, str) else None
        if alert is None or alert.status == "late":
            log.warning("live: no such alert, nothing sent", extra={"alert_id": alert_id})
            return {"posted": 0, "gone": 0, "pushed": 0}
        zones = audience(alert.zones_seen, alert.national)
        conns = [c for c in self.connections.members(zones) if AlertDesk.in_scope(alert, c.caller())]
        data = json.dumps({"schema": LIVE_SCHEMA, "type": kind, "alert": alert_summary(alert)}).encode()
        gone = [c for c, ok in self._each(conns, lambda c: self._post(c, data)) if not ok]
        for c in gone:
            self.connections.delete(c.connection_id)
        reached = [c for c in conns if c not in gone]
        # the socket shows the plate: recorded once per person and alert, like the feed
        now = self.clock()
        for person in {c.user_id: c for c in reached}.values():
            record_shown(self.alerts, self.audit, now, [alert], "live", person.caller())
        pushed = 0
        if kind == "alert" and alert.status == "open":
            devices = [d for d in self.devices.members(zones) if AlertDesk.in_scope(alert, d.caller())]
            payload = push_payload(alert)
            for d, ok in self._each(devices, lambda d: self._push(d, payload)):
                if ok:
                    pushed += 1
                else:
                    self.devices.delete(d.device_id)
        return {"posted": len(reached), "gone": len(gone), "pushed": pushed}

    def _each(self, items: list, send: Callable[[object], bool]) -> list[tuple[object, bool]]:
        if len(items) <= 1:
            return [(i, send(i)) for i in items]
        with ThreadPoolExecutor(min(self.workers, len(items))) as pool:
            return list(zip(items, pool.map(send, items), strict=True))

    def _post(self, conn: Connection, data: bytes) -> bool:
        try:
            self.poster.post(conn.connection_id, data)
            return True
        except Gone:
            return False

    def _push(self, device: Device, payload: dict) -> bool:
        try:
            self.push.send(device, payload)
            return True
        except Gone:
            log.info("push device gone, removed", extra={"device_id": device.device_id})
            return False


class DeviceRegistry:
    """``POST /devices`` and ``DELETE /devices/{id}``: one endpoint per device, tied to the officer."""

    def __init__(
        self,
        *,
        devices: MemberStore[Device],
        push: PushSender,
        audit: AuditTrail,
        clock: Clock,
        ttl_days: int = 90,
    ):
        self.devices, self.push, self.audit, self.clock, self.ttl_days = devices, push, audit, clock, ttl_days

    def register(self, device: DeviceIn, caller: Caller) -> Device:
        check_member(caller, self.audit, "devices")
        now = self.clock()
        previous = self.devices.get(device.device_id)
        endpoint = self.push.enroll(device, caller.user_id)
        stored = Device.model_validate(
            {
                **Device.fields_of(caller),
                "device_id": device.device_id,
                "platform": device.platform,
                "token": device.token,
                "subscription": device.subscription.model_dump(mode="json") if device.subscription else None,
                "endpoint_arn": endpoint,
                "registered_ms": now,
                "expires_at": now // 1000 + self.ttl_days * 86400,
            }
        )
        self.devices.put(stored)
        self.audit.record(
            AuditEvent.by(
                caller,
                "device.registered",
                resource=f"device/{stored.device_id}",
                detail={
                    "platform": stored.platform,
                    "zones": list(stored.zones),
                    "previous_owner": previous.user_id
                    if previous and previous.user_id != caller.user_id
                    else None,
                },
            )
        )
        return stored

    def remove(self, device_id: str, caller: Caller) -> Device:
        resource = f"device/{device_id}"
        device = self.devices.get(device_id)
        if device is None:
            raise NotFound(f"device {device_id} not found")
        if device.user_id != caller.user_id:
            raise _deny(self.audit, caller, resource, f"device {device_id} is registered to another person")
        self.push.unenroll(device)
        self.devices.delete(device_id)
        self.audit.record(AuditEvent.by(caller, "device.removed", resource=resource))
        return device
