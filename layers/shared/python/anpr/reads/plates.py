"""Plate text: normalisation, masking for logs, country formats and look-alike characters."""

from __future__ import annotations

import re
from itertools import product

_NOT_ALNUM = re.compile(r"[^A-Z0-9]")

#: Characters OCR readers (and people) confuse. Used for misread-aware matching.
CONFUSIONS: dict[str, str] = {
    "0": "OD",
    "O": "0DQ",
    "D": "0O",
    "Q": "O0",
    "8": "B",
    "B": "8",
    "1": "I",
    "I": "1",
    "5": "S",
    "S": "5",
    "2": "Z",
    "Z": "2",
    "6": "G",
    "G": "6",
}

#: Plate formats per country, on normalised text (A-Z0-9, no separators).
COUNTRY_FORMATS: dict[str, tuple[re.Pattern[str], ...]] = {
    "BE": (
        re.compile(r"^[1-9][A-Z]{3}[0-9]{3}$"),  # 1-ABC-234 (since 2010)
        re.compile(r"^[A-Z]{3}[0-9]{3}$"),  # ABC-123 (1973-2008)
        re.compile(r"^[0-9]{3}[A-Z]{3}$"),  # 123-ABC (2008-2010)
        re.compile(r"^[MOQ][A-Z]{3}[0-9]{3}$"),  # motorcycle / trade / temporary series
        re.compile(r"^Z[A-Z]{3}[0-9]{3}$"),  # trade (garage) plates, green characters
    ),
    "NL": (
        re.compile(r"^[A-Z]{2}[0-9]{3}[A-Z]$"),
        re.compile(r"^[0-9]{2}[A-Z]{3}[0-9]$"),
        re.compile(r"^[0-9][A-Z]{3}[0-9]{2}$"),
        re.compile(r"^[A-Z][0-9]{3}[A-Z]{2}$"),
        re.compile(r"^[A-Z]{2}[0-9]{2}[A-Z]{2}$"),
        re.compile(r"^[0-9]{2}[A-Z]{2}[0-9]{2}$"),
        re.compile(r"^[0-9][A-Z]{2}[0-9]{3}$"),
        re.compile(r"^[A-Z]{3}[0-9]{2}[A-Z]$"),
    ),
    "FR": (re.compile(r"^[A-Z]{2}[0-9]{3}[A-Z]{2}$"),),  # AB-123-CD (SIV)
    "DE": (re.compile(r"^[A-Z]{1,3}[A-Z]{1,2}[0-9]{1,4}[EH]?$"),),  # B-AB 1234
    "LU": (
        re.compile(r"^[A-Z]{2}[0-9]{4}$"),
        re.compile(r"^[0-9]{4,6}$"),
    ),
    "UK": (re.compile(r"^[A-Z]{2}[0-9]{2}[A-Z]{3}$"),),  # AB12 CDE
}


def normalise(text: str | None) -> str:
    """Upper-case and keep A-Z0-9 only: '1-abc-234' → '1ABC234'."""
    if not text:
        return ""
    return _NOT_ALNUM.sub("", text.upper())


def mask(plate: str | None) -> str:
    """Plates are personal data: logs show only the first and last character."""
    p = normalise(plate)
    if len(p) <= 2:
        return "*" * len(p)
    return p[0] + "*" * (len(p) - 2) + p[-1]


def countries_for(plate: str) -> list[str]:
    """Countries whose format the normalised plate fits (may be several, may be none)."""
    p = normalise(plate)
    return [c for c, patterns in COUNTRY_FORMATS.items() if any(rx.match(p) for rx in patterns)]


def is_valid_for(plate: str, country: str) -> bool:
    return any(rx.match(normalise(plate)) for rx in COUNTRY_FORMATS.get(country, ()))


def lookalikes(plate: str, max_swaps: int = 2, limit: int = 64) -> list[str]:
    """Plates one or two look-alike swaps away (8↔B, 0↔O...), nearest first, without ``plate``."""
    p = normalise(plate)
    positions = [i for i, ch in enumerate(p) if ch in CONFUSIONS]
    out: list[str] = []
    seen = {p}
    for n in range(1, max_swaps + 1):
        for combo in _combinations(positions, n):
            for repl in product(*(CONFUSIONS[p[i]] for i in combo)):
                chars = list(p)
                for i, r in zip(combo, repl, strict=True):
                    chars[i] = r
                cand = "".join(chars)
                if cand not in seen:
                    seen.add(cand)
                    out.append(cand)
                    if len(out) >= limit:
                        return out
    return out


def _combinations(items: list[int], n: int):
    from itertools import combinations

    return combinations(items, n)
