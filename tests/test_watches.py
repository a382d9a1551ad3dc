"""Watches: validation, matching semantics on the real seed letters, snippets, keys, and a
property test of the indexed one-pass matcher against a naive per-watch evaluation."""

from __future__ import annotations

import hashlib
import json
import pickle
import re
from functools import lru_cache

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from flows.config import SubscriberConfig, WatchConfig
from parsers.api import parse_text
from parsers.gazetteer import Gazetteer
from parsers.normalise import fold
from parsers.records import Area, Finding, ParsedDocument
from parsers.themes import Taxonomy
from parsers.watches import (
    FindingHit,
    Match,
    WatchError,
    WatchSet,
    WatchSpec,
    compile_watches,
    mark,
    snippet,
)
from tests.support.corpus import seed_path

GAZ = Gazetteer.default()
TAX = Taxonomy.default()
AFI = "area_for_improvement"
HSB = "harmful sexual behaviour"


@lru_cache(maxsize=None)
def seed(prefix: str) -> ParsedDocument:
    return parse_text(seed_path(prefix).read_text(encoding="utf-8"))


def islington() -> ParsedDocument:
    return seed("000")


def cornwall() -> ParsedDocument:
    return seed("001")


def watches(*specs: dict, name: str = "sub") -> WatchSet:
    return compile_watches([{"name": name, "watches": list(specs)}], gazetteer=GAZ, taxonomy=TAX)


def doc_of(*texts: str, kind: str = "jtai_letter", area: Area | None = None, section: str = AFI) -> ParsedDocument:
    findings = [Finding(section=section, ordinal=i + 1, page=1, text=t) for i, t in enumerate(texts)]
    return ParsedDocument(kind=kind, area=area, findings=findings)


def ordinals(matches: list[Match]) -> list[int]:
    assert len(matches) == 1
    return [h.ordinal for h in matches[0].findings]


# ----------------------------------------------------------------------------- the seeds


def test_seeds_are_what_the_tests_assume() -> None:
    assert islington().kind == "jtai_letter" and islington().area.name == "Islington"
    assert cornwall().kind == "jtai_letter" and cornwall().area.name == "Cornwall"


def test_area_watch_is_a_document_match_for_islington_only() -> None:
    ws = watches({"areas": ["Islington"]})
    [m] = ws.match(islington())
    assert m.findings == () and m.document_level
    assert m.watch.areas == frozenset({"E09000019"})
    assert m.subscriber == "sub" and m.key == m.watch.key
    assert ws.match(cornwall()) == []
    # Document watches match whatever findings are passed, even none.
    assert ws.match(islington(), []) == [m]


def test_area_by_code_alias_or_council_style_is_the_same_watch() -> None:
    specs = [
        watches({"areas": [name]}).watches[0]
        for name in ("Islington", "E09000019", "islington", "London Borough of Islington", "80505")
    ]
    assert {s.areas for s in specs} == {frozenset({"E09000019"})}
    assert len({s.key for s in specs}) == 1


def test_kind_watch_is_a_document_match() -> None:
    ws = watches({"kinds": ["board_report"]}, {"areas": ["Islington"], "kinds": ["jtai_letter"]})
    assert [m.watch.index for m in ws.match(islington())] == [1]
    assert [m.watch.index for m in ws.match(seed("002"))] == [0]  # the ISCB annual report
    assert ws.match(cornwall()) == []


def test_theme_and_section_watch_matches_exactly_those_findings() -> None:
    ws = watches({"themes": [HSB], "sections": [AFI]})
    for doc in (islington(), cornwall(), seed("004")):
        expected = [f.ordinal for f in doc.findings if f.section == AFI and HSB in f.themes]
        got = [h.ordinal for m in ws.match(doc) for h in m.findings]
        assert got == expected
    # Read off the letters: no Islington area for improvement is about harmful sexual
    # behaviour; two of Cornwall's are.
    assert ws.match(islington()) == []
    assert ordinals(ws.match(cornwall())) == [8, 21]
    [m] = ws.match(cornwall())
    assert all(h.section == AFI and h.themes_matched == (HSB,) and h.phrases_matched == () for h in m.findings)


