"""The machine a benchmark ran on, goals checked as met or missed, and the result table.

Every figure that has a goal carries it in its row (``**goal(value, 2.0, "s")``): the table
prints the goal and ``met`` or ``MISSED`` beside the figure, so a miss cannot pass unnoticed.
Figures compared with a baseline measured in the same run carry ``**vs(value, baseline, "what")``.
"""

from __future__ import annotations

import os
import platform

#: the columns a table may show, in order; empty ones are left out
COLUMNS = ("name", "value", "unit", "goal", "met", "vs baseline", "notes")


def details() -> dict[str, str]:
    cpu = platform.processor() or "unknown"
    try:
        with open("/proc/cpuinfo") as f:
            cpu = next((ln.split(":", 1)[1].strip() for ln in f if ln.startswith("model name")), cpu)
    except OSError:
        pass
    mem = ""
    try:
        with open("/proc/meminfo") as f:
            total = next((ln for ln in f if ln.startswith("MemTotal")), None)
        if total:
            mem = f"{int(total.split()[1]) / 1024 / 1024:.1f} GiB"
    except OSError:
        pass
    return {
        "cpu": cpu,
        "cores": str(os.cpu_count()),
        "memory": mem,
        "python": platform.python_version(),
        "os": f"{platform.system()} {platform.release()}",
    }


def machine_line() -> str:
    d = details()
    return f"{d['cpu']}, {d['cores']} cores, {d['memory']} RAM, Python {d['python']}, {d['os']}"


def goal(value: float | None, limit: float, unit: str = "", *, at_most: bool = True) -> dict:
    """The row fields for a figure with a goal: ``≤ limit`` (or ``≥`` when ``at_most=False``).

    A figure that could not be measured (None) misses its goal: no data is not a pass."""
    sign = "≤" if at_most else "≥"
    text = f"{sign} {limit:g}{' ' + unit if unit else ''}"
    if value is None:
        return {"goal": text, "met": "MISSED (no data)"}
    ok = value <= limit if at_most else value >= limit
    return {"goal": text, "met": "met" if ok else "MISSED"}


def vs(value: float | None, baseline: float | None, what: str) -> dict:
    """The row field comparing a figure with a baseline measured in the same run."""
    if value is None or not baseline:
        return {"vs baseline": f"n/a ({what})"}
    return {"vs baseline": f"{value / baseline:.2f}× {what}"}


def verdicts(rows: list[dict]) -> tuple[int, int]:
    """(met, missed) over the rows that carry a goal."""
    met = sum(1 for r in rows if r.get("goal") and _verdict(r) == "met")
    missed = sum(1 for r in rows if r.get("goal") and _verdict(r) != "met")
    return met, missed


def print_table(title: str, rows: list[dict], columns=COLUMNS) -> None:
    met, missed = verdicts(rows)
    tally = f" — goals: {met} met, {missed} MISSED" if missed else (f" — goals: {met} met" if met else "")
    print(f"\n## {title}{tally}")
    print(f"   machine: {machine_line()}")
    shown = [
        c for c in columns if c in ("name", "value", "unit") or any(r.get(c) not in (None, "") for r in rows)
    ]
    cells = [{c: (_verdict(r) if c == "met" else _fmt(r.get(c, ""))) for c in shown} for r in rows]
    widths = {c: max(len(c), *(len(cell[c]) for cell in cells)) if cells else len(c) for c in shown}
    print("   " + " | ".join(c.ljust(widths[c]) for c in shown))
    print("   " + "-+-".join("-" * widths[c] for c in shown))
    for cell in cells:
        print("   " + " | ".join(cell[c].ljust(widths[c]) for c in shown))


def _verdict(row: dict) -> str:
    """``met`` or an upper-case miss, whatever case the bench wrote it in."""
    v = str(row.get("met", ""))
    if not row.get("goal"):
        return v
    return "met" if v.lower() == "met" else (v.upper() if v else "MISSED (no verdict)")


def _fmt(v) -> str:
    if v is None:
        return "n/a"
    if isinstance(v, bool):
        return str(v)
    if isinstance(v, int):
        return f"{v:,}"
    if isinstance(v, float):
        return f"{v:,.3f}" if abs(v) < 10 else f"{v:,.1f}"
    return str(v)
