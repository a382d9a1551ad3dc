"""The findings diff (parsers.diff) on the real seed letters, plus property tests."""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, replace
from functools import lru_cache
from types import SimpleNamespace

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from parsers.api import parse_bytes, parse_text
from parsers.diff import (
    FindingsDiff,
    ThemeMovement,
    describe,
    diff_findings,
    section_label,
    shorten,
)
from parsers.normalise import fingerprint
from parsers.records import Finding
from parsers.themes import Taxonomy
from tests.support.corpus import seed_path
from tests.support.seed_pdfs import seed_pdf


@lru_cache(maxsize=None)
def _parsed(prefix: str):
    return parse_text(seed_path(prefix).read_text(encoding="utf-8"))


def findings(prefix: str) -> list[Finding]:
    """A fresh copy of a seed's findings (tests may edit them)."""
    return [replace(f, themes=list(f.themes)) for f in _parsed(prefix).findings]


ISLINGTON, CORNWALL, SHROPSHIRE = "000", "001", "004"


def _one(fs: list[Finding], section: str, ordinal: int) -> Finding:
    (f,) = [f for f in fs if f.section == section and f.ordinal == ordinal]
    return f


def _renumber(fs: list[Finding]) -> list[Finding]:
    seen: Counter[str] = Counter()
    out = []
    for f in fs:
        seen[f.section] += 1
        out.append(replace(f, ordinal=seen[f.section]))
    return out


# ------------------------------------------------------------------------------ identical


@pytest.mark.parametrize("prefix", [ISLINGTON, CORNWALL, SHROPSHIRE])
def test_identical_documents_are_all_unchanged(prefix: str) -> None:
    old = findings(prefix)
    new = findings(prefix)
    d = diff_findings(old, new)
    assert d.is_empty
    assert len(d.changes) == len(old) > 40
    assert d.unchanged == d.changes
    assert [c.new_index for c in d.changes] == list(range(len(new)))
    assert [c.old_index for c in d.changes] == list(range(len(old)))
    assert all(c.score == 1.0 and c.old_text == c.new_text for c in d.changes)
    assert d.theme_movements == []
    assert d.summary() == {
        "added": 0, "removed": 0, "changed": 0, "moved": 0, "unchanged": len(old), "theme_movements": 0,
    }
    assert describe(d) == []


def test_pdf_reparse_against_text_is_all_unchanged() -> None:
    text_doc = _parsed(ISLINGTON)
    pdf_doc = parse_bytes(seed_pdf(ISLINGTON), backend="pypdfium2")
    assert len(pdf_doc.findings) == len(text_doc.findings)
    d = diff_findings(text_doc.findings, pdf_doc.findings)
    assert d.is_empty, describe(d)
    assert len(d.unchanged) == len(text_doc.findings)
    # Paired one to one, in order.
    assert [(c.old_index, c.new_index) for c in d.changes] == [(k, k) for k in range(len(pdf_doc.findings))]


def test_store_rows_diff_like_findings() -> None:
    """The store passes lightweight rows: a fingerprint column, themes possibly as JSON."""
    old = findings(ISLINGTON)
    rows = [
        SimpleNamespace(
            section=f.section, ordinal=f.ordinal, text=f.text, themes=json.dumps(f.themes),
            fingerprint=f.fingerprint,
        )
        for f in old
    ]
    new = findings(SHROPSHIRE)
    a = diff_findings(old, new)
    b = diff_findings(rows, new)
    assert a.to_json() == b.to_json()
    # A digest as the identity column still works: similarity is taken from the text.
    hashed = [SimpleNamespace(**{**vars(r), "fingerprint": str(hash(r.fingerprint))}) for r in rows]
    c = diff_findings(hashed, new)
    assert a.to_json() == c.to_json()


# ------------------------------------------------------------------------------ one edit of each kind

EDITED_FROM = "helping to build the confidence and capabilities"
EDITED_TO = "helping to build the certainty and capabilities"
ADDED_TEXT = (
    "Leaders should make sure that strategy discussions always include the health and education "
    "professionals who know the child well."
)


def _edited_islington() -> tuple[list[Finding], list[Finding], dict[str, Finding]]:
    old = findings(ISLINGTON)
    to_edit = _one(old, "strength", 5)
    to_delete = _one(old, "area_for_improvement", 13)
    to_move = _one(old, "strength", 20)
    assert EDITED_FROM in to_edit.text

    new: list[Finding] = []
    for f in old:
        if f is to_delete or f is to_move:
            continue
        if f is to_edit:
            f = replace(f, text=f.text.replace(EDITED_FROM, EDITED_TO))
        if f.section == "area_for_improvement" and f.ordinal == 1:
            # Areas for priority action come before areas for improvement in a letter.
            new.append(
                Finding(
                    section="priority_action", ordinal=1, page=6, text=ADDED_TEXT,
                    themes=Taxonomy.default().match(ADDED_TEXT),
                )
            )
        new.append(f)
        if f.section == "area_for_improvement" and f.ordinal == 16:
            new.append(replace(to_move, section="area_for_improvement", page=6))
    new = _renumber(new)
    return old, new, {"edited": to_edit, "deleted": to_delete, "moved": to_move}


