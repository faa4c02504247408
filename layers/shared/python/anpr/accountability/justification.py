"""Why may this person look at these reads? Case reference, reason, and age tiers.

Belgian rules: every access justified; administrative police only within the first month;
judicial access to older reads only with a written, reasoned decision of the prosecutor;
nothing beyond the retention window exists.

A justification must be something a person wrote. Every field is judged on its *visible*
text: Unicode is normalised (NFKC: full-width and compatibility forms become their plain
letters), format and control characters (zero-width spaces and joiners, bidi overrides,
BOM, NUL...) are dropped, and every kind of space or line break becomes one ordinary space.
Then a reason needs a minimum of letters and digits, and case and prosecutor-decision
references must fit a declared format (``JustificationRules``, configurable per stage:
``anpr.accountability.settings.JustificationSettings``). One function, ``check_access``, is
used by searches, legal holds and the oversight query; ``check_justification`` is its
age-free part.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import cached_property

from pydantic import BaseModel, ConfigDict, Field, field_validator

from anpr.kernel.auth import Caller, Forbidden
from anpr.kernel.clock import DAY_MS
from anpr.kernel.errors import BadRequest

#: roles acting as judicial police (may reach past the administrative window with a decision)
JUDICIAL_ROLES = frozenset({"investigator"})

#: letters and digits, with the separators Belgian references use (PV-BRU-2026-001,
#: BR.12.34.567890/26, PG-BRU-77/26); starts and ends with a letter or digit
REFERENCE_PATTERN = r"[A-Za-z0-9](?:[A-Za-z0-9./_ -]{0,62}[A-Za-z0-9])?"
REFERENCE_FORMAT = (
    "letters and digits with the separators - . / _ or a space, starting and ending with a "
    "letter or digit, e.g. PV-BRU-2026-001 or BR.12.34.567890/26"
)
MIN_REASON_CHARS = 10  # kept for callers that quote it: letters and digits, not characters


class JustificationRules(BaseModel):
    """What a justification must look like (stage configuration)."""

    model_config = ConfigDict(frozen=True)

    case_ref_pattern: str = REFERENCE_PATTERN
    case_ref_format: str = REFERENCE_FORMAT
    case_ref_min_alnum: int = Field(default=3, ge=1)
    prosecutor_ref_pattern: str = REFERENCE_PATTERN
    prosecutor_ref_format: str = REFERENCE_FORMAT
    prosecutor_ref_min_alnum: int = Field(default=3, ge=1)
    #: a reason must hold at least this many letters and digits...
    reason_min_alnum: int = Field(default=MIN_REASON_CHARS, ge=1)
    #: ...of which at least this many different ones ("xxxxxxxxxx" is not a reason)
    reason_min_distinct: int = Field(default=4, ge=1)
    reason_max_chars: int = Field(default=2000, ge=10)

    @field_validator("case_ref_pattern", "prosecutor_ref_pattern")
    @classmethod
    def _compiles(cls, pattern: str) -> str:
        try:
            re.compile(pattern)
        except re.error as exc:
            raise ValueError(f"not a regular expression: {exc}") from None
        return pattern

    @cached_property
    def case_ref_regex(self) -> re.Pattern:
        return re.compile(self.case_ref_pattern)

    @cached_property
    def prosecutor_ref_regex(self) -> re.Pattern:
        return re.compile(self.prosecutor_ref_pattern)


DEFAULT_RULES = JustificationRules()


@dataclass(frozen=True)
class Justification:
    case_ref: str
    reason: str
    prosecutor_ref: str | None = None


def visible(text: str | None) -> str:
    """``text`` as a reader sees it: NFKC, no format/control/private/unassigned characters,
    every space or line break one ordinary space, trimmed."""
    out: list[str] = []
    for ch in unicodedata.normalize("NFKC", text or ""):
        category = unicodedata.category(ch)
        if ch.isspace() or category in ("Zs", "Zl", "Zp"):
            out.append(" ")
        elif category[0] == "C":  # Cc, Cf (ZWSP, ZWJ, bidi, BOM), Cs, Co, Cn
            continue
        else:
            out.append(ch)
    return " ".join("".join(out).split())


def _alnum(text: str) -> list[str]:
    return [ch for ch in text if unicodedata.category(ch)[0] in "LN"]


def check_reference(value: str | None, field: str, rules: JustificationRules = DEFAULT_RULES) -> str:
    """The visible reference, or ``BadRequest`` saying what is expected."""
    if field == "prosecutor_ref":
        regex, fmt, min_alnum = (
            rules.prosecutor_ref_regex,
            rules.prosecutor_ref_format,
            rules.prosecutor_ref_min_alnum,
        )
        what = "a prosecutor-decision reference"
    else:
        regex, fmt, min_alnum = rules.case_ref_regex, rules.case_ref_format, rules.case_ref_min_alnum
        what = "a case reference"
    text = visible(value)
    if not text:
        raise BadRequest(f"{field}: {what} is required ({fmt})")
    if not regex.fullmatch(text) or len(_alnum(text)) < min_alnum or not any(c.isdigit() for c in text):
        raise BadRequest(
            f"{field}: {text[:64]!r} is not {what}: expected {fmt}, "
            f"with at least {min_alnum} letters or digits, one of them a digit"
        )
    return text


def check_reason(value: str | None, rules: JustificationRules = DEFAULT_RULES, field: str = "reason") -> str:
    """The visible reason, or ``BadRequest``: a sentence a person wrote, not filler."""
    text = visible(value)
    letters = _alnum(text)
    if (
        len(letters) < rules.reason_min_alnum
        or len({c.casefold() for c in letters}) < rules.reason_min_distinct
    ):
        raise BadRequest(
            f"{field}: say why in words: at least {rules.reason_min_alnum} letters or digits "
            f"({rules.reason_min_distinct} different), not counting spaces, punctuation or invisible characters"
        )
    if len(text) > rules.reason_max_chars:
        raise BadRequest(f"{field}: at most {rules.reason_max_chars} characters")
    return text


def check_justification(
    justification: Justification | None, rules: JustificationRules = DEFAULT_RULES
) -> Justification:
    """Case reference and reason (and a prosecutor reference, when one is given), cleaned."""
    j = justification or Justification("", "")
    case_ref = check_reference(j.case_ref, "case_ref", rules)
    reason = check_reason(j.reason, rules)
    prosecutor_ref = None
    if j.prosecutor_ref not in (None, ""):
        prosecutor_ref = check_reference(j.prosecutor_ref, "prosecutor_ref", rules)
    return Justification(case_ref, reason, prosecutor_ref)


def check_access(
    caller: Caller,
    justification: Justification | None,
    oldest_ms: int,
    now_ms: int,
    admin_window_days: int = 30,
    retention_days: int = 365,
    rules: JustificationRules = DEFAULT_RULES,
) -> Justification:
    """Raise ``BadRequest`` (400) or ``Forbidden`` (403) with the exact reason, else return
    the justification as it must be recorded (visible text only)."""
    j = check_justification(justification, rules)
    if oldest_ms < now_ms - retention_days * DAY_MS:
        raise BadRequest(f"reads older than the {retention_days}-day retention window do not exist")
    if oldest_ms < now_ms - admin_window_days * DAY_MS:
        if not j.prosecutor_ref:
            raise Forbidden(
                f"reads older than {admin_window_days} days need a prosecutor-decision reference "
                f"(prosecutor_ref: {rules.prosecutor_ref_format})"
            )
        if not caller.groups & JUDICIAL_ROLES:
            raise Forbidden(
                f"reads older than {admin_window_days} days are reserved to judicial roles "
                f"({', '.join(sorted(JUDICIAL_ROLES))})"
            )
    return j
