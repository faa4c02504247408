"""Fakes of the results page's crop ports (anpr.search.crops.CropKeys, a snapshot presigner)."""

from __future__ import annotations

from collections.abc import Sequence

from anpr.search.models import Sighting


class InMemoryCropKeys:
    """read_id → crop key, as the reads table holds them; remembers each look-up."""

    def __init__(self, keys: dict[str, str] | None = None):
        self.keys = dict(keys or {})
        self.asked: list[list[str]] = []

    def crop_keys(self, sightings: Sequence[Sighting]) -> dict[str, str]:
        ids = [s.read_id for s in sightings]
        self.asked.append(ids)
        return {rid: self.keys[rid] for rid in ids if rid in self.keys}


def memory_links(key: str) -> str:
    """A presigned-looking link to a Snapshots key."""
    return f"memory://snapshots/{key}?X-Amz-Expires=300"
