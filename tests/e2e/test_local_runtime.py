"""End to end on the local runtime: camera upload → S3 → SQS → ingest Lambda → DynamoDB."""

import io
import random
import time

import pytest
from anpr.ingest.snapshots import snapshot_key
from anpr.ocr.render import render_snapshot
from anpr.reads.cameras import DynamoCameraRegistry
from anpr.reads.repository import DynamoPlateReadRepository

from local.runtime import LocalRuntime
from tests.helpers import camera, jpeg, metadata

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("local-runtime")]


def _upload(rt, body, meta, cam="BRU-001"):
    capture = int(meta.get("capture-ms", time.time() * 1000))
    key = snapshot_key(cam, capture)
    rt.client("s3").put_object(Bucket=rt.name("bucket", "Snapshots"), Key=key, Body=body, Metadata=meta)
    return key


def _quarantined(rt) -> list[str]:
    objs = rt.client("s3").list_objects_v2(Bucket=rt.name("bucket", "Quarantine")).get("Contents", [])
    return sorted(o["Key"].split("/")[0] for o in objs if o["Key"].endswith(".reason.json"))


@pytest.fixture(scope="module")
def runtime(tmp_path_factory):
    rt = LocalRuntime(workdir=tmp_path_factory.mktemp("rt"), retry_delay_s=1)
    rt.start()
    DynamoCameraRegistry(rt.name("table", "Cameras"), "eu-west-1").put_many([camera("BRU-001")])
    rt.warm_up()
    rt.run_event_sources()
    yield rt
    rt.stop()


def test_upload_becomes_a_stored_read_and_bad_input_is_quarantined(runtime):
    # GIVEN a running local platform with one registered camera
    now = int(time.time() * 1000)
    # WHEN a camera uploads a good snapshot and a broken one
    image, _ = render_snapshot("1XYZ987", "BE", random.Random(5))
    buf = io.BytesIO()
    image.save(buf, format="JPEG", quality=90)
    key = _upload(runtime, buf.getvalue(), metadata(capture_ms=now - 2000, plate=None))
    _upload(runtime, b"not a jpeg", metadata(capture_ms=now - 1000))
    assert runtime.wait_idle(timeout_s=60)
    # THEN the good one is a plate read (by the TFLite engine) with its crop, the bad one is
    # quarantined with its reason
    repo = DynamoPlateReadRepository(runtime.name("table", "Reads"), "eu-west-1")
    reads = list(repo.by_camera("BRU-001", now - 60_000, now))
    assert [r.snapshot_key for r in reads] == [key]
    assert reads[0].plate == "1XYZ987" and reads[0].engine == "tflite" and reads[0].source == "ocr"
    crop = runtime.client("s3").head_object(Bucket=runtime.name("bucket", "Snapshots"), Key=reads[0].crop_key)
    assert crop["ContentType"] == "image/jpeg"
    assert _quarantined(runtime) == ["not_an_image"]
    assert runtime.queue_depth("IngestDlq") == 0


def test_infrastructure_failure_is_retried_then_dead_lettered(tmp_path):
    # GIVEN a platform whose reads table has gone (an infrastructure fault, not bad input)
    with LocalRuntime(workdir=tmp_path, retry_delay_s=1, prefix="anpr-dlq") as rt:
        DynamoCameraRegistry(rt.name("table", "Cameras"), "eu-west-1").put_many([camera("BRU-001")])
        rt.client("dynamodb").delete_table(TableName=rt.name("table", "Reads"))
        rt.run_event_sources()
        # WHEN a good snapshot arrives
        _upload(rt, jpeg(), metadata(capture_ms=int(time.time() * 1000) - 1000))
        # THEN after maxReceiveCount (3) failed tries the message sits in the DLQ, not quarantine
        deadline = time.monotonic() + 60
        while rt.queue_depth("IngestDlq") == 0 and time.monotonic() < deadline:
            time.sleep(0.5)
        assert rt.queue_depth("IngestDlq") == 1
        assert rt.pollers[0].failed_records >= 3
        assert _quarantined(rt) == []


