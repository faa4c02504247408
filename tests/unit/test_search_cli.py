"""The investigator CLI against a fake API: submit, poll, print, write the files."""

import argparse
import contextlib
import io
import json
import urllib.error

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


API = ("--api", "http://x", "--token", "t")


def trajectory_args(*extra):
    return parse(
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
            "--poll-s",
            "0",
            *extra,
        ]
    )


def test_trajectory_submits_polls_prints_and_writes(tmp_path):
    args = trajectory_args(*API, "--out", str(tmp_path))
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
            *API,
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
            *API,
        ]
    )
    req = search_cli.build_request(args)
    assert req["params"]["min_cameras"] == 4 and req["prosecutor_ref"] == "PG-1"
    json.dumps(req)


class HttpOpener:
    """urlopen stand-in: answers each request with the next (status, body) or raises."""

    def __init__(self, *answers):
        self.answers, self.requests = list(answers), []

    def __call__(self, req, timeout=None):
        self.requests.append(req)
        answer = self.answers.pop(0)
        if isinstance(answer, Exception):
            raise answer
        status, body = answer
        if status >= 400:
            raise urllib.error.HTTPError(req.full_url, status, "x", {}, io.BytesIO(json.dumps(body).encode()))
        return contextlib.closing(io.BytesIO(json.dumps(body).encode()))


def test_the_apis_error_message_is_printed_on_one_line_and_the_exit_is_non_zero():
    # GIVEN the API refuses the search with its reason
    refusal = {
        "error": "invalid request: params: Value error, a search covers at most 400 days",
        "details": [{"field": "params", "error": "Value error, a search covers at most 400 days"}],
    }
    client = search_cli.SearchClient("http://api", "t", opener=HttpOpener((400, refusal)))
    out, err = io.StringIO(), io.StringIO()
    # WHEN the CLI runs THEN exit 1 and one line with the API's words, ending in a newline
    assert search_cli.run(trajectory_args(), client=client, out=out, err=err) == 1
    assert err.getvalue() == "error: a search covers at most 400 days (HTTP 400)\n"


def test_a_plain_domain_error_is_shown_as_the_api_said_it():
    client = search_cli.SearchClient(
        "http://api", "t", opener=HttpOpener((403, {"error": "reads older than 30 days need a prosecutor"}))
    )
    err = io.StringIO()
    assert search_cli.run(trajectory_args(), client=client, out=io.StringIO(), err=err) == 1
    assert err.getvalue() == "error: reads older than 30 days need a prosecutor (HTTP 403)\n"


def test_an_unreachable_api_or_no_token_is_one_line_not_a_traceback(monkeypatch):
    client = search_cli.SearchClient(
        "http://127.0.0.1:9", "t", opener=HttpOpener(urllib.error.URLError("Connection refused"))
    )
    err = io.StringIO()
    assert search_cli.run(trajectory_args(), client=client, out=io.StringIO(), err=err) == 1
    assert err.getvalue() == "error: cannot reach the API at http://127.0.0.1:9: Connection refused\n"
    # AND without a token (no --token, no ANPR_TOKEN)
    monkeypatch.delenv("ANPR_TOKEN", raising=False)
    err = io.StringIO()
    assert search_cli.run(trajectory_args("--api", "http://api"), out=io.StringIO(), err=err) == 1
    assert err.getvalue().startswith("error: no token") and err.getvalue().count("\n") == 1


def test_a_long_search_updates_one_progress_line():
    # GIVEN a search that needs 300 polls
    class SlowApi(FakeApi):
        def call(self, method, path, body=None):
            if path == "/searches/j1":
                self.polls += 1
                done = min(self.polls, 300)
                return {
                    "status": "RUNNING" if self.polls < 300 else "FAILED",
                    "error": "States.Timeout: too slow",
                    "progress": {"partitions_done": done, "partitions_total": 300, "percent": done / 3},
                }
            return super().call(method, path, body)

    out, err = io.StringIO(), io.StringIO()
    code = search_cli.run(trajectory_args("--api", "x", "--token", "t"), client=SlowApi(), out=out, err=err)
    # THEN the progress is one line rewritten in place, and the failure a one-line reason
    lines = out.getvalue().split("\n")
    assert code == 1 and len(lines) <= 3 and lines[-2].count("\r") == 300
    assert "300/300 partitions" in lines[-2]
    assert err.getvalue() == "error: search j1 FAILED: States.Timeout: too slow\n"


def test_search_list_prints_my_jobs():
    class ListApi:
        def call(self, method, path, body=None):
            assert (method, path) == ("GET", "/searches?days=30&limit=50")
            job = {
                "job_id": "j1",
                "type": "partial",
                "status": "SUCCEEDED",
                "submitted_ms": 1_795_000_000_000,
            }
            return {"items": [{**job, "owner": "ivan", "case_ref": "PV-1", "result_count": 3}], "days": 30}

    out = io.StringIO()
    assert search_cli.run_list(parse(["search", "list", "--api", "x", "--token", "t"]), ListApi(), out) == 0
    text = out.getvalue()
    assert "1 of your searches" in text and "j1" in text and "PV-1" in text
