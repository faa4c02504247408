"""`make demo`: one long search, to show it runs on the analytics copy (DuckDB locally).

The demo's traffic covers the last two hours; a partial-plate search over the last seven days
is longer than a day, so the planner sends it to the Parquet copy the Reads stream fed
(docs/analytics.md), through the same REST API and Step Functions workflow as every search.
"""

from __future__ import annotations

import re
import time
from collections import Counter

from local.demo_features import CASE, PEOPLE

DAY_MS = 86_400_000
INVESTIGATOR = next(u for u, roles in PEOPLE.items() if "investigator" in roles)


def long_search(api, truth, reads: list[dict], say=print, days: int = 7) -> dict:
    """Submit a ``days``-long partial-plate search, wait for it, and say on one line which
    engine ran it, why, and whether it found all and only the matching stored reads."""
    seen = Counter(r["plate"]["S"] for r in reads)  # the vehicle read most often
    plate = seen.most_common(1)[0][0] if seen else "1ABC234"
    pattern = plate[:3] + "*"
    params = {"pattern": pattern, "start_ms": truth.now_ms - days * DAY_MS, "end_ms": truth.now_ms + 60_000}
    t0 = time.monotonic()
    status, job = api.call(INVESTIGATOR, "POST", "/searches", {"type": "partial", "params": params, **CASE})
    if status != 202:
        say(f"long search              refused ({status}): {job.get('message', job)}")
        return {"status": status, "error": job}
    while job.get("status") not in ("SUCCEEDED", "FAILED", "CANCELLED") and time.monotonic() - t0 < 120:
        time.sleep(0.5)
        job = api.call(INVESTIGATOR, "GET", f"/searches/{job['job_id']}")[1]
    _, res = api.call(INVESTIGATOR, "GET", f"/searches/{job['job_id']}/results?page_size=1000")
    engine = (res.get("summary") or {}).get("engine") or job.get("estimate", {})
    found = sorted({i["plate"] for i in res.get("items", [])})
    rx = re.compile("^" + re.escape(plate[:3]))
    expected = sorted({r["plate"]["S"] for r in reads if rx.match(r["plate"]["S"])})
    out = {
        "status": job.get("status"),
        "engine": engine.get("engine"),
        "reason": engine.get("reason"),
        "athena_usd": job.get("estimate", {}).get("athena_usd"),
        "found": found,
        "all_and_only": found == expected,
        "seconds": round(time.monotonic() - t0, 1),
    }
    local_engine = "DuckDB" if out["engine"] == "analytics" else out["engine"]
    say(
        f"long search              partial {pattern} over {days} days → {local_engine} on the analytics copy "
        f"({out['reason']}; on Athena ≈ ${out['athena_usd']}): {out['status']}, {len(found)} plates, "
        f"all and only the stored matches: {'yes' if out['all_and_only'] else 'NO'}, {out['seconds']} s"
    )
    return out
