"""Plate formats as data (``anpr/ocr/formats.json``) and the grammar built from them."""

import json

import numpy as np
import pytest
from anpr.ocr.grammar import FORMATS_FILE, Grammar, _regex, default_grammar, normalise, parse
from anpr.ocr.preprocess import ALPHABET

DATA = json.loads(FORMATS_FILE.read_text(encoding="utf-8"))
EU27 = [
    "AT",
    "BE",
    "BG",
    "HR",
    "CY",
    "CZ",
    "DK",
    "EE",
    "FI",
    "FR",
    "DE",
    "GR",
    "HU",
    "IE",
    "IT",
    "LV",
    "LT",
    "LU",
    "MT",
    "NL",
    "PL",
    "PT",
    "RO",
    "SK",
    "SI",
    "ES",
    "SE",
]
REQUIRED = EU27 + ["IS", "LI", "NO", "CH", "UK", "AL", "BA", "ME", "MK", "RS", "XK", "UA", "MD", "TR"]
MAGHREB = {"MA", "DZ", "TN", "LY", "MR"}
FORMATS = [(code, f) for code, c in DATA["countries"].items() for f in c["formats"]]


def test_every_required_country_has_a_format():
    # GIVEN the formats file THEN EU-27, EEA + CH, UK, Western Balkans, UA, MD, TR and the Maghreb are covered
    have = set(DATA["countries"])
    assert set(REQUIRED) <= have, set(REQUIRED) - have
    assert len(MAGHREB & have) >= 3
    assert all(c["formats"] for c in DATA["countries"].values())


@pytest.mark.parametrize(("country", "fmt"), FORMATS, ids=[f"{c}-{f['id']}" for c, f in FORMATS])
def test_sample_of_each_format_matches_it(country, fmt):
    # GIVEN a format's sample plate WHEN matched against the grammar THEN that very format fits it
    g = default_grammar()
    assert fmt["id"] in [f.id for f in g.matches(fmt["sample"], country)], fmt


@pytest.mark.parametrize("country", sorted(DATA["countries"]))
def test_deliberately_wrong_plates_fit_none_of_the_country_formats(country):
    # GIVEN plates that break the country's formats (a wrong group length, a letter where a digit goes)
    wrong = DATA["countries"][country]["wrong"]
    assert wrong, f"{country}: give at least one counter-example"
    # WHEN matched THEN no format of that country accepts them
    g = default_grammar()
    for text in wrong:
        assert not g.matches(text, country), (country, text, [f.id for f in g.matches(text, country)])


@pytest.mark.parametrize(("country", "fmt"), FORMATS, ids=[f"{c}-{f['id']}" for c, f in FORMATS])
def test_a_sample_with_one_position_of_the_wrong_kind_fails_its_format(country, fmt):
    # GIVEN a format's sample with its last character swapped for the other kind (letter ↔ digit)
    g = default_grammar()
    s = normalise(fmt["sample"])
    tpl = g.template_for(s, next(f for f in g.matches(s, country) if f.id == fmt["id"]))
    last = tpl.classes[-1]
    bad = s[:-1] + ("7" if s[-1].isalpha() else "K")
    if bad[-1] in last:  # an X position (letter or digit): shorten instead
        bad = s[:1]
    # THEN the format rejects it
    assert fmt["id"] not in [f.id for f in g.matches(bad, country)], (fmt, bad)


def test_two_line_formats_know_their_line_break():
    # GIVEN the Belgian motorcycle format M-LLL / DDD
    g = default_grammar()
    moto = next(f for f in g.countries["BE"].formats if f.id == "motorcycle")
    tpl = g.template_for("MABC123", moto)
    # THEN it has two lines, the bottom one starting at the digits
    assert moto.lines == 2 and tpl.line_break == 4