def test_theme_watch_on_islington_child_sexual_abuse() -> None:
    ws = watches({"themes": ["child sexual abuse"], "sections": ["Area for improvement"]})
    expected = [f.ordinal for f in islington().findings_in(AFI) if "child sexual abuse" in f.themes]
    assert ordinals(ws.match(islington())) == expected == [1, 2, 5, 7, 11, 12]


def test_theme_synonyms_resolve_to_one_watch() -> None:
    a = watches({"themes": ["HSB"], "sections": [AFI]}).watches[0]
    b = watches({"themes": ["harmful sexual behaviours"], "sections": [AFI]}).watches[0]
    assert a.themes == b.themes == frozenset({HSB})
    assert a.key == b.key


def test_phrase_and_kind_watch_finds_intermediaries_in_islington() -> None:
    ws = watches({"phrases": ["intermediaries"], "kinds": ["jtai_letter"]})
    [m] = ws.match(islington())
    [hit] = m.findings
    assert (hit.section, hit.ordinal) == (AFI, 12)
    assert hit.phrases_matched == ("intermediaries",) and hit.themes_matched == ()
    assert "\u00abintermediaries\u00bb" in hit.snippet
    assert hit.spans and all(hit.plain[s:e] == "intermediaries" for s, e in hit.spans)
    assert mark(hit.plain, hit.spans) == hit.snippet
    assert len(hit.plain) <= 202
    # Not a board report. In Cornwall's letter, strength 12 says "intermediaries"; the
    # practice study says "an intermediary", which the phrase (literal words) does not match
    # and the theme (which knows plurals) does.
    assert watches({"phrases": ["intermediaries"], "kinds": ["board_report"]}).match(islington()) == []
    [m] = ws.match(cornwall())
    assert [(h.section, h.ordinal) for h in m.findings] == [("strength", 12)]
    [m] = watches({"themes": ["intermediaries"]}).match(cornwall())
    assert [(h.section, h.ordinal) for h in m.findings] == [("strength", 12), ("practice_study_improvement", 1)]


def test_phrase_is_case_insensitive() -> None:
    results = [watches({"phrases": [p]}).match(islington()) for p in ("Intermediaries", "INTERMEDIARIES")]
    assert [ordinals(r) for r in results] == [[12], [12]]
    ws = watches({"phrases": ["MASH"]})
    assert ordinals(ws.match(doc_of("the mash", "The Mash team", "MASH", "a MASH-led"))) == [1, 2, 3, 4]


def test_phrase_is_whole_words() -> None:
    ws = watches({"phrases": ["MASH"]})
    assert ws.match(doc_of("They smash it.", "mashed potato", "MASHes", "premash")) == []
    assert ordinals(ws.match(doc_of("They smash it.", "The MASH (hub)"))) == [2]
    assert ordinals(watches({"phrases": ["front door"]}).match(doc_of("front doors", "the frontdoor", "front door"))) == [3]


def test_phrase_across_hyphenation_and_line_breaks() -> None:
    texts = (
        "Referrals to the front-door are timely.",
        "Referrals arrive at the front\ndoor daily.",
        "The 'FRONT DOOR' works well.",
        "A front \u2013 door arrangement.",
        "The frontdoor is new.",
    )
    for phrase in ("front door", "front-door", "Front\nDoor"):
        ws = watches({"phrases": [phrase]})
        assert ws.watches[0].phrases == ("front door",)
        [m] = ws.match(doc_of(*texts))
        assert [h.ordinal for h in m.findings] == [1, 2, 3, 4]
        shown = [h.plain[s:e] for h in m.findings for s, e in h.spans]
        assert shown == ["front-door", "front door", "FRONT DOOR", "front \u2013 door"]
    # The real letter: "front door" and "'front door'".
    expected = [f.ordinal for f in islington().findings if " front door " in fold(f.text)]
    got = [h.ordinal for m in watches({"phrases": ["front-door"]}).match(islington()) for h in m.findings]
    assert got == expected and len(got) >= 4


