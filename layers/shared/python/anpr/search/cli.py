"""``anpr search trajectory|partial|place|ab|convoy ...``: submit a search job, follow it, print
a table and write the result files.

    anpr search trajectory 1ABC234 --from 2026-11-01T00:00Z --to 2026-11-18T00:00Z \\
        --case PV-BRU-2026-001 --reason "burglary series" --api URL --token T [--out DIR]

Every search needs ``--case`` and ``--reason``; reads older than the administrative window
also need ``--prosecutor-ref`` (the API answers 403 with the reason otherwise).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
import urllib.error
import urllib.request
from datetime import UTC, datetime
from pathlib import Path

from anpr.kernel.http_cli import ApiClient, CliError, api_message  # noqa: F401  (re-exported)

FORMATS = ("csv", "geojson", "kml", "html", "png")


class SearchClient(ApiClient):
    def fetch(self, url: str) -> bytes:
        try:
            with self.opener(urllib.request.Request(url), timeout=60) as resp:  # presigned link
                return resp.read()
        except (urllib.error.URLError, OSError) as exc:
            raise CliError(f"download failed: {getattr(exc, 'reason', exc)}") from None


def _ms(text: str) -> int:
    if text.isdigit():
        return int(text)
    dt = datetime.fromisoformat(text)
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=UTC)
    return int(dt.timestamp() * 1000)


def _place(cameras: str | None, circle: str | None, polygon: str | None, start: str, end: str) -> dict:
    p: dict = {"start_ms": _ms(start), "end_ms": _ms(end)}
    if cameras:
        p["cameras"] = [c for c in cameras.split(",") if c]
    if circle:
        lat, lon, radius = (float(x) for x in circle.split(","))
        p["circle"] = {"lat": lat, "lon": lon, "radius_m": radius}
    if polygon:
        nums = [float(x) for x in polygon.replace(";", ",").split(",")]
        p["polygon"] = [[nums[i], nums[i + 1]] for i in range(0, len(nums), 2)]
    return p


def build_request(args: argparse.Namespace) -> dict:
    kind = args.search
    if kind == "trajectory":
        params = {
            "plate": args.plate,
            "start_ms": _ms(args.start),
            "end_ms": _ms(args.end),
            "include_lookalikes": args.lookalikes,
        }
    elif kind == "partial":
        params = {
            "pattern": args.pattern,
            "start_ms": _ms(args.start),
            "end_ms": _ms(args.end),
            "cameras": [c for c in (args.cameras or "").split(",") if c],
            "zones": [z for z in (args.zones or "").split(",") if z],
        }
    elif kind == "place":
        params = _place(args.cameras, args.circle, args.polygon, args.start, args.end)
    elif kind == "ab":
        params = {
            "a": _place(args.a_cameras, args.a_circle, None, args.a_from, args.a_to),
            "b": _place(args.b_cameras, args.b_circle, None, args.b_from, args.b_to),
        }
    else:
        params = {
            "plate": args.plate,
            "start_ms": _ms(args.start),
            "end_ms": _ms(args.end),
            "window_s": args.window_s,
            "min_cameras": args.min_cameras,
            "control_days": args.control_days,
        }
    return {
        "type": kind,
        "params": params,
        "case_ref": args.case,
        "reason": args.reason,
        "prosecutor_ref": args.prosecutor_ref,
    }


def connection(sp: argparse.ArgumentParser) -> None:
    sp.add_argument("--api", default=os.environ.get("ANPR_API", ""), help="API base URL (env ANPR_API)")
    sp.add_argument(
        "--token",
        default=os.environ.get("ANPR_TOKEN", ""),
        help="bearer token: Cognito id token, or a local one (env ANPR_TOKEN)",
    )


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser("search", help="retrospective searches (investigators; justified and audited)")
    kinds = p.add_subparsers(dest="search", required=True)
    ls = kinds.add_parser("list", help="my searches (supervisors: everyone's), newest first")
    ls.add_argument("--days", type=int, default=30, help="submitted in the last N days")
    ls.add_argument("--limit", type=int, default=50)
    connection(ls)
    ls.set_defaults(func=run_list)

    def common(sp: argparse.ArgumentParser, window: bool = True) -> None:
        if window:
            sp.add_argument("--from", dest="start", required=True, help="ISO time (UTC) or epoch ms")
            sp.add_argument("--to", dest="end", required=True)
        sp.add_argument("--case", required=True, help="case reference (PV / notice number)")
        sp.add_argument("--reason", required=True, help="why this search is needed (≥ 10 characters)")
        sp.add_argument(
            "--prosecutor-ref", default=None, help="prosecutor decision (reads older than 30 days)"
        )
        connection(sp)
        sp.add_argument("--out", default=".", help="folder for the result files")
        sp.add_argument(
            "--formats", default=",".join(FORMATS), help="files to write (csv,geojson,kml,html,png)"
        )
        sp.add_argument("--poll-s", type=float, default=1.0)
        sp.add_argument("--timeout-s", type=float, default=600)
        sp.add_argument("--rows", type=int, default=50, help="rows printed")
        sp.set_defaults(func=run)

    t = kinds.add_parser("trajectory", help="where was this vehicle seen")
    t.add_argument("plate")
    t.add_argument("--lookalikes", action="store_true", help="also follow plates one look-alike swap away")
    common(t)
    pp = kinds.add_parser("partial", help="plates matching a pattern (? one character, * any run)")
    pp.add_argument("pattern")
    pp.add_argument("--cameras", help="comma-separated camera ids")
    pp.add_argument("--zones", help="comma-separated police zones")
    common(pp)
    pl = kinds.add_parser("place", help="vehicles seen at cameras or in an area during a window")
    pl.add_argument("--cameras")
    pl.add_argument("--circle", help="lat,lon,radius_m")
    pl.add_argument("--polygon", help="lat,lon;lat,lon;lat,lon...")
    common(pl)
    ab = kinds.add_parser("ab", help="vehicles seen at place/window A and at place/window B")
    for side in ("a", "b"):
        ab.add_argument(f"--{side}-cameras")
        ab.add_argument(f"--{side}-circle", help="lat,lon,radius_m")
        ab.add_argument(f"--{side}-from", required=True)
        ab.add_argument(f"--{side}-to", required=True)
    common(ab, window=False)
    c = kinds.add_parser("convoy", help="vehicles travelling with this one")
    c.add_argument("plate")
    c.add_argument("--window-s", type=int, default=120, help="±Δt around each sighting")
    c.add_argument("--min-cameras", type=int, default=3, help="K distinct cameras")
    c.add_argument("--control-days", type=int, default=3, help="previous days used against commuters")
    common(c)


def run(args: argparse.Namespace, client=None, out=sys.stdout, err=sys.stderr) -> int:
    """Submit, follow on one progress line, print the table, write the files. A failure prints
    one line on ``err`` and returns 1 (no traceback)."""
    try:
        return _run(args, client or SearchClient(args.api, args.token), out)
    except (CliError, ValueError) as exc:  # ValueError: a time that is not one
        _end_progress(out)
        print(f"error: {exc}", file=err)
        return 1


def run_list(args: argparse.Namespace, client=None, out=sys.stdout, err=sys.stderr) -> int:
    try:
        client = client or SearchClient(args.api, args.token)
        page = client.call("GET", f"/searches?days={args.days}&limit={args.limit}")
    except CliError as exc:
        print(f"error: {exc}", file=err)
        return 1
    print_jobs(page, out)
    return 0


def print_jobs(page: dict, out=sys.stdout) -> None:
    items = page.get("items", [])
    whose = "all investigators'" if page.get("all_owners") else "your"
    print(f"{len(items)} of {whose} searches in the last {page.get('days', '?')} days", file=out)
    if not items:
        return
    rows = [
        (
            j["job_id"],
            j["type"],
            j["status"],
            _t(j["submitted_ms"]),
            j.get("owner", ""),
            j.get("case_ref", ""),
            str(j.get("result_count", 0)),
        )
        for j in items
    ]
    head = ("job", "type", "status", "submitted (UTC)", "owner", "case", "results")
    _table(head, rows, out)


class _Progress:
    """One line, rewritten in place (carriage return), with an estimate of the time left."""

    def __init__(self, out):
        self.out, self.started, self.width, self.active = out, time.monotonic(), 0, False

    def show(self, job: dict) -> None:
        prog = job.get("progress") or {}
        done, total = prog.get("partitions_done", 0), prog.get("partitions_total", 0)
        pct = prog.get("percent", 0.0)
        elapsed = time.monotonic() - self.started
        left = ""
        if 0 < pct < 100 and elapsed > 0:
            left = f", about {elapsed * (100 - pct) / pct:.0f} s left"
        line = f"  {job['status']:<9} {done:,}/{total:,} partitions ({pct:.0f} %){left}"
        self.out.write("\r" + line.ljust(self.width))
        self.out.flush()
        self.width, self.active = max(self.width, len(line)), True

    def end(self) -> None:
        if self.active:
            self.out.write("\n")
            self.active = False


_CURRENT: list[_Progress] = []


def _end_progress(out) -> None:
    while _CURRENT:
        _CURRENT.pop().end()


def _run(args: argparse.Namespace, client, out) -> int:
    job = client.call("POST", "/searches", build_request(args))
    job_id = job["job_id"]
    print(f"search {job_id} submitted ({job['type']}, case {job['case_ref']})", file=out)
    est = job.get("estimate") or {}
    if est:
        bound = "at most " if est.get("upper_bound") else ""
        print(
            f"estimate: {bound}{est['partitions']:,} partitions, ≈ {est['read_units']:,} read units "
            f"({est.get('engine', '?')}, {est.get('map', '?')} map)",
            file=out,
        )
    deadline = time.monotonic() + args.timeout_s
    progress = _Progress(out)
    _CURRENT.append(progress)
    pause = args.poll_s
    while job["status"] in ("QUEUED", "RUNNING"):
        if time.monotonic() > deadline:
            _end_progress(out)
            print(
                f"still {job['status']} after {args.timeout_s:.0f} s; follow it with "
                f"`anpr search list` or GET /searches/{job_id}",
                file=out,
            )
            return 2
        time.sleep(pause)
        pause = min(max(pause * 1.5, 0.5), 5.0) if pause else 0  # every poll is an audited view
        job = client.call("GET", f"/searches/{job_id}")
        progress.show(job)
    _end_progress(out)
    if job["status"] != "SUCCEEDED":
        raise CliError(f"search {job_id} {job['status']}: {job.get('error') or 'no reason given'}")
    page = client.call("GET", f"/searches/{job_id}/results?page_size={max(args.rows, 1)}")
    print_table(page, out)
    folder = Path(args.out)
    folder.mkdir(parents=True, exist_ok=True)
    for fmt in [f for f in args.formats.split(",") if f]:
        link = client.call("GET", f"/searches/{job_id}/results?format={fmt}")
        path = folder / link["filename"]
        path.write_bytes(client.fetch(link["url"]))
        print(f"wrote {path}" + (f" (sha256 {link['sha256']})" if link.get("sha256") else ""), file=out)
    return 0


def _table(head: tuple, rows: list[tuple], out) -> None:
    widths = [max(len(h), *(len(r[k]) for r in rows)) for k, h in enumerate(head)]
    print("  ".join(h.ljust(w) for h, w in zip(head, widths, strict=True)), file=out)
    for r in rows:
        print("  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)), file=out)


def _t(ms) -> str:
    return datetime.fromtimestamp(ms / 1000, tz=UTC).strftime("%Y-%m-%d %H:%M:%S") if ms else ""


def print_table(page: dict, out=sys.stdout) -> None:
    items = page["items"]
    print(f"{page['total']} result(s) — {json.dumps(page.get('summary', {}))}", file=out)
    if not items:
        return
    if "read_id" in items[0]:  # trajectory: one row per sighting
        rows = [
            (
                str(n),
                _t(i["capture_ms"]),
                i["camera_id"],
                i["zone"],
                f"{i['confidence']:.2f}",
                ",".join(i.get("alternatives", [])),
                i.get("match", ""),
            )
            for n, i in enumerate(items, 1)
        ]
        head = ("#", "time (UTC)", "camera", "zone", "conf", "alternatives", "match")
    elif "score" in items[0]:  # convoy
        rows = [
            (
                str(i["rank"]),
                i["plate"],
                f"{i['score']:.3f}",
                str(i["cameras"]),
                str(i["co_occurrences"]),
                f"{i['regular_rate']:.2f}",
            )
            for i in items
        ]
        head = ("rank", "plate", "score", "cameras", "co-occ.", "regular")
    else:
        rows = [
            (i["plate"], str(i["reads"]), str(len(i["cameras"])), _t(i["first_ms"]), _t(i["last_ms"]))
            for i in items
        ]
        head = ("plate", "reads", "cameras", "first (UTC)", "last (UTC)")
    widths = [max(len(h), *(len(r[k]) for r in rows)) for k, h in enumerate(head)]
    print("  ".join(h.ljust(w) for h, w in zip(head, widths, strict=True)), file=out)
    for r in rows:
        print("  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)), file=out)


def export_basemap(cameras_path: Path, out_path: Path) -> int:
    """Write the simulator's Brussels road network as street segments for the offline maps
    (``anpr/search/basemap.json``, read by ``anpr.search.maps``). Returns the segment count."""
    from anpr.reads.cameras import load_seed
    from local.simulator.network import RoadNetwork, road_class

    net = RoadNetwork.from_cameras(load_seed(cameras_path))
    segments = {}
    for links in net.links.values():
        for link in links:
            a, b = net.cameras[link.src], net.cameras[link.dst]
            key = tuple(sorted((link.src, link.dst)))
            kind = road_class(a.road) if link.same_road else "urban"
            segments.setdefault(
                key, [round(a.lat, 5), round(a.lon, 5), round(b.lat, 5), round(b.lon, 5), kind]
            )
    doc = {
        "source": f"local/simulator/network.py over {cameras_path.name} (camera-to-camera links)",
        "segments": [segments[k] for k in sorted(segments)],
    }
    out_path.write_text(json.dumps(doc, separators=(",", ":")) + "\n")
    return len(segments)
