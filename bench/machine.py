"""The machine a benchmark ran on, printed with every result table."""

from __future__ import annotations

import os
import platform


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


def print_table(title: str, rows: list[dict], columns=("name", "value", "unit", "notes")) -> None:
    print(f"\n## {title}")
    for k, v in details().items():
        print(f"   {k:7s} {v}")
    widths = {c: max(len(c), *(len(_fmt(r.get(c, ""))) for r in rows)) if rows else len(c) for c in columns}
    print("   " + " | ".join(c.ljust(widths[c]) for c in columns))
    print("   " + "-+-".join("-" * widths[c] for c in columns))
    for r in rows:
        print("   " + " | ".join(_fmt(r.get(c, "")).ljust(widths[c]) for c in columns))


def _fmt(v) -> str:
    if isinstance(v, float):
        return f"{v:,.3f}" if abs(v) < 10 else f"{v:,.1f}"
    return str(v)
