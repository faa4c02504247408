"""Networks, their cameras and zones (ops), and the per-network upload grants (cameras).

Every change is audited with the ops person who made it; every refused upload is audited with
the network that tried it and counted (metric ``UploadRefused`` per network) for ops.
"""

from __future__ import annotations

import uuid
from collections import Counter
from collections.abc import Iterable
from datetime import UTC, datetime

from anpr.ingest.hooks import DisagreementStore
from anpr.kernel.audit import AuditEvent, AuditTrail
from anpr.kernel.auth import Caller
from anpr.kernel.clock import DAY_MS, Clock
from anpr.kernel.errors import BadRequest, Conflict, DomainError, NotFound
from anpr.networks import credentials, latency
from anpr.networks.imports import parse_csv, parse_geojson
from anpr.networks.models import (
    CameraIn,
    ImportLine,
    ImportReport,
    ImportRequest,
    Network,
    NetworkIn,
    NetworkStatus,
    UploadGrant,
    UploadRequest,
)
from anpr.networks.ports import NetworkStore, RefusalCounter, UploadSigner, ZoneStore
from anpr.networks.silence import silent_cameras
from anpr.networks.zones import ZoneMap, zones_from_geojson
from anpr.reads.cameras import CameraRegistry
from anpr.reads.models import Camera, CameraKind, CameraStatus

SNAPSHOT_PREFIX = "snapshots/"
_EXTENSIONS = {"image/jpeg": "jpg", "image/png": "png", "application/json": "json"}


class BadCredentials(DomainError):
    status = 401


class UploadRefused(DomainError):
    status = 403


# --- key layout, for ingest: snapshots/{network}/{camera}/{yyyy}/{mm}/{dd}/{hh}/{ms}_{id}.{ext}


def upload_prefix(network_id: str, camera_id: str) -> str:
    return f"{SNAPSHOT_PREFIX}{network_id}/{camera_id}/"


def network_of_key(key: str) -> str:
    """The network segment of a snapshot key ("" when the key has none)."""
    parts = key.removeprefix(SNAPSHOT_PREFIX).split("/") if key.startswith(SNAPSHOT_PREFIX) else []
    return parts[0] if len(parts) >= 3 else ""


def camera_of_key(key: str) -> str:
    parts = key.removeprefix(SNAPSHOT_PREFIX).split("/") if key.startswith(SNAPSHOT_PREFIX) else []
    return parts[1] if len(parts) >= 3 else ""


def refusal_event(network_id: str, camera_id: str, reason: str, **detail) -> AuditEvent:
    """``upload.refused``: by the endpoint (bad key, another network's camera) or by ingest (a
    key under another network's prefix); the actor is the network, never a person."""
    return AuditEvent(
        action="upload.refused",
        actor_id=f"network:{network_id}",
        actor_name=network_id,
        roles=["camera"],
        outcome="denied",
        resource=f"camera/{camera_id}",
        reason=reason,
        detail={k: v for k, v in detail.items() if v is not None},
    )


def camera_belongs(camera: Camera | None, network_id: str) -> bool:
    """Ingest's check: the camera named in the key is registered, active, in that network."""
    return (
        camera is not None
        and bool(network_id)
        and camera.network == network_id
        and camera.status != CameraStatus.RETIRED
    )


