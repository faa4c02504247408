"""CTC output → plate readings: best path, per-character confidence, format-aware choice of country
and alternatives (1ABC234 vs 1A8C234) for misread-aware matching downstream."""

from __future__ import annotations

import heapq
from dataclasses import dataclass

import numpy as np

from anpr.ocr.preprocess import ALPHABET, BLANK
from anpr.reads.plates import CONFUSIONS, countries_for

#: prior order when several countries fit; Belgian plates first
COUNTRY_PRIOR = ("BE", "NL", "FR", "DE", "LU", "UK")
_INVALID_PENALTY = 0.25


@dataclass(frozen=True)
class Reading:
    text: str
    confidence: float
    char_confidences: tuple[float, ...]
    country: str
    alternatives: tuple[str, ...]


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


def _country_of(text: str, hint: str | None) -> str | None:
    fits = countries_for(text)
    if not fits:
        return None
    if hint and hint in fits:
        return hint
    for c in COUNTRY_PRIOR:
        if c in fits:
            return c
    return fits[0]


def read(probs: np.ndarray, hint_country: str | None = None, max_alternatives: int = 5) -> Reading:
    """Decode (T, classes) probabilities. Prefers readings valid for a country, keeps the others."""
    chars = greedy(probs)
    if not chars:
        return Reading("", 0.0, (), "UNKNOWN", ())
    # candidate characters per position: the top-3 of the peak row plus look-alikes of the best
    options: list[list[tuple[float, str]]] = []
    for k, p, row in chars:
        top = np.argsort(row)[::-1][:4]
        opts = {ALPHABET[j]: float(row[j]) for j in top if j != BLANK}
        best = ALPHABET[k]
        opts.setdefault(best, p)
        for alt in CONFUSIONS.get(best, ""):
            opts.setdefault(alt, max(1e-4, float(row[ALPHABET.index(alt)])))
        options.append(sorted(((v, c) for c, v in opts.items()), reverse=True)[:4])
    # best-first enumeration over substitutions (bounded)
    logs = [[np.log(max(v, 1e-6)) for v, _ in o] for o in options]
    start = tuple(0 for _ in options)
    heap = [(-sum(lg[0] for lg in logs), start)]
    seen = {start}
    cands: list[tuple[float, str]] = []
    while heap and len(cands) < 40:
        neg, idx = heapq.heappop(heap)
        text = "".join(options[i][j][1] for i, j in enumerate(idx))
        cands.append((-neg, text))
        for i in range(len(idx)):
            if idx[i] + 1 < len(options[i]):
                nxt = idx[:i] + (idx[i] + 1,) + idx[i + 1 :]
                if nxt not in seen:
                    seen.add(nxt)
                    heapq.heappush(heap, (-(-neg - logs[i][idx[i]] + logs[i][idx[i] + 1]), nxt))
    scored = []
    for logp, text in cands:
        country = _country_of(text, hint_country)
        bonus = 0.0 if country else np.log(_INVALID_PENALTY)
        if hint_country and country and country != hint_country:
            bonus += np.log(0.7)
        scored.append((logp + bonus, text, country))
    scored.sort(key=lambda t: -t[0])
    best_logp, best_text, best_country = scored[0]
    greedy_text = "".join(ALPHABET[k] for k, _, _ in chars)
    alternatives: list[str] = []
    for _, t, _ in scored[1:]:
        if t not in alternatives and t != best_text:
            alternatives.append(t)
        if len(alternatives) >= max_alternatives:
            break
    if greedy_text != best_text and greedy_text not in alternatives:
        alternatives.insert(0, greedy_text)
        alternatives = alternatives[:max_alternatives]
    # per-character confidence of the chosen reading
    conf_chars = []
    for i, ch in enumerate(best_text):
        conf_chars.append(next((v for v, c in options[i] if c == ch), 0.0))
    confidence = float(np.exp(best_logp - (0.0 if best_country else np.log(_INVALID_PENALTY))))
    return Reading(
        best_text,
        min(1.0, confidence),
        tuple(round(c, 4) for c in conf_chars),
        best_country or "OTHER",
        tuple(alternatives),
    )
