"""Per-camera upload→read latency (anpr.networks.latency) and how the health route shows it."""

import pytest
from anpr.networks import latency
from anpr.networks.service import HealthService
from anpr.networks.silence import CameraActivity, SilenceRule

from tests.fakes.networks import InMemoryNetworkStore
from tests.fakes.reads import InMemoryCameraRegistry
from tests.helpers import NOW_MS, camera


def histogram(*latencies_ms: float) -> tuple[int, ...]:
    counts = [0] * latency.BUCKETS
    for ms in latencies_ms:
        counts[latency.bucket_of(ms)] += 1
    return tuple(counts)


@pytest.mark.parametrize(
    ("ms", "bucket"), [(0, 0), (250, 0), (251, 1), (2_000, 3), (2_001, 4), (300_000, 8), (300_001, 9)]
)
def test_a_latency_falls_in_the_bucket_whose_bound_holds_it(ms, bucket):
    assert latency.bucket_of(ms) == bucket


def test_percentiles_are_the_bounds_of_their_buckets_and_the_state_follows_the_goal():
    # GIVEN 20 reads: 18 within a second, one of 4 s, one of 8 min
    counts = histogram(*[800] * 18, 4_000, 480_000)
    # THEN p50 ≤ 1 s; p95 falls in the 5 s bucket: above the 2 s goal, below "late" (10 s)
    assert latency.summary(counts) == {"n": 20, "p50_ms": 1_000, "p95_ms": 5_000, "state": "slow"}
    # AND with the goal met, ok; with p95 beyond the last bound, late and open-ended
    assert latency.summary(histogram(*[300] * 20))["state"] == "ok"
    assert latency.summary(histogram(*[400_000] * 3)) == {
        "n": 3,
        "p50_ms": None,
        "p95_ms": None,
        "state": "late",
    }
    # AND no sample, no figure
    assert latency.summary((0,) * latency.BUCKETS) is None


def test_only_this_hour_and_the_one_before_count():
    # GIVEN a stored item whose slot 0 holds this hour and slot 1 an hour three hours ago
    hour = latency.hour_of(NOW_MS)
    item = {
        f"lh{hour % 2}": hour,
        f"lc{hour % 2}_2": 4,
        f"lh{(hour + 1) % 2}": hour - 3,
        f"lc{(hour + 1) % 2}_7": 9,
    }
    # THEN only this hour's counts are recent
    assert latency.recent(item, NOW_MS)[2] == 4 and sum(latency.recent(item, NOW_MS)) == 4
    # AND an hour later this hour is "the one before" and still counts; two hours later, nothing
    assert sum(latency.recent(item, NOW_MS + latency.HOUR_MS)) == 4
    assert sum(latency.recent(item, NOW_MS + 2 * latency.HOUR_MS)) == 0


class Activities:
    def __init__(self, *activities):
        self.items = activities

    def profiles(self, now_ms, weeks):
        return self.items


def test_the_health_route_gives_each_cameras_and_networks_latency_against_the_goal():
    from anpr.networks.models import Network

    # GIVEN two cameras of one network, one fast, one slow, and a camera with no latency known
    cams = InMemoryCameraRegistry(
        [camera("A", network="net-a"), camera("B", network="net-a"), camera("C", network="net-a")]
    )
    networks = InMemoryNetworkStore()
    networks.put(
        Network(
            network_id="net-a",
            name="A",
            kind="city",
            contact="ops@a.example",
            zones=["GNT-5415"],
            created_ms=NOW_MS,
        )
    )
    week = (1,) * 168
    fast = CameraActivity("A", "net-a", NOW_MS - 60_000, week, 4, histogram(*[400] * 19, 900))
    slow = CameraActivity("B", "net-a", NOW_MS - 60_000, week, 4, histogram(*[15_000] * 10))
    unknown = CameraActivity("C", "net-a", NOW_MS - 60_000, week, 4)
    svc = HealthService(cams, networks, Activities(fast, slow, unknown), SilenceRule(), lambda: NOW_MS)
    # WHEN ops ask for the health
    out = svc.health()
    # THEN each camera has p50/p95 and a state against the 2 s goal; the unknown one has none
    by_cam = {c["camera_id"]: c["latency"] for c in out["cameras"]}
    assert by_cam["A"] == {"n": 20, "p50_ms": 500, "p95_ms": 500, "state": "ok"}
    assert by_cam["B"] == {"n": 10, "p50_ms": 30_000, "p95_ms": 30_000, "state": "late"}
    assert by_cam["C"] is None
    # AND the network's figure sums its cameras' histograms (a third of its reads are slow)
    [net] = out["networks"]
    assert net["latency"] == {"n": 30, "p50_ms": 500, "p95_ms": 30_000, "state": "late"}
    assert out["latency_goal"]["p95_ms"] == latency.GOAL_P95_MS