def test_one_edit_one_delete_one_add_one_move() -> None:
    old, new, picked = _edited_islington()
    d = diff_findings(old, new)

    assert d.summary() == {
        "added": 1, "removed": 1, "changed": 1, "moved": 1, "unchanged": len(old) - 3, "theme_movements": 0,
    }
    assert not d.is_empty

    (changed,) = d.changed
    assert changed.section == changed.old_section == "strength"
    assert changed.old_text == picked["edited"].text
    assert changed.new_text == picked["edited"].text.replace(EDITED_FROM, EDITED_TO)
    assert changed.old_text != changed.new_text
    assert (changed.old_ordinal, changed.new_ordinal) == (5, 5)
    assert 0.95 < changed.score < 1.0
    assert changed.themes_added == changed.themes_removed == []

    (removed,) = d.removed
    assert removed.old_text == picked["deleted"].text
    assert removed.old_text.startswith("Midwives providing antenatal care")
    assert removed.new_text is None and removed.new_index is None
    assert (removed.section, removed.old_section, removed.old_ordinal) == ("area_for_improvement",) * 2 + (13,)
    assert removed.themes_removed == picked["deleted"].themes

    (added,) = d.added
    assert added.new_text == ADDED_TEXT
    assert added.old_text is None and added.old_section is None and added.old_ordinal is None
    assert added.section == "priority_action" and added.new_ordinal == 1
    assert "strategy discussions" in added.themes_added

    (moved,) = d.moved
    assert moved.old_text == moved.new_text == picked["moved"].text
    assert moved.old_text.startswith("The NPS has seen recent changes")
    assert (moved.old_section, moved.section) == ("strength", "area_for_improvement")
    assert (moved.old_ordinal, moved.new_ordinal) == (20, 16)
    assert moved.score == 1.0

    # Order: the new document as it reads, then removals in old order.
    assert [c.new_index for c in d.changes[:-1]] == list(range(len(new)))
    assert d.changes[-1] is removed

    lines = describe(d, limit=10)
    assert lines == [
        "new area for priority action: Leaders should make sure that strategy discussions always include the health and"
        " education professionals who know the… (strategy discussions)",
        "moved from strengths to areas for improvement: The NPS has seen recent changes to local managers in Islington."
        " However, there is a clear organisational commitment to…",
        "changed strength: " + shorten(changed.new_text),
        "removed area for improvement: " + shorten(removed.old_text) + " (health services)",
    ]
    assert describe(d, limit=2) == [lines[0], "… and 3 more"]


def test_to_json_round_trips_and_can_drop_unchanged() -> None:
    old, new, _ = _edited_islington()
    d = diff_findings(old, new)
    out = json.loads(json.dumps(d.to_json()))
    assert out["summary"] == d.summary()
    assert len(out["changes"]) == len(d.changes)
    slim = d.to_json(include_unchanged=False)
    assert [c["kind"] for c in slim["changes"]] == ["changed", "added", "moved", "removed"]
    (c,) = [c for c in slim["changes"] if c["kind"] == "changed"]
    assert set(c) >= {"old_text", "new_text", "score", "old_ordinal", "new_ordinal", "themes_added"}


def test_reworded_finding_that_changes_section_is_removed_and_added() -> None:
    old = findings(ISLINGTON)
    new = list(old)
    k = next(i for i, f in enumerate(new) if f.section == "strength" and f.ordinal == 5)
    new[k] = replace(new[k], section="area_for_improvement", text=new[k].text.replace(EDITED_FROM, EDITED_TO))
    d = diff_findings(old, new)
    assert (len(d.added), len(d.removed), len(d.changed), len(d.moved)) == (1, 1, 0, 0)


# ------------------------------------------------------------------------------ two different areas


