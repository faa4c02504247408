import subprocess
import sys

import pytest

from tests.ocr.conftest import ROOT


def _train_smoke(out, *extra: str) -> None:
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "training.train",
            "--mode",
            "smoke",
            "--threads",
            "1",
            "--out",
            str(out),
            *extra,
        ],
        cwd=ROOT,
        capture_output=True,
        check=False,
        text=True,
        timeout=170,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]


@pytest.mark.xdist_group("training")
def test_smoke_training_emits_loadable_models(tmp_path):
    # GIVEN the training pipeline in smoke mode
    # WHEN it runs end to end (render, train, convert, evaluate)
    _train_smoke(tmp_path)
    # THEN the models (two readers, the two-line reader, a detector) exist, load with the Lambda runtime and a report is written
    tflite = pytest.importorskip("tflite_runtime.interpreter", reason="tflite-runtime not installed")
    for name in (
        "plate_reader.tflite",
        "plate_reader_2.tflite",
        "plate_reader_tall.tflite",
        "plate_detector.tflite",
    ):
        it = tflite.Interpreter(model_path=str(tmp_path / "models" / name), num_threads=1)
        it.allocate_tensors()
    assert (tmp_path / "report.md").exists() and (tmp_path / "metrics.json").exists()


@pytest.mark.xdist_group("training")
def test_training_is_deterministic(tmp_path):
    # GIVEN two runs of the second reader's phase (its data has plates in the drawn typefaces) with
    # the same settings, seed and thread count
    outs = [tmp_path / "a", tmp_path / "b"]
    for out in outs:
        # WHEN each renders its data and trains from scratch (no shared cache)
        _train_smoke(out, "--part", "reader-2")
    # THEN the models are the same, byte for byte: `make train` reproduces what it shipped
    a, b = ((out / "models" / "plate_reader_2.tflite").read_bytes() for out in outs)
    assert a == b


def test_row_and_band_samples_carry_their_own_labels():
    pytest.importorskip("tensorflow", reason="training extras not installed")
    from anpr.ocr.grammar import default_grammar
    from anpr.ocr.preprocess import ALPHABET

    from training.data import _synth_band_chunk, _synth_row_chunk

    # GIVEN row samples of two-line plates and band samples
    rx, _ry, rl = _synth_row_chunk(1.0, (1, 12))
    bx, by, bl = _synth_band_chunk(1.0, (2, 24))
    # THEN rows come in pairs of short labels (a row has at most a plate's half), and every band
    # label is a listed country's band code
    assert len(rx) >= 12 and len(rx) % 2 == 0 and rl.max() <= 7 and rl.min() >= 1
    bands = {c.band for c in default_grammar().countries.values()}
    labels = {"".join(ALPHABET[k] for k in y[:n]) for y, n in zip(by, bl, strict=True)}
    assert len(bx) >= 10 and labels <= bands


def test_two_line_row_crops_are_cut_as_the_detector_boxes_them():
    pytest.importorskip("tensorflow", reason="training extras not installed")
    import random
    import statistics

    from training.data import _detector_two_line_box

    # GIVEN a two-line plate's true box, cut 4,000 times as the detector would box it
    rng = random.Random(3)
    boxes = [_detector_two_line_box((100.0, 200.0, 60.0, 46.0), rng) for _ in range(4000)]
    # THEN the top edge lies inside the plate on average (4.6 % of its height, as measured), the
    # spread is the detector's, and no box collapses
    tops = [(y - 200.0) / 46.0 for _, y, _, _ in boxes]
    assert 0.03 < statistics.mean(tops) < 0.06 and 0.09 < statistics.pstdev(tops) < 0.13
    assert min(min(w, h) for _, _, w, h in boxes) >= 4.0
