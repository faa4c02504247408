"""`make bench`: every ``bench/*_bench.py`` module (and the pipeline), each a table with the machine.

Each module runs in its own process with a time limit, so one that fails or hangs is reported
and the others still run; a summary at the end lists every module's outcome and its goals met or
missed. Knobs (environment):

- ``ANPR_BENCH_QUICK=1``: reduced sizes everywhere (a few minutes on 2 cores); the tables say so.
- ``ANPR_BENCH_ONLY=pipeline,alerts``: run only these modules (names without ``_bench``).
- ``ANPR_BENCH_TIMEOUT_S`` (default 900): the limit per module.

Exit status: 1 when a module failed or timed out; a missed goal is a finding, printed, not an error.
"""

from __future__ import annotations

import importlib
import json
import os
import pkgutil
import subprocess
import sys
import tempfile
import time
import traceback

import bench
from bench.machine import machine_line, print_table, verdicts

#: `make bench-ocr` runs this one (it needs the baseline's extra dependency)
SEPARATE = {"ocr_bench"}


def quick() -> bool:
    """Reduced sizes: set by ANPR_BENCH_QUICK=1 (each bench module reads it)."""
    return os.environ.get("ANPR_BENCH_QUICK", "") not in ("", "0")


def modules() -> list[str]:
    found = ["bench.pipeline"] + sorted(
        f"bench.{m.name}"
        for m in pkgutil.iter_modules(bench.__path__)
        if m.name.endswith("_bench") and m.name not in SEPARATE
    )
    only = {
        n.strip().removesuffix("_bench")
        for n in os.environ.get("ANPR_BENCH_ONLY", "").split(",")
        if n.strip()
    }
    return [m for m in found if not only or m.removeprefix("bench.").removesuffix("_bench") in only]


def _child_env() -> dict[str, str]:
    env = dict(os.environ)
    if quick():  # the analytics bench's own knobs, unless set explicitly
        env.setdefault("ANPR_BENCH_READS_PER_DAY", "100000")
        env.setdefault("ANPR_BENCH_DAYS", "3")
    return env


def run_one(name: str, out: str) -> int:
    """In the child process: run one module, print its table, write its rows to ``out``."""
    rows = importlib.import_module(name).run()
    title = name.removeprefix("bench.") + (" (ANPR_BENCH_QUICK: reduced sizes)" if quick() else "")
    print_table(title, rows)
    with open(out, "w") as f:
        json.dump(rows, f, default=str)
    return 0


def main(names: list[str] | None = None, limit_s: float | None = None) -> int:
    """Run ``names`` (default: every discovered module), each in a child process."""
    limit = limit_s or float(os.environ.get("ANPR_BENCH_TIMEOUT_S", "900"))
    outcomes = []
    for name in names or modules():
        with tempfile.NamedTemporaryFile(suffix=".json", delete=False) as tmp:
            out = tmp.name
        t0 = time.perf_counter()
        try:
            proc = subprocess.run(
                [sys.executable, "-m", "bench.run", "--one", name, out],
                check=False,
                env=_child_env(),
                timeout=limit,
            )
            status = "ok" if proc.returncode == 0 else f"FAILED (exit {proc.returncode}, traceback above)"
        except subprocess.TimeoutExpired:
            status = f"TIMED OUT after {limit:.0f} s (ANPR_BENCH_TIMEOUT_S)"
        seconds = time.perf_counter() - t0
        try:
            with open(out) as f:
                rows = json.load(f) if status == "ok" else []
        except (OSError, ValueError):
            rows, status = [], "FAILED (no results written)"
        finally:
            if os.path.exists(out):
                os.unlink(out)
        met, missed = verdicts(rows)
        outcomes.append({"name": name.removeprefix("bench."), "status": status, "seconds": seconds,
                         "met": met, "missed": missed})  # fmt: skip
        sys.stdout.flush()
    print(f"\n## bench summary{' (ANPR_BENCH_QUICK: reduced sizes)' if quick() else ''}")
    print(f"   machine: {machine_line()}")
    for o in outcomes:
        goals = f"goals {o['met']} met, {o['missed']} MISSED" if o["met"] + o["missed"] else "no goals"
        print(f"   {o['name']:22s} {o['seconds']:7.1f} s  {goals:24s} {o['status']}")
    return 1 if any(o["status"] != "ok" for o in outcomes) else 0


if __name__ == "__main__":
    if sys.argv[1:2] == ["--one"]:
        try:
            sys.exit(run_one(sys.argv[2], sys.argv[3]))
        except Exception:  # noqa: BLE001 (printed for the reader; the parent reports the module failed)
            traceback.print_exc()
            sys.exit(1)
    sys.exit(main())