def test_islington_against_shropshire() -> None:
    old, new = findings(ISLINGTON), findings(SHROPSHIRE)
    d = diff_findings(old, new)

    # Different areas: no finding is the same; the one fuzzy pair is the boilerplate
    # "next steps" paragraph, which really is the same text with another date and names.
    assert d.unchanged == [] and d.moved == []
    (pair,) = d.changed
    assert pair.section == pair.old_section == "next_steps"
    for text in (pair.old_text, pair.new_text):
        assert text.startswith("The local authority should prepare a written statement of proposed action")
    assert 0.75 <= pair.score < 0.95
    assert len(d.added) == len(new) - 1 and len(d.removed) == len(old) - 1

    # Theme movements, checked by hand against the data first.
    def sections_with(fs: list[Finding], theme: str) -> set[str]:
        return {f.section for f in fs if theme in f.themes}

    # 'front door': Islington areas for improvement 9 and 10 (and strengths); Shropshire strengths only.
    assert {f.ordinal for f in old if f.section == "area_for_improvement" and "front door" in f.themes} == {9, 10}
    assert sections_with(new, "front door") == {"strength"}
    # 'intermediaries': Islington area for improvement 12 only; Shropshire strength 25 only.
    assert [(f.section, f.ordinal) for f in old if "intermediaries" in f.themes] == [("area_for_improvement", 12)]
    assert [(f.section, f.ordinal) for f in new if "intermediaries" in f.themes] == [("strength", 25)]

    assert ThemeMovement("front door", "area_for_improvement", "strength", "improved") in d.theme_movements
    assert ThemeMovement("intermediaries", "area_for_improvement", "strength", "improved") in d.theme_movements
    assert d.theme_movements == [
        ThemeMovement("front door", "area_for_improvement", "strength", "improved"),
        ThemeMovement("intermediaries", "area_for_improvement", "strength", "improved"),
    ]
    lines = describe(d)
    assert lines[:2] == [
        "'front door' moved from areas for improvement to strengths",
        "'intermediaries' moved from areas for improvement to strengths",
    ]
    assert len(lines) == 5 and lines[-1] == f"… and {len(d.changes) + 2 - 4} more"

    # The other way round, intermediaries worsened (a Shropshire strength, an Islington
    # area for improvement, and no Islington strength has it).
    back = diff_findings(new, old)
    assert ThemeMovement("intermediaries", "strength", "area_for_improvement", "worsened") in back.theme_movements
    assert back.theme_movements[0].direction == "worsened"


def test_theme_movement_needs_the_theme_gone_from_the_good_side() -> None:
    def f(section: str, themes: list[str], text: str) -> Finding:
        return Finding(section=section, ordinal=1, page=1, text=text, themes=themes)

    before = [f("strength", ["front door"], "a"), f("area_for_improvement", ["neglect"], "b")]
    after = [f("priority_action", ["front door"], "c"), f("practice_study_strength", ["neglect"], "d")]
    d = diff_findings(before, after)
    assert d.theme_movements == [
        ThemeMovement("front door", "strength", "priority_action", "worsened"),
        ThemeMovement("neglect", "area_for_improvement", "practice_study_strength", "improved"),
    ]
    # Still a strength somewhere as well: not a movement.
    d = diff_findings(before, after + [f("strength", ["front door"], "e")])
    assert [m.theme for m in d.theme_movements] == ["neglect"]


# ------------------------------------------------------------------------------ small pieces


def test_duplicates_pair_in_order_and_moves_are_exact() -> None:
    def f(section: str, text: str, ordinal: int) -> Finding:
        return Finding(section=section, ordinal=ordinal, page=1, text=text)

    old = [f("strength", "Same words.", 1), f("strength", "Same words.", 2), f("strength", "Other", 3)]
    new = [f("strength", "same words", 1), f("area_for_improvement", "Same  words!", 1)]
    d = diff_findings(old, new)
    assert [(c.kind, c.old_index, c.new_index) for c in d.changes] == [
        ("unchanged", 0, 0),
        ("moved", 1, 1),
        ("removed", 2, None),
    ]


def test_threshold_is_checked_and_used() -> None:
    with pytest.raises(ValueError):
        diff_findings([], [], threshold=1.5)
    old, new, _ = _edited_islington()
    assert len(diff_findings(old, new, threshold=1.0).changed) == 0
    assert len(diff_findings(findings(ISLINGTON), findings(SHROPSHIRE), threshold=0.9).changed) == 0


def test_shorten_and_labels() -> None:
    text = "word " * 60
    short = shorten(text)
    assert len(short) <= 120 and short.endswith("word…")
    assert shorten("  a   b ") == "a b"
    assert section_label("area_for_improvement", plural=True) == "areas for improvement"
    assert section_label("priority_action") == "area for priority action"
    assert section_label("some_new_kind") == "some new kind"


# ------------------------------------------------------------------------------ properties


@dataclass(frozen=True)
class Row:
    section: str
    ordinal: int
    text: str
    themes: tuple[str, ...] = ()


