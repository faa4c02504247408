"""The shipped OCR engine: a TFLite plate detector, then a TFLite CTC reader per plate.

Models load once per container (``TfliteEngine.load``); every call runs single-threaded so one
Lambda vCPU serves one snapshot predictably.
"""

from __future__ import annotations

import math
import os
import time
from pathlib import Path

import numpy as np
from PIL import Image

from anpr.ocr import decode
from anpr.ocr.band import band_input, band_letters, code_posterior
from anpr.ocr.cues import plate_colours
from anpr.ocr.engine import CameraHint, PlateDetection
from anpr.ocr.grammar import default_grammar
from anpr.ocr.preprocess import (
    BLANK,
    DET_FALLBACK_SCALE,
    DET_SCALES,
    TWO_LINE_MAX_ASPECT,
    decode_detections,
    detector_input,
    iou,
    reader_input,
    tall_input,
)
from anpr.ocr.rows import ROW_PASS_MAX_ASPECT, TWO_LINE_ASPECT, row_input, rows_box, split_rows
from anpr.ocr.straighten import turned_line

READER_FILE, DETECTOR_FILE = "plate_reader.tflite", "plate_detector.tflite"
#: a second reader, trained on the same data with a quarter of its plates in the typefaces the
#: renderer draws (``render.strokes``): read with the first wherever it is shipped, the two
#: settle a crop they read differently by ``decode.agree``
READER2_FILE = "plate_reader_2.tflite"
#: the two-line reader: a two-line plate's whole cut at 64×128 (``preprocess.tall_input``), its rows
#: read one after the other; where shipped, every cut the readers read as a two-line plate is read
#: by it too: its reading wins where it ranks higher, and is a third opinion on the reading reported
#: where it does not (``_second_opinion``)
TALL_FILE = "plate_reader_tall.tflite"
LAMBDA_LAYER_DIR = Path("/opt/models")
REPO_MODELS_DIR = Path(__file__).resolve().parents[4] / "models"
#: detector box → reader crop margins (the training pipeline cuts its crops the same way)
from anpr.ocr.preprocess import CROP_MARGIN_X, CROP_MARGIN_Y, expand_box

DET_THRESHOLD = 0.3
#: the larger fallback detector size runs when no plate was read at least this confidently
#: (nothing at all, or only doubtful reads such as text on a bumper)
FALLBACK_BELOW = 0.2
MAX_PLATES = 6
#: test-time crop augmentation: each detected box is read at these (x, y) margins (fractions of the
#: box) and the readings vote, weighted by reader confidence; the first is the training crop
#: (expand_box). Tuned on the non-held-out real split plus fresh synthetic EU scenes: detector boxes
#: that are a little tight or loose read better at one of the other paddings.
CROP_VARIANTS = ((0.06, 0.12), (0.0, 0.0), (0.12, 0.25))
#: a training-crop reading at least this confident is kept as is (no extra reads: saves time)
TTA_SKIP_CONFIDENCE = 0.95
#: only the most likely boxes get the extra reads (bounds the added time per image)
TTA_MAX_BOXES = 2
#: two-line shapes (up to ``rows.ROW_PASS_MAX_ASPECT``) are also read row by row (``_read_rows``):
#: two more reader runs per such crop and row cut
ROW_PASS = True
#: for clearly two-line shapes (< TWO_LINE_MAX_ASPECT) the row cut is also tried this many pixels
#: above and below the gap found (blurred small plates' gaps are shallow, and a cut one pixel off
#: slices a row's strokes)
ROW_GAP_OFFSETS = (0, -1, 1)
#: ... unless a cut's rows already read as a valid format at least this confidently
ROW_SURE = 0.8
#: a flat box (TWO_LINE_MAX_ASPECT..ROW_PASS_MAX_ASPECT) whose one-line reading has this many
#: characters is taken as one line (a two-line plate's flat box reads as one row's 3-4 characters)
FLAT_ONE_LINE_MIN_CHARS = 5
#: readings of one crop made different ways (one line, rows side by side, row by row) compare on
#: decision score + this per character: a partial reading ("194" of "M-BJI/194") has fewer
#: characters to be unsure about, and must not win for that alone
CHAR_BONUS = 0.5
#: the EU band's letters (read by the reader on the band's cut, ``anpr.ocr.band``) are scored against
#: every listed band code; the posterior weighs the countries' scores (``Grammar._band_factor``), and
#: a code at least this probable becomes the decoding's country hint (unless the camera gives one)
BAND_MIN_CONFIDENCE = 0.5
#: where no band is found on the box's crop, it is looked for on a cut this much (of the box's
#: width) wider at the left: detector boxes often start inside the band
BAND_MARGIN_X = 0.12
#: a detector box up to this shape (w/h) reading like one row of a two-line plate is grown to the
#: plate (``_grow_row_box``: one row of a 280×200 mm motorcycle plate is about 3:1)
ONE_ROW_MAX_ASPECT = 3.5
#: ... (and a one-line box grown at its ends, ``_grow_line_box``) when the detector is at least
#: this sure of it (bounds the extra reads on stray text)
GROW_MIN_SCORE = 0.5
#: ... towards a side whose added part has at least this share of the box's text-like edges
GROW_MIN_EDGES = 0.5
#: a one-line box is also read this share of its width longer at each end in turn
#: (``_grow_line_box``): the detector boxes close-up plates too short (a plate 50-110 px high
#: in a 640×480 frame), cutting off an end character or two
LINE_GROW = 0.3
#: ... and once more from the grown box where that read longer (a box 60 % of its plate's width)
LINE_GROW_ROUNDS = 2
#: ... towards an end whose added part has at least this share of the box's text-like edges
#: (the plate's own border and the car's body beyond a whole plate have fewer)
LINE_GROW_MIN_EDGES = 0.6
#: two boxes are the rows of one plate (``_stack``) when their widths overlap by this share of the
#: narrower and the gap between them is under this share of the smaller height
STACK_MIN_X_OVERLAP = 0.6
STACK_MAX_GAP = 0.5
#: a plate at least this share of the image's height (72 px of 480), found at both detector scales, keeps the
#: coarser scale's box: the finer scale boxes such plates too narrow (median 0.87 of the plate's
#: width, 0.59 at the 10th percentile, against 0.94 and 0.81), cutting off end characters
LARGE_PLATE = 0.15
#: each detector box is refined by a second detector run on a cut around it (``refine``), at this
#: input size (H/8 ≡ 2, W/8 ≡ 0 mod 4, as DET_SCALES) with the box scaled to at most 1/REFINE_CONTEXT
#: of the cut's width and height; the refined box (the best one the cut's run finds over the box)
#: and the box are averaged, weighted by their scores. Frame-wide runs box small plates loosely
#: (a 76 px wide plate in a 1280 px frame is 29 px wide at the 480 px input, its box one cell wide
#: either way); seen larger, the plate's box is closer to it
REFINE = True
REFINE_HW = (80, 256)
REFINE_CONTEXT = (2.0, 2.6)
#: ... where the cut's box overlaps the box at least this much (else the box is kept)
REFINE_MIN_IOU = 0.25
#: ... for boxes the detector is at least this sure of (about one per image; bounds the time)
REFINE_MIN_SCORE = 0.5
#: the second reader on/off where it is shipped (off: measurements of the first alone)
SECOND_READER = True
#: the two-line reader on/off where it is shipped (off: two-line plates read by the reader alone)
TWO_LINE_READER = True
#: band reading on/off (off: the country comes from the format and colours alone)
READ_BAND = True
#: crops up to this shape (w/h) are looked at for a text line at a slant (``straighten``): a
#: one-line plate turned 10° or more comes out of the detector no wider than this, and squarer than
#: a plate from about 15° (read as it is, the engine takes it for a two-line plate)
TURNED_MAX_ASPECT = ONE_ROW_MAX_ASPECT
#: turned plates on/off (off: every crop read as it comes)
TURNED_PASS = True
#: the level cut's reading wins where the reader is this much surer of it than of the crop's as it
#: comes (the crop's reading is the one the other readers' opinions were tuned on)
TURNED_MARGIN = 0.05