def test_regex_metacharacters_in_phrases_are_literal() -> None:
    ws = watches({"phrases": ["c++ (x)"]})
    assert ws.watches[0].phrases == ("c x",)  # punctuation is not significant, words are
    doc = doc_of("We use C++ (x) daily.", "We use cc x daily.", "We use c+ x daily.", "c")
    assert ordinals(ws.match(doc)) == [1, 3]
    assert ordinals(watches({"phrases": ["a.c"]}).match(doc_of("abc", "axc", "a c"))) == [3]
    assert watches({"phrases": ["x|y"]}).match(doc_of("x", "y")) == []
    assert watches({"phrases": ["(?i)x*"]}).match(doc_of("xxx", "i")) == []
    assert ordinals(watches({"phrases": ["(?i)x*"]}).match(doc_of("i x", "xxx"))) == [1]


def test_overlapping_and_nested_phrases_are_all_found() -> None:
    ws = watches({"phrases": ["front door", "door", "front"]}, {"phrases": ["child sexual", "sexual abuse"]})
    m0, m1 = ws.match(doc_of("at the front door today", "risk of child sexual abuse"))
    assert [(h.ordinal, h.phrases_matched) for h in m0.findings] == [(1, ("front door", "door", "front"))]
    assert [(h.ordinal, h.phrases_matched) for h in m1.findings] == [(2, ("child sexual", "sexual abuse"))]
    assert m1.findings[0].plain[slice(*m1.findings[0].spans[0])] == "child sexual abuse"


def test_every_set_field_must_match() -> None:
    ws = watches(
        {"areas": ["Islington"], "phrases": ["intermediaries"]},
        {"areas": ["Cornwall"], "phrases": ["intermediaries"]},
        {"phrases": ["intermediaries"], "sections": ["strength"]},
        {"phrases": ["intermediaries"], "themes": ["intermediaries"], "sections": [AFI]},
        {"phrases": ["intermediaries"], "themes": ["neglect"]},
    )
    got = ws.match(islington())
    assert [m.watch.index for m in got] == [0, 3]
    assert got[1].findings[0].themes_matched == ("intermediaries",)


def test_document_without_area_matches_no_area_watch() -> None:
    ws = watches({"areas": ["Islington"]}, {"kinds": ["jtai_letter"]}, {"areas": ["Islington"], "phrases": ["door"]})
    assert [m.watch.index for m in ws.match(doc_of("the door", area=None))] == [1]


def test_findings_argument_limits_the_findings_tested() -> None:
    ws = watches({"areas": ["Islington"]}, {"themes": ["child sexual abuse"], "sections": [AFI]})
    doc = islington()
    some = doc.findings_in(AFI)[:5]
    got = ws.match(doc, some)
    assert [m.watch.index for m in got] == [0, 1]
    assert [h.ordinal for h in got[1].findings] == [1, 2, 5]


def test_order_is_subscriber_then_watch() -> None:
    ws = compile_watches(
        [
            {"name": "b-first", "watches": [{"phrases": ["MASH"]}, {"areas": ["Islington"]}, {"kinds": ["board_report"]}]},
            {"name": "a-second", "watches": [{"kinds": ["jtai_letter"]}, {"themes": ["front door"]}]},
        ],
        gazetteer=GAZ,
        taxonomy=TAX,
    )
    got = [(m.subscriber, m.watch.index) for m in ws.match(islington())]
    assert got == [("b-first", 0), ("b-first", 1), ("a-second", 0), ("a-second", 1)]
    assert ws.match(islington()) == ws.match(islington())


