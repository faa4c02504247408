"""Shared helpers for the analytics tests: sightings as the ingest path stores them."""

from __future__ import annotations

from tests.builders.search import plate_read  # noqa: F401  (the same stored reads as the search tests)

HOUR = 3_600_000
DAY = 24 * HOUR