def _rank(r: decode.Reading) -> float:
    return r.score + CHAR_BONUS * len(r.text)


def models_dir() -> Path:
    env = os.environ.get("ANPR_MODELS_DIR")
    if env:
        return Path(env)
    if (LAMBDA_LAYER_DIR / READER_FILE).exists():
        return LAMBDA_LAYER_DIR
    return REPO_MODELS_DIR


def _interpreter(path: Path):
    try:
        from tflite_runtime.interpreter import Interpreter
    except ImportError:  # training machines: TF's own copy
        from tensorflow.lite.python.interpreter import Interpreter
    it = Interpreter(model_path=str(path), num_threads=1)
    it.allocate_tensors()
    return it


class _Model:
    def __init__(self, path: Path, input_hw: tuple[int, int] | None = None):
        self.it = _interpreter(path)
        self.inp = self.it.get_input_details()[0]["index"]
        self.out = self.it.get_output_details()[0]["index"]
        if input_hw and tuple(self.it.get_input_details()[0]["shape"][1:3]) != tuple(input_hw):
            self.it.resize_tensor_input(self.inp, [1, input_hw[0], input_hw[1], 1])
            self.it.allocate_tensors()
        #: (height, width) of the input it takes
        self.input_hw = tuple(int(v) for v in self.it.get_input_details()[0]["shape"][1:3])

    def __call__(self, x: np.ndarray) -> np.ndarray:
        self.it.set_tensor(self.inp, x)
        self.it.invoke()
        return self.it.get_tensor(self.out)