class NetworkService:
    def __init__(
        self,
        networks: NetworkStore,
        cameras: CameraRegistry,
        zones: ZoneStore,
        audit: AuditTrail,
        clock: Clock,
        disagreements: DisagreementStore | None = None,
    ):
        self._networks, self._cameras, self._zones = networks, cameras, zones
        self._audit, self._clock = audit, clock
        self._zone_map: ZoneMap | None = None
        self._disagreements = disagreements

    # --- zones

    def zone_map(self) -> ZoneMap:
        if self._zone_map is None:
            self._zone_map = ZoneMap(self._zones.list())
        return self._zone_map

    def load_zones(self, caller: Caller, geojson: dict) -> dict:
        zones = zones_from_geojson(geojson)
        if not zones:
            raise BadRequest("the zones file has no features")
        self._zones.replace_all(zones)
        self._zone_map = ZoneMap(zones)
        self._audit.record(
            AuditEvent.by(caller, "zones.loaded", resource="zones", detail={"zones": len(zones)})
        )
        return {"zones": len(zones), "codes": sorted(z.code for z in zones)}

    def list_zones(self) -> list[dict]:
        return [
            {"code": z.code, "name": z.name, "kind": z.kind, "languages": z.languages}
            for z in sorted(self._zones.list(), key=lambda z: z.code)
        ]

    # --- networks

    def get(self, network_id: str) -> Network:
        network = self._networks.get(network_id)
        if network is None:
            raise NotFound(f"no network {network_id!r}")
        return network

    def list(self) -> list[dict]:
        return [n.public() for n in sorted(self._networks.list(), key=lambda n: n.network_id)]

    def register(self, caller: Caller, request: NetworkIn) -> dict:
        if self._networks.get(request.network_id) is not None:
            raise Conflict(f"network {request.network_id!r} exists (a retired network's code is not reused)")
        self._check_zones(request.zones)
        key = credentials.new_key(request.network_id)
        network = Network(
            **request.model_dump(), created_ms=self._clock(), key_id=key.key_id, key_hash=key.secret_hash
        )
        self._networks.put(network)
        self._audit.record(
            AuditEvent.by(
                caller,
                "network.registered",
                resource=f"network/{network.network_id}",
                detail={"kind": network.kind, "zones": network.zones, "key_id": key.key_id},
            )
        )
        return {**network.public(), "upload_key": key.token}

    def rotate_key(self, caller: Caller, network_id: str) -> dict:
        network = self._active(network_id)
        key = credentials.new_key(network_id)
        self._networks.put(network.model_copy(update={"key_id": key.key_id, "key_hash": key.secret_hash}))
        self._audit.record(
            AuditEvent.by(
                caller,
                "network.key_rotated",
                resource=f"network/{network_id}",
                detail={"old_key_id": network.key_id, "key_id": key.key_id},
            )
        )
        return {"network_id": network_id, "key_id": key.key_id, "upload_key": key.token}

    def retire(self, caller: Caller, network_id: str) -> dict:
        """Revokes the upload key at once and retires the network's cameras."""
        network = self._active(network_id)
        retired = network.model_copy(
            update={
                "status": NetworkStatus.RETIRED,
                "retired_ms": self._clock(),
                "key_id": None,
                "key_hash": None,
            }
        )
        self._networks.put(retired)
        cameras = [
            c for c in self._cameras.list() if c.network == network_id and c.status != CameraStatus.RETIRED
        ]
        self._cameras.put_many(c.model_copy(update={"status": CameraStatus.RETIRED}) for c in cameras)
        self._audit.record(
            AuditEvent.by(
                caller,
                "network.retired",
                resource=f"network/{network_id}",
                detail={"revoked_key_id": network.key_id, "cameras_retired": len(cameras)},
            )
        )
        return {**retired.public(), "cameras_retired": len(cameras)}

    def disagreements(self, network_id: str, since_ms: int | None = None, limit: int = 200) -> dict:
        """Reads of this network's cameras where our OCR and the camera's reading differ (masked),
        newest first, with a count per camera: which camera needs its reader checked."""
        self.get(network_id)
        if self._disagreements is None:
            raise NotFound("disagreements are not kept on this stage")
        since = since_ms if since_ms is not None else self._clock() - DAY_MS
        items = self._disagreements.list(network_id, since, limit)
        per_camera = Counter(d.camera_id for d in items)
        return {
            "network_id": network_id,
            "since_ms": since,
            "count": len(items),
            "per_camera": dict(per_camera.most_common()),
            "disagreements": [d.model_dump(exclude={"network", "expires_at"}) for d in items],
        }

    # --- cameras

    def cameras(self, network_id: str) -> list[dict]:
        self.get(network_id)
        return [c.model_dump(mode="json") for c in self._cameras.list() if c.network == network_id]

    def register_camera(self, caller: Caller, network_id: str, request: CameraIn) -> dict:
        network = self._active(network_id)
        camera = self._camera(network, request)
        self._cameras.put_many([camera])
        self._audit.record(
            AuditEvent.by(
                caller,
                "camera.registered",
                resource=f"camera/{camera.camera_id}",
                detail={"network": network_id, "zone": camera.zone, "kind": camera.kind},
            )
        )
        return camera.model_dump(mode="json")

    def retire_camera(self, caller: Caller, network_id: str, camera_id: str) -> dict:
        camera = self._cameras.get(camera_id)
        if camera is None or camera.network != network_id:
            raise NotFound(f"no camera {camera_id!r} in network {network_id!r}")
        retired = camera.model_copy(update={"status": CameraStatus.RETIRED})
        self._cameras.put_many([retired])
        self._audit.record(
            AuditEvent.by(
                caller, "camera.retired", resource=f"camera/{camera_id}", detail={"network": network_id}
            )
        )
        return retired.model_dump(mode="json")

    def import_cameras(self, caller: Caller, network_id: str, request: ImportRequest) -> ImportReport:
        network = self._active(network_id)
        parse = parse_csv if request.format == "csv" else parse_geojson
        lines: list[ImportLine] = []
        accepted: list[Camera] = []
        seen: set[str] = set()
        # one scan instead of a read per line: an import of thousands fits the API's 29 s
        existing = {c.camera_id: c for c in self._cameras.list()}
        for line, parsed, reason, camera_id in parse(request.content):
            if parsed is not None and parsed.camera_id in seen:
                parsed, reason = None, f"camera {camera_id} appears earlier in this file"
            if parsed is not None:
                try:
                    accepted.append(self._camera(network, parsed, existing))
                    seen.add(parsed.camera_id)
                    lines.append(ImportLine(line=line, camera_id=camera_id, outcome="registered"))
                    continue
                except DomainError as exc:
                    reason = str(exc)
            lines.append(ImportLine(line=line, camera_id=camera_id, outcome="rejected", reason=reason))
        if accepted:
            self._cameras.put_many(accepted)
        report = ImportReport(
            network_id=network_id,
            registered=len(accepted),
            rejected=len(lines) - len(accepted),
            lines=lines,
        )
        self._audit.record(
            AuditEvent.by(
                caller,
                "cameras.imported",
                resource=f"network/{network_id}",
                detail={
                    "format": request.format,
                    "registered": report.registered,
                    "rejected": report.rejected,
                },
            )
        )
        return report

    # --- helpers

    def _active(self, network_id: str) -> Network:
        network = self.get(network_id)
        if network.status == NetworkStatus.RETIRED:
            raise Conflict(f"network {network_id!r} is retired")
        return network

    def _check_zones(self, codes: Iterable[str]) -> None:
        known = self.zone_map().zones
        unknown = sorted(set(codes) - set(known)) if known else []
        if unknown:
            raise BadRequest(
                f"unknown zones {unknown[:5]}: load the zones file first (anpr networks zones load)"
            )

    def _camera(self, network: Network, request: CameraIn, known: dict[str, Camera] | None = None) -> Camera:
        """``known``: the registry read once (imports); otherwise one read for this camera."""
        existing = known.get(request.camera_id) if known is not None else self._cameras.get(request.camera_id)
        if existing is not None and existing.network != network.network_id:
            owner = existing.network or "no network"
            raise Conflict(f"camera {request.camera_id} belongs to {owner}; retire it there first")
        zone = request.zone
        if zone is None and request.kind == CameraKind.FIXED:
            zone = self.zone_map().zone_at(request.lat, request.lon)
            if zone is None:
                raise BadRequest(f"({request.lat}, {request.lon}) lies in no loaded zone; give a zone")
        if zone is None:  # a mobile camera: its home zone (reads take the zone at capture)
            zone = network.zones[0]
        self._check_zones([zone])
        return Camera(**request.model_dump(exclude={"zone"}), zone=zone, network=network.network_id)


