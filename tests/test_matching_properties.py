"""Property tests for the two term matchers: the area gazetteer and the theme taxonomy."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from parsers.gazetteer import Gazetteer
from parsers.themes import DEFAULT_THEMES, Taxonomy, Theme

GAZ = Gazetteer.default()
TAX = Taxonomy.default()

# Lower-case ASCII words: never a capitalised area name, almost never a theme term.
word = st.from_regex(r"[a-z]{1,10}", fullmatch=True)
filler = st.lists(word, min_size=1, max_size=8).map(" ".join)
maybe_filler = st.lists(word, min_size=0, max_size=8).map(" ".join)

SYNONYMS = [(t.name, term) for t in DEFAULT_THEMES for term in (t.name, *t.synonyms)]
ACRONYMS = [(t.name, term) for t in DEFAULT_THEMES for term in t.acronyms]


# ------------------------------------------------------------------------------ gazetteer


@given(st.sampled_from(GAZ.areas))
def test_lookup_by_name_any_case_and_code(area) -> None:
    assert GAZ.lookup(area.name) == area
    assert GAZ.lookup(area.name.upper()) == area
    assert GAZ.lookup(area.name.lower()) == area
    assert GAZ.lookup(area.ons_code) == area
    assert GAZ.lookup(area.ofsted_urn) == area
    assert GAZ.by_urn(area.ofsted_urn) == area


@given(st.sampled_from(GAZ.areas), filler, maybe_filler)
def test_find_in_finds_a_name_in_filler(area, before: str, after: str) -> None:
    # Filler before the name is never empty: a common-word name ("Reading") that opens a
    # sentence before a lower-case word is deliberately not an area.
    text = f"{before} {area.name} {after}"
    found = GAZ.find_in(text)
    assert (area, len(before) + 1) in found


SEPARATORS = st.sampled_from([" ", ", ", " and ", "; ", ".\n", " - ", "-", " & ", "/"])
AREA_TERMS = [a.name for a in GAZ.areas] + ["BCP", "Hull", "Southend", "County Durham", "St Helens"]
piece = st.one_of(st.sampled_from(AREA_TERMS), word, word.map(str.capitalize))


@given(st.lists(st.tuples(piece, SEPARATORS), max_size=12))
def test_mentions_never_overlap(parts) -> None:
    text = "".join(p + sep for p, sep in parts)
    spans = GAZ.mentions(text)
    ends = 0
    for area, start, end in spans:
        assert ends <= start < end
        ends = end
        # What was matched is a spelling of that very area.
        assert GAZ.lookup(text[start:end]) == area
    firsts = GAZ.find_in(text)
    assert [o for _, o in firsts] == sorted(o for _, o in firsts)
    assert len({a.ofsted_urn for a, _ in firsts}) == len(firsts)


# ------------------------------------------------------------------------------ themes


def test_every_term_matches_its_theme() -> None:
    """Exhaustive companion of the property below: every term, fixed filler."""
    missing = [
        (theme, term)
        for theme, term in SYNONYMS + ACRONYMS
        if theme not in TAX.match(f"the {term} here")
    ]
    assert missing == []


@settings(max_examples=300)
@given(st.sampled_from(SYNONYMS + ACRONYMS), filler, maybe_filler)
def test_term_in_filler_matches_its_theme(pair, before: str, after: str) -> None:
    theme, term = pair
    assert theme in TAX.match(f"{before} {term} {after}")


@given(st.sampled_from(SYNONYMS), maybe_filler, maybe_filler)
def test_synonyms_are_case_insensitive(pair, before: str, after: str) -> None:
    theme, term = pair
    assert theme in TAX.match(f"{before} {term.upper()} {after}".upper())
    assert theme in TAX.match(f"{before} {term.title()} {after}")


@pytest.mark.parametrize(("theme", "term"), SYNONYMS + ACRONYMS)
def test_term_glued_to_letters_does_not_match(theme: str, term: str) -> None:
    # One term alone, so that no other term of the theme can answer for it.
    single = Taxonomy([Theme(term)]) if (theme, term) in SYNONYMS else Taxonomy(
        [Theme("zzqqzz", acronyms=(term,))]
    )
    assert single.match(f"x{term}x") == []
    assert single.match(f"the x{term}x here") == []
    assert single.match(f"the {term}x here") == []
    assert single.match(f"the x{term} here") == []
    assert single.match(f"the {term} here") != []


@given(st.text(max_size=400))
def test_match_is_deterministic_subset_in_order(text: str) -> None:
    first = TAX.match(text)
    assert first == TAX.match(text)
    assert set(first) <= set(TAX.names)
    assert first == [n for n in TAX.names if n in first]
    assert len(first) == len(set(first))


@given(st.lists(st.one_of(st.sampled_from([t for _, t in SYNONYMS]), word), max_size=30))
def test_match_of_concatenation_is_union(words: list[str]) -> None:
    """Terms separated by sentence breaks are found independently of each other."""
    text = ". ".join(words)
    found = set(TAX.match(text))
    for w in words:
        assert set(TAX.match(w)) <= found