class TfliteEngine:
    name = "tflite"

    def __init__(
        self,
        detectors: list[tuple[tuple[int, int], _Model]],
        reader: _Model,
        model_dir: Path,
        load_ms: float,
        fallback: _Model | None = None,
        second_reader: _Model | None = None,
        tall_reader: _Model | None = None,
        refiner: _Model | None = None,
    ):
        self.detectors, self.reader, self.model_dir, self.load_ms = detectors, reader, model_dir, load_ms
        self.fallback = fallback
        self.readers = [reader] + ([second_reader] if second_reader is not None else [])
        self.tall_reader = tall_reader
        self.refiner = refiner
        #: id(reading) → what the first reader made it from (``_source``), within one read
        self._sources: dict[int, tuple] = {}
        #: id(two-line reading) → the two-line reader's (reading, output) of its cut, for its opinion
        self._talls: dict[int, tuple[decode.Reading, np.ndarray]] = {}

    @classmethod
    def load(cls, model_dir: str | Path | None = None) -> TfliteEngine:
        d = Path(model_dir) if model_dir else models_dir()
        for f in (READER_FILE, DETECTOR_FILE):
            if not (d / f).exists():
                raise FileNotFoundError(f"OCR model missing: {d / f}")
        t0 = time.perf_counter()
        dets = [(hw, _Model(d / DETECTOR_FILE, hw)) for hw in DET_SCALES]
        rdr = _Model(d / READER_FILE)
        fallback = _Model(d / DETECTOR_FILE, DET_FALLBACK_SCALE)
        second = _Model(d / READER2_FILE) if SECOND_READER and (d / READER2_FILE).exists() else None
        tall = _Model(d / TALL_FILE) if TWO_LINE_READER and (d / TALL_FILE).exists() else None
        refiner = _Model(d / DETECTOR_FILE, REFINE_HW) if REFINE else None
        engine = cls(dets, rdr, d, (time.perf_counter() - t0) * 1000, fallback, second, tall, refiner)
        engine.read_crop(
            Image.new("RGB", (120, 30), (255, 255, 255))
        )  # warm-up: first invoke sets up XNNPACK
        engine.detect(Image.new("RGB", (64, 48)))
        engine.refine(Image.new("L", (64, 48)), 0.5, (8.0, 20.0, 40.0, 10.0))
        default_grammar()  # the plate formats (~20 ms): here, not on the first snapshot
        engine.load_ms = (time.perf_counter() - t0) * 1000
        return engine

    # ------------------------------------------------------------ stages
    def detect(
        self, image: Image.Image, fallback: bool = False
    ) -> list[tuple[float, tuple[float, float, float, float]]]:
        """Plate boxes (score, (x, y, w, h)) from every detector scale, merged by NMS; with
        ``fallback``, from the larger fallback size alone."""
        grey = image if image.mode == "L" else image.convert("L")
        found: list[tuple[float, tuple[float, float, float, float]]] = []
        scales = [(DET_FALLBACK_SCALE, self.fallback)] if fallback and self.fallback else self.detectors
        coarse: set[tuple[float, float, float, float]] = set()
        for k, (hw, model) in enumerate(scales):
            x, scale = detector_input(grey, hw)
            y = model(x[None, ..., None])[0]
            dets = decode_detections(y[..., 0], y[..., 1:3], y[..., 3:5], scale, DET_THRESHOLD, MAX_PLATES)
            if k == 0:
                coarse.update(b for _, b in dets)
            found += dets
        found.sort(key=lambda t: -t[0])
        kept: list[tuple[float, tuple[float, float, float, float]]] = []
        for sc, box in found:
            same = [j for j, k in enumerate(kept) if iou(box, k[1]) >= 0.3]
            if not same:
                kept.append((sc, box))
            elif (
                box in coarse
                and kept[same[0]][1] not in coarse
                and box[3] >= LARGE_PLATE * image.height
                and iou(box, kept[same[0]][1]) >= 0.5
            ):
                kept[same[0]] = (kept[same[0]][0], box)
        return kept[:MAX_PLATES]

    def refine(
        self, grey: Image.Image, score: float, box: tuple[float, float, float, float]
    ) -> tuple[float, float, float, float]:
        """``box`` (detector score ``score``) refined: the detector run again on a cut around it
        where the box is at most 1/REFINE_CONTEXT of the cut (seen larger than in the frame), and
        the best box it finds over ``box`` averaged with it, weighted by their scores."""
        if self.refiner is None or score < REFINE_MIN_SCORE:
            return box
        H, W = REFINE_HW
        x, y, w, h = box
        s = min(W / (REFINE_CONTEXT[0] * max(1.0, w)), H / (REFINE_CONTEXT[1] * max(1.0, h)))
        x0, y0 = round(x + w / 2 - W / s / 2), round(y + h / 2 - H / s / 2)
        cut = grey.crop((x0, y0, round(x0 + W / s), round(y0 + H / s)))  # black outside the frame
        inp, sc = detector_input(cut, REFINE_HW)
        out = self.refiner(inp[None, ..., None])[0]
        best: tuple[float, tuple[float, float, float, float]] | None = None
        for rs, b in decode_detections(out[..., 0], out[..., 1:3], out[..., 3:5], sc, DET_THRESHOLD, 4):
            b = (b[0] + x0, b[1] + y0, b[2], b[3])
            if iou(b, box) >= REFINE_MIN_IOU and (best is None or rs > best[0]):
                best = (rs, b)
        if best is None:
            return box
        a = best[0] / (best[0] + score)
        return tuple(a * u + (1 - a) * v for u, v in zip(best[1], box, strict=True))

    def _probs(self, x: np.ndarray) -> np.ndarray:
        return decode.softmax(self.reader(x[None, ..., None])[0])

    def _source(
        self, reading: decode.Reading, probs: list[np.ndarray], xs: list[np.ndarray], read
    ) -> decode.Reading:
        """Remember what the first reader made ``reading`` from (its outputs ``probs`` on the
        inputs ``xs``: one crop, or a two-line plate's two rows; ``read``: one output per input →
        reading) for ``_second_opinion``."""
        if len(self.readers) > 1 or self.tall_reader is not None:
            self._sources[id(reading)] = (reading, probs, xs, read)  # holds it: the id stays its own
        return reading

    def _second_opinion(self, first: decode.Reading) -> decode.Reading:
        """The reading a box or crop came to (the first reader's, after the paddings' vote and
        the choice between one line and rows) settled with the other readers' readings of the
        same inputs by ``decode.agree``, their outputs on several inputs joined in time. Asked
        once per reading reported, not per reading tried (each costs a reader run), and asked
        about confident readings too: a reader sure of a misread (a T read as 7) is what a second
        one catches. Where the other readers' best path is the first's, the first's reading
        stands (it decodes the same)."""
        src = self._sources.get(id(first))
        if src is None or src[0] is not first:
            return first
        _, first_probs, xs, read = src
        readings, joined = [first], [np.concatenate(first_probs)]
        paths = [_best_path(p) for p in first_probs]
        for m in self.readers[1:]:
            probs = [decode.softmax(m(x[None, ..., None])[0]) for x in xs]
            if [_best_path(p) for p in probs] == paths:
                continue
            readings.append(read(*probs))
            joined.append(np.concatenate(probs))
        tall = self._talls.get(id(first))
        if tall is not None and (len(readings) > 1 or tall[0].text != first.text):
            # a two-line reading's cut read whole by the two-line reader: a third opinion (its
            # output, the top row's steps then the bottom row's, scores each text as the rows
            # joined in time do)
            readings.append(tall[0])
            joined.append(tall[1])
        return first if len(readings) == 1 else decode.agree(readings, joined)

    def read_band(self, crop: Image.Image) -> dict[str, float] | None:
        """Posterior over the listed countries' bands (keyed by the country's current code: a "GB"
        band counts for "UK") of the EU band's letters on ``crop`` (``band.code_posterior``); None
        when no band is found."""
        letters = band_letters(crop)
        if letters is None:
            return None
        g = default_grammar()
        post = code_posterior(self._probs(band_input(letters)), g.band_codes(), decode.ALPHABET, BLANK)
        out: dict[str, float] = {}
        for code, p in post.items():
            band = g.countries[g.band_country(code)].band
            out[band] = out.get(band, 0.0) + p
        return out

    def _band_of_box(
        self, image: Image.Image, box: tuple[float, float, float, float], crop: Image.Image
    ) -> dict[str, float] | None:
        """The band read on the box's training crop or, when none is found there (a box that
        starts inside the band cuts it), on a cut BAND_MARGIN_X wider at the left."""
        band = self.read_band(crop)
        if band is None:
            x, y, w, h = box
            wider = image.crop(
                _pad_box((x - w * BAND_MARGIN_X, y, w * (1 + BAND_MARGIN_X), h), image.size, 0.06, 0.12)
            )
            band = self.read_band(wider)
        return band

    def _read(
        self, crop: Image.Image, two_line: bool, country: str | None, cues: dict | None = None
    ) -> decode.Reading:
        x = reader_input(crop, two_line)
        how = decode.read_halves if two_line else decode.read
        probs = self._probs(x)
        return self._source(
            how(probs, country, cues=cues), [probs], [x], lambda p: how(p, country, cues=cues)
        )

    def _read_tall(
        self, crop: Image.Image, country: str | None, cues: dict | None
    ) -> tuple[decode.Reading, np.ndarray] | None:
        """A two-line plate read whole by the two-line reader, with its output (None where it is
        not shipped): the top row's steps then the bottom row's, decoded as rows side by side."""
        if self.tall_reader is None:
            return None
        # the input's size is the file's (a two-line reader trained on wider cuts reads them as such)
        x = tall_input(crop, self.tall_reader.input_hw)
        probs = decode.softmax(self.tall_reader(x[None, ..., None])[0])
        r = decode.read_halves(probs, country, cues=cues)
        # its reading counts only as a two-line plate: text in both rows, fitting a two-line format
        return (r, probs) if r.lines == 2 and r.valid else None

    def _read_rows(
        self, crop: Image.Image, country: str | None, cues: dict | None, offsets: tuple[int, ...] = (0,)
    ) -> decode.Reading | None:
        """Second pass for two-line plates: each row read alone at the reader's full input size,
        the joined text checked against the two-line formats, for the row cut at each of
        ``offsets`` from the gap found (the best reading wins). None when no row gap is found."""
        readings = []
        for offset in offsets:
            rows = split_rows(crop, offset)
            if rows is None:
                return None
            xs = [row_input(r) for r in rows]
            top, bottom = (self._probs(x) for x in xs)
            first = decode.read_rows(top, bottom, country, cues=cues)
            readings.append(
                self._source(
                    first, [top, bottom], xs, lambda t, b: decode.read_rows(t, b, country, cues=cues)
                )
            )
            if readings[-1].valid and readings[-1].confidence >= ROW_SURE:
                break  # a confident two-line reading: the other cuts are not needed
        return max(readings, key=_rank)

    def read_crop(
        self,
        crop: Image.Image,
        aspect: float | None = None,
        country: str | None = None,
        cues: dict | None = None,
        rows_crop: Image.Image | None = None,
    ) -> decode.Reading:
        """Read a plate crop (``_read_crop``), with the other readers' second opinion."""
        self._sources, self._talls = {}, {}
        try:
            return self._second_opinion(self._read_crop(crop, aspect, country, cues, rows_crop))
        finally:
            self._sources, self._talls = {}, {}

    def _read_crop(
        self,
        crop: Image.Image,
        aspect: float | None = None,
        country: str | None = None,
        cues: dict | None = None,
        rows_crop: Image.Image | None = None,
    ) -> decode.Reading:
        """Read a plate crop as it comes (``_read_upright``) and, where its text runs at a slant
        (``straighten.turned_line``: a one-line plate turned 10° or more), also made level (turned,
        and sheared) and cut to its text. A level cut's reading wins where it fits a format if the
        other does and the reader is surer of it by TURNED_MARGIN: two views of one plate compare
        on how clearly each reads, not on ``_rank``, whose length bonus favours the stray
        characters a level cut's corners add."""
        a = aspect if aspect is not None else crop.width / max(1, crop.height)
        if cues is None:
            cues = plate_colours(crop)
        best = self._read_upright(crop, a, country, cues, rows_crop)
        # (a reading the reader is surer of than 1 - TURNED_MARGIN cannot be beaten: no need to look)
        if TURNED_PASS and a < TURNED_MAX_ASPECT and best.confidence + TURNED_MARGIN < 1.0:
            for level in turned_line(crop):
                turned = self._read_upright(level, level.width / max(1, level.height), country, cues)
                if (turned.valid or not best.valid) and turned.confidence > best.confidence + TURNED_MARGIN:
                    best = turned
        return best

    def _read_upright(
        self,
        crop: Image.Image,
        aspect: float | None = None,
        country: str | None = None,
        cues: dict | None = None,
        rows_crop: Image.Image | None = None,
    ) -> decode.Reading:
        """Read a plate crop (``rows_crop``: a taller cut of the same box for the row-by-row pass). Wide crops are read as one line. Two-line shapes are read with both
        rows side by side (as trained) and row by row (``_read_rows``); shapes near the boundary
        also as one line, and boxes a little too flat for a two-line plate (detector boxes that
        miss part of a row) as one line and row by row. The reading with the best ``_rank``
        (reader probability, format validity, length) wins; where it is a two-line reading, the
        two-line reader's reading of the same cut competes with it."""
        a = aspect if aspect is not None else crop.width / max(1, crop.height)
        if cues is None:
            cues = plate_colours(crop)
        if a >= ROW_PASS_MAX_ASPECT:
            return self._read(crop, False, country, cues)
        readings = []
        if a >= TWO_LINE_MAX_ASPECT * 0.8:
            readings.append(self._read(crop, False, country, cues))
        if a < TWO_LINE_MAX_ASPECT:
            readings.append(self._read(crop, True, country, cues))
        one_line_ok = readings[0].valid or readings[0].confidence >= 0.3
        if (
            a >= TWO_LINE_MAX_ASPECT * 0.8
            and len(readings[0].text) >= FLAT_ONE_LINE_MIN_CHARS
            and one_line_ok
        ):
            # readable as one line (a US plate, 2:1; a steeply tilted one-line plate): no row
            # pass, which would read its two ends as two "rows"
            rows_allowed = False
        else:
            rows_allowed = ROW_PASS
        if rows_allowed:
            # a clearly two-line shape gets the extra row cuts; a flat box (often a one-line plate
            # too small to tell) only the gap found
            offsets = ROW_GAP_OFFSETS if a < TWO_LINE_MAX_ASPECT else ROW_GAP_OFFSETS[:1]
            by_rows = self._read_rows(rows_crop or crop, country, cues, offsets)
            # flat boxes: rows only count when they fit a two-line format
            if by_rows is not None and by_rows.text and (a < TWO_LINE_MAX_ASPECT or by_rows.valid):
                readings.append(by_rows)
        best = max(readings, key=_rank)
        if best.lines == 2 and self.tall_reader is not None:
            # the same cut read whole by the two-line reader: a candidate like the others (it wins
            # where its reading ranks higher) and, where it does not, an opinion on the reading
            # if reported (``_second_opinion``)
            tall = self._read_tall((rows_crop if rows_allowed and rows_crop else crop), country, cues)
            if tall is not None:
                if _rank(tall[0]) > _rank(best):
                    return tall[0]
                self._talls[id(best)] = tall
        return best

    def read_box(
        self,
        image: Image.Image,
        box: tuple[float, float, float, float],
        country: str | None = None,
        variants: tuple[tuple[float, float], ...] | None = None,
    ) -> decode.Reading | None:
        """The reading of a detected box (``_read_box`` without the box it was read from)."""
        got = self._read_box(image, box, country, variants)
        return got[0] if got else None

    def _read_box(
        self,
        image: Image.Image,
        box: tuple[float, float, float, float],
        country: str | None = None,
        variants: tuple[tuple[float, float], ...] | None = None,
    ) -> tuple[decode.Reading, tuple[float, float, float, float]] | None:
        """(reading, the plate's box) for a detected box: the box itself, or the taller cut the
        row pass read when a two-line reading of a box too flat for one won (``_plate_box``).

        The box is read at each crop padding in ``variants``; the texts vote (summed
        ``exp(_rank)``: reader confidence, format validity, length) and the most confident reading
        of the winning text is returned. A confident first reading (≥ TTA_SKIP_CONFIDENCE, and of
        5+ characters where the box may be a two-line plate: a single row reads confidently too)
        ends the search early; None when the training crop reads nothing (the box is then not
        reported, as without augmentation)."""
        variants = CROP_VARIANTS if variants is None else variants
        aspect = box[2] / max(1.0, box[3])
        votes: dict[str, list[decode.Reading]] = {}
        cues: dict | None = None  # measured once, on the training crop
        for k, (mx, my) in enumerate(variants):
            x0, y0, x1, y1 = _pad_box(box, image.size, mx, my)
            if x1 - x0 < 4 or y1 - y0 < 4:
                if k == 0:
                    return None
                continue
            crop = image.crop((x0, y0, x1, y1))
            if cues is None:
                cues = plate_colours(crop)
                bands = self._band_of_box(image, box, crop) if READ_BAND else None
                if bands:
                    cues["bands"] = bands  # evidence for the country's score, as sure as read
                    code, p = max(bands.items(), key=lambda kv: kv[1])
                    if p >= BAND_MIN_CONFIDENCE and not country:
                        country = default_grammar().band_country(code)  # a decoding hint only
                        cues["hint_from_band"] = True
            # a two-line plate's box that came out too flat has missed part of a row: the row
            # pass reads a cut grown (about the centre) to a two-line plate's shape
            tall = rows_box(box)
            rows_crop = image.crop(_pad_box(tall, image.size, mx, my)) if tall else None
            r = self._read_crop(crop, aspect, country, cues=cues, rows_crop=rows_crop)
            sure = r.confidence >= TTA_SKIP_CONFIDENCE and (aspect >= ROW_PASS_MAX_ASPECT or len(r.text) >= 5)
            if k == 0 and (len(r.text) < 2 or sure):
                # unreadable at the training crop: the box is dropped, as before (letting the other
                # paddings rescue such boxes found a few more plates but many more false ones);
                # confidently read: the other paddings are not needed
                if len(r.text) < 2:
                    return None
                r = self._second_opinion(r)
                return r, _plate_box(box, r)
            if len(r.text) >= 2:
                votes.setdefault(r.text, []).append(r)
        if not votes:
            return None
        best = max(votes.values(), key=lambda rs: sum(math.exp(_rank(r)) for r in rs))
        r = self._second_opinion(max(best, key=lambda r: r.confidence))
        return r, _plate_box(box, r)

    def _grow_row_box(
        self,
        image: Image.Image,
        box: tuple[float, float, float, float],
        r: decode.Reading,
        country: str | None,
    ) -> tuple[decode.Reading, tuple[float, float, float, float]] | None:
        """A flat box that reads like one row of a two-line plate (short or invalid): the plate may
        be around it (large two-line plates are often found row by row). The box is grown to a
        two-line plate's shape downwards (it was the top row) and upwards (the bottom row) where
        the added part holds text-like edges and the rows read side by side hold the box's reading
        (one reader run); a two-line reading that fits a format, is longer
        than the box's own and starts (grown downwards) or ends (upwards) with it wins, else None."""
        x, y, w, h = box
        if not TWO_LINE_MAX_ASPECT <= w / max(1.0, h) <= ONE_ROW_MAX_ASPECT:
            return None
        if r.valid and len(r.text) >= FLAT_ONE_LINE_MIN_CHARS:
            return None
        tall_h = w / TWO_LINE_ASPECT
        best = None
        for down in (True, False):
            ty = y if down else y + h - tall_h
            added = (x, y + h, w, tall_h - h) if down else (x, ty, w, tall_h - h)
            if _edges(image, added) < GROW_MIN_EDGES * _edges(image, box):
                continue
            # one reader run (rows side by side) first: the box's row must be in it
            probe = self._read(image.crop(expand_box((x, ty, w, tall_h), image.size)), True, country)
            if not _holds(probe.text, r.text, at_start=down):
                continue
            got = self._read_box(image, (x, ty, w, tall_h), country, CROP_VARIANTS[:1])
            if got is None or got[0].lines != 2 or not got[0].valid or len(got[0].text) <= len(r.text):
                continue
            if not _holds(got[0].text, r.text, at_start=down):
                continue
            if best is None or _rank(got[0]) > _rank(best[0]):
                best = got
        return best

    def _grow_line_box(
        self,
        image: Image.Image,
        box: tuple[float, float, float, float],
        r: decode.Reading,
        country: str | None,
        rounds: int = LINE_GROW_ROUNDS,
    ) -> tuple[decode.Reading, tuple[float, float, float, float]] | None:
        """A one-line box may end inside its plate (close-ups: the detector's box is too short):
        the box is grown by LINE_GROW of its width to the right, then to the left, where the added
        part holds text-like edges; a one-line reading of the longer box (one reader run first,
        then the full read) that fits a format, is longer than the box's own and starts (grown to
        the right) or ends (to the left) with it wins (and is grown again, up to ``rounds`` in all),
        else None."""
        if r.lines != 1 or rounds < 1:
            return None
        x, y, w, h = box
        best = None
        for right in (True, False):
            x0 = x if right else max(0.0, x - LINE_GROW * w)
            x1 = min(float(image.width), x + w + LINE_GROW * w) if right else x + w
            if x1 - x0 - w < 0.05 * w:
                continue  # at the image's edge: nothing to add
            added = (x + w, y, x1 - x - w, h) if right else (x0, y, x - x0, h)
            if _edges(image, added) < LINE_GROW_MIN_EDGES * _edges(image, box):
                continue
            longer = (x0, y, x1 - x0, h)
            probe = self._read(image.crop(expand_box(longer, image.size)), False, country)
            if len(probe.text) <= len(r.text) or not _holds(probe.text, r.text, at_start=right):
                continue
            got = self._read_box(image, longer, country, CROP_VARIANTS[:1])
            if got is None or got[0].lines != 1 or not got[0].valid or len(got[0].text) <= len(r.text):
                continue
            if not _holds(got[0].text, r.text, at_start=right):
                continue
            if best is None or _rank(got[0]) > _rank(best[0]):
                best = got
        if best is None:
            return None
        return self._grow_line_box(image, best[1], best[0], country, rounds - 1) or best

    def _stacked_rows(
        self,
        image: Image.Image,
        found: list[tuple[float, tuple[float, float, float, float], decode.Reading]],
        country: str | None,
    ) -> list[tuple[float, tuple[float, float, float, float], decode.Reading]]:
        """``found`` (detector score, plate box, reading) with the two rows of a two-line plate
        found as two boxes read as one plate: the union of two boxes stacked one above the other
        (overlapping widths, a small gap) of a two-line shape is read, and its reading replaces
        both when it fits a two-line format, is at least as long as either's, and starts with the
        upper box's reading or ends with the lower one's."""
        out = list(found)
        for i in range(len(found)):
            for j in range(i + 1, len(found)):
                a, b = found[i], found[j]
                if a not in out or b not in out:
                    continue
                u = _stack(a[1], b[1])
                if u is None:
                    continue
                got = self._read_box(image, u, country, CROP_VARIANTS[:1])
                if got is None:
                    continue
                r, used = got
                upper, lower = sorted((a, b), key=lambda f: f[1][1])
                if (
                    r.lines == 2
                    and r.valid
                    and len(r.text) >= max(len(a[2].text), len(b[2].text))
                    and (
                        _holds(r.text, upper[2].text, at_start=True)
                        or _holds(r.text, lower[2].text, at_start=False)
                    )
                ):
                    out = [f for f in out if f is not a and f is not b] + [(max(a[0], b[0]), used, r)]
        return out

    def _turned_pieces(
        self,
        image: Image.Image,
        found: list[tuple[float, tuple[float, float, float, float], decode.Reading]],
        unread: list[tuple[float, tuple[float, float, float, float], decode.Reading]],
        country: str | None,
    ) -> list[tuple[float, tuple[float, float, float, float], decode.Reading]]:
        """``found`` with the pieces of a turned plate read as one: the detector, trained on plates
        tilted a few degrees, boxes a plate turned 20° or more as two or three pieces along its
        slanted text. The union of two boxes side by side on a slant (``_side_by_side``; read or
        not) is read (with the turned pass), and its reading replaces the pieces' where it fits a
        format and is longer than either's."""
        pieces = found + unread
        out = list(found)
        gone: list[tuple] = []
        joined: list[tuple] = []
        for i in range(len(pieces)):
            for j in range(i + 1, len(pieces)):
                a, b = pieces[i], pieces[j]
                if any(a is g or b is g for g in gone):
                    continue
                u = _side_by_side(a[1], b[1])
                if u is None:
                    continue
                got = self._read_box(image, u, country, CROP_VARIANTS[:1])
                if got is None:
                    continue
                r, used = got
                if r.valid and len(r.text) > max(len(a[2].text), len(b[2].text)):
                    gone += [a, b]
                    out = [f for f in out if f is not a and f is not b] + [(max(a[0], b[0]), used, r)]
                    pieces.append(out[-1])
                    joined.append(out[-1])
        # a third piece of a joined plate (the detector's boxes overlap) goes with the other two
        return [
            f
            for f in out
            if any(f is j for j in joined)
            or all(
                _nested_share(f[1], j[1]) < NESTED_OVERLAP or len(f[2].text) >= len(j[2].text) for j in joined
            )
        ]

    def read(self, image: Image.Image, hint: CameraHint | None = None) -> list[PlateDetection]:
        self._sources, self._talls = {}, {}
        try:
            return self._read_image(image, hint)
        finally:
            self._sources, self._talls = {}, {}  # the readings' sources are only needed within one image

    def _read_image(self, image: Image.Image, hint: CameraHint | None) -> list[PlateDetection]:
        image = image.convert("RGB")
        country = hint.country.upper() if hint and hint.country else None
        grey = image.convert("L")
        boxes = [(sc, self.refine(grey, sc, b)) for sc, b in self.detect(grey)]
        if not boxes and _looks_like_a_crop(image):
            boxes = [(0.5, (0.0, 0.0, float(image.width), float(image.height)))]
        out = self._read_boxes(image, boxes, country)
        if self.fallback is not None and all(p.confidence < FALLBACK_BELOW for p in out):
            tried = [b for _, b in boxes]
            more = [
                (s, self.refine(grey, s, b))
                for s, b in self.detect(grey, fallback=True)
                if all(iou(b, t) < 0.3 for t in tried)
            ]
            out += self._read_boxes(image, more, country)
        out.sort(key=lambda p: -p.confidence)
        out = _one_per_plate(out)
        if not out and hint and hint.plate:
            # nothing readable found, but the camera read a plate itself: keep that read, marked
            # source="camera", rather than lose the passage (same as the stand-in engine)
            from anpr.ocr.camera_read import CameraReadEngine

            return CameraReadEngine().read(image, hint)
        return out

    def _read_boxes(
        self,
        image: Image.Image,
        boxes: list[tuple[float, tuple[float, float, float, float]]],
        country: str | None,
    ) -> list[PlateDetection]:
        found: list[tuple[float, tuple[float, float, float, float], decode.Reading]] = []
        unread: list[tuple[float, tuple[float, float, float, float], decode.Reading]] = []
        for i, (score, box) in enumerate(boxes):
            got = self._read_box(
                image, box, country, CROP_VARIANTS if i < TTA_MAX_BOXES else CROP_VARIANTS[:1]
            )
            if got is None or len(got[0].text) < 2:
                unread.append((score, box, got[0] if got else decode.EMPTY))
                continue
            if score >= GROW_MIN_SCORE:
                grown = self._grow_row_box(image, box, got[0], country) if ROW_PASS else None
                got = grown or self._grow_line_box(image, box, got[0], country) or got
            found.append((score, got[1], got[0]))
        if ROW_PASS and len(found) > 1:
            found = self._stacked_rows(image, found, country)
        if TURNED_PASS and len(found) + len(unread) > 1:
            found = self._turned_pieces(image, found, unread, country)
        out: list[PlateDetection] = []
        for score, box, r in found:
            bx = tuple(round(v) for v in (max(0.0, box[0]), max(0.0, box[1]), box[2], box[3]))
            out.append(
                PlateDetection(
                    text=r.text,
                    raw_text=r.text,
                    confidence=round(float(score) * r.confidence, 4),
                    bbox=bx,
                    country=r.country,
                    country_score=round(r.country_score, 4),
                    country_runner_up=r.country_runner_up,
                    alternatives=r.alternatives,
                    char_confidences=r.char_confidences,
                    source="ocr",
                    extra={
                        "detector_score": round(float(score), 4),
                        "reader_confidence": round(r.confidence, 4),
                        "format": r.format_id,
                    },
                )
            )
        return out


