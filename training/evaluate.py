"""Metrics on the held-out real sets, shared by the training report and ``make bench-ocr``.

* reader sets (``uc3m_crops``; openalpr crops cut at the true box): exact match and character accuracy
  of the reader alone. uc3m plates have two characters painted over: they are scored on the
  visible characters (the reader is trained to skip the grey boxes).
* scene sets (openalpr_br, openalpr_us, uc3m_scenes): detection recall (IoU ≥ 0.5) and end-to-end
  exact match (the plate the engine returns at the true box reads exactly). uc3m scenes are too small
  to read: recall only. A second, lenient recall counts a plate found when a returned box with ≥ 3
  characters is centred inside the true box: the rule the text-line baseline of ``make bench-ocr`` is scored by (its boxes
  are text lines, not plates), so both systems also get the same rule side by side.
"""

from __future__ import annotations

import statistics
import time
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from anpr.ocr.preprocess import iou
from anpr.ocr.render.scene import expand_box
from PIL import Image

from training.data import RealItem, load_real


def levenshtein(a: str, b: str) -> int:
    prev = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        cur = [i]
        for j, cb in enumerate(b, 1):
            cur.append(min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (ca != cb)))
        prev = cur
    return prev[-1]


def char_accuracy(pred: str, truth: str) -> float:
    return max(0.0, 1.0 - levenshtein(pred, truth) / max(1, len(truth)))


@dataclass
class SetResult:
    name: str
    n: int = 0
    exact: int = 0
    char_acc: float = 0.0
    detected: int = 0
    detected_centre: int = 0  # lenient rule: a returned box centred inside the true box
    ms: list[float] = field(default_factory=list)
    confusion: Counter = field(default_factory=Counter)
    read_scored: bool = True
    det_scored: bool = True
    det_iou_scored: bool = True  # False for text-line systems: their boxes are not plate boxes

    def row(self) -> dict:
        ms = sorted(self.ms)
        return {
            "set": self.name,
            "n": self.n,
            "exact_%": round(100 * self.exact / self.n, 1) if self.n and self.read_scored else None,
            "char_acc_%": round(100 * self.char_acc / self.n, 1) if self.n and self.read_scored else None,
            "det_recall_%": round(100 * self.detected / self.n, 1)
            if self.n and self.det_scored and self.det_iou_scored
            else None,
            "det_centre_%": round(100 * self.detected_centre / self.n, 1)
            if self.n and self.det_scored
            else None,
            "median_ms": round(statistics.median(ms), 2) if ms else None,
            "p90_ms": round(ms[int(0.9 * (len(ms) - 1))], 2) if ms else None,
        }


def _confuse(res: SetResult, pred: str, truth: str) -> None:
    if len(pred) == len(truth):
        for p, t in zip(pred, truth, strict=True):
            if p != t:
                res.confusion[(t, p)] += 1


def centred_in(box: tuple, gt: tuple) -> bool:
    x, y, w, h = gt
    return x <= box[0] + box[2] / 2 <= x + w and y <= box[1] + box[3] / 2 <= y + h


def held_out(name: str, limit: int | None = None) -> list[RealItem]:
    return [it for it in load_real(name) if it.held_out][:limit]


#: a system under test: image → [(text, (x, y, w, h))], most likely first
System = Callable[[Image.Image], list[tuple[str, tuple[float, float, float, float]]]]


def eval_scenes(
    name: str,
    system: System,
    items: Iterable[RealItem],
    read_scored: bool,
    box_match: Callable[[tuple, tuple], bool] | None = None,
) -> SetResult:
    res = SetResult(name, read_scored=read_scored)
    match = box_match or (lambda pred, gt: iou(pred, gt) >= 0.5)
    for it in items:
        img = Image.open(it.path).convert("RGB")
        t0 = time.perf_counter()
        plates = system(img)
        res.ms.append((time.perf_counter() - t0) * 1000)
        res.n += 1
        hits = [text for text, box in plates if match(box, it.box)]
        if hits:
            res.detected += 1
        res.detected_centre += any(centred_in(box, it.box) and len(text) >= 3 for text, box in plates)
        if read_scored:
            pred = hits[0] if hits else ""
            res.exact += pred == it.text
            res.char_acc += char_accuracy(pred, it.text)
            _confuse(res, pred, it.text)
    return res


def eval_crops(
    name: str, reader: Callable[[Image.Image, float], str], items: Iterable[RealItem]
) -> SetResult:
    """Reader alone on the crop the engine would cut at the true box (uc3m: the given crop)."""
    res = SetResult(name, det_scored=False)
    for it in items:
        img = Image.open(it.path).convert("RGB")
        x, y, w, h = it.box
        crop = img if it.path.parent.name == "uc3m_crops" else img.crop(expand_box((x, y, w, h), img.size))
        t0 = time.perf_counter()
        pred = reader(crop, w / max(1, h))
        res.ms.append((time.perf_counter() - t0) * 1000)
        res.n += 1
        res.exact += pred == it.text
        res.char_acc += char_accuracy(pred, it.text)
        _confuse(res, pred, it.text)
    return res


def engine_system(engine) -> System:
    def run(img: Image.Image):
        return [(p.text, p.bbox) for p in engine.read(img)]

    return run


def engine_reader(engine) -> Callable[[Image.Image, float], str]:
    return lambda crop, aspect: engine.read_crop(crop, aspect).text


def evaluate_engine(engine, limit: int | None = None) -> list[SetResult]:
    out = []
    for name in ("openalpr_br", "openalpr_us", "uc3m_scenes"):
        items = held_out(name, limit)
        if items:
            out.append(eval_scenes(name, engine_system(engine), items, read_scored=name != "uc3m_scenes"))
    for name in ("openalpr_br", "openalpr_us", "uc3m_crops"):
        items = held_out(name, limit)
        if items:
            out.append(eval_crops(f"{name}:reader", engine_reader(engine), items))
    return out
