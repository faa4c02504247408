import random
from dataclasses import replace

from anpr.ocr.engine import CameraHint, load_engine
from anpr.ocr.grammar import default_grammar
from anpr.ocr.preprocess import iou
from anpr.ocr.render import render_crop, render_snapshot
from PIL import Image

from tests.ocr.conftest import require_shipped


def test_engine_reads_rendered_plates(engine):
    # GIVEN clean-ish rendered plate crops of the main countries
    rng = random.Random(2024)
    cases = [("1ABC234", "BE"), ("1XYZ987", "BE"), ("AB123CD", "FR"), ("HT465K", "NL"), ("AB12CDE", "UK")]
    read = 0
    for text, country in cases:
        crop, _, _, _lines = render_crop(rng, text, country, night=False)
        r = engine.read_crop(crop.resize((crop.width * 2, crop.height * 2)), 4.5)
        read += r.text == text or text in r.alternatives
    # THEN most read exactly (synthetic crops are degraded at random)
    assert read >= 3, read


def test_engine_finds_and_reads_the_plate_in_a_snapshot(engine):
    # GIVEN snapshots from the camera simulator's renderer
    found = exact = 0
    for seed in range(10):
        img, box = render_snapshot("1ABC234", "BE", random.Random(seed))
        # WHEN the engine reads the whole image
        plates = engine.read(img, CameraHint(country="BE"))
        hit = [p for p in plates if iou(p.bbox, box) >= 0.5]
        found += bool(hit)
        exact += bool(hit) and hit[0].text == "1ABC234"
        for p in plates:
            assert p.source == "ocr" and (p.country in default_grammar().countries or p.country == "UNKNOWN")
            assert 0.0 <= p.country_score <= 1.0
    # THEN the plate is found and read in most of them
    assert found >= 8 and exact >= 6, (found, exact)


def test_blank_image_has_no_plates(engine):
    # GIVEN an empty grey frame THEN nothing is reported
    assert engine.read(Image.new("RGB", (640, 480), (90, 90, 90))) == []


def test_load_engine_auto_prefers_tflite():
    # GIVEN shipped models WHEN the platform loads its engine THEN it is the TFLite one
    require_shipped()
    assert load_engine("auto").name == "tflite"


def test_engine_reports_its_load_time(engine):
    # THEN model load (incl. warm-up) is measured for the benchmark (`make bench-ocr` prints it; the
    # budget is checked there, not in a timed unit test)
    assert engine.load_ms > 0 and engine.fallback is not None


def test_larger_detector_size_runs_only_when_nothing_was_read(engine, monkeypatch):
    # GIVEN a snapshot whose plate the main detector sizes "miss" (stubbed), and a call log
    img, box = render_snapshot("1ABC234", "BE", random.Random(3))
    real_detect, calls = engine.detect, []

    def detect(image, fallback=False):
        calls.append(fallback)
        return real_detect(image, fallback=True) if fallback else []

    monkeypatch.setattr(engine, "detect", detect)
    # WHEN the engine reads it
    plates = engine.read(img, CameraHint(country="BE"))
    # THEN the fallback size was tried after the main pass and found the plate
    assert calls == [False, True]
    assert any(iou(p.bbox, box) >= 0.5 for p in plates), plates


def test_larger_detector_size_also_runs_after_only_doubtful_reads(engine, monkeypatch):
    # GIVEN a snapshot whose main-pass reads all come out doubtful (confidence forced below the bar)
    img, _ = render_snapshot("1ABC234", "BE", random.Random(0))
    real_detect, calls = engine.detect, []
    real_read_boxes = engine._read_boxes

    def detect(image, fallback=False):
        calls.append(fallback)
        return real_detect(image, fallback)

    def read_boxes(image, boxes, country):
        out = real_read_boxes(image, boxes, country)
        return [replace(p, confidence=0.1) for p in out] if len(calls) == 1 else out

    monkeypatch.setattr(engine, "detect", detect)
    monkeypatch.setattr(engine, "_read_boxes", read_boxes)
    # WHEN the engine reads it
    engine.read(img, CameraHint(country="BE"))
    # THEN it looked again at the larger size
    assert calls == [False, True]


def test_larger_detector_size_is_skipped_when_the_main_pass_reads_a_plate(engine, monkeypatch):
    # GIVEN a snapshot the main detector sizes read
    img, _ = render_snapshot("1ABC234", "BE", random.Random(0))
    real_detect, calls = engine.detect, []

    def detect(image, fallback=False):
        calls.append(fallback)
        return real_detect(image, fallback)

    monkeypatch.setattr(engine, "detect", detect)
    # WHEN the engine reads it THEN only the main pass ran (the fallback costs ~9 ms)
    assert engine.read(img, CameraHint(country="BE"))
    assert calls == [False]


def test_camera_read_is_kept_when_the_models_find_nothing(engine):
    # GIVEN a frame without a visible plate but a camera that read one itself
    frame = Image.new("RGB", (640, 480), (90, 90, 90))
    # WHEN the engine reads it with the camera's hint
    plates = engine.read(frame, CameraHint(plate="1-xyz-987", confidence=0.8, country="BE"))
    # THEN the camera's read is returned, marked as such
    assert [(p.text, p.source) for p in plates] == [("1XYZ987", "camera")]