def _best_path(probs: np.ndarray) -> tuple[int, ...]:
    """The classes on a reader output's best path, repeats merged and blanks dropped."""
    best = probs.argmax(axis=-1)
    keep = np.ones(len(best), dtype=bool)
    keep[1:] = best[1:] != best[:-1]
    return tuple(int(k) for k in best[keep] if k != BLANK)


def _plate_box(
    box: tuple[float, float, float, float], r: decode.Reading
) -> tuple[float, float, float, float]:
    """The plate's box for a reading of detector box ``box``: a two-line reading of a box too flat
    for a two-line plate was read on the taller cut (``rows.rows_box``), which is the plate."""
    tall = rows_box(box) if r.lines == 2 else None
    return tall or box


def _holds(text: str, part: str, at_start: bool) -> bool:
    """Whether ``text`` starts (``at_start``) or ends with ``part``, one character of it allowed
    to differ (the same row read on a different cut)."""
    if len(part) > len(text) or not part:
        return False
    seg = text[: len(part)] if at_start else text[len(text) - len(part) :]
    return sum(x != y for x, y in zip(seg, part)) <= (1 if len(part) >= 3 else 0)


def _edges(image: Image.Image, box: tuple[float, float, float, float]) -> float:
    """Mean absolute horizontal grey gradient inside ``box``: high on rows of characters, low on
    paint, bumpers and sky (0 for an empty box)."""
    x, y, w, h = box
    x0, y0 = max(0, int(x)), max(0, int(y))
    x1, y1 = min(image.width, math.ceil(x + w)), min(image.height, math.ceil(y + h))
    if x1 - x0 < 2 or y1 - y0 < 1:
        return 0.0
    a = np.asarray(image.crop((x0, y0, x1, y1)).convert("L"), dtype=np.float32)
    return float(np.abs(np.diff(a, axis=1)).mean())