def _wait_for_read(rt, key: str, since_ms: int, timeout_s: float = 60) -> bool:
    repo = DynamoPlateReadRepository(rt.name("table", "Reads"), "eu-west-1")
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if any(
            r.snapshot_key == key for r in repo.by_camera("BRU-001", since_ms - 60_000, since_ms + 60_000)
        ):
            return True
        time.sleep(0.3)
    return False


def test_a_killed_worker_does_not_stop_ingest(tmp_path):
    import os
    import signal

    # GIVEN a running platform whose ingest workers are warm (its own cloud: moto is per process)
    with LocalRuntime(workdir=tmp_path, retry_delay_s=1, prefix="anpr-kill") as runtime:
        DynamoCameraRegistry(runtime.name("table", "Cameras"), "eu-west-1").put_many([camera("BRU-001")])
        host = runtime.hosts["Ingest"]
        runtime.warm_up("Ingest")
        runtime.run_event_sources()
        pids = host.pids()
        assert pids
        # WHEN one ingest worker is killed with SIGKILL
        os.kill(pids[0], signal.SIGKILL)
        time.sleep(1.0)
        now = int(time.time() * 1000)
        key = _upload(runtime, jpeg(), metadata(capture_ms=now - 1000))
        # THEN the event source is still running, new workers replace the pool, the snapshot is read
        assert _wait_for_read(runtime, key, now)
        assert all(p.is_alive() for p in runtime.pollers)
        assert host.restarts >= 1 and pids[0] not in host.pids()
        assert runtime.queue_depth("IngestDlq") == 0


def _children(pid: int) -> set[int]:
    """Every descendant process of ``pid`` (from /proc)."""
    import os

    parents: dict[int, int] = {}
    for d in os.listdir("/proc"):
        if d.isdigit():
            try:
                with open(f"/proc/{d}/stat") as f:
                    parents[int(d)] = int(f.read().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
    found, frontier = set(), {pid}
    while frontier:
        frontier = {c for c, p in parents.items() if p in frontier} - found
        found |= frontier
    return found


def _alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def _serve(tmp_path, *args):
    import subprocess
    import sys

    from local.runtime import _free_port

    ports = [str(_free_port()) for _ in range(3)]
    cmd = [sys.executable, "-m", "local.serve", "--port", ports[0], "--api-port", ports[1]]
    cmd += ["--web-port", ports[2], "--workdir", str(tmp_path), *args]
    return subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True), ports


def test_make_local_stops_every_worker_on_sigterm(tmp_path):
    import signal
    import subprocess

    # GIVEN `make local` (empty platform) running with its function workers
    proc, _ = _serve(tmp_path, "--empty")
    lines = []
    for line in proc.stdout:
        lines.append(line)
        if line.startswith("running;"):
            break
    assert any(line.startswith("export PATROL_TOKEN=") for line in lines), "".join(lines)
    assert any("try first" in line for line in lines)
    workers = _children(proc.pid)
    assert len(workers) >= 2
    # WHEN it receives SIGTERM
    proc.send_signal(signal.SIGTERM)
    try:
        rest = proc.communicate(timeout=60)[0]
    except subprocess.TimeoutExpired:
        proc.kill()
        raise
    # THEN it stops cleanly and leaves no worker behind
    assert proc.returncode == 0 and "stopped" in rest
    deadline = time.monotonic() + 10
    while any(_alive(p) for p in workers) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert not [p for p in workers if _alive(p)]


def test_make_local_on_a_taken_port_says_so_and_exits(tmp_path):
    import socket

    # GIVEN something already listening on the port make local wants
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        proc, _ = _serve(tmp_path, "--empty", "--port", str(port))
        # WHEN make local starts THEN it exits at once with the reason and the way out
        out = proc.communicate(timeout=60)[0]
    assert proc.returncode == 2
    assert f"port {port}" in out and "already in use" in out and "PORT=" in out
