"""The results page's plate crops on moto: crop keys read from the Reads table by key (one
BatchGetItem per 100 reads), presigned links to the Snapshots bucket, one audit record per page."""

from urllib.parse import urlparse

import boto3
import pytest
from anpr.reads.repository import DynamoPlateReadRepository
from anpr.search import synthetic as syn
from anpr.search.crops import DynamoCropKeys

from local.resources import REGION
from tests.builders.search import plate_read
from tests.helpers import NOW_MS, claims
from tests.integration.test_search_api import on_job, run_workflow, search_handlers, submit

HOUR = 3_600_000
IVAN = claims("ivan", "investigator")


def with_crop(s):
    return plate_read(s).model_copy(update={"crop_key": f"crops/{s.camera_id}/{s.capture_ms}_plate0.jpg"})


@pytest.fixture
def search(aws, function_env):
    api, task, cams = search_handlers(aws, function_env)
    drive = syn.drive("1ABC234", cams, NOW_MS - 3 * HOUR, 60_000)
    reads = DynamoPlateReadRepository(aws.name("table", "Reads"), REGION)
    # four of the five reads have the crop ingest cut; the last has none (a camera-made read)
    reads.put_many([*(with_crop(s) for s in drive[:4]), plate_read(drive[4])])
    yield api, task, aws, drive


def test_a_results_page_links_each_rows_stored_crop_in_the_snapshots_bucket(search):
    api, task, aws, drive = search
    # GIVEN a finished trajectory search
    _, job, _ = submit(api)
    run_workflow(task, aws, job["job_id"])
    # WHEN the investigator views its results
    status, page, _ = on_job(api, job, "/results")
    # THEN each row with a stored crop links it in the Snapshots bucket, the last row has none
    assert status == 200 and [i["read_id"] for i in page["items"]] == [s.read_id for s in drive]
    bucket = aws.name("bucket", "Snapshots")
    for item, s in zip(page["items"][:4], drive[:4], strict=True):
        assert item["crop_read_id"] == s.read_id
        url = urlparse(item["crop_url"])
        assert bucket in item["crop_url"] and url.path.endswith(
            f"crops/{s.camera_id}/{s.capture_ms}_plate0.jpg"
        )
        assert "Expires=" in url.query
    assert page["items"][4]["crop_url"] is None and page["crop_expires_s"] == 300
    # AND the page is one audit record naming the four reads whose crops it showed
    trail = api.function.services().audit
    [viewed] = [r.event for r in trail.records() if r.event.action == "search.results_viewed"]
    assert viewed.detail["crops"] == sorted(s.read_id for s in drive[:4]) and viewed.plates == ["1ABC234"]


def test_crop_keys_of_more_than_one_batch_and_of_unknown_reads(aws):
    # GIVEN 230 stored reads with crops
    cams = syn.cameras_on_a_line(5)
    drive = [syn.sighting("1XYZ999", cams[i % 5], NOW_MS - HOUR + i * 1_000) for i in range(230)]
    DynamoPlateReadRepository(aws.name("table", "Reads"), REGION).put_many(with_crop(s) for s in drive)
    keys = DynamoCropKeys(aws.name("table", "Reads"), boto3.client("dynamodb", region_name=REGION))
    # WHEN their crop keys and one read that is not stored are asked
    ghost = syn.sighting("1XYZ999", cams[0], NOW_MS - 2 * HOUR)
    out = keys.crop_keys([*drive, ghost])
    # THEN every stored read's key comes back (three batches), the unknown read has none
    assert len(out) == 230 and ghost.read_id not in out
    assert out[drive[7].read_id] == f"crops/{drive[7].camera_id}/{drive[7].capture_ms}_plate0.jpg"
