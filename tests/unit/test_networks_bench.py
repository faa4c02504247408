"""The national bench's cost per million snapshots: from the measured times and the template."""

import pytest
from anpr.kernel.platform import FUNCTIONS

from bench.national_bench import LAMBDA_USD_PER_GB_S, cost_rows


def test_cost_per_million_adds_up_from_measured_time_and_the_templates_memory():
    # GIVEN 400 ms per snapshot in ingest, 100 ms per grant, 1.2 reads per snapshot
    rows = {r["name"].removeprefix("cost per million snapshots: "): r for r in cost_rows(400, 100, 1.2, 0.1)}
    ingest = next(f for f in FUNCTIONS if f.id == "Ingest")
    # THEN the ingest Lambda part is ms × the template's memory × the GB-s price (+ requests per batch)
    expected = (
        1e6 * 0.4 * ingest.memory_mb / 1024 * LAMBDA_USD_PER_GB_S
        + 1e6 / ingest.sources[0].batch_size * 0.2e-6
    )
    assert rows["ingest Lambda"]["value"] == pytest.approx(expected, abs=0.01)
    # AND the total is the sum of its parts, each part priced
    parts = [r["value"] for k, r in rows.items() if k != "total"]
    assert rows["total"]["value"] == pytest.approx(sum(parts), abs=0.05) and all(v > 0 for v in parts)
    # AND more time per snapshot costs more
    assert cost_rows(800, 100, 1.2, 0.1)[0]["value"] > rows["ingest Lambda"]["value"]
