"""The investigator CLI against a fake API: submit, poll, print, write the files."""

import argparse
import io
import json

from anpr.search import cli as search_cli


class FakeApi:
    def __init__(self):
        self.calls = []
        self.polls = 0

    def call(self, method, path, body=None):
        self.calls.append((method, path, body))
        if method == "POST":
            return {"job_id": "j1", "type": body["type"], "case_ref": body["case_ref"], "status": "QUEUED"}
        if path == "/searches/j1":
            self.polls += 1
            status = "RUNNING" if self.polls < 2 else "SUCCEEDED"
            return {
                "status": status,
                "progress": {
                    "partitions_done": self.polls,
                    "partitions_total": 2,
                    "percent": 50.0 * self.polls,
                },
            }
        if "format=" in path:
            fmt = path.rsplit("=", 1)[1]
            return {"filename": f"search-j1.{fmt}", "url": f"memory://{fmt}"}
        return {
            "total": 1,
            "summary": {},
            "items": [
                {
                    "read_id": "r1",
                    "plate": "1ABC234",
                    "capture_ms": 1_795_000_000_000,
                    "camera_id": "CAM-1",
                    "zone": "BRU",
                    "confidence": 0.6,
                    "alternatives": ["1A8C234"],
                    "match": "exact",
                }
            ],
        }

    def fetch(self, url):
        return url.encode()


def parse(argv):
    parser = argparse.ArgumentParser()
    search_cli.register(parser.add_subparsers(dest="command"))
    return parser.parse_args(argv)


def test_trajectory_submits_polls_prints_and_writes(tmp_path):
    args = parse(
        [
            "search",
            "trajectory",
            "1ABC234",
            "--from",
            "2026-11-17T00:00Z",
            "--to",
            "2026-11-18T00:00Z",
            "--case",
            "PV-1",
            "--reason",
            "burglary series",
            "--api",
            "http://x",
            "--token",
            "t",
            "--out",
            str(tmp_path),
            "--poll-s",
            "0",
        ]
    )
    api, out = FakeApi(), io.StringIO()
    assert search_cli.run(args, client=api, out=out) == 0
    method, path, body = api.calls[0]
    assert (method, path, body["type"], body["params"]["plate"]) == (
        "POST",
        "/searches",
        "trajectory",
        "1ABC234",
    )
    assert body["params"]["start_ms"] == 1_794_873_600_000  # 2026-11-17T00:00Z
    text = out.getvalue()
    assert "CAM-1" in text and "1A8C234" in text and "SUCCEEDED" in text
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        f"search-j1.{f}" for f in sorted(search_cli.FORMATS)
    ]


def test_ab_and_convoy_requests():
    args = parse(
        [
            "search",
            "ab",
            "--a-cameras",
            "C1,C2",
            "--a-from",
            "1795000000000",
            "--a-to",
            "1795000600000",
            "--b-circle",
            "50.8,4.3,500",
            "--b-from",
            "1795003600000",
            "--b-to",
            "1795004200000",
            "--case",
            "PV-1",
            "--reason",
            "robbery getaway car",
            "--api",
            "http://x",
            "--token",
            "t",
        ]
    )
    req = search_cli.build_request(args)
    assert req["params"]["a"]["cameras"] == ["C1", "C2"] and req["params"]["b"]["circle"]["radius_m"] == 500
    args = parse(
        [
            "search",
            "convoy",
            "1ABC234",
            "--from",
            "1795000000000",
            "--to",
            "1795090000000",
            "--min-cameras",
            "4",
            "--case",
            "PV-1",
            "--reason",
            "robbery getaway car",
            "--prosecutor-ref",
            "PG-1",
            "--api",
            "http://x",
            "--token",
            "t",
        ]
    )
    req = search_cli.build_request(args)
    assert req["params"]["min_cameras"] == 4 and req["prosecutor_ref"] == "PG-1"
    json.dumps(req)
