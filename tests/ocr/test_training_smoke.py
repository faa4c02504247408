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
    # THEN both models exist, load with the Lambda runtime and a report is written
    tflite = pytest.importorskip("tflite_runtime.interpreter", reason="tflite-runtime not installed")
    for name in ("plate_reader.tflite", "plate_detector.tflite"):
        it = tflite.Interpreter(model_path=str(tmp_path / "models" / name), num_threads=1)
        it.allocate_tensors()
    assert (tmp_path / "report.md").exists() and (tmp_path / "metrics.json").exists()


@pytest.mark.xdist_group("training")
def test_training_is_deterministic(tmp_path):
    # GIVEN two runs of the reader phase with the same settings, seed and thread count
    outs = [tmp_path / "a", tmp_path / "b"]
    for out in outs:
        # WHEN each renders its data and trains from scratch (no shared cache)
        _train_smoke(out, "--part", "reader")
    # THEN the models are the same, byte for byte: `make train` reproduces what it shipped
    a, b = ((out / "models" / "plate_reader.tflite").read_bytes() for out in outs)
    assert a == b