def _stack(
    a: tuple[float, float, float, float], b: tuple[float, float, float, float]
) -> tuple[float, float, float, float] | None:
    """The union of boxes ``a`` and ``b`` (x, y, w, h) when they look like the two rows of one
    two-line plate: their widths overlap by STACK_MIN_X_OVERLAP of the narrower, the vertical gap
    between them is under STACK_MAX_GAP of the lower box's height (overlap allowed, but neither
    inside the other), and the union has a two-line shape; else None."""
    (ax, ay, aw, ah), (bx, by, bw, bh) = sorted((a, b), key=lambda t: t[1])
    x_overlap = min(ax + aw, bx + bw) - max(ax, bx)
    if x_overlap < STACK_MIN_X_OVERLAP * min(aw, bw):
        return None
    if by - (ay + ah) > STACK_MAX_GAP * min(ah, bh) or by + bh <= ay + ah or by <= ay + 0.3 * ah:
        return None
    x0, y0 = min(ax, bx), ay
    x1, y1 = max(ax + aw, bx + bw), max(ay + ah, by + bh)
    if not 0.9 < (x1 - x0) / max(1.0, y1 - y0) < ROW_PASS_MAX_ASPECT:
        return None
    return (x0, y0, x1 - x0, y1 - y0)


#: two boxes are pieces of one turned plate (``_side_by_side``) when their heights differ by at most
#: this factor, they overlap by at most this share of the narrower's width or leave a gap of at most
#: this share of the lower height, and the line through their centres slopes at least this much
PIECES_MAX_HEIGHT_RATIO = 2.0
PIECES_MAX_X_OVERLAP = 0.6
PIECES_MAX_GAP = 0.6
PIECES_MIN_SLOPE = math.tan(math.radians(8))


