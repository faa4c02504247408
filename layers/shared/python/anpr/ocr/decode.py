"""CTC output → plate readings: best path, per-character confidence, the most probable reading that
fits a country's plate format (``grammar.py``, ``formats.json``), the country with a score and a
runner-up, and alternatives (1ABC234 vs 1A8C234) for misread-aware matching downstream."""

from __future__ import annotations

import math
from dataclasses import dataclass, replace

import numpy as np

from anpr.ocr.ctc import label_log_likelihoods
from anpr.ocr.grammar import Candidate, CountryGuess, Grammar, default_grammar
from anpr.ocr.preprocess import ALPHABET, BLANK
from anpr.reads.plates import CONFUSIONS

#: a reading that fits no format must be this much more probable than the best valid one to win.
#: Conservative on purpose: plates of formats not in the grammar (US, Brazil, personalised) are
#: real, and forcing them into a format loses them (0.05 with look-alikes raised to a quarter of
#: the read character's probability cost 20 points of exact reads on the real training split)
INVALID_PENALTY = 0.25
#: look-alikes of the read character (8↔B, 0↔O, ...) get at least this share of its probability
#: (0: the reader's own probabilities decide, as tuned; LOOKALIKE_MIN keeps them candidates)
LOOKALIKE_FLOOR = 0.0
LOOKALIKE_MIN = 1e-4
#: a valid reading of another country than the camera's hint costs this factor
OFF_HINT_FACTOR = 0.7
#: countries scoring below this are reported as UNKNOWN (the best guess stays in ``countries``)
COUNTRY_MIN_SCORE = 0.5
UNKNOWN = "UNKNOWN"
_FLOOR = 1e-6
_INDEX = {ch: i for i, ch in enumerate(ALPHABET)}


@dataclass(frozen=True)
class Reading:
    text: str
    confidence: float  # reader probability of ``text`` (product of per-character confidences)
    char_confidences: tuple[float, ...]
    country: str  # best country when its score ≥ COUNTRY_MIN_SCORE, else UNKNOWN
    alternatives: tuple[str, ...]
    #: best countries first with their scores (posterior over the formats the text fits)
    countries: tuple[tuple[str, float], ...] = ()
    valid: bool = False  # fits at least one format
    #: log decision score: reader log-probability + the format's plausibility bonus, or the invalid
    #: penalty (readings of the same crop made different ways compare on it)
    score: float = -math.inf
    format_id: str = ""  # "BE/current" for the chosen template's format, "" when invalid
    lines: int = 1  # 2: read row by row as a two-line plate (``read_rows``)

    @property
    def country_score(self) -> float:
        """Score of the reported country; with UNKNOWN, 1 - the best guess's score."""
        best = self.countries[0][1] if self.countries else 0.0
        return round(1.0 - best, 4) if self.country == UNKNOWN else best

    @property
    def country_runner_up(self) -> tuple[str, float] | None:
        """The best country other than the one reported: with UNKNOWN, the best guess."""
        if self.country == UNKNOWN:
            return self.countries[0] if self.countries else None
        return self.countries[1] if len(self.countries) > 1 else None


EMPTY = Reading("", 0.0, (), UNKNOWN, ())


