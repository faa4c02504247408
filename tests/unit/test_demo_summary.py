"""The demo's summary explains its figures: why reads ≠ snapshots, what "right" counts."""

from __future__ import annotations

import pytest

from local.demo import _report, read_figures


def _read(key: str, plate: str, confidence: float, source: str = "ocr") -> dict:
    return {
        "snapshot_key": {"S": key},
        "plate": {"S": plate},
        "confidence": {"N": str(confidence)},
        "source": {"S": source},
    }


def test_reads_are_counted_per_snapshot_against_the_plate_drawn():
    # GIVEN four good snapshots: one read right, one with the plate and a sign read as a plate
    # (the sign more confident), one misread only, one with no read; and a camera-only read
    drawn = {"a.jpg": "1ABC234", "b.jpg": "2DEF345", "c.jpg": "3GHJ456", "d.jpg": "4KLM567"}
    items = [
        _read("a.jpg", "1ABC234", 0.95),
        _read("b.jpg", "2DEF345", 0.60),
        _read("b.jpg", "PARKING", 0.70),
        _read("c.jpg", "3GHJ458", 0.40, source="camera"),
    ]

    # WHEN the figures are computed
    f = read_figures(items, drawn)

    # THEN reads, snapshots with reads and right snapshots are told apart
    assert f["reads_matching_truth"] == 2
    assert f["snapshots_with_reads"] == 3
    assert f["snapshots_with_several_reads"] == 1
    assert f["good_snapshots_without_read"] == 1
    assert f["good_snapshots_read_right"] == 2
    assert f["good_snapshots_best_read_right"] == 1  # in b.jpg the sign out-scored the plate
    assert f["camera_own_reads"] == 1
    assert f["confidence_right_p50"] == pytest.approx(0.775) and f["confidence_other_p50"] == pytest.approx(
        0.55
    )


def test_the_summary_says_why_there_are_more_reads_than_snapshots():
    # GIVEN the figures of a run with 791 reads for 600 snapshots
    s = {
        "snapshots_uploaded": 600,
        "good_snapshots": 582,
        "reads_stored": 791,
        "reads_matching_truth": 481,
        "snapshots_with_reads": 560,
        "snapshots_with_several_reads": 131,
        "good_snapshots_without_read": 22,
        "good_snapshots_read_right": 479,
        "good_snapshots_best_read_right": 470,
        "camera_own_reads": 14,
        "confidence_right_p50": 0.93,
        "confidence_other_p50": 0.41,
        "engines": {"tflite": 777, "camera": 14},
        "quarantined": {"corrupt_image": 18},
        "expected_quarantine": {"corrupt_image": 18},
        "dlq": 0,
        "latency_p50_s": 1.2,
        "latency_p95_s": 2.5,
        "elapsed_s": 60.0,
    }
    lines: list[str] = []

    # WHEN the summary is printed
    _report(lines.append, s)

    # THEN each figure comes with what it counts
    text = "\n".join(lines)
    assert "791, from 560 snapshots" in text and "231 reads more than snapshots" in text
    assert "131 did" in text and "22 good snapshots" in text
    assert "481 reads are the plate the simulator drew" in text and "the other 310" in text
    assert "479 / 582 good snapshots (82%)" in text and "in 470 it is the most confident read" in text
    assert "582 good + 18 deliberately bad" in text
