"""`make demo`: the patrol officers' live channel while the cameras upload.

Two officers of the patrol zone and one of another zone keep a WebSocket open (the local
runtime's live endpoint, the real $connect/fan-out handlers); the first officer's phone is
registered for push, whose payloads land in the runtime's push sink. At the end the demo says
what each one received: both officers of the zone the same alerts, the other zone's officer only
alerts of national entries, and push payloads without a plate in clear.
"""

from __future__ import annotations

import json
import threading
import time

from local.demo_features import call_api
from local.runtime import LocalRuntime

#: (user, zone index among the seeded zones): two officers of the patrol zone, one of another
OFFICERS = (("officer.dubois", 0), ("officer.wouters", 0), ("officer.mertens", 1))


class LiveWatch:
    def __init__(self, rt: LocalRuntime, zones: list[str]):
        self.rt, self.zones = rt, zones
        self.received: dict[str, list[dict]] = {user: [] for user, _ in OFFICERS}
        self.zone_of = {user: zones[min(i, len(zones) - 1)] for user, i in OFFICERS}
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []
        self.device: dict = {}
        self.error = ""

    def start(self) -> LiveWatch:
        """After ``setup_people`` (the API is up; officer.dubois exists)."""
        try:
            from websockets.sync.client import connect
        except ImportError:  # dev requirement; the demo still runs without the live part
            self.error = "websockets is not installed"
            return self
        from local.live import timed_waits_hang

        if timed_waits_hang():
            self.error = "not under faketime: a WebSocket client's timed wait never ends there"
            return self
        rt = self.rt
        rt.start_live()
        for user, _ in OFFICERS[1:]:
            rt.identity.add_user(user, "patrol", zones=self.zone_of[user], unit=f"PZ-{self.zone_of[user]}")
        status, self.device = call_api(
            rt.gateway.url, rt.identity.login(OFFICERS[0][0]), "POST", "/devices",
            {"platform": "fcm", "token": "fcm-demo-phone-0001"},
        )  # fmt: skip
        if status != 201:
            self.error = f"device registration refused ({status}): {self.device}"
        for user, _ in OFFICERS:
            ws = connect(f"{rt.live.url}/?token={rt.identity.login(user)}", open_timeout=30)
            thread = threading.Thread(target=self._listen, args=(user, ws), daemon=True, name=f"live-{user}")
            thread.start()
            self._threads.append(thread)
        return self

    def _listen(self, user: str, ws) -> None:
        with ws:
            while not self._stop.is_set():
                try:
                    message = json.loads(ws.recv(timeout=0.5))
                except TimeoutError:
                    continue
                except Exception as exc:  # noqa: BLE001 (a closed socket ends this officer's watch)
                    self.error = self.error or f"{user}: {exc}"
                    return
                message["received_at"] = time.time()
                self.received[user].append(message)

    def stop(self, settle_s: float = 2.0) -> dict:
        if not self._threads:
            return {"error": self.error, "received": {}}
        time.sleep(settle_s)  # the last alerts' fan-out
        self._stop.set()
        for thread in self._threads:
            thread.join(timeout=5)
        alerts = {
            user: {m["alert"]["alert_id"]: m["alert"] for m in msgs if m.get("type") == "alert"}
            for user, msgs in self.received.items()
        }
        a, b, other = (user for user, _ in OFFICERS)
        pushes = self.rt.live.pushes() if getattr(self.rt, "live", None) else []
        plates = {alert.get("plate") for got in alerts.values() for alert in got.values()} - {None}
        return {
            "error": self.error,
            "zone": self.zone_of[a],
            "other_zone": self.zone_of[other],
            "received": {user: len(got) for user, got in alerts.items()},
            "same_alerts_in_zone": set(alerts[a]) == set(alerts[b]),
            # the other zone's officer: only alerts shown in its zone or national ones
            "other_zone_only_its_own": all(
                alert.get("national")
                or self.zone_of[other] in (alert.get("zones_seen") or [alert.get("zone")])
                for alert in alerts[other].values()
            ),
            "pushes": len(pushes),
            "pushes_without_plate": not any(p and p in json.dumps(pushes) for p in plates),
        }


def report(say, live: dict) -> None:
    if live.get("error") and not live.get("received"):
        say(f"\nlive channel: not shown ({live['error']})")
        return
    r = live["received"]
    (a, na), (b, nb), (o, no) = r.items()
    say(
        f"\nlive channel (WebSocket): {a} {na} and {b} {nb} alerts of zone {live['zone']} "
        f"(the same ones: {'yes' if live['same_alerts_in_zone'] else 'NO'}); {o} of {live['other_zone']} "
        f"{no} (only its zone's or national: {'yes' if live['other_zone_only_its_own'] else 'NO'}); "
        f"push sink: {live['pushes']} payloads to {a}'s phone, no plate in clear: "
        f"{'yes' if live['pushes_without_plate'] else 'NO'}"
        + (f" [{live['error']}]" if live.get("error") else "")
    )
