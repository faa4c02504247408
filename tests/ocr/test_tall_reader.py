"""The two-line reader: a two-line plate's whole cut read by its own model (``TALL_FILE``)."""

import random

import numpy as np
import pytest
from anpr.ocr.preprocess import ALPHABET, BLANK, NUM_CLASSES, TALL_H, TALL_W, tall_input
from anpr.ocr.render.plate import make_plate

from tests.ocr.conftest import require_shipped


class _TallSpeller:
    """A stand-in two-line reader: spells ``top`` in the first half of its steps and ``bottom`` in
    the second, sure of both (or, ``sure=False``, each character at about 0.6: a reading that ranks
    below a clear plate's); records its inputs."""

    def __init__(self, top: str, bottom: str, sure: bool = True, input_hw=(TALL_H, TALL_W)):
        self.inputs = []
        self.input_hw = input_hw
        steps = 2 * (input_hw[1] // 4)
        self.logits = np.full((1, steps, NUM_CLASSES), -8.0, dtype=np.float32)
        self.logits[0, :, BLANK] = 8.0
        for start, text in ((0, top), (steps // 2, bottom)):
            for i, ch in enumerate(text):
                t = start + 2 + 3 * i
                self.logits[0, t, BLANK] = -8.0 if sure else 0.5
                self.logits[0, t, ALPHABET.index(ch)] = 8.0 if sure else 1.0

    def __call__(self, x):
        self.inputs.append(x.shape)
        return self.logits


def _engine_with(tall):
    from anpr.ocr.tflite_engine import TfliteEngine

    eng = TfliteEngine.load(require_shipped())
    eng.tall_reader = tall
    return eng


def test_tall_input_is_the_whole_cut_resized_and_stretched():
    # GIVEN a small two-line plate (84 × 60 px)
    img, *_ = make_plate("MABC123", "BE", random.Random(1))
    # WHEN prepared for the two-line reader
    a = tall_input(img.resize((84, 60)))
    # THEN it is TALL_H × TALL_W in 0..1, contrast-stretched (dark characters, light plate)
    assert a.shape == (TALL_H, TALL_W) and a.dtype == np.float32
    assert a.min() == 0.0 and a.max() == 1.0


def test_tall_input_takes_the_size_asked():
    # GIVEN a small two-line plate WHEN prepared for a two-line reader that takes cuts half as wide
    # as the shipped one's
    img, *_ = make_plate("MABC123", "BE", random.Random(1))
    a = tall_input(img.resize((84, 60)), (TALL_H, TALL_W // 2))
    # THEN it is that size, stretched as always
    assert a.shape == (TALL_H, TALL_W // 2) and a.min() == 0.0 and a.max() == 1.0


def test_the_two_line_reader_gets_cuts_of_the_size_its_file_takes():
    # GIVEN an engine whose two-line reader takes cuts half as wide as the shipped one's (half
    # the steps per row)
    eng = _engine_with(_TallSpeller("MXYZ", "987", input_hw=(TALL_H, TALL_W // 2)))
    img, *_ = make_plate("MABC123", "BE", random.Random(3))
    # WHEN a two-line plate's crop is read
    r = eng.read_crop(img.resize((84, 60)))
    # THEN its cut is that size and its reading is the plate's, rows as laid out in its steps
    assert eng.tall_reader.inputs == [(1, TALL_H, TALL_W // 2, 1)]
    assert (r.text, r.format_id, r.lines) == ("MXYZ987", "BE/motorcycle", 2)


def test_the_shipped_engine_has_the_two_line_reader(engine):
    # GIVEN the shipped models WHEN loaded THEN the two-line reader is among them
    assert engine.tall_reader is not None
    assert engine.tall_reader.input_hw == (TALL_H, TALL_W)


def test_a_sure_two_line_reading_ranks_above_the_readers_and_is_reported(monkeypatch):
    # GIVEN an engine whose two-line reader surely spells another Belgian motorcycle plate, and
    # agree spied on
    from anpr.ocr import decode

    eng = _engine_with(_TallSpeller("MXYZ", "987"))
    settled = []
    monkeypatch.setattr(decode, "agree", lambda readings, probs: settled.append(readings) or readings[0])
    img, *_ = make_plate("MABC123", "BE", random.Random(3))
    # WHEN a two-line plate's crop is read
    r = eng.read_crop(img.resize((84, 60)))
    # THEN the two-line reader read the whole cut once, and its reading (it ranks above the
    # readers') is reported as a two-line Belgian plate, as it reads (no opinion asked about it)
    assert eng.tall_reader.inputs == [(1, TALL_H, TALL_W, 1)] and settled == []
    assert (r.text, r.format_id, r.country, r.lines) == ("MXYZ987", "BE/motorcycle", "BE", 2)


def test_a_two_line_reading_that_ranks_lower_is_an_opinion_agree_settles(monkeypatch):
    # GIVEN an engine whose two-line reader spells another Belgian motorcycle plate, unsurely
    # (ranked below the readers' reading), and agree spied on
    from anpr.ocr import decode

    eng = _engine_with(_TallSpeller("MXYZ", "987", sure=False))
    settled = []

    def spy(readings, probs):
        settled.append([r.text for r in readings])
        return readings[-1]  # the two-line reader's reading wins: it must be what is reported

    monkeypatch.setattr(decode, "agree", spy)
    img, *_ = make_plate("MABC123", "BE", random.Random(3))
    # WHEN a two-line plate's crop is read
    r = eng.read_crop(img.resize((84, 60)))
    # THEN the two-line reader read the whole cut once (not again for its opinion), agree saw its
    # reading last, and agree's choice is reported as a two-line Belgian plate
    assert eng.tall_reader.inputs == [(1, TALL_H, TALL_W, 1)]
    assert len(settled) == 1 and settled[0][-1] == "MXYZ987"
    assert (r.text, r.format_id, r.country) == ("MXYZ987", "BE/motorcycle", "BE")


def test_a_two_line_reader_that_reads_as_the_reader_changes_nothing(engine):
    # GIVEN a two-line plate the engine reads right, and an engine whose two-line reader spells
    # the same text
    img, text, *_ = make_plate("MABC123", "BE", random.Random(3))
    crop = img.resize((84, 60))
    before = engine.read_crop(crop)
    eng = _engine_with(_TallSpeller("MABC", "123"))
    # WHEN read THEN the text is the same
    after = eng.read_crop(crop)
    assert before.text == text and after.text == before.text


def test_the_two_line_reader_is_not_asked_about_one_line_plates():
    # GIVEN an engine with a stand-in two-line reader
    eng = _engine_with(_TallSpeller("MXYZ", "987"))
    img, *_ = make_plate("1ABC234", "BE", random.Random(2))
    # WHEN a one-line plate's crop is read
    r = eng.read_crop(img.resize((240, 52)))
    # THEN the two-line reader never ran
    assert eng.tall_reader.inputs == [] and r.text == "1ABC234"


def test_a_two_line_reading_that_fits_no_two_line_format_is_no_opinion():
    # GIVEN a two-line reader that reads nonsense, surely, and the same engine without it
    eng, without = _engine_with(_TallSpeller("QQQQ", "QQQQ")), _engine_with(None)
    img, *_ = make_plate("MABC123", "BE", random.Random(4))
    crop = img.resize((84, 60))
    # WHEN a two-line plate is read THEN the nonsense is neither taken nor weighed
    r = eng.read_crop(crop)
    assert eng.tall_reader.inputs and (r.text, r.confidence) == (
        without.read_crop(crop).text,
        without.read_crop(crop).confidence,
    )
    assert r.text != "QQQQQQQQ"


def test_a_models_folder_without_the_two_line_reader_reads_two_line_plates_with_the_reader(tmp_path):
    # GIVEN a models folder without the two-line reader
    import shutil

    from anpr.ocr.tflite_engine import DETECTOR_FILE, READER2_FILE, READER_FILE, TfliteEngine

    d = require_shipped()
    for f in (DETECTOR_FILE, READER_FILE, READER2_FILE):
        shutil.copy2(d / f, tmp_path / f)
    # WHEN loaded and reading a two-line plate
    eng = TfliteEngine.load(tmp_path)
    img, text, *_ = make_plate("MABC123", "BE", random.Random(3))
    # THEN the reader alone reads it
    assert eng.tall_reader is None
    assert eng.read_crop(img.resize((84, 60))).text == text


def test_two_line_training_samples_are_labelled_top_row_then_bottom_row():
    pytest.importorskip("tensorflow", reason="training extras not installed")
    from training.data import _synth_tall_chunk

    # GIVEN two-line training samples
    xs, ys, ls = _synth_tall_chunk(1.0, (4, 40))
    labels = ["".join(ALPHABET[k] for k in y[:n]) for y, n in zip(ys, ls, strict=True)]
    # THEN each is the whole plate at the two-line reader's input, labelled with both rows' text
    # (Belgian motorcycle plates: M + 3 letters, then 3 digits)
    assert xs.shape[1:] == (TALL_H, TALL_W) and len(xs) >= 30
    moto = [t for t in labels if len(t) == 7 and t[0] == "M" and t[1:4].isalpha() and t[4:].isdigit()]
    assert len(moto) >= 10 and all(4 <= len(t) <= 12 for t in labels)


def test_each_readers_training_plates_are_warped_with_its_own_spread(monkeypatch):
    pytest.importorskip("tensorflow", reason="training extras not installed")
    from anpr.ocr.render import scene

    from training import data
    from training.settings import MODES
    from training.train import reader_settings

    # GIVEN the full training's settings and a renderer that records the perspective asked for
    tilts = []
    real = scene.warp_plate

    def recording(img, inner, plate_h, rng, tilt=1.0):
        tilts.append(tilt)
        return real(img, inner, plate_h, rng, tilt=tilt)

    monkeypatch.setattr(scene, "warp_plate", recording)
    s = MODES["full"]
    # WHEN the two-line reader's samples are rendered
    data.synth_tall_set(12, s.seed, workers=1, chunk=12, tilt=s.tall_tilt)
    # THEN every plate is warped with the spread a scene's plates get
    assert tilts and set(tilts) == {s.tall_tilt} and s.tall_tilt == 1.0
    # WHEN each kind of each one-line reader's samples is rendered as its training asks
    for name, spread in (("reader", 0.6), ("reader_2", 1.0)):
        rs = reader_settings(s, name)
        for make in (data.synth_reader_set, data.synth_format_set, data.synth_row_set, data.synth_band_set):
            tilts.clear()
            make(8, rs.seed, workers=1, chunk=8, tilt=rs.reader_tilt)
            # THEN the first reader's crops keep the milder spread it was trained on, and the
            # second reader's, the opinion it is asked for, get a scene's
            assert tilts and set(tilts) == {spread}, (name, make.__name__)
    # and the renderer's own default stays the milder one
    tilts.clear()
    data._format_crop(random.Random(1), None, (20, 30))
    assert tilts == [0.6]


def test_two_line_training_jitters_each_step_the_same_way_on_every_run():
    tf = pytest.importorskip("tensorflow", reason="training extras not installed")
    from training.data import _synth_tall_chunk
    from training.settings import MODES
    from training.train import _jitter

    # GIVEN a batch of two-line training samples and the jitter the shipped two-line reader is
    # trained with (the smoke training's too)
    xs, _, _ = _synth_tall_chunk(1.0, (4, 8))
    x = tf.cast(xs, tf.float32)[..., None] / 255.0
    j = MODES["smoke"].tall_jitter
    assert 0 < j <= 0.05 and MODES["full"].tall_jitter == j

    def twice(seed):
        tf.random.set_seed(seed)
        return _jitter(tf, x, j).numpy(), _jitter(tf, x, j).numpy()

    # WHEN the batch is jittered on two steps, in two runs with the same seed
    a1, a2 = twice(11)
    b1, b2 = twice(11)
    # THEN each step sees the plates differently, yet every run sees them alike (make train stays
    # byte for byte) ...
    assert a1.shape == x.shape and np.array_equal(a1, b1) and np.array_equal(a2, b2)
    assert np.abs(a1 - a2).mean() > 0.01
    # ... and a jittered plate is still that plate: moved a pixel or two, not replaced
    assert np.abs(a1 - x.numpy()).mean() < 0.15
