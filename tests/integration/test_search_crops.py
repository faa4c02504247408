"""Plate crops for the HTML export, cut from the snapshot in (moto) S3 by the read's box."""

import io

import boto3
from anpr.reads.repository import DynamoPlateReadRepository
from anpr.search import synthetic as syn
from anpr.search.crops import SnapshotCrops
from anpr.search.models import Sighting
from PIL import Image

from local.resources import REGION
from tests.builders.search import plate_read
from tests.helpers import NOW_MS


def test_crops_are_cut_from_the_snapshot_by_the_reads_box(aws):
    # GIVEN a read whose 1280×720 snapshot has a white plate box at (600, 400)-(720, 430)
    bucket = aws.name("bucket", "Snapshots")
    cams = syn.cameras_on_a_line(1)
    sighting = syn.sighting("1ABC234", cams[0], NOW_MS - 60_000)
    read = plate_read(sighting).model_copy(update={"snapshot_bucket": bucket, "bbox": (600, 400, 720, 430)})
    DynamoPlateReadRepository(aws.name("table", "Reads"), REGION).put_many([read])
    snapshot = Image.new("RGB", (1280, 720), (20, 20, 20))
    snapshot.paste((255, 255, 255), (600, 400, 720, 430))
    buf = io.BytesIO()
    snapshot.save(buf, format="JPEG")
    s3 = boto3.client("s3", region_name=REGION)
    s3.put_object(Bucket=bucket, Key=sighting.snapshot_key, Body=buf.getvalue())
    # AND a second read whose snapshot is gone
    gone = syn.sighting("2XYZ987", cams[0], NOW_MS - 30_000)
    DynamoPlateReadRepository(aws.name("table", "Reads"), REGION).put_many(
        [plate_read(gone).model_copy(update={"snapshot_bucket": bucket})]
    )
    crops = SnapshotCrops(aws.name("table", "Reads"), boto3.client("dynamodb", region_name=REGION), s3)
    # WHEN cropped
    out = crops.crops([Sighting.model_validate(sighting.model_dump()), gone])
    # THEN the first read has a 48-px-high JPEG, mostly the white plate; the second none
    assert set(out) == {sighting.read_id}
    img = Image.open(io.BytesIO(out[sighting.read_id]))
    assert img.format == "JPEG" and img.height == 48 and img.width > 150
    centre = img.convert("L").getpixel((img.width // 2, img.height // 2))
    assert centre > 200