WORDS = ["Child", "police", "health", "strategy", "discussions", "front", "door", "risk", "plans", "timely", "not"]
SECTIONS = ["strength", "area_for_improvement", "priority_action"]
THEMES = ["front door", "neglect", "strategy discussions"]

word = st.sampled_from(WORDS)
sep = st.sampled_from([" ", ", ", " - ", ". "])
text_st = st.lists(st.tuples(word, sep), max_size=9).map(lambda ps: "".join(w + s for w, s in ps).strip())
row_st = st.builds(
    Row,
    section=st.sampled_from(SECTIONS),
    ordinal=st.just(0),
    text=text_st,
    themes=st.lists(st.sampled_from(THEMES), unique=True, max_size=2).map(tuple),
)
doc_st = st.lists(row_st, max_size=14)


@st.composite
def related(draw, base):  # noqa: ANN001, ANN201
    """A later version of ``base``: findings kept, dropped, edited, moved; some inserted."""
    out: list[Row] = []
    for r in base:
        op = draw(st.sampled_from(["keep", "keep", "drop", "edit", "move", "recase"]))
        if op == "keep":
            out.append(r)
        elif op == "edit":
            words = r.text.split() or ["new"]
            words[draw(st.integers(0, len(words) - 1))] = draw(word)
            if draw(st.booleans()):
                words.append(draw(word))
            out.append(replace(r, text=" ".join(words)))
        elif op == "move":
            out.append(replace(r, section=draw(st.sampled_from(SECTIONS))))
        elif op == "recase":
            out.append(replace(r, text=r.text.upper() + "."))
    for extra in draw(st.lists(row_st, max_size=3)):
        out.insert(draw(st.integers(0, len(out))), extra)
    return out


@st.composite
def doc_pairs(draw):  # noqa: ANN201
    a = draw(doc_st)
    b = draw(st.one_of(doc_st, related(a)))
    return a, b


def _check_partition(d: FindingsDiff, a: list[Row], b: list[Row]) -> None:
    old_seen = Counter(c.old_index for c in d.changes if c.old_index is not None)
    new_seen = Counter(c.new_index for c in d.changes if c.new_index is not None)
    assert old_seen == Counter(range(len(a)))
    assert new_seen == Counter(range(len(b)))
    for c in d.changes:
        assert (c.old_index is None) == (c.kind == "added")
        assert (c.new_index is None) == (c.kind == "removed")
        if c.old_index is not None:
            assert c.old_text == a[c.old_index].text and c.old_section == a[c.old_index].section
        if c.new_index is not None:
            assert c.new_text == b[c.new_index].text and c.section == b[c.new_index].section
        if c.kind in ("unchanged", "moved"):
            assert fingerprint(c.old_text) == fingerprint(c.new_text)
            assert (c.section == c.old_section) == (c.kind == "unchanged")
        if c.kind == "changed":
            assert c.section == c.old_section
            assert fingerprint(c.old_text) != fingerprint(c.new_text)
            assert c.score is not None and c.score >= 0.75
    # New document order, then removals in old order.
    news = [c.new_index for c in d.changes if c.new_index is not None]
    olds = [c.old_index for c in d.changes if c.kind == "removed"]
    assert news == sorted(news) and olds == sorted(olds)
    assert [c.kind == "removed" for c in d.changes] == sorted(c.kind == "removed" for c in d.changes)


@settings(max_examples=300, deadline=None)
@given(doc_st)
def test_property_diff_with_itself_is_empty(a: list[Row]) -> None:
    d = diff_findings(a, list(a))
    assert d.is_empty
    assert len(d.changes) == len(a)
    assert describe(d) == []


@settings(max_examples=400, deadline=None)
@given(doc_pairs())
def test_property_every_finding_accounted_for_once(pair) -> None:  # noqa: ANN001
    a, b = pair
    _check_partition(diff_findings(a, b), a, b)


@settings(max_examples=400, deadline=None)
@given(doc_pairs())
def test_property_diff_is_symmetric(pair) -> None:  # noqa: ANN001
    a, b = pair
    ab, ba = diff_findings(a, b), diff_findings(b, a)
    assert Counter(c.new_text for c in ab.added) == Counter(c.old_text for c in ba.removed)
    assert Counter(c.old_text for c in ab.removed) == Counter(c.new_text for c in ba.added)
    # The very same findings are paired, with the same kind and score.
    there = {(c.old_index, c.new_index, c.kind, c.score) for c in ab.changes if c.kind not in ("added", "removed")}
    back = {(c.new_index, c.old_index, c.kind, c.score) for c in ba.changes if c.kind not in ("added", "removed")}
    assert there == back
    assert ab.summary()["unchanged"] == ba.summary()["unchanged"]