def test_coat_of_arms_between_groups_never_becomes_a_character(engine):
    # GIVEN plates with a coat of arms after the first group (HR, RS, MK style), rendered flat
    from anpr.ocr.render.plate import make_plate

    for text in ("ZG1234AB", "BG123AB", "SK4567MK"):
        for seed in range(3):
            img, *_ = make_plate(text, "OTHER", random.Random(seed), "emblem")
            # WHEN the crop is read
            r = engine.read_crop(img.resize((img.width // 3, img.height // 3)))
            # THEN exactly the plate's characters come back, none for the emblem
            assert r.text == text, (text, seed, r.text)


def test_a_plate_is_reported_once_even_when_a_box_nests_inside_another():
    from anpr.ocr.engine import PlateDetection
    from anpr.ocr.tflite_engine import _one_per_plate

    def det(text: str, conf: float, bbox: tuple) -> PlateDetection:
        return PlateDetection(text=text, raw_text=text, confidence=conf, bbox=bbox, source="ocr")

    # GIVEN the characters' box read confidently and the plate's frame around it read poorly, and a
    # second plate elsewhere in the frame
    found = [
        det("1ABC234", 0.74, (106, 156, 58, 15)),
        det("2XYZ987", 0.5, (400, 150, 60, 15)),
        det("140234", 0.08, (103, 150, 122, 30)),
    ]
    # THEN the frame's reading is dropped, both plates are kept
    assert [p.text for p in _one_per_plate(found)] == ["1ABC234", "2XYZ987"]


def test_the_shipped_engine_reads_with_both_readers(engine):
    # GIVEN the shipped models WHEN loaded THEN the second reader (drawn typefaces) is read with the first
    assert len(engine.readers) == 2


def test_a_models_folder_without_the_second_reader_reads_with_the_first_alone(tmp_path):
    # GIVEN a models folder holding the detector and the first reader only
    import shutil

    from anpr.ocr.tflite_engine import DETECTOR_FILE, READER_FILE, TfliteEngine

    d = require_shipped()
    for f in (DETECTOR_FILE, READER_FILE):
        shutil.copy2(d / f, tmp_path / f)
    # WHEN loaded
    one = TfliteEngine.load(tmp_path)
    # THEN it reads with one reader, and still reads
    assert len(one.readers) == 1
    img, box = render_snapshot("1ABC234", "BE", random.Random(3))
    assert any(iou(p.bbox, box) >= 0.5 and len(p.text) >= 5 for p in one.read(img))


class _SpellingReader:
    """A stand-in second reader: spells ``text`` on any input, sure of it; counts its runs."""

    def __init__(self, text: str):
        import numpy as np
        from anpr.ocr.preprocess import ALPHABET, BLANK, NUM_CLASSES

        self.runs = 0
        self.logits = np.full((1, 32, NUM_CLASSES), -8.0, dtype=np.float32)
        self.logits[0, :, BLANK] = 8.0
        for i, ch in enumerate(text):
            self.logits[0, 2 + 4 * i, BLANK] = -8.0
            self.logits[0, 2 + 4 * i, ALPHABET.index(ch)] = 8.0

    def __call__(self, x):
        self.runs += 1
        return self.logits


def _two_reader_engine(second):
    from anpr.ocr.tflite_engine import TfliteEngine

    first = TfliteEngine.load(require_shipped())
    return TfliteEngine(first.detectors, first.reader, first.model_dir, 0.0, first.fallback, second)


def test_the_second_reader_is_asked_once_per_reported_reading_and_agree_settles_it(monkeypatch):
    # GIVEN an engine whose second reader spells another valid Belgian plate, and agree spied on
    from anpr.ocr import decode

    second = _SpellingReader("2XYZ987")
    eng = _two_reader_engine(second)
    first_runs = {"n": 0}
    first = eng.reader

    def counted(x):
        first_runs["n"] += 1
        return first(x)

    eng.reader = eng.readers[0] = counted
    settled = []

    def spy(readings, probs):
        settled.append([r.text for r in readings])
        return readings[-1]  # the second reader's reading wins: it must be what is reported

    monkeypatch.setattr(decode, "agree", spy)
    img, box = render_snapshot("1ABC234", "BE", random.Random(3))
    # WHEN the engine reads the snapshot
    plates = [p for p in eng.read(img) if iou(p.bbox, box) >= 0.5]
    # THEN the second reader ran once per reading reported (one line: one input each; the box's
    # other paddings, cuts and band are the first reader's alone), agree saw both readers' readings,
    # and its choice is what the engine reports
    assert second.runs == len(settled) >= 1 and all(texts[-1] == "2XYZ987" for texts in settled)
    assert second.runs < first_runs["n"] / 2
    assert plates and plates[0].text == "2XYZ987"


def test_a_second_reader_that_reads_as_the_first_changes_nothing(engine):
    # GIVEN an engine whose second reader is the first reader itself
    eng = _two_reader_engine(engine.reader)
    img, _ = render_snapshot("1ABC234", "BE", random.Random(5))
    # WHEN both engines read the same snapshot THEN they report the same plates
    assert [(p.text, p.confidence) for p in eng.read(img)] == [
        (p.text, p.confidence) for p in engine.read(img)
    ]