def test_pydantic_config_objects_are_accepted() -> None:
    subs = [
        SubscriberConfig(
            name="islington-dcs",
            notify=["json://127.0.0.1:9/hook"],
            watches=[
                WatchConfig(areas=["Islington", "Camden"]),
                WatchConfig(themes=[HSB], sections=[AFI]),
                WatchConfig(phrases=["intermediaries"], kinds=["jtai_letter"]),
            ],
        )
    ]
    ws = compile_watches(subs, gazetteer=GAZ, taxonomy=TAX)
    assert [m.watch.index for m in ws.match(islington())] == [0, 2]
    assert [m.watch.index for m in ws.match(cornwall())] == [1, 2]


# ----------------------------------------------------------------------------- validation


def error_of(subscribers: list) -> str:
    with pytest.raises(WatchError) as exc:
        compile_watches(subscribers, gazetteer=GAZ, taxonomy=TAX)
    msg = str(exc.value)
    assert "\n" not in msg
    return msg


def one(*specs: dict) -> list:
    return [{"name": "sub", "watches": list(specs)}]


def test_unknown_area_says_did_you_mean() -> None:
    assert error_of(one({"areas": ["Islington"]}, {"areas": ["Islingtn"]})) == (
        "subscribers[0].watches[1].areas: unknown area 'Islingtn' (did you mean Islington?)"
    )
    assert error_of(one({"areas": ["Atlantis"]})) == "subscribers[0].watches[0].areas: unknown area 'Atlantis'"


def test_unknown_theme_says_did_you_mean() -> None:
    assert error_of(one({"themes": ["harmfull sexual behaviour"]})) == (
        "subscribers[0].watches[0].themes: unknown theme 'harmfull sexual behaviour' "
        "(did you mean harmful sexual behaviour?)"
    )


def test_unknown_kind_and_section_list_the_choices() -> None:
    assert error_of(one({"kinds": ["letter"]})) == (
        "subscribers[0].watches[0].kinds: unknown kind 'letter' "
        "(choose one of: jtai_letter, board_report, inspection_report, unknown)"
    )
    assert error_of(one({"sections": ["afi"]})) == (
        "subscribers[0].watches[0].sections: unknown section 'afi' (choose one of: strength, "
        "priority_action, area_for_improvement, practice_study_strength, practice_study_improvement, "
        "next_steps, board_priority, key_message, section, judgement)"
    )


def test_empty_phrase_and_empty_watch() -> None:
    assert error_of(one({"phrases": ["front door", ""]})) == "subscribers[0].watches[0].phrases: empty phrase"
    assert error_of(one({"phrases": ["   "]})) == "subscribers[0].watches[0].phrases: empty phrase"
    assert error_of(one({"phrases": ["--"]})) == "subscribers[0].watches[0].phrases: empty phrase '--'"
    msg = "subscribers[0].watches[2]: a watch must set at least one of areas, themes, phrases, kinds, sections"
    assert error_of(one({"areas": ["Islington"]}, {"kinds": ["jtai_letter"]}, {})) == msg
    assert error_of(one({"areas": ["Islington"]}, {"kinds": ["jtai_letter"]}, {"areas": [], "phrases": []})) == msg
    assert error_of([SubscriberConfig(name="x", watches=[WatchConfig(themes=["HSB"]), WatchConfig()])]) == (
        msg.replace("watches[2]", "watches[1]")
    )


def test_errors_name_the_subscriber_position_and_the_first_problem() -> None:
    subs = [
        {"name": "ok", "watches": [{"areas": ["Cornwall"]}]},
        {"name": "bad", "watches": [{"kinds": ["jtai_letter"]}, {"themes": ["nonsense-theme"], "kinds": ["letter"]}]},
    ]
    assert error_of(subs).startswith("subscribers[1].watches[1].themes: unknown theme 'nonsense-theme'")
    assert error_of(one({"area": ["Islington"]})).startswith("subscribers[0].watches[0].area: unknown setting")
    assert error_of([{"name": "a", "watches": []}, {"name": "a", "watches": []}]) == (
        "subscribers[1].name: duplicate subscriber name 'a'"
    )