class UploadService:
    """Presigned POSTs for cameras: one object, under the camera's own prefix, typed and bounded."""

    def __init__(
        self,
        networks: NetworkStore,
        cameras: CameraRegistry,
        signer: UploadSigner,
        audit: AuditTrail,
        refused: RefusalCounter,
        clock: Clock,
        max_bytes: int = 5 * 1024 * 1024,
        expires_in_s: int = 300,
    ):
        self._networks, self._cameras, self._signer = networks, cameras, signer
        self._audit, self._refused, self._clock = audit, refused, clock
        self._max_bytes, self._expires_in_s = max_bytes, expires_in_s

    def grant(self, token: str, request: UploadRequest) -> UploadGrant:
        presented = credentials.parse(token)
        network = self._networks.get(presented.network_id) if presented else None
        if (
            presented is None
            or network is None
            or not credentials.matches(presented, network.key_id, network.key_hash)
        ):
            who = presented.network_id if presented else "unknown"
            self._refuse(who, request.camera_id, "bad_credentials", status=BadCredentials)
        camera = self._cameras.get(request.camera_id)
        if camera is None or camera.network != network.network_id:
            reason = "camera_of_another_network" if camera is not None else "unknown_camera"
            self._refuse(
                network.network_id,
                request.camera_id,
                reason,
                camera_network=camera.network if camera else None,
            )
        if camera.status == CameraStatus.RETIRED:
            self._refuse(network.network_id, request.camera_id, "retired_camera")
        now = self._clock()
        t = datetime.fromtimestamp(now / 1000, tz=UTC)
        key = (
            f"{upload_prefix(network.network_id, camera.camera_id)}{t:%Y/%m/%d/%H}/"
            f"{now}_{uuid.uuid4().hex}.{_EXTENSIONS[request.content_type]}"
        )
        url, fields = self._signer.presigned_post(
            key, request.content_type, self._max_bytes, self._expires_in_s
        )
        return UploadGrant(
            url=url, fields=fields, key=key, max_bytes=self._max_bytes, expires_in_s=self._expires_in_s
        )

    def _refuse(self, network_id: str, camera_id: str, reason: str, *, status=UploadRefused, **detail):
        self._refused(network_id, reason)
        self._audit.record(refusal_event(network_id, camera_id, reason, **detail))
        raise status(f"upload refused: {reason.replace('_', ' ')} ({camera_id})")


