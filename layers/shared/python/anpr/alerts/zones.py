"""Which police zones exist, as data: the zones of the registered cameras (issue 12, item 2).

No zone is named in code: a zone exists once a camera of it is registered. The list is read
once per ``refresh_s`` per container (one scan of the cameras table, a few thousand items),
so a zone added by ops is known to the API within minutes without a deployment.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from anpr.kernel.clock import Clock
from anpr.reads.cameras import CameraRegistry


def camera_zones(registry: CameraRegistry) -> Callable[[], Iterable[str]]:
    """The zones of the registered cameras."""
    return lambda: (c.zone for c in registry.list())


class ZoneDirectory:
    """The known zones from ``source``, cached for ``refresh_s`` seconds of ``clock``."""

    def __init__(self, source: Callable[[], Iterable[str]], *, clock: Clock, refresh_s: int = 300):
        self._source, self._clock, self._refresh_ms = source, clock, refresh_s * 1000
        self._zones: frozenset[str] | None = None
        self._loaded_ms = 0

    def known(self) -> frozenset[str]:
        now = self._clock()
        if self._zones is None or now - self._loaded_ms >= self._refresh_ms:
            self._zones = frozenset(z for z in self._source() if z)
            self._loaded_ms = now
        return self._zones

    def __contains__(self, zone: str) -> bool:
        if zone in self.known():
            return True
        # a zone added since the last load: looked up again, at most every RETRY_MS (a caller
        # naming unknown zones cannot make every request scan the registry)
        if self._clock() - self._loaded_ms >= RETRY_MS:
            self._zones = None
            return zone in self.known()
        return False


RETRY_MS = 30_000