def test_kinds_and_sections_forgive_case_and_spaces() -> None:
    w = watches({"kinds": ["JTAI letter"], "sections": ["Area-for-improvement"]}).watches[0]
    assert w.kinds == frozenset({"jtai_letter"}) and w.sections == frozenset({AFI})


# ----------------------------------------------------------------------------- keys


def test_keys_are_stable_and_follow_content() -> None:
    spec = {"areas": ["Islington"], "themes": ["HSB"], "phrases": ["Front-door"], "kinds": ["jtai_letter"], "sections": [AFI]}
    a = watches(spec).watches[0]
    b = watches(spec, name="someone-else").watches[0]
    assert re.fullmatch(r"0:[0-9a-f]{10}", a.key)
    assert a.key == b.key  # the subscriber is its own part of the alert key
    # Pinned: changing the normalisation would re-alert every subscriber. The key is the
    # index and a hash of the sorted, resolved content.
    content = {"areas": ["E09000019"], "kinds": ["jtai_letter"], "phrases": ["front door"],
               "sections": [AFI], "themes": [HSB]}
    blob = json.dumps(["watch/1", content], sort_keys=True, separators=(",", ":"))
    assert a.key == "0:" + hashlib.sha1(blob.encode()).hexdigest()[:10] == "0:690fd4f5ec"
    # The same content spelled differently, in another order: the same key.
    c = watches(
        {"sections": ["area for improvement"], "kinds": ["JTAI letter"], "phrases": ["front door"],
         "themes": [HSB], "areas": ["E09000019"]}
    ).watches[0]
    assert c.key == a.key
    # Editing a watch makes a new key; so does moving it.
    keys = {
        a.key,
        watches({**spec, "areas": ["Camden"]}).watches[0].key,
        watches({**spec, "phrases": ["front door", "MASH"]}).watches[0].key,
        watches({**spec, "sections": ["strength"]}).watches[0].key,
        watches({**spec, "kinds": ["board_report"]}).watches[0].key,
        watches({**spec, "themes": ["neglect"]}).watches[0].key,
        watches({"areas": ["Islington"]}, spec).watches[1].key,
    }
    assert len(keys) == 7
    twins = watches(spec, spec).watches
    assert twins[0].key != twins[1].key and twins[0].key[2:] == twins[1].key[2:]


# ----------------------------------------------------------------------------- snippets


def test_snippet_of_a_short_text_is_the_text() -> None:
    plain, spans = snippet("The MASH and the front-door.", ["mash", "front door"])
    assert plain == "The MASH and the front-door."
    assert spans == [(4, 8), (17, 27)]
    assert mark(plain, spans) == "The \u00abMASH\u00bb and the \u00abfront-door\u00bb."


def test_snippet_window_of_a_long_text() -> None:
    text = " ".join(f"word{i}" for i in range(200)) + " the Front\ndoor " + " ".join(f"tail{i}" for i in range(100))
    plain, spans = snippet(text, ["front door"], width=200)
    assert plain.startswith("\u2026") and plain.endswith("\u2026")
    assert len(plain) <= 202
    [(s, e)] = spans
    assert plain[s:e] == "Front door"  # line break shown as a space
    assert plain[1:].split(" ")[0].startswith("word")  # starts on a whole word
    # No phrase: the window is the start of the text.
    plain, spans = snippet(text, [], width=50)
    assert plain.startswith("word0 word1") and plain.endswith("\u2026") and spans == []
    # A phrase that is not there: the same.
    assert snippet(text, ["absent phrase"], width=50) == (plain, [])