def test_emblem_positions_are_separators_not_characters():
    # GIVEN the Croatian format: city code, coat of arms, digits, letters
    g = default_grammar()
    hr = g.countries["HR"].formats[0]
    # THEN the coat of arms is not a position: ZG*1234-AB is eight characters
    tpl = g.template_for("ZG1234AB", hr)
    assert tpl is not None and tpl.emblems == (2,)
    assert g.display("ZG1234AB", "HR") == "ZG 1234-AB"


def test_pattern_syntax():
    # GIVEN patterns with sets, literals, repeats and separators
    toks = parse("[1-9]-'CD'L{1,3}*D?/X")
    classes = [(sorted(t[1])[:2], t[2], t[3]) for t in toks if t[0] == "cls"]
    # THEN each becomes a class token with its repeat range
    assert classes == [
        (["1", "2"], 1, 1),
        (["C"], 1, 1),
        (["D"], 1, 1),
        (["A", "B"], 1, 3),
        (["0", "1"], 0, 1),
        (["0", "1"], 1, 1),
    ]
    assert [t[1] for t in toks if t[0] == "sep"] == ["-", "*", "/"]
    assert [t[1] for t in parse("LL*/DD") if t[0] == "sep"] == ["*/"]
    with pytest.raises(ValueError):
        parse("LL?Q")


def _scores(text: str, alt: dict[int, dict[str, float]] | None = None) -> np.ndarray:
    s = np.full((len(text), len(ALPHABET)), np.log(1e-4))
    for i, ch in enumerate(text):
        s[i, ALPHABET.index(ch)] = np.log(0.9)
        for a, p in (alt or {}).get(i, {}).items():
            s[i, ALPHABET.index(a)] = np.log(p)
    return s


def test_best_valid_reading_settles_lookalikes_by_position_class():
    # GIVEN a Belgian plate read as 1-A8C-Z34 with some weight on B and 2
    g = default_grammar()
    s = _scores("1A8CZ34", {2: {"B": 0.2}, 4: {"2": 0.2}})
    # WHEN the grammar picks the best valid reading
    best = g.best(s)[0]
    # THEN letters go where letters belong and digits where digits do
    assert best.text == "1ABC234" and best.template.format.country == "BE"


def test_rows_must_break_where_the_format_does():
    # GIVEN M-ABC / 123 read row by row, the bottom row starting at position 4
    g = default_grammar()
    s = _scores("MABC123")
    # THEN with the break at 4 the Belgian motorcycle format is found; a break at 3 finds no BE format
    assert g.best(s, line_break=4)[0].template.format.id == "motorcycle"
    assert all(c.template.format.country != "BE" for c in g.best(s, line_break=3))


def test_country_scores_prefer_tight_formats_and_colour_cues():
    g = default_grammar()
    # GIVEN a current Belgian plate THEN Belgium, with near certainty
    be = g.country_scores("1ABC234")
    assert be[0].country == "BE" and be[0].score > 0.9
    # GIVEN AB1234 (LU, and looser formats: DE, CH...) on a yellow plate THEN Luxembourg wins clearly
    lu = g.country_scores("AB1234", {"bg": "yellow"})
    assert lu[0].country == "LU" and lu[0].score > 0.5 and lu[1].score < 0.25
    # GIVEN a string no format produces THEN no country at all
    assert g.country_scores("Q9Q9Q9Q9Q9Q9") == []


def test_grammar_loads_from_any_file(tmp_path):
    # GIVEN a minimal formats file
    p = tmp_path / "f.json"
    p.write_text(
        json.dumps({"countries": {"ZZ": {"name": "Test", "formats": [{"id": "a", "pattern": "LL-DD"}]}}})
    )
    g = Grammar.load(p)
    # THEN it validates against it alone
    assert g.is_valid("AB12") and not g.is_valid("1ABC234") and g.countries_for("AB-12") == ["ZZ"]