# --- health (ops): silent, quarantining, refused uploads; no plates


class HealthService:
    """Each camera's health in one answer for the ops map: when it last sent, whether the
    silence watch's rule finds it silent now, its quarantined snapshots by reason in the last
    24 hours; per network the uploads refused at the endpoint; and the alarms these raise.
    Upload→read latency per camera and network: p50/p95 of the last hour or two from the
    histogram ingest keeps on each camera's activity item (anpr.networks.latency), against the
    goal (``latency_goal_ms``); the per-network CloudWatch metric stays on the dashboard."""

    def __init__(
        self,
        cameras: CameraRegistry,
        networks: NetworkStore,
        activity,
        rule,
        clock: Clock,
        quarantined=None,
        refusals=None,
        weeks: int = 4,
        quarantining_alarm: int = 10,
        latency_goal_ms: int = latency.GOAL_P95_MS,
        latency_late_ms: int = latency.LATE_P95_MS,
    ):
        """``quarantining_alarm``: this many quarantined in 24 h raise an alarm; ``activity.profiles(now_ms, weeks)``: the silence watch's data; ``quarantined(since_ms)``:
        {camera_id: {reason: n}}; ``refusals(actor_id, start_ms, end_ms)``: audit records."""
        self._cameras, self._networks, self._activity = cameras, networks, activity
        self._rule, self._clock, self._weeks = rule, clock, weeks
        self._quarantined, self._refusals = quarantined, refusals
        self._quarantining_alarm = quarantining_alarm
        self._goal_ms, self._late_ms = latency_goal_ms, latency_late_ms

    def _latency(self, counts) -> dict | None:
        return latency.summary(counts, self._goal_ms, self._late_ms)

    def health(self) -> dict:
        now = self._clock()
        since = now - DAY_MS
        profiles = {a.camera_id: a for a in self._activity.profiles(now, self._weeks)}
        silent = {s.camera_id: s for s in silent_cameras(profiles.values(), now, self._rule)}
        quarantined: dict[str, dict[str, int]] = self._quarantined(since) if self._quarantined else {}
        cameras, alarms = [], []
        for c in sorted(self._cameras.list(), key=lambda c: c.camera_id):
            seen = profiles.get(c.camera_id)
            q = quarantined.get(c.camera_id, {})
            state = _state(c, seen, c.camera_id in silent, sum(q.values()))
            cameras.append(
                {
                    "camera_id": c.camera_id,
                    "name": c.name,
                    "network": c.network,
                    "zone": c.zone,
                    "lat": c.lat,
                    "lon": c.lon,
                    "status": c.status,
                    "health": state,
                    "last_seen_ms": seen.last_seen_ms if seen else None,
                    "silent_minutes": silent[c.camera_id].silent_minutes if c.camera_id in silent else None,
                    "quarantined": q,
                    "latency": self._latency(seen.latency) if seen and seen.latency else None,
                }
            )
            if state == "silent":
                alarms.append({"kind": "silent", "camera_id": c.camera_id, "network": c.network,
                               "minutes": silent[c.camera_id].silent_minutes,
                               "last_seen_ms": seen.last_seen_ms if seen else None})  # fmt: skip
            elif sum(q.values()) >= self._quarantining_alarm:
                alarms.append({"kind": "quarantining", "camera_id": c.camera_id, "network": c.network,
                               "count": sum(q.values()), "reasons": q})  # fmt: skip
        networks = []
        for n in sorted(self._networks.list(), key=lambda n: n.network_id):
            refused = self._refused(n.network_id, since, now)
            mine = [c for c in cameras if c["network"] == n.network_id]
            networks.append(
                {
                    "network_id": n.network_id,
                    "status": n.status,
                    "cameras": len(mine),
                    "silent": sum(c["health"] == "silent" for c in mine),
                    "quarantined": sum(sum(c["quarantined"].values()) for c in mine),
                    "refused_uploads": refused,
                    "latency": self._latency(
                        latency.total(
                            profiles[c["camera_id"]].latency for c in mine if c["camera_id"] in profiles
                        )
                    ),
                }
            )
            if refused:
                alarms.append({"kind": "refused_uploads", "network": n.network_id,
                               "count": sum(refused.values()), "reasons": refused})  # fmt: skip
        return {
            "at_ms": now,
            "since_ms": since,
            "silence_rule": {
                "silent_minutes": self._rule.silent_minutes,
                "usual_share": self._rule.usual_share,
            },
            "latency_goal": {
                "p95_ms": self._goal_ms,
                "late_ms": self._late_ms,
                "window": "this hour and the one before",
            },
            "cameras": cameras,
            "networks": networks,
            "alarms": alarms,
        }

    def _refused(self, network_id: str, start_ms: int, end_ms: int) -> dict[str, int]:
        if self._refusals is None:
            return {}
        events = (r.event for r in self._refusals(f"network:{network_id}", start_ms, end_ms))
        return dict(Counter(e.reason or "" for e in events if e.action == "upload.refused"))


def _state(camera: Camera, seen, silent: bool, quarantined: int) -> str:
    """ok, silent, quarantining (a snapshot quarantined in the last 24 h), never (no snapshot
    yet), or the registry status of a camera not in service (maintenance, retired)."""
    if camera.status != CameraStatus.ACTIVE:
        return str(camera.status)
    if silent:
        return "silent"
    if quarantined:
        return "quarantining"
    if seen is None or seen.last_seen_ms is None:
        return "never"
    return "ok"