def test_snippet_maps_ampersand_and_punctuation() -> None:
    plain, spans = snippet("Attendances at A&E rose.", ["a and e"])
    assert [plain[s:e] for s, e in spans] == ["A&E"]
    plain, spans = snippet("Use C++ (x) here; c x there.", ["c++ (x)"])
    assert [plain[s:e] for s, e in spans] == ["C++ (x", "c x"]


def test_finding_hit_is_lazy_but_equal_by_value() -> None:
    ws = watches({"phrases": ["intermediaries"]}, {"phrases": ["intermediaries"], "kinds": ["jtai_letter"]})
    m0, m1 = ws.match(islington())
    assert m0.findings[0] is m1.findings[0]  # one hit shared by watches that matched alike
    again = watches({"phrases": ["intermediaries"]}).match(islington())[0].findings[0]
    assert again == m0.findings[0] and hash(again) == hash(m0.findings[0])
    assert "intermediaries" in repr(again)
    given_snippet = FindingHit(12, AFI, (), ("intermediaries",), "x \u00abintermediaries\u00bb y")
    assert given_snippet.snippet == "x \u00abintermediaries\u00bb y"
    assert given_snippet.plain == "x intermediaries y" and given_snippet.spans == ((2, 16),)
    assert again.to_json()["snippet"] == again.snippet


def test_matches_survive_pickling() -> None:
    # Prefect may pickle task results between processes.
    ws = watches({"areas": ["Islington"]}, {"phrases": ["intermediaries"], "themes": ["ABE"]})
    got = ws.match(islington())
    back = pickle.loads(pickle.dumps(got))
    assert back == got and back[1].findings[0].snippet == got[1].findings[0].snippet
    assert [m.key for m in back] == [m.key for m in got]
    assert pickle.loads(pickle.dumps(ws)).match(islington()) == got


# ----------------------------------------------------------------------------- the property

AREAS = ["Islington", "Cornwall", "Shropshire", "Camden"]
KIND_CHOICES = ["jtai_letter", "board_report", "inspection_report"]
SECTION_CHOICES = [AFI, "strength", "practice_study_improvement", "next_steps", "section", "key_message"]


@lru_cache(maxsize=1)
def corpus() -> tuple[ParsedDocument, ...]:
    return tuple(seed(p) for p in ("000", "001", "002", "004"))


@lru_cache(maxsize=1)
def theme_pool() -> list[str]:
    return sorted({t for d in corpus() for f in d.findings for t in f.themes})


@lru_cache(maxsize=1)
def phrase_pool() -> list[str]:
    pool: set[str] = {"front door", "door", "front", "child sexual", "sexual abuse", "child sexual abuse",
                      "mash", "intermediaries", "county lines", "not in any letter", "of the"}
    for d in corpus():
        for f in d.findings[::7]:
            words = fold(f.text).split()
            pool.update(words[::11])
            pool.update(f"{a} {b}" for a, b in zip(words[::13], words[1::13]))
    return sorted(pool)


@st.composite
def watch_dicts(draw: st.DrawFn) -> dict:
    fields = {
        "areas": lambda: draw(st.lists(st.sampled_from(AREAS), min_size=1, max_size=2)),
        "themes": lambda: draw(st.lists(st.sampled_from(theme_pool()), min_size=1, max_size=3)),
        "phrases": lambda: draw(st.lists(st.sampled_from(phrase_pool()), min_size=1, max_size=3)),
        "kinds": lambda: draw(st.lists(st.sampled_from(KIND_CHOICES), min_size=1, max_size=2)),
        "sections": lambda: draw(st.lists(st.sampled_from(SECTION_CHOICES), min_size=1, max_size=2)),
    }
    chosen = draw(st.lists(st.sampled_from(sorted(fields)), min_size=1, max_size=3, unique=True))
    return {name: fields[name]() for name in chosen}


