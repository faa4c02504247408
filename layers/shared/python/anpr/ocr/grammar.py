"""Plate formats as data (``formats.json``): which strings are valid plates, per country, and the
per-position character classes the decoder uses to settle look-alikes (O/0, I/1, B/8, ...).

A format's pattern is a sequence of character classes (``L`` letter, ``D`` digit, ``X`` either,
``[..]`` a set, ``'..'`` literals, with ``{m,n}`` / ``?`` repeats) and separators (``-`` hyphen,
space, ``*`` an emblem or non-Latin glyph that is never a character, ``/`` a line break). Each
pattern is expanded once, at load, into fixed-length *templates* (one class per position), so
the best valid reading of an n-character output is a gather over the per-class best characters of
each position, for all templates of that length at once (numpy).
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass
from functools import lru_cache
from itertools import product
from pathlib import Path

import numpy as np

from anpr.ocr.preprocess import ALPHABET

FORMATS_FILE = Path(__file__).with_name("formats.json")
LETTERS = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZ")
DIGITS = frozenset("0123456789")
SEPARATORS = "- */"
_NOT_ALNUM = re.compile(r"[^A-Z0-9]")
_INDEX = {ch: i for i, ch in enumerate(ALPHABET)}


@dataclass(frozen=True)
class Template:
    """One fixed-length expansion of a format: a character class per position."""

    format: Format
    classes: tuple[frozenset[str], ...]
    #: separators before each position (``seps[0]`` is always ""); "*" marks an emblem, "/" a line break
    seps: tuple[str, ...]
    #: the classes of the format's ``pattern`` where its ``issued`` pattern is tighter (the letters
    #: the shipped readers were trained to draw); () where they are ``classes``
    drawn: tuple[frozenset[str], ...] = ()

    @property
    def length(self) -> int:
        return len(self.classes)

    @property
    def line_break(self) -> int | None:
        """Index of the first character of the bottom line, None for one-line formats."""
        return next((i for i, s in enumerate(self.seps) if "/" in s), None)

    @property
    def emblems(self) -> tuple[int, ...]:
        """Positions with an emblem (or glyph the reader cannot read) just before them."""
        return tuple(i for i, s in enumerate(self.seps) if "*" in s)

    @property
    def size(self) -> int:
        """How many strings this template can produce."""
        return math.prod(len(c) for c in self.classes)

    def display(self, text: str) -> str:
        """``text`` (normalised, of this template's length) with the format's separators."""
        out = []
        for i, ch in enumerate(text):
            sep = self.seps[i]
            out.append(sep.replace("*", " ") if sep else "")
            out.append(ch)
        return re.sub(r" +", " ", "".join(out).replace(" /", "/").replace("/ ", "/"))


@dataclass(frozen=True)
class Format:
    country: str
    id: str
    pattern: str
    kind: str
    weight: float
    colours: tuple[tuple[str, str], ...]  # (background, characters) pairs
    sample: str
    lines: int
    #: the pattern decoded and validated: ``pattern`` with the letters the country issues (``issued``
    #: in formats.json), else ``pattern`` itself
    issued: str = ""
    #: False for a format added after the shipped readers were trained (not in their training draws)
    drawn: bool = True

    def __hash__(self) -> int:
        return hash((self.country, self.id))


@dataclass(frozen=True)
class Country:
    code: str
    name: str
    band: str
    prior: float
    colours: tuple[tuple[str, str], ...]
    formats: tuple[Format, ...]
    wrong: tuple[str, ...]


@dataclass(frozen=True)
class Candidate:
    text: str
    score: float  # log-probability under the reader (+ the format's plausibility bonus)
    template: Template
    positions: tuple[int, ...] = ()  # which read characters make up ``text`` (one may be dropped)


@dataclass(frozen=True)
class _LengthGroup:
    templates: list[Template]
    cls_idx: np.ndarray  # (K, n) class id per position
    bonus: np.ndarray  # (K,) plausibility bonus (log)
    line_break: np.ndarray  # (K,) index of the bottom line's first character, -1 for one line
    emblem: np.ndarray  # (K, n) an emblem sits just before position i


@dataclass(frozen=True)
class CountryGuess:
    country: str
    score: float


def normalise(text: str) -> str:
    return _NOT_ALNUM.sub("", text.upper())


# ---------------------------------------------------------------- pattern parsing
def _char_set(body: str) -> frozenset[str]:
    out: set[str] = set()
    i = 0
    while i < len(body):
        if i + 2 < len(body) and body[i + 1] == "-":
            out.update(chr(c) for c in range(ord(body[i]), ord(body[i + 2]) + 1))
            i += 3
        else:
            out.add(body[i])
            i += 1
    return frozenset(out)


def parse(pattern: str) -> list[tuple[str, object, int, int]]:
    """Tokens: ("cls", frozenset, min, max) or ("sep", str, 0, 0)."""
    toks: list[tuple[str, object, int, int]] = []
    i = 0
    while i < len(pattern):
        ch = pattern[i]
        if ch in SEPARATORS:
            if toks and toks[-1][0] == "sep":
                toks[-1] = ("sep", str(toks[-1][1]) + ch, 0, 0)
            else:
                toks.append(("sep", ch, 0, 0))
            i += 1
            continue
        if ch == "'":
            j = pattern.index("'", i + 1)
            toks += [("cls", frozenset(c), 1, 1) for c in pattern[i + 1 : j]]
            i = j + 1
            continue
        if ch == "[":
            j = pattern.index("]", i)
            cls = _char_set(pattern[i + 1 : j])
            i = j + 1
        elif ch in "LDX":
            cls = {"L": LETTERS, "D": DIGITS, "X": LETTERS | DIGITS}[ch]
            i += 1
        else:
            raise ValueError(f"bad pattern {pattern!r} at {i}: {ch!r}")
        lo = hi = 1
        if i < len(pattern) and pattern[i] == "{":
            j = pattern.index("}", i)
            parts = pattern[i + 1 : j].split(",")
            lo, hi = int(parts[0]), int(parts[-1])
            i = j + 1
        elif i < len(pattern) and pattern[i] == "?":
            lo, hi = 0, 1
            i += 1
        if not cls <= LETTERS | DIGITS:
            raise ValueError(f"bad character class in {pattern!r}")
        toks.append(("cls", cls, lo, hi))
    return toks


def _regex(tokens: list[tuple[str, object, int, int]]) -> re.Pattern[str]:
    parts = []
    for kind, val, lo, hi in tokens:
        if kind == "cls":
            parts.append("[" + "".join(sorted(val)) + "]" + f"{{{lo},{hi}}}")  # type: ignore[arg-type]
    return re.compile("^" + "".join(parts) + "$")


def _expand(fmt: Format, tokens: list[tuple[str, object, int, int]]) -> list[Template]:
    cls_toks = [(i, t) for i, t in enumerate(tokens) if t[0] == "cls"]
    ranges = [range(t[2], t[3] + 1) for _, t in cls_toks]
    out = []
    for counts in product(*ranges):
        classes: list[frozenset[str]] = []
        seps: list[str] = []
        pending = ""
        k = 0
        for kind, val, _lo, _hi in tokens:
            if kind == "sep":
                pending += str(val)
                continue
            for _ in range(counts[k]):
                classes.append(val)  # type: ignore[arg-type]
                seps.append(pending if classes[:-1] else "")
                pending = ""
            k += 1
        if classes:
            out.append(Template(fmt, tuple(classes), tuple(seps)))
    return out


def _issued_templates(fmt: Format, drawn: list[Template], issued: list[Template]) -> list[Template]:
    """``issued``'s templates, each knowing its ``drawn`` twin's classes. An issued pattern is the
    drawn one with tighter sets: the same templates, in the same order, of the same lengths and
    separators, each class a subset of the drawn one's."""
    if len(drawn) != len(issued) or any(
        d.seps != i.seps
        or len(d.classes) != len(i.classes)
        or not all(a <= b for a, b in zip(i.classes, d.classes))
        for d, i in zip(drawn, issued)
    ):
        raise ValueError(
            f"{fmt.country} {fmt.id}: issued {fmt.issued!r} is not {fmt.pattern!r} with tighter sets"
        )
    return [
        Template(fmt, i.classes, i.seps, d.classes if d.classes != i.classes else ())
        for d, i in zip(drawn, issued)
    ]


def _colours(spec: str) -> tuple[tuple[str, str], ...]:
    return tuple(tuple(c.split("/")) for c in spec.split("|"))  # type: ignore[misc]


# ---------------------------------------------------------------- the grammar
class Grammar:
    """All countries' formats, their templates by length, and country scoring."""

    #: weight of a format's plausibility (country prior × format share) in decoding, as a log bonus
    #: relative to the most plausible format (Belgian current plates). Small: the reader decides,
    #: the prior only breaks near-ties between valid readings.
    PLAUSIBILITY_WEIGHT = 0.1
    #: P(text | format) ∝ 1 / (strings the format can produce) ** SPECIFICITY. 1 would be a uniform
    #: draw from the format, which lets tight formats (Greek letters only) swamp loose ones (German
    #: L{1,3} L{1,2} D{1,4}) beyond what traffic at a Belgian site supports; too low lets loose
    #: formats claim what tight ones explain (a Belgian Z-ABC-123 trade plate read as German).
    #: 0.5 beat 0.3 on synthetic renders (Belgian plates 88 vs 78 % right), never tuned on real sets
    SPECIFICITY = 0.5
    #: relative traffic share of plates whose format is not listed (same units as the priors)
    UNLISTED_PRIOR = 0.3
    #: dropping a read character at the end of a line (not at an emblem) costs this factor extra
    EDGE_DROP = 0.5
    #: a country whose band letters differ from those read on the plate's EU band (read confidently,
    #: cue ``band``) keeps this factor: bands are small and the reader errs, so not zero
    #: how often a band's letters read as another listed code (``_band_factor``)
    BAND_MISREAD = 0.002

    def __init__(self, data: dict):
        self.countries: dict[str, Country] = {}
        self.templates: list[Template] = []
        self.regexes: list[tuple[Format, re.Pattern[str]]] = []
        for code, c in data["countries"].items():
            ccol = _colours(c.get("colours", "white/black"))
            fmts = []
            for f in c["formats"]:
                tokens = parse(f["pattern"])
                issued = parse(f.get("issued", f["pattern"]))
                fmt = Format(
                    country=code,
                    id=f["id"],
                    pattern=f["pattern"],
                    kind=f.get("kind", "standard"),
                    weight=float(f.get("weight", 1.0)),
                    colours=_colours(f["colours"]) if "colours" in f else ccol,
                    sample=f.get("sample", ""),
                    lines=2 if "/" in f["pattern"] else 1,
                    issued=f.get("issued", f["pattern"]),
                    drawn=bool(f.get("drawn", True)),
                )
                fmts.append(fmt)
                self.templates += _issued_templates(fmt, _expand(fmt, tokens), _expand(fmt, issued))
                self.regexes.append((fmt, _regex(issued)))
            self.countries[code] = Country(
                code,
                c["name"],
                c.get("band", code),
                float(c.get("prior", 1.0)),
                ccol,
                tuple(fmts),
                tuple(c.get("wrong", ())),
            )
        self.formats = [f for c in self.countries.values() for f in c.formats]
        self._band_country = {c.band: code for code, c in self.countries.items()}
        for code, c in data["countries"].items():  # older bands still on the road (GB for the UK)
            self._band_country.update({alias: code for alias in c.get("band_aliases", ())})
        # plausibility of a format = country prior × the format's share of the country's formats
        self._plaus: dict[Format, float] = {}
        for c in self.countries.values():
            total = sum(f.weight for f in c.formats) or 1.0
            for f in c.formats:
                self._plaus[f] = c.prior * f.weight / total
        top = max(self._plaus.values())
        self._log_plaus = {f: math.log(max(p / top, 1e-9)) for f, p in self._plaus.items()}
        # per length: templates as rows of class ids, for vectorised decoding (a position's best
        # character for a class is computed once per reading, for the few distinct classes)
        self._classes: list[frozenset[str]] = sorted(
            {c for t in self.templates for c in t.classes}, key=sorted
        )
        class_id = {c: i for i, c in enumerate(self._classes)}
        self._class_mask = np.zeros((len(self._classes), len(ALPHABET)), dtype=bool)
        index = {ch: i for i, ch in enumerate(ALPHABET)}
        for i, c in enumerate(self._classes):
            self._class_mask[i, [index[ch] for ch in c]] = True
        groups: dict[int, list[Template]] = {}
        for t in self.templates:
            if self._plaus[t.format] > 0:
                groups.setdefault(t.length, []).append(t)
        self._by_len: dict[int, _LengthGroup] = {}
        for n, ts in groups.items():
            emblem = np.zeros((len(ts), n), dtype=bool)
            for k, t in enumerate(ts):
                emblem[k, list(t.emblems)] = True
            self._by_len[n] = _LengthGroup(
                ts,
                np.array([[class_id[c] for c in t.classes] for t in ts], dtype=np.int64),
                np.array([self.PLAUSIBILITY_WEIGHT * self._log_plaus[t.format] for t in ts]),
                np.array([-1 if t.line_break is None else t.line_break for t in ts], dtype=np.int64),
                emblem,
            )
        # strings each format can produce, per length (for P(text | format))
        self._size: dict[tuple[Format, int], int] = {}
        self._n_lengths: dict[Format, int] = {}
        for t in self.templates:
            key = (t.format, t.length)
            self._size[key] = self._size.get(key, 0) + t.size
        for f, _n in self._size:
            self._n_lengths[f] = self._n_lengths.get(f, 0) + 1

    @classmethod
    def load(cls, path: str | Path | None = None) -> Grammar:
        with open(path or FORMATS_FILE, encoding="utf-8") as fh:
            return cls(json.load(fh))

    # ------------------------------------------------------------ validity
    def matches(self, text: str, country: str | None = None) -> list[Format]:
        """Formats (of ``country``, or any) that the normalised ``text`` fits."""
        t = normalise(text)
        return [f for f, rx in self.regexes if (country is None or f.country == country) and rx.match(t)]

    def is_valid(self, text: str, country: str | None = None) -> bool:
        return bool(self.matches(text, country))

    def countries_for(self, text: str) -> list[str]:
        return sorted({f.country for f in self.matches(text)})

    def template_for(self, text: str, fmt: Format) -> Template | None:
        t = normalise(text)
        for tpl in self.templates:
            if tpl.format == fmt and tpl.length == len(t) and all(c in k for c, k in zip(t, tpl.classes)):
                return tpl
        return None

    def display(self, text: str, country: str | None = None) -> str:
        """Normalised text with the separators of the first format it fits (``1ABC234`` → ``1-ABC-234``)."""
        if country is None:
            guesses = self.country_scores(text)
            country = guesses[0].country if guesses else None
        for f in self.matches(text, country):
            tpl = self.template_for(text, f)
            if tpl:
                return tpl.display(normalise(text))
        return normalise(text)

    # ------------------------------------------------------------ decoding
    def lengths(self) -> set[int]:
        return set(self._by_len)

    def best(
        self,
        scores: np.ndarray,
        line_break: int | None = None,
        two_line_only: bool = False,
        k: int = 5,
        drop_cost: np.ndarray | None = None,
    ) -> list[Candidate]:
        """Most probable valid readings for per-position log-scores ``scores`` (n, len(ALPHABET)).

        Each position takes the best character its template's class allows (so a position that
        must be a digit turns a read 'O' into '0' when the reader gave '0' any weight). With
        ``line_break`` (rows read separately), only two-line templates whose bottom line starts
        there qualify; ``two_line_only`` keeps two-line templates whatever their break.

        With ``drop_cost`` (log cost per read character of it not being a character), readings
        with one character dropped are also tried: where a template has an emblem (coat of arms,
        seal, a non-Latin glyph: emblems must never become characters) at no extra cost, and at
        the ends of a line (a bolt, a frame edge, the EU band's letter) at ``EDGE_DROP``.
        """
        n = scores.shape[0]
        cls_scores = np.where(self._class_mask[None], scores[:, None, :], -np.inf)  # (n, C, 36)
        cls_arg = cls_scores.argmax(axis=-1)  # (n, C)
        cls_best = np.take_along_axis(cls_scores, cls_arg[..., None], axis=-1)[..., 0]  # (n, C)
        found: list[Candidate] = []
        found += self._rank(cls_best, cls_arg, np.arange(n), line_break, two_line_only, 0.0, None, k)
        if drop_cost is not None and n >= 3:
            raw = "".join(ALPHABET[j] for j in scores.argmax(axis=-1))
            # the ends of lines only when the reading as read fits no format (saves time)
            ends = set() if found and found[0].text == raw else {0, n - 1}
            if ends and line_break:
                ends |= {line_break - 1, line_break}
            group = self._by_len.get(n - 1)
            emblems = set(np.flatnonzero(group.emblem.any(axis=0)).tolist()) if group else set()
            for i in sorted(ends | emblems):
                keep = np.delete(np.arange(n), i)
                lb = None if line_break is None else line_break - (1 if i < line_break else 0)
                if lb is not None and not 0 < lb < n - 1:
                    continue
                if i in ends:
                    cost = float(drop_cost[i]) + math.log(self.EDGE_DROP)
                    found += self._rank(cls_best, cls_arg, keep, lb, two_line_only, cost, None, 2)
                if i in emblems and 0 < i < n - 1:
                    found += self._rank(cls_best, cls_arg, keep, lb, two_line_only, float(drop_cost[i]), i, 2)
        found.sort(key=lambda c: -c.score)
        out: list[Candidate] = []
        seen: set[str] = set()
        for c in found:
            if c.text not in seen:
                seen.add(c.text)
                out.append(c)
        return out[:k]

    def _rank(
        self,
        cls_best: np.ndarray,
        cls_arg: np.ndarray,
        keep: np.ndarray,
        line_break: int | None,
        two_line_only: bool,
        cost: float,
        emblem_at: int | None,
        k: int,
    ) -> list[Candidate]:
        group = self._by_len.get(len(keep))
        if group is None:
            return []
        rows = keep[None, :]  # (1, m): read positions kept, in order
        per_pos = cls_best[rows, group.cls_idx]  # (K, m)
        total = per_pos.sum(axis=-1) + group.bonus + cost
        ok = np.ones(len(group.templates), dtype=bool)
        if line_break is not None:
            ok &= group.line_break == line_break
        elif two_line_only:
            ok &= group.line_break >= 0
        if emblem_at is not None:
            ok &= group.emblem[:, emblem_at]
        total = np.where(ok, total, -np.inf)
        out = []
        top = np.argpartition(-total, k)[:k] if len(total) > k else np.arange(len(total))
        for j in top[np.argsort(-total[top])]:
            if not np.isfinite(total[j]):
                break
            chars = cls_arg[keep, group.cls_idx[j]]
            out.append(
                Candidate(
                    "".join(ALPHABET[c] for c in chars),
                    float(total[j]),
                    group.templates[j],
                    tuple(int(x) for x in keep),
                )
            )
        return out

    # ------------------------------------------------------------ countries
    def band_country(self, band: str) -> str | None:
        """The country whose EU band (or national band) carries the letters ``band``."""
        return self._band_country.get(band)

    def band_codes(self) -> list[str]:
        """Every band code a listed country's plates carry (current and older, e.g. UK and GB)."""
        return sorted(self._band_country)

    def _formats_fitting(self, t: str) -> list[Format]:
        """``matches`` for normalised text through the templates (faster than the regexes)."""
        group = self._by_len.get(len(t))
        if group is None or not t or any(ch not in _INDEX for ch in t):
            return []
        idx = np.array([_INDEX[ch] for ch in t])
        fits = self._class_mask[group.cls_idx, idx[None, :]].all(axis=1)
        return list(dict.fromkeys(group.templates[j].format for j in np.flatnonzero(fits)))

    def country_scores(
        self, text: str, cues: dict | None = None, hint: str | None = None, lines: int | None = None
    ) -> list[CountryGuess]:
        """Posterior over countries for a read plate: prior × P(text | country's formats) × colour cues.
        ``lines=2``: the plate was read as two lines, so only two-line formats count.

        P(text | format) falls with the number of strings the format can produce (a tight format
        such as ``1-ABC-234`` says more than a loose one such as ``L{1,3} L{1,2} D{1,4}``). Cues:
        ``bg`` ("white"/"yellow") and ``fg_red`` (True/False) measured on the crop, None when
        unknown (night/IR frames); ``bands`` (posterior over band codes of the EU band's letters)
        or ``band`` (one code). Empty when no format fits.
        """
        t = normalise(text)
        cues = cues or {}
        band_factor = self._band_factor(cues)
        like: dict[str, float] = {}
        for f in self._formats_fitting(t):
            if lines == 2 and f.lines != 2:
                continue
            size = self._size[(f, len(t))]
            c = self.countries[f.country]
            total = sum(x.weight for x in c.formats) or 1.0
            p = c.prior * (f.weight / total) / size**self.SPECIFICITY * _colour_factor(f, cues)
            p *= band_factor.get(c.band, 1.0) if band_factor else 1.0
            if hint and f.country == hint:
                p *= 20.0
            like[f.country] = like.get(f.country, 0.0) + p
        z = sum(like.values())
        if z <= 0:
            return []
        # plates of formats the grammar does not list (personalised, foreign, a misread that
        # happens to fit) keep some mass: when every fitting format is unlikely (colours that
        # contradict them all), no country comes out sure
        z += self.UNLISTED_PRIOR / float(len(ALPHABET)) ** (len(t) * self.SPECIFICITY)
        return sorted((CountryGuess(c, v / z) for c, v in like.items()), key=lambda g: -g.score)

    def _band_factor(self, cues: dict) -> dict[str, float]:
        """Per band code, how much the band read on the plate favours it over a plate of no listed
        format (which keeps 1): its posterior among the codes (``cues["bands"]``, from the band's
        letters; ``cues["band"]``: one code, sure) over the share an uninformative read gives
        each code, with BAND_MISREAD added to both (a band reads as another code now and then).
        A sure band weighs its country about 42× and the others about 0.08×. Empty without a band."""
        post = cues.get("bands") or ({cues["band"]: 1.0} if cues.get("band") else {})
        if not post:
            return {}
        even = 1.0 / len(self._band_country) + self.BAND_MISREAD
        return {c.band: (post.get(c.band, 0.0) + self.BAND_MISREAD) / even for c in self.countries.values()}


def _colour_factor(f: Format, cues: dict) -> float:
    """How well the crop's colours fit a format (1 = fits or unknown)."""
    factor = 1.0
    bgs = {bg for bg, _ in f.colours}
    fgs = {fg for _, fg in f.colours}
    bg = cues.get("bg")
    if bg == "yellow":
        factor *= 1.0 if "yellow" in bgs else 0.08
    elif bg == "white":
        factor *= 1.0 if "white" in bgs else 0.1
    fg_red = cues.get("fg_red")
    if fg_red is True:
        factor *= 1.0 if "red" in fgs else 0.08
    elif fg_red is False:
        factor *= 0.3 if fgs == {"red"} else 1.0
    return factor


@lru_cache(maxsize=1)
def default_grammar() -> Grammar:
    return Grammar.load()


__all__ = ["Candidate", "Country", "CountryGuess", "Format", "Grammar", "Template", "default_grammar"]