def softmax(logits: np.ndarray) -> np.ndarray:
    e = np.exp(logits - logits.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


def greedy(probs: np.ndarray) -> list[tuple[int, float, np.ndarray]]:
    """Best path collapsed: [(class, confidence, probability row at the char's peak step)]."""
    best = probs.argmax(axis=-1)
    chars: list[tuple[int, float, np.ndarray]] = []
    prev = BLANK
    for t, k in enumerate(best):
        if k != BLANK and k != prev:
            chars.append((int(k), float(probs[t, k]), probs[t]))
        elif k != BLANK and k == prev and probs[t, k] > chars[-1][1]:
            chars[-1] = (int(k), float(probs[t, k]), probs[t])
        prev = k
    return chars


def position_scores(chars: list[tuple[int, float, np.ndarray]]) -> np.ndarray:
    """(n, len(ALPHABET)) log-scores per read character: the reader's probabilities at the
    character's peak step, look-alikes of the read character raised to LOOKALIKE_FLOOR of it."""
    rows = np.stack([row[: len(ALPHABET)] for _, _, row in chars]).astype(np.float64)
    for i, (k, p, _) in enumerate(chars):
        for alt in CONFUSIONS.get(ALPHABET[k], ""):
            j = _INDEX[alt]
            rows[i, j] = max(rows[i, j], LOOKALIKE_FLOOR * p, LOOKALIKE_MIN)
    return np.log(np.maximum(rows, _FLOOR))


def choose(
    scores: np.ndarray,
    grammar: Grammar,
    hint_country: str | None = None,
    line_break: int | None = None,
    drop_cost: np.ndarray | None = None,
) -> tuple[list[tuple[float, str, Candidate | None]], str]:
    """Ranked (decision score, text, valid candidate or None) and the unconstrained best text."""
    raw = "".join(ALPHABET[j] for j in scores.argmax(axis=-1))
    raw_score = float(scores.max(axis=-1).sum())
    cands = grammar.best(scores, line_break=line_break, drop_cost=drop_cost)
    ranked: list[tuple[float, str, Candidate | None]] = []
    for c in cands:
        s = c.score
        if hint_country and c.template.format.country != hint_country:
            s += math.log(OFF_HINT_FACTOR)
        ranked.append((s, c.text, c))
    if raw not in {c.text for c in cands}:
        ranked.append((raw_score + math.log(INVALID_PENALTY), raw, None))
    ranked.sort(key=lambda t: -t[0])
    return ranked, raw


def read(
    probs: np.ndarray,
    hint_country: str | None = None,
    max_alternatives: int = 5,
    cues: dict | None = None,
    grammar: Grammar | None = None,
) -> Reading:
    """Decode (T, classes) probabilities: the most probable reading that fits a plate format, unless
    the reader is much surer of one that fits none; the others are kept as alternatives."""
    chars = greedy(probs)
    if not chars:
        return EMPTY
    return _decode(chars, None, grammar or default_grammar(), hint_country, cues, max_alternatives)


def _decode(
    chars: list[tuple[int, float, np.ndarray]],
    line_break: int | None,
    g: Grammar,
    hint_country: str | None,
    cues: dict | None,
    max_alternatives: int,
) -> Reading:
    """The reading of ``greedy`` characters: as one line, or (``line_break``: the index of the
    bottom row's first character) against two-line formats breaking there."""
    scores = position_scores(chars)
    ranked, raw = choose(scores, g, hint_country, line_break=line_break, drop_cost=_drop_cost(chars))
    lines = 1 if line_break is None else 2
    return _reading(ranked, raw, scores, g, hint_country, cues, max_alternatives, lines=lines)


def _drop_cost(chars: list[tuple[int, float, np.ndarray]]) -> np.ndarray:
    """Log cost of each read character not being one (an emblem, a bolt): 1 - its confidence."""
    return np.log(np.maximum(1.0 - np.array([p for _, p, _ in chars]), 0.02))


def read_rows(
    top: np.ndarray,
    bottom: np.ndarray,
    hint_country: str | None = None,
    max_alternatives: int = 5,
    cues: dict | None = None,
    grammar: Grammar | None = None,
) -> Reading:
    """Decode a two-line plate read row by row: the joined text must fit a two-line format whose
    bottom line starts where the bottom row's characters start."""
    ct, cb = greedy(top), greedy(bottom)
    if not ct or not cb:
        return EMPTY
    return _decode(ct + cb, len(ct), grammar or default_grammar(), hint_country, cues, max_alternatives)


def read_halves(
    probs: np.ndarray,
    hint_country: str | None = None,
    max_alternatives: int = 5,
    cues: dict | None = None,
    grammar: Grammar | None = None,
) -> Reading:
    """Decode a two-line plate read with its rows side by side (``preprocess.reader_input`` with
    ``two_line``: the top row in the left half of the input, the bottom row in the right half):
    the text must fit a two-line format whose bottom line starts with the first character read in
    the right half (decoded as one line, "MIX/943" with the top row's "I" missed would fit the
    one-line "MIX-943"). With a half read empty it is decoded as one line (and is not a two-line
    reading)."""
    chars = greedy(probs)
    if not chars:
        return EMPTY
    split = sum(1 for t in _peak_steps(probs) if t < probs.shape[0] // 2)
    line_break = split if 0 < split < len(chars) else None
    return _decode(chars, line_break, grammar or default_grammar(), hint_country, cues, max_alternatives)


def agree(readings: list[Reading], probs: list[np.ndarray]) -> Reading:
    """One crop read by several readers (``readings[i]`` decoded from ``probs[i]``, each reader's
    (T, classes) output on the same input): where they read the same text, the first reader's
    reading; where they differ, the reading whose text the readers together find likeliest (the
    sum over readers of its CTC log-likelihood, every alignment counted, so readers whose outputs
    peak at different steps still compare), a text that fits no format paying INVALID_PENALTY
    as in ``choose``; the other readers' texts lead its alternatives. Row-by-row readings pass
    each reader's rows joined in time (top then bottom): the split of the text between the rows
    is summed over too."""
    texts: dict[str, Reading] = {}
    for r in readings:
        if r.text and r.text not in texts and all(ch in _INDEX for ch in r.text):
            texts[r.text] = r
    if len(texts) <= 1:
        return next(iter(texts.values()), readings[0])
    labels = [[_INDEX[ch] for ch in t] for t in texts]
    total = sum(label_log_likelihoods(np.log(np.maximum(p, _FLOOR)), labels, BLANK) for p in probs)
    total = total + np.array([0.0 if r.valid else math.log(INVALID_PENALTY) for r in texts.values()])
    best = list(texts.values())[int(np.argmax(total))]
    # the other readers' texts are what a misread of this plate most likely looks like: they go
    # first among the alternatives (misread-aware matching downstream)
    others = [t for t in texts if t != best.text]
    alternatives = tuple(dict.fromkeys(others + [a for a in best.alternatives if a != best.text]))
    return replace(best, alternatives=alternatives[: max(len(best.alternatives), len(others))])


def _peak_steps(probs: np.ndarray) -> list[int]:
    """The step of each character ``greedy`` reads (where its probability peaks)."""
    best = probs.argmax(axis=-1)
    steps: list[int] = []
    prev = BLANK
    for t, k in enumerate(best):
        if k != BLANK and k != prev:
            steps.append(t)
        elif k != BLANK and k == prev and probs[t, k] > probs[steps[-1], k]:
            steps[-1] = t
        prev = k
    return steps


def _reading(
    ranked: list[tuple[float, str, Candidate | None]],
    raw: str,
    scores: np.ndarray,
    g: Grammar,
    hint_country: str | None,
    cues: dict | None,
    max_alternatives: int,
    lines: int = 1,
) -> Reading:
    best_score, text, cand = ranked[0]
    if cand is not None:  # (positions skip a dropped character: an emblem, a bolt)
        per_char = [float(scores[i, _INDEX[ch]]) for i, ch in zip(cand.positions, text)]
    else:
        per_char = [float(s) for s in scores.max(axis=-1)]
    logp = sum(per_char)
    alternatives: list[str] = []
    for t in [raw] + [t for _, t, _ in ranked[1:]]:
        if t != text and t not in alternatives:
            alternatives.append(t)
    # a hint taken from the plate's own band is already in the cues: it must not count twice
    hint = None if cues and cues.get("hint_from_band") else hint_country
    guesses: list[CountryGuess] = (
        g.country_scores(text, cues, hint, lines if lines == 2 else None) if cand is not None else []
    )
    countries = tuple((x.country, round(x.score, 4)) for x in guesses[:3])
    country = guesses[0].country if guesses and guesses[0].score >= COUNTRY_MIN_SCORE else UNKNOWN
    return Reading(
        text,
        min(1.0, float(math.exp(logp))),
        tuple(round(math.exp(v), 4) for v in per_char),
        country,
        tuple(alternatives[:max_alternatives]),
        countries,
        cand is not None,
        float(best_score),
        _format_id(g, text, cand, country, lines),
        lines,
    )


def _format_id(g: Grammar, text: str, cand: Candidate | None, country: str, lines: int = 1) -> str:
    """ "BE/motorcycle": the reported country's format the text fits (of two lines for a two-line
    reading; the decoding template's when the country is UNKNOWN), "" when the text fits none."""
    if cand is None:
        return ""
    fmt = cand.template.format
    if country not in (UNKNOWN, fmt.country):
        fits = (f for f in g.matches(text, country) if lines != 2 or f.lines == 2)
        fmt = next(fits, fmt)
    return f"{fmt.country}/{fmt.id}"
