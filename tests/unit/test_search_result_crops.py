"""The results page's plate crops, tracks and a convoy's target (anpr.search.service), on fakes."""

import pytest
from anpr.kernel.auth import Caller
from anpr.kernel.errors import NotFound
from anpr.search import synthetic as syn
from anpr.search.merge import merge
from anpr.search.models import JobStatus, SubmitRequest
from anpr.search.results import put_result

from tests.fakes.search import in_memory_search_service
from tests.fakes.search_crops import InMemoryCropKeys, memory_links
from tests.helpers import NOW_MS, camera

HOUR = 3_600_000
IVAN = Caller("sub-ivan", "ivan", frozenset({"investigator"}))
OLGA = Caller("sub-olga", "olga", frozenset({"investigator"}))
CAMS = [camera(c, lat=50.80 + i * 0.01) for i, c in enumerate("ABCD")]
TARGET, PARTNER = "1ABC234", "2DEF567"


def service(crop_keys):
    return in_memory_search_service(NOW_MS, snapshot_url=memory_links, crop_keys=crop_keys)


def finished(svc, search_type, params, sightings):
    """A submitted job whose merged result (the real merge) is stored and SUCCEEDED."""
    body = {"type": search_type, "params": params, "case_ref": "PV-1", "reason": "burglary series"}
    job = svc.submit(IVAN, SubmitRequest.model_validate(body))
    job = svc.jobs.start(job.job_id, NOW_MS)
    result = merge(job.parsed(), sightings, job.provenance(NOW_MS))
    put_result(svc.store, result)
    svc.jobs.finish(job.job_id, JobStatus.SUCCEEDED, NOW_MS, len(result.items))
    return job.job_id, result


def trajectory(svc):
    sightings = syn.drive(TARGET, CAMS, NOW_MS - 2 * HOUR, 60_000)
    params = {"plate": TARGET, "start_ms": NOW_MS - 3 * HOUR, "end_ms": NOW_MS}
    job_id, _ = finished(svc, "trajectory", params, sightings)
    return job_id, sightings


def test_each_trajectory_row_links_its_own_crop_and_the_page_is_one_audited_view():
    # GIVEN a trajectory of four reads, three of which have a stored crop
    crops = InMemoryCropKeys()
    svc = service(crops)
    job_id, reads = trajectory(svc)
    crops.keys = {r.read_id: f"crops/{r.read_id}_plate0.jpg" for r in reads[:3]}
    # WHEN the investigator views the first page of two rows
    page = svc.results(IVAN, job_id, page=1, page_size=2)
    # THEN each row links its own read's crop, presigned
    assert [(i["crop_read_id"], i["crop_url"]) for i in page["items"]] == [
        (r.read_id, f"memory://snapshots/crops/{r.read_id}_plate0.jpg?X-Amz-Expires=300") for r in reads[:2]
    ]
    assert page["crop_expires_s"] == 300
    # AND only the page's reads were looked up (never a read of another page)
    assert crops.asked == [[r.read_id for r in reads[:2]]]
    # AND the view is one audit record naming the plate and the two reads whose crops it linked
    [viewed] = [e for e in svc.audit.events if e.action == "search.results_viewed"]
    assert viewed.plates == [TARGET] and viewed.detail["crops"] == sorted(r.read_id for r in reads[:2])
    # WHEN the last page is viewed THEN a read without a stored crop has none, and is not listed
    last = svc.results(IVAN, job_id, page=2, page_size=2)
    assert [i["crop_url"] is not None for i in last["items"]] == [True, False]
    assert svc.audit.events[-1].detail["crops"] == [reads[2].read_id]


def test_no_crop_port_no_crops_and_nothing_claimed_in_the_audit():
    svc = service(None)
    job_id, _ = trajectory(svc)
    page = svc.results(IVAN, job_id)
    assert all(i["crop_url"] is None for i in page["items"]) and page["crop_expires_s"] is None
    assert svc.audit.events[-1].detail["crops"] == []


def test_another_investigators_job_shows_no_crop_and_asks_for_none():
    # GIVEN Ivan's finished search WHEN a colleague asks for its results THEN 404 and no crop looked up
    crops = InMemoryCropKeys()
    svc = service(crops)
    job_id, reads = trajectory(svc)
    crops.keys = {r.read_id: f"crops/{r.read_id}.jpg" for r in reads}
    with pytest.raises(NotFound):
        svc.results(OLGA, job_id)
    assert crops.asked == []


def convoy_sightings():
    """The target at four cameras, the partner 8 s behind at each (in the target's windows)."""
    target = [s.tagged("target") for s in syn.drive(TARGET, CAMS, NOW_MS - 2 * HOUR, 90_000)]
    partner = [
        syn.sighting(PARTNER, CAMS[i], t.capture_ms + 8_000, confidence=0.7 + 0.05 * i).tagged(
            f"w:{t.read_id}"
        )
        for i, t in enumerate(target)
    ]
    return target, partner


def test_a_convoy_page_carries_the_targets_trajectory_and_each_partners_track_and_best_crop():
    # GIVEN a convoy search whose partner was read four times, its last read the most confident
    crops = InMemoryCropKeys()
    svc = service(crops)
    target, partner = convoy_sightings()
    params = {
        "plate": TARGET,
        "start_ms": NOW_MS - 3 * HOUR,
        "end_ms": NOW_MS,
        "min_cameras": 3,
        "control_days": 0,
    }
    job_id, _ = finished(svc, "convoy", params, target + partner)
    crops.keys = {s.read_id: f"crops/{s.read_id}.jpg" for s in target + partner}
    # WHEN the investigator views the results
    page = svc.results(IVAN, job_id)
    # THEN the target's own sightings come in time order, apart from the partners
    assert [t["read_id"] for t in page["target"]] == [t.read_id for t in target]
    assert {t["plate"] for t in page["target"]} == {TARGET}
    # AND the partner row has its own track (its reads, not the target's) and its best read's crop
    [row] = page["items"]
    assert row["plate"] == PARTNER and [p["read_id"] for p in row["track"]] == [p.read_id for p in partner]
    assert row["crop_read_id"] == partner[-1].read_id
    # AND the view is audited with both plates (the target is shown too)
    viewed = svc.audit.events[-1]
    assert viewed.plates == sorted([TARGET, PARTNER]) and viewed.detail["target_sightings"] == 4
    assert viewed.detail["crops"] == [partner[-1].read_id]


def test_a_place_search_row_has_its_vehicles_track_and_no_target():
    svc = service(InMemoryCropKeys())
    reads = syn.drive(PARTNER, CAMS[:1], NOW_MS - HOUR, 60_000) + syn.drive(
        TARGET, CAMS[:1], NOW_MS - HOUR, 60_000
    )
    params = {"cameras": ["A"], "start_ms": NOW_MS - 2 * HOUR, "end_ms": NOW_MS}
    job_id, _ = finished(svc, "place", params, reads)
    page = svc.results(IVAN, job_id)
    assert "target" not in page
    assert {i["plate"]: len(i["track"]) for i in page["items"]} == {PARTNER: 1, TARGET: 1}