def naive_match(specs: tuple[WatchSpec, ...], doc: ParsedDocument, findings=None) -> list[tuple]:
    """The definition, watch by watch and finding by finding."""
    findings = doc.findings if findings is None else findings
    out = []
    for w in specs:
        if w.areas and (doc.area is None or doc.area.ons_code not in w.areas):
            continue
        if w.kinds and doc.kind not in w.kinds:
            continue
        if not (w.themes or w.phrases or w.sections):
            out.append((w.subscriber, w.index, w.key, ()))
            continue
        hits = []
        for f in findings:
            if w.sections and f.section not in w.sections:
                continue
            tm = tuple(dict.fromkeys(t for t in f.themes if t in w.themes))
            if w.themes and not tm:
                continue
            folded = fold(f.text)
            pm = tuple(p for p in w.phrases if f" {p} " in folded)
            if w.phrases and not pm:
                continue
            hits.append((f.ordinal, f.section, tm, pm, mark(*snippet(f.text, pm))))
        if hits:
            out.append((w.subscriber, w.index, w.key, tuple(hits)))
    return out


def as_tuples(matches: list[Match]) -> list[tuple]:
    return [
        (m.watch.subscriber, m.watch.index, m.watch.key,
         tuple((h.ordinal, h.section, h.themes_matched, h.phrases_matched, h.snippet) for h in m.findings))
        for m in matches
    ]


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(watch_dicts(), min_size=1, max_size=14), st.integers(1, 3), st.integers(0, 3))
def test_indexed_matching_equals_naive_evaluation(specs: list[dict], n_subs: int, stride: int) -> None:
    subs = [{"name": f"s{i}", "watches": specs[i::n_subs]} for i in range(n_subs)]
    ws = compile_watches(subs, gazetteer=GAZ, taxonomy=TAX)
    for doc in corpus():
        assert as_tuples(ws.match(doc)) == naive_match(ws.watches, doc)
        if stride:
            part = doc.findings[::stride + 1]
            assert as_tuples(ws.match(doc, part)) == naive_match(ws.watches, doc, part)


WORDS = ["a", "ab", "b", "ba", "abc", "c"]


@settings(max_examples=200, deadline=None)
@given(
    st.lists(st.lists(st.sampled_from(WORDS), min_size=1, max_size=3).map(" ".join), min_size=1, max_size=8),
    st.lists(st.tuples(st.sampled_from(WORDS), st.sampled_from([" ", "-", "\n", ", ", "", "'"])), max_size=12),
)
def test_phrase_scan_equals_substring_search(phrases: list[str], text_parts: list[tuple[str, str]]) -> None:
    text = "".join(w + sep for w, sep in text_parts)
    ws = watches({"phrases": phrases})
    folded = fold(text)
    assert ws.phrases_in(text) == {p for p in ws.phrases if f" {p} " in folded}


@pytest.mark.parametrize(
    "fields, label",
    [
        ({"areas": ["Islington"], "kinds": ["jtai_letter"]}, "areas: Islington in JTAI letters"),
        ({"kinds": ["jtai_letter"]}, "all JTAI letters"),
        ({"sections": ["priority_action"], "kinds": ["inspection_report"]}, "areas for priority action of Ofsted inspections"),
        ({"themes": ["neglect"], "sections": ["area_for_improvement"]}, "themes: neglect in areas for improvement"),
        ({"areas": ["E09000019"], "phrases": ["home visits"]}, 'areas: Islington; phrases: "home visits"'),
    ],
)
def test_watch_label_reads_as_plain_words(fields: dict, label: str) -> None:
    """What the subscriber reads after "Matched your watch": no codes, no snake_case."""
    from parsers.gazetteer import Gazetteer
    from tasks.alerting import watch_label

    gaz = Gazetteer.default()
    areas = frozenset(gaz.lookup(a).ons_code for a in fields.pop("areas", []))
    spec = WatchSpec("s", 0, areas=areas, **{k: tuple(v) if k == "phrases" else frozenset(v) for k, v in fields.items()})
    assert watch_label(spec, gaz) == label
