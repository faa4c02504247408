"""`make bench`: every benchmark, each printed as a table with the machine's details."""

from __future__ import annotations

import importlib
import pkgutil
import sys
import traceback

import bench
from bench.machine import print_table


def main() -> int:
    modules = ["bench.pipeline"] + sorted(
        f"bench.{m.name}"
        for m in pkgutil.iter_modules(bench.__path__)
        if m.name.endswith("_bench")
        and m.name != "ocr_bench"  # `make bench-ocr` (needs the baseline's extra dependency)
    )
    failed = 0
    for name in modules:
        try:
            rows = importlib.import_module(name).run()
        except Exception:  # noqa: BLE001 (one broken benchmark must not hide the others)
            traceback.print_exc()
            failed += 1
            continue
        print_table(name.removeprefix("bench."), rows)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
