"""A dependency-free progress bar (training runs in a plain venv)."""

from __future__ import annotations

import sys
import time


class Progress:
    def __init__(self, total: int, label: str, every: float = 1.0):
        self.total, self.label, self.every = total, label, every
        self.start = self.last = time.time()
        self.n = 0

    def update(self, n: int = 1, **metrics: float) -> None:
        self.n += n
        now = time.time()
        if now - self.last < self.every and self.n < self.total:
            return
        self.last = now
        frac = self.n / max(1, self.total)
        bar = "#" * int(30 * frac) + "." * (30 - int(30 * frac))
        el = now - self.start
        eta = el / max(frac, 1e-9) - el
        m = " ".join(f"{k}={v:.4g}" for k, v in metrics.items())
        sys.stderr.write(f"\r{self.label} [{bar}] {self.n}/{self.total} {el:5.0f}s eta {eta:5.0f}s {m}   ")
        if self.n >= self.total:
            sys.stderr.write("\n")
        sys.stderr.flush()
