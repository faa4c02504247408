"""Plate layouts per country: how normalised text is split into groups, and random valid plates.

A *layout* says how the characters are grouped on the plate, which separator sits between groups
(hyphen, space, sticker) and whether the plate has one or two lines. The renderer draws layouts;
the reader is trained on them.
"""

from __future__ import annotations

import functools
import random
import re
import string
from dataclasses import dataclass

from anpr.reads.plates import is_valid_for, normalise

L = string.ascii_uppercase
D = string.digits
#: letters real series avoid (look-alikes); generation only, reading accepts all
_BE_LETTERS = "".join(c for c in L if c not in "")
_NL_LETTERS = "BDFGHJKLNPRSTVXZ"
_FR_LETTERS = "".join(c for c in L if c not in "IOU")


@dataclass(frozen=True)
class Layout:
    lines: tuple[tuple[str, ...], ...]  # groups per line
    #: between groups: "-", " ", "", "@" (DE: stickers / seal after the city code) or "*" (a coat of
    #: arms after the first group, dashes after that: HR, SRB, SI, BiH, MK and similar plates)
    sep: str = "-"

    @property
    def text(self) -> str:
        return "".join("".join(line) for line in self.lines)

    def line_strings(self) -> list[str]:
        if self.sep == "*":
            return [
                " ".join(line[:1]) + (" " + "-".join(line[1:]) if len(line) > 1 else "")
                for line in self.lines
            ]
        sep = " " if self.sep == "@" else self.sep
        return [sep.join(line) for line in self.lines]


def _pick(rng: random.Random, alphabet: str, n: int) -> str:
    return "".join(rng.choice(alphabet) for _ in range(n))


def _groups_by_kind(text: str) -> list[str]:
    return re.findall(r"[A-Z]+|[0-9]+", text)


# ---------------------------------------------------------------- random plates per country
def random_plate(country: str, rng: random.Random) -> tuple[str, str]:
    """A random plate ``(text, variant)`` valid for ``country`` (variant names the layout style)."""
    c = country.upper()
    r = rng.random()
    if c == "BE":
        if r < 0.58:
            return str(rng.randint(1, 9)) + _pick(rng, _BE_LETTERS, 3) + _pick(rng, D, 3), "be_current"
        if r < 0.70:
            return _pick(rng, L, 3) + _pick(rng, D, 3), "be_old"
        if r < 0.78:
            return _pick(rng, D, 3) + _pick(rng, L, 3), "be_2008"
        if r < 0.88:
            return rng.choice("M") + _pick(rng, L, 3) + _pick(rng, D, 3), "be_moto"
        if r < 0.94:
            return "Z" + _pick(rng, L, 3) + _pick(rng, D, 3), "be_trade"
        return rng.choice("Q") + _pick(rng, L, 3) + _pick(rng, D, 3), "be_temp"
    if c == "NL":
        side = rng.choice(["LLDDDL", "DDLLLD", "DLLLDD", "LDDDLL", "LLDDLL", "DDLLDD", "DLLDDD", "LLLDDL"])
        return "".join(rng.choice(_NL_LETTERS if k == "L" else D) for k in side), "nl"
    if c == "FR":
        return _pick(rng, _FR_LETTERS, 2) + _pick(rng, D, 3) + _pick(rng, _FR_LETTERS, 2), "fr"
    if c == "DE":
        city = _pick(rng, L, rng.choice([1, 1, 2, 2, 3]))
        letters = _pick(rng, L, rng.choice([1, 2, 2]))
        digits = str(rng.randint(1, 9)) + _pick(rng, D, rng.randint(0, 3))
        suffix = rng.choice(["", "", "", "", "", "", "E", "H"])
        return city + letters + digits + suffix, "de"
    if c == "LU":
        if r < 0.7:
            return _pick(rng, L, 2) + _pick(rng, D, 4), "lu"
        return str(rng.randint(1, 9)) + _pick(rng, D, rng.randint(3, 5)), "lu"
    if c == "UK":
        return _pick(rng, L, 2) + _pick(rng, D, 2) + _pick(rng, L, 3), rng.choice(["uk_front", "uk_rear"])
    # OTHER: generic EU and the looks of the real validation sets (ES, BR, US-like)
    kind = rng.choice(["es", "es", "br", "us", "us", "generic", "generic", "it", "pl", "emblem", "cz"])
    if kind == "es":
        return _pick(rng, D, 4) + _pick(rng, "BCDFGHJKLMNPRSTVWXYZ", 3), "es"
    if kind == "br":
        return _pick(rng, L, 3) + _pick(rng, D, 4), "br"
    if kind == "us":
        pattern = rng.choice(["DLLLDDD", "LLLDDDD", "DDDLLL", "LLDDLDL", "DLLDDD", "LLLDDD", "DDDDLL"])
        return "".join(rng.choice(L if k == "L" else D) for k in pattern), "us"
    if kind == "it":
        return _pick(rng, L, 2) + _pick(rng, D, 3) + _pick(rng, L, 2), "generic"
    if kind == "emblem":  # HR / SRB / SI style: city, coat of arms, digits-letters
        return _pick(rng, L, 2) + _pick(rng, D, rng.choice([3, 3, 4])) + _pick(
            rng, L, rng.choice([1, 2, 2])
        ), "emblem"
    if kind == "cz":  # CZ / SK / HU / RO style groupings
        pattern = rng.choice(["DLDDDDD", "DLLDDDD", "LLDDDLL", "LLLDDD", "LLDDLLL"])
        return "".join(rng.choice(L if k == "L" else D) for k in pattern), "generic"
    if kind == "pl":
        return _pick(rng, L, rng.choice([2, 3])) + _pick(rng, L + D, rng.choice([4, 5])), "generic"
    n = rng.randint(5, 8)
    return "".join(rng.choice(L + D) for _ in range(n)), "generic"


