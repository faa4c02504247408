"""The demo's pipeline, shortened: simulated cameras → S3 → SQS → ingest → DynamoDB."""

import pytest

from local import demo

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("local-runtime")]


def test_simulated_fleet_is_ingested_and_bad_input_quarantined_as_expected(tmp_path):
    # GIVEN the local platform and the Brussels fleet simulator injecting some bad input
    # WHEN 80 snapshots are uploaded
    s = demo.run(snapshots=80, rate=40, seed=3, bad_fraction=0.1, workdir=tmp_path, quiet=True)
    # THEN every good snapshot was processed, each bad one quarantined with its expected reason,
    # and nothing reached the dead-letter queue
    assert s["snapshots_uploaded"] == 80
    assert s["quarantined"] == s["expected_quarantine"] and sum(s["quarantined"].values()) >= 4
    assert s["records"] >= 80 and s["dlq"] == 0
    assert s["reads_stored"] >= 0.8 * s["good_snapshots"]
    assert (tmp_path / "ground_truth.json").exists()