# ---------------------------------------------------------------- the letters each country issues
def test_issued_letters_decide_between_letters_a_country_does_not_issue():
    # GIVEN an Italian plate whose last letter the reader saw as O (0.5) over D (0.3): Italy issues
    # no I, O, Q or U
    s = _scores("AB123CO", {6: {"O": 0.5, "D": 0.3}})
    italy = DATA["countries"]["IT"]
    as_issued = Grammar({"countries": {"IT": italy}})
    letters_only = Grammar(
        {
            "countries": {
                "IT": {
                    **italy,
                    "formats": [{k: v for k, v in f.items() if k != "issued"} for f in italy["formats"]],
                }
            }
        }
    )
    # WHEN read as an Italian plate THEN the reading takes the letter Italy issues (any letter: O)
    assert as_issued.best(s)[0].text == "AB123CD"
    assert letters_only.best(s)[0].text == "AB123CO"
    # AND AB 123 CO is still a plate of other countries, not of Italy
    g = default_grammar()
    assert g.countries_for("AB 123 CO") and "IT" not in g.countries_for("AB 123 CO")
    assert "IT" in g.countries_for("AB 123 CD")


@pytest.mark.parametrize(
    ("text", "country", "fits"),
    [
        ("BR-PD-54", "NL", True),  # 1991-1999: two letter pairs, consonants only
        ("BR-PA-54", "NL", False),
        ("AB-12-CD", "NL", False),  # vowels: not issued since 1978
        ("12-AB-34", "NL", True),  # 1973-1978: vowels still issued
        ("ZH 123456", "CH", True),
        ("ZX 123456", "CH", False),  # no canton ZX
        ("ABC 123", "SE", True),
        ("AQC 123", "SE", False),  # Sweden issues no I, Q, V
        ("AB-123-CD", "FR", True),
        ("AB-123-CU", "FR", False),  # SIV: no I, O, U
        ("1234 AU 75", "FR", True),  # the older FNI series keeps every letter
        ("1AB 2345", "CZ", True),
        ("0AB 2345", "CZ", False),  # series start at 1
        ("1GB 2345", "CZ", False),  # no region G
    ],
)
def test_issued_patterns_validate_per_country(text, country, fits):
    # GIVEN a plate and a country WHEN validated THEN the letters that country issues decide
    assert default_grammar().is_valid(text, country) is fits


def test_an_issued_pattern_must_be_its_pattern_with_tighter_sets(tmp_path):
    # GIVEN issued patterns that change a group's length, add a letter, or move a separator
    for issued in ("[AB]{3}-DD", "[AB1]{2}-DD", "[AB]-[AB]DD"):
        p = tmp_path / "f.json"
        p.write_text(
            json.dumps(
                {
                    "countries": {
                        "ZZ": {"name": "T", "formats": [{"id": "a", "pattern": "LL-DD", "issued": issued}]}
                    }
                }
            )
        )
        # THEN the formats file does not load
        with pytest.raises(ValueError, match="tighter sets"):
            Grammar.load(p)


def test_draws_as_trained_keep_the_readers_training_data_as_it_was():
    import random

    from anpr.ocr.render.formats import random_format_plate

    g = default_grammar()
    issued_only = pattern_letters = 0
    for seed in range(600):
        # GIVEN the same seed WHEN drawn as issued and as the readers were trained
        text, _, _ = random_format_plate(random.Random(seed), None, "NL")
        old, _, _ = random_format_plate(random.Random(seed), None, "NL", as_trained=True)
        # THEN issued draws are plates the country issues; trained draws come from the patterns
        # of the formats the readers were trained on (vowels included, no format added later)
        assert g.is_valid(text, "NL"), text
        fmts = [f for f in g.formats if f.country == "NL" and f.drawn]
        assert any(_regex(parse(f.pattern)).match(old) for f in fmts), old
        issued_only += any(m.id == "sidecode_1991" for m in g.matches(text, "NL"))
        pattern_letters += bool(set(old) & set("AEIOUY"))
    assert issued_only > 0 and pattern_letters > 0