# ---------------------------------------------------------------- every listed country (formats.json)
@functools.cache
def _formats_by_country(as_trained: bool = False) -> dict[str, list[tuple[float, list]]]:
    """formats.json's templates, per country, per format (with the format's weight). ``as_trained``:
    only the formats the shipped readers were trained on (``drawn``)."""
    from anpr.ocr.grammar import default_grammar

    out: dict[str, dict] = {}
    for t in default_grammar().templates:
        if as_trained and not t.format.drawn:
            continue
        fmts = out.setdefault(t.format.country, {})
        fmts.setdefault(t.format, []).append(t)
    return {c: [(f.weight, ts) for f, ts in fmts.items()] for c, fmts in sorted(out.items())}


def template_layout(template, text: str) -> Layout:
    """How a plate of ``template`` shows ``text``: groups at the template's separators, lines at
    its line break, and the one separator style the renderer draws (an emblem where the format
    has one, else hyphens, else spaces)."""
    lines: list[list[str]] = [[]]
    group, kinds = "", set()
    for i, ch in enumerate(text):
        sep = template.seps[i]
        if i and sep:
            lines[-1].append(group)
            group = ""
            if "/" in sep:
                lines.append([])
            kinds |= set(sep) & set("*- ")
        group += ch
    lines[-1].append(group)
    style = next((k for k in "*- " if k in kinds), "")
    return Layout(tuple(tuple(g for g in line if g) for line in lines), style)


def random_format_plate(
    rng: random.Random, two_line: bool | None = None, country: str | None = None, as_trained: bool = False
) -> tuple[str, Layout, str]:
    """A random plate of ``country`` or of a random listed country (all countries alike, formats
    by weight): its text, layout and country. ``two_line`` restricts the choice to one- or
    two-line formats. Letters are those each country issues (a format's ``issued`` pattern);
    ``as_trained`` draws as the shipped readers were trained: the ``pattern``'s letters, formats
    marked ``drawn`` only (the same draws for the same ``rng``, so ``make train`` stays byte for byte)."""
    by_country = _formats_by_country(as_trained)
    while True:
        pick = country or rng.choice(sorted(by_country))
        fmts = [
            (w, ts)
            for w, ts in by_country[pick]
            if two_line is None or (ts[0].line_break is not None) == two_line
        ]
        if fmts:
            break
        if country:
            raise ValueError(f"{country} has no {'two' if two_line else 'one'}-line format")
    _, templates = rng.choices(fmts, weights=[w for w, _ in fmts])[0]
    t = rng.choice(templates)
    classes = (t.drawn or t.classes) if as_trained else t.classes
    text = "".join(rng.choice(sorted(c)) for c in classes)
    return text, template_layout(t, text), pick