def _side_by_side(
    a: tuple[float, float, float, float], b: tuple[float, float, float, float]
) -> tuple[float, float, float, float] | None:
    """The union of boxes ``a`` and ``b`` (x, y, w, h) when they look like two pieces of one line
    of text running at a slant (side by side, not nested, their centres on a slope of 8° or more,
    vertically touching), of a shape the turned pass reads (narrower than TURNED_MAX_ASPECT);
    else None."""
    (ax, ay, aw, ah), (bx, by, bw, bh) = sorted((a, b), key=lambda t: t[0] + t[2] / 2)
    low = min(ah, bh)
    if max(ah, bh) > PIECES_MAX_HEIGHT_RATIO * low:
        return None
    if min(ax + aw, bx + bw) - max(ax, bx) > PIECES_MAX_X_OVERLAP * min(aw, bw):
        return None
    if bx - (ax + aw) > PIECES_MAX_GAP * low:
        return None
    dx, dy = (bx + bw / 2) - (ax + aw / 2), (by + bh / 2) - (ay + ah / 2)
    if abs(dy) < PIECES_MIN_SLOPE * abs(dx) or max(ay, by) - min(ay + ah, by + bh) > 0.5 * low:
        return None
    x0, y0 = min(ax, bx), min(ay, by)
    x1, y1 = max(ax + aw, bx + bw), max(ay + ah, by + bh)
    if (x1 - x0) / max(1.0, y1 - y0) >= TURNED_MAX_ASPECT:
        return None
    return (x0, y0, x1 - x0, y1 - y0)


