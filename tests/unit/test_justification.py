"""A justification must be something a person wrote (issue 11, finding 1): invisible,
control and filler characters never satisfy a case reference, a reason or a
prosecutor-decision reference; valid Belgian references do."""

import pytest
from anpr.accountability.justification import (
    Justification,
    JustificationRules,
    check_access,
    check_justification,
    visible,
)
from anpr.accountability.settings import JustificationSettings
from anpr.kernel.auth import Caller, Forbidden
from anpr.kernel.errors import BadRequest

from tests.helpers import NOW_MS

DAY_MS = 86_400_000
IVAN = Caller("sub-ivan", "ivan", frozenset({"investigator"}))
OLD = NOW_MS - 40 * DAY_MS  # past the 30-day administrative window

ZWSP, ZWJ, RLO, BOM, NUL = "\u200b", "\u200d", "\u202e", "\ufeff", "\x00"

#: values that hold nothing a person wrote, for every field
HOSTILE = [
    "",
    ZWSP,
    ZWSP * 10,
    ZWJ * 12,
    RLO + ZWSP,
    BOM,
    NUL,
    NUL * 20,
    "-",
    "x",
    "..........",
    " \t\n ",
    "\u2028\u2029\u00a0",
]

VALID_REFS = ["PV-BRU-2026-001", "BR.12.34.567890/26", "PG-BRU-77/26", "COC-2026-12", "PV-1"]
VALID_REASON = "burglary follow-up, witness saw the car"


def justification(**kw) -> Justification:
    base = {"case_ref": "PV-BRU-2026-001", "reason": VALID_REASON, "prosecutor_ref": "PG-BRU-77/26"}
    return Justification(**(base | kw))


@pytest.mark.parametrize("value", HOSTILE)
def test_a_case_reference_of_invisible_or_filler_characters_is_refused(value):
    # GIVEN a search of fresh reads whose case reference holds no visible reference
    # WHEN it is checked THEN 400, saying what a case reference looks like
    with pytest.raises(BadRequest, match=r"case_ref: .*PV-BRU-2026-001"):
        check_access(IVAN, justification(case_ref=value), NOW_MS - DAY_MS, NOW_MS)


@pytest.mark.parametrize("value", [*HOSTILE, "xxxxxxxxxxxx", "1111111111111", "a" + ZWSP * 30])
def test_a_reason_of_invisible_or_filler_characters_is_refused(value):
    with pytest.raises(BadRequest, match="reason: say why in words: at least 10 letters or digits"):
        check_access(IVAN, justification(reason=value), NOW_MS - DAY_MS, NOW_MS)


@pytest.mark.parametrize("value", [v for v in HOSTILE if v])
def test_a_prosecutor_reference_of_invisible_or_filler_characters_never_opens_old_reads(value):
    # GIVEN a search reaching 40-day-old reads WHEN its prosecutor reference is junk
    # THEN it is refused (400 for a malformed reference, 403 when nothing visible is left)
    with pytest.raises((BadRequest, Forbidden), match="prosecutor"):
        check_access(IVAN, justification(prosecutor_ref=value), OLD, NOW_MS)


def test_the_issue_s_exact_attack_is_refused():
    # GIVEN case_ref = one ZWSP, reason = ten ZWSP, prosecutor_ref = one ZWSP (returned 202 before)
    attack = Justification(ZWSP, ZWSP * 10, ZWSP)
    with pytest.raises(BadRequest):
        check_access(IVAN, attack, OLD, NOW_MS)


@pytest.mark.parametrize("ref", VALID_REFS)
def test_belgian_references_are_accepted(ref):
    j = check_access(IVAN, justification(case_ref=ref, prosecutor_ref=ref), OLD, NOW_MS)
    assert j.case_ref == ref and j.prosecutor_ref == ref


def test_what_is_recorded_is_the_visible_text():
    # GIVEN references and a reason sprinkled with invisible characters and full-width letters
    j = check_justification(
        Justification(
            f"{BOM}PV-BRU{ZWSP}-2026-001", f"burglary{NUL}  follow-up{RLO}\nwitness", "ＰＧ－７７/26"
        )
    )
    # THEN what comes back (and is audited) is what a reader sees
    assert j == Justification("PV-BRU-2026-001", "burglary follow-up witness", "PG-77/26")


def test_visible_drops_format_and_control_characters_and_collapses_spaces():
    assert visible(f"a{ZWSP}b{ZWJ}c{RLO}d{BOM}e{NUL}f\t\u00a0\u2028g") == "abcdef g"


def test_old_reads_still_need_a_prosecutor_reference_and_a_judicial_role():
    with pytest.raises(Forbidden, match="prosecutor"):
        check_access(IVAN, justification(prosecutor_ref=None), OLD, NOW_MS)
    supervisor = Caller("sub-sue", "sue", frozenset({"supervisor"}))
    with pytest.raises(Forbidden, match="judicial"):
        check_access(supervisor, justification(), OLD, NOW_MS)


def test_the_formats_are_stage_configuration(monkeypatch):
    # GIVEN a stage that declares its own case-reference format and a longer reason
    monkeypatch.setenv("ANPR_CASE_REF_PATTERN", r"PV-[A-Z]{3}-\d{4}-\d{3,6}")
    monkeypatch.setenv("ANPR_CASE_REF_FORMAT", "PV-<unit>-<year>-<number>, e.g. PV-BRU-2026-001")
    monkeypatch.setenv("ANPR_REASON_MIN_ALNUM", "20")
    rules = JustificationSettings().justification_rules()
    # THEN a reference of another shape is refused with the declared format
    with pytest.raises(BadRequest, match="PV-<unit>-<year>-<number>"):
        check_justification(justification(case_ref="BR.12.34.567890/26"), rules)
    with pytest.raises(BadRequest, match="at least 20 letters"):
        check_justification(justification(reason="burglary follow-up"), rules)
    assert check_justification(justification(), rules).case_ref == "PV-BRU-2026-001"


def test_rules_refuse_a_reason_that_is_too_long():
    with pytest.raises(BadRequest, match="at most 50"):
        check_justification(justification(reason="word " * 20), JustificationRules(reason_max_chars=50))


def test_a_stage_with_a_broken_pattern_fails_at_configuration_not_at_the_first_search():
    with pytest.raises(ValueError, match="not a regular expression"):
        JustificationRules(case_ref_pattern="PV-[")