def band_of(country: str) -> str:
    """The letters on ``country``'s EU (or national) band, from formats.json."""
    from anpr.ocr.grammar import default_grammar

    return default_grammar().countries[country].band


def listed_layout(text: str, country: str) -> Layout | None:
    """The layout of ``text`` as a plate of a formats.json ``country``, None when no format fits."""
    from anpr.ocr.grammar import default_grammar

    g = default_grammar()
    for fmt in g.matches(text, country):
        template = g.template_for(text, fmt)
        if template is not None:
            return template_layout(template, text)
    return None


COUNTRIES = ("BE", "NL", "FR", "DE", "LU", "UK", "OTHER")
#: how often each country appears in training data (Belgian plates first)
COUNTRY_WEIGHTS = {"BE": 0.34, "NL": 0.1, "FR": 0.1, "DE": 0.1, "LU": 0.06, "UK": 0.06, "OTHER": 0.24}


def random_country(rng: random.Random) -> str:
    return rng.choices(list(COUNTRY_WEIGHTS), weights=list(COUNTRY_WEIGHTS.values()))[0]


# ---------------------------------------------------------------- layout of a given text
def default_variant(text: str, country: str) -> str:
    c = country.upper()
    if c == "BE":
        if re.match(r"^[MOQZ][A-Z]{3}[0-9]{3}$", text):
            return {"M": "be_moto", "Z": "be_trade", "Q": "be_temp"}.get(text[0], "be_current")
        if re.match(r"^[A-Z]{3}[0-9]{3}$", text):
            return "be_old"
        if re.match(r"^[0-9]{3}[A-Z]{3}$", text):
            return "be_2008"
        return "be_current"
    return {"NL": "nl", "FR": "fr", "DE": "de", "LU": "lu", "UK": "uk_rear"}.get(c, "generic")


def layout_for(
    text: str, country: str, variant: str | None = None, rng: random.Random | None = None
) -> Layout:
    """Group ``text`` (normalised) the way a ``country`` plate shows it."""
    t = normalise(text)
    c = country.upper()
    v = variant or default_variant(t, c)
    if c == "BE" and is_valid_for(t, "BE") or v.startswith("be_"):
        m = re.match(r"^([0-9A-Z])([A-Z]{3})([0-9]{3})$", t)
        if m:
            if v == "be_moto":
                return Layout(((m.group(1), m.group(2)), (m.group(3),)), "-")
            return Layout(((m.group(1), m.group(2), m.group(3)),), "-")
        g = _groups_by_kind(t)
        return Layout((tuple(g),), "-")
    if c == "FR" and len(t) == 7:
        return Layout(((t[:2], t[2:5], t[5:]),), "-")
    if c == "DE":
        m = re.match(r"^([A-Z]+)([0-9]+[EH]?)$", t)
        if m:
            letters = m.group(1)
            if len(letters) >= 2:
                # split city code / series: a valid split, random when the caller gives rng
                splits = [k for k in (1, 2, 3) if len(letters) - k in (1, 2)]
                k = rng.choice(splits) if rng and splits else (splits[0] if splits else 1)
                return Layout(((letters[:k], letters[k:], m.group(2)),), "@")
            return Layout(((letters, m.group(2)),), " ")
    if c == "UK" and len(t) == 7:
        return Layout(((t[:4], t[4:]),), " ")
    if c == "LU":
        m = re.match(r"^([A-Z]{2})([0-9]{4})$", t)
        if m:
            return Layout(((m.group(1), m.group(2)),), " ")
        return Layout(((t,),), "")
    if v == "es" and len(t) == 7:
        return Layout(((t[:4], t[4:]),), " ")
    if v in ("br",) and len(t) == 7:
        return Layout(((t[:3], t[3:]),), "-")
    if v == "us":
        g = _groups_by_kind(t)
        sep = rng.choice(["", " ", "-"]) if rng else ""
        return Layout((tuple(g),), sep)
    if v == "emblem":
        return Layout((tuple(_groups_by_kind(t)) or (t,),), "*")
    if v == "two_line" and len(t) >= 4:
        k = len(t) // 2
        return Layout(((t[:k],), (t[k:],)), "")
    g = _groups_by_kind(t)
    sep = rng.choice(["-", " ", " "]) if rng else "-"
    return Layout((tuple(g) or (t,),), sep)