#: a detection whose box lies this much (of the smaller box's area) inside a more confident one's is
#: the same plate seen twice (the characters' box and the plate's, a frame around it): dropped
NESTED_OVERLAP = 0.6


def _one_per_plate(found: list[PlateDetection]) -> list[PlateDetection]:
    """``found`` (most confident first) without the detections nested in a more confident one."""
    kept: list[PlateDetection] = []
    for p in found:
        if all(_nested_share(p.bbox, k.bbox) < NESTED_OVERLAP for k in kept):
            kept.append(p)
    return kept


def _nested_share(a: tuple, b: tuple) -> float:
    """Intersection of boxes ``a`` and ``b`` (x, y, w, h) over the smaller one's area."""
    iw = min(a[0] + a[2], b[0] + b[2]) - max(a[0], b[0])
    ih = min(a[1] + a[3], b[1] + b[3]) - max(a[1], b[1])
    if iw <= 0 or ih <= 0:
        return 0.0
    return iw * ih / max(1.0, min(a[2] * a[3], b[2] * b[3]))


def _pad_box(
    box: tuple[float, float, float, float], img_size: tuple[int, int], mx: float, my: float
) -> tuple[int, int, int, int]:
    """``expand_box`` with explicit margins (the default pair gives exactly the training crop)."""
    if (mx, my) == (CROP_MARGIN_X, CROP_MARGIN_Y):
        return expand_box(box, img_size)
    x, y, w, h = box
    W, H = img_size
    return (
        max(0, int(x - w * mx)),
        max(0, int(y - h * my)),
        min(W, math.ceil(x + w * (1 + mx))),
        min(H, math.ceil(y + h * (1 + my))),
    )


def _looks_like_a_crop(image: Image.Image) -> bool:
    w, h = image.size
    return h <= 200 and 1.0 <= w / max(1, h) <= 6.0


__all__ = ["TfliteEngine", "models_dir"]
