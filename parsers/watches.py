"""Watches: which subscribers want to hear about which findings.

A subscriber's watch sets any of five fields; it matches a finding when every field it sets
matches (the design's rule):

* ``areas`` — the document's primary area (names, aliases, council styles or ONS codes in
  config; ONS codes here);
* ``kinds`` — the document's kind (``jtai_letter``, ``board_report``, ...);
* ``themes`` — any of the finding's themes (any synonym or acronym in config; canonical
  names here);
* ``phrases`` — any phrase occurs in the finding's text, whole words, case-insensitive;
* ``sections`` — the finding's section kind.

Why it works as it does:

* **Validation once, with one clear message.** :func:`compile_watches` resolves every value
  up front (areas through :meth:`Gazetteer.lookup`, themes through :meth:`Taxonomy.resolve`,
  kinds and sections against the record vocabularies) and raises :class:`WatchError` on the
  first problem with a one-line message naming the field, in the config's own path syntax
  ("subscribers[0].watches[1].areas: unknown area 'Islingtn' (did you mean Islington?)").
  Kinds and sections are forgiving about case, spaces and hyphens ("Area for improvement").
  An empty list is the same as leaving the field out (it constrains nothing); a watch that
  constrains nothing at all is an error, since it would alert on everything.

* **Document watches.** A watch that sets only ``areas`` and/or ``kinds`` has nothing to
  say about any one finding: it matches the *document* (a :class:`Match` with no findings),
  "tell me the day a letter about Islington lands". It matches whatever ``findings`` the
  caller passes (even none): whether a new version is worth matching is the caller's call.

* **Phrases are words, not patterns.** A phrase is compared in
  :func:`parsers.normalise.fold` form, the same form the text is folded into: case,
  punctuation, hyphens, line breaks and "&"/"and" are gone and words are single-space
  separated, so "front door" matches "Front-door", "front\\ndoor" and "'front door'", and
  whole-word matching is "between spaces" ("MASH" is not in "smash"). The consequence is that
  punctuation inside a phrase is not significant ("c++ (x)" is the words "c x"). Phrases are
  literal text: each is :func:`re.escape`-d, never taken as a user's regular expression.

* **One pass per document for all watches.** Matching cost must not grow with the number of
  watches beyond the phrase automaton and the matches themselves:
  - every phrase of every watch goes into *one* compiled regular expression, written as a
    character trie (common prefixes shared, so the work at a word grows with the length of
    the words there, not with the number of phrases) and run once over each finding's folded
    text. It is a zero-width lookahead at every word start, so overlapping phrases are all
    seen ("door" inside "front door", "sexual abuse" inside "child sexual abuse"); at one
    start the longest phrase matches, and the shorter phrases starting there are exactly its
    word-prefixes that are phrases too (precomputed). Python's ``re`` is a backtracking
    engine, not a DFA: at a trie branch it tries the continuations in turn, each rejected on
    its first character, so the scan does grow a little with the phrase count (measured:
    about 0.8 ms for 3 phrases and 7 ms for 4,300 over the 1,030 findings of the corpus);
  - watches are indexed by the values they accept: the document-level fields select at most
    four sub-indexes per document ((area or any) x (kind or any)), and within one, nested
    dicts keyed by section, then theme, then phrase (each "or any") lead straight to the
    watches whose every set field holds. Each finding costs a few dict lookups per
    (section, theme, phrase) it has, never a loop over the watches, and every watch reached
    is a match, with no further test. Watches with one theme and one phrase at most (the
    common case) are reached once per finding, by exactly the theme and phrase that matched;
    only those with several (reachable by more than one key) are de-duplicated;
  - document-level watches carry no findings, so their :class:`Match` objects are built at
    compile time and merely collected per document;
  - a :class:`FindingHit` depends only on the finding and on which of its themes and phrases
    matched, so one is built per finding and way of matching, shared by all the watches that
    matched that way, and its snippet is computed on first use (a digest may never show it).
  What remains proportional to the watches is the output: each (watch, finding) pair matched
  is one entry in a tuple and each watch matched one :class:`Match`. ``bench/alerts.py``
  measures both: with 10,000 watches of which only the original 10 concern the corpus, time
  is about 2x that of the 10 (all of it the larger automaton); with 10,000 watches that
  really match (4,700x the finding hits), the output dominates.

* **Snippets in the original text.** A hit carries a ~200-character window of the finding's
  own text around the first matched phrase (or its start), with every occurrence of a matched
  phrase marked. :func:`snippet` returns the plain window and highlight spans so an HTML
  template can escape the text and then wrap the spans. Folded offsets do not map back to the
  original, so each phrase is searched again in the original with a case-insensitive pattern
  of its words separated by any non-word characters ("&" for "and"); if that finds nothing
  (a ligature, say) the window simply starts at the text's beginning, unmarked.

* **Stable keys.** Alerts are keyed by (subscriber, document version, watch). A watch's key
  is its position in the subscriber's list plus a hash of its normalised content (sorted
  resolved values), so reordering values or respelling an area keeps the key, editing what
  it matches makes a new one, and two identical watches of one subscriber stay distinct.

* **Deterministic order.** Matches come in subscriber order, then watch order; a match's
  hits in the order of the findings given.

* **Cheap, plain results.** :class:`Match` is a named tuple, :class:`FindingHit` a slotted
  object equal by value; both pickle (Prefect may move task results between processes).
  Subscriber names must be unique, since alerts are keyed by them.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache, partial
from typing import Any, NamedTuple

from .normalise import fold
from .records import KINDS, SECTION_KINDS

__all__ = [
    "FIELDS",
    "FindingHit",
    "Match",
    "WatchError",
    "WatchSet",
    "WatchSpec",
    "compile_watches",
    "mark",
    "snippet",
]

FIELDS = ("areas", "themes", "phrases", "kinds", "sections")
MAX_PHRASE_CHARS = 200
SNIPPET_WIDTH = 200
MARK_OPEN, MARK_CLOSE = "\u00ab", "\u00bb"  # « »


class WatchError(Exception):
    """An invalid watch; ``str()`` is one line naming the field."""


# --------------------------------------------------------------------------- records


@dataclass(frozen=True, slots=True)
class WatchSpec:
    """One validated watch of one subscriber, with every value resolved."""

    subscriber: str
    index: int  # position in the subscriber's watch list
    areas: frozenset[str] = frozenset()  # ONS codes
    themes: frozenset[str] = frozenset()  # canonical theme names
    phrases: tuple[str, ...] = ()  # folded, unpadded ("front door")
    kinds: frozenset[str] = frozenset()
    sections: frozenset[str] = frozenset()
    # Stable key for the alert outbox: "<index>:<first 10 hex of sha1(normalised content)>".
    key: str = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        blob = json.dumps(["watch/1", self.normalised()], sort_keys=True, separators=(",", ":"))
        digest = hashlib.sha1(blob.encode("utf-8")).hexdigest()[:10]
        object.__setattr__(self, "key", f"{self.index}:{digest}")

    @property
    def document_level(self) -> bool:
        """True when the watch sets no finding-level field (themes, phrases, sections)."""
        return not (self.themes or self.phrases or self.sections)

    def normalised(self) -> dict[str, list[str]]:
        """The watch's content, order-free: what its key hashes."""
        return {name: sorted(set(getattr(self, name))) for name in FIELDS}


class FindingHit:
    """One finding a watch matched, and why.

    ``snippet`` (a window of the finding's text with matched phrases wrapped in « »),
    ``plain`` (the same window unmarked) and ``spans`` (highlight spans in ``plain``) are
    computed on first use from the finding's text: a large watch set matches many findings
    whose snippets may never be read, and one hit is shared by every watch that matched the
    finding the same way. Treat a hit as immutable.
    """

    __slots__ = ("ordinal", "section", "themes_matched", "phrases_matched", "_text", "_snip")

    def __init__(
        self,
        ordinal: int,
        section: str,
        themes_matched: tuple[str, ...] = (),
        phrases_matched: tuple[str, ...] = (),
        snippet: str | None = None,
        *,
        text: str | None = None,
    ) -> None:
        self.ordinal = ordinal
        self.section = section
        self.themes_matched = tuple(themes_matched)
        self.phrases_matched = tuple(phrases_matched)
        self._text = text
        self._snip: tuple[str, str, tuple[tuple[int, int], ...]] | None = None
        if snippet is not None or text is None:
            self._snip = _unmark(snippet or "")

    def _window(self) -> tuple[str, str, tuple[tuple[int, int], ...]]:
        snip = self._snip
        if snip is None:
            plain, spans = snippet(self._text or "", self.phrases_matched)
            snip = self._snip = (mark(plain, spans), plain, tuple(spans))
        return snip

    @property
    def snippet(self) -> str:
        return self._window()[0]

    @property
    def plain(self) -> str:
        return self._window()[1]

    @property
    def spans(self) -> tuple[tuple[int, int], ...]:
        return self._window()[2]

    def _ident(self) -> tuple[Any, ...]:
        return (self.ordinal, self.section, self.themes_matched, self.phrases_matched, self.snippet)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, FindingHit):
            return NotImplemented
        return self._ident() == other._ident()

    def __hash__(self) -> int:
        return hash(self._ident())

    def __repr__(self) -> str:
        return (
            f"FindingHit(ordinal={self.ordinal!r}, section={self.section!r}, "
            f"themes_matched={self.themes_matched!r}, phrases_matched={self.phrases_matched!r}, "
            f"snippet={self.snippet!r})"
        )

    def to_json(self) -> dict[str, Any]:
        return {
            "ordinal": self.ordinal,
            "section": self.section,
            "themes_matched": list(self.themes_matched),
            "phrases_matched": list(self.phrases_matched),
            "snippet": self.snippet,
            "plain": self.plain,
            "spans": [list(s) for s in self.spans],
        }


class Match(NamedTuple):
    """A watch that matched a document: the findings it matched, or none for a document watch.

    A named tuple (immutable, hashable, cheap to build: a large watch set makes tens of
    thousands per run)."""

    watch: WatchSpec
    findings: tuple[FindingHit, ...] = ()

    @property
    def subscriber(self) -> str:
        return self.watch.subscriber

    @property
    def key(self) -> str:
        return self.watch.key

    @property
    def document_level(self) -> bool:
        return self.watch.document_level


_new_match = partial(tuple.__new__, Match)
_object_new = object.__new__


def _new_hit(ordinal: int, section: str, tm: tuple[str, ...], pm: tuple[str, ...], text: str) -> FindingHit:
    """Internal constructor of a :class:`FindingHit`: no checks, snippet computed on first use."""
    hit = _object_new(FindingHit)
    hit.ordinal, hit.section, hit.themes_matched, hit.phrases_matched = ordinal, section, tm, pm
    hit._text, hit._snip = text, None
    return hit


# --------------------------------------------------------------------------- validation


def _get(obj: Any, name: str) -> Any:
    if isinstance(obj, Mapping):
        return obj.get(name)
    return getattr(obj, name, None)


def _values(raw: Any, where: str) -> list[str]:
    if raw is None:
        return []
    if isinstance(raw, str):
        raw = [raw]
    if not isinstance(raw, (list, tuple, set, frozenset)):
        raise WatchError(f"{where}: expected a list of text, got {type(raw).__name__}")
    out = []
    for item in raw:
        if not isinstance(item, str):
            raise WatchError(f"{where}: expected text, got {item!r}")
        out.append(item)
    return out


def _token(value: str) -> str:
    return "_".join(re.split(r"[\s\-]+", value.strip().lower()))


def _hint(suggestions: Sequence[str]) -> str:
    return f" (did you mean {suggestions[0]}?)" if suggestions else ""


def _compile_one(
    subscriber: str, index: int, watch: Any, where: str, gazetteer: Any, taxonomy: Any
) -> WatchSpec:
    if isinstance(watch, Mapping):
        for name in watch:
            if name not in FIELDS:
                raise WatchError(f"{where}.{name}: unknown setting (choose from: {', '.join(FIELDS)})")
    areas: list[str] = []
    for name in _values(_get(watch, "areas"), f"{where}.areas"):
        area = gazetteer.lookup(name) if name.strip() else None
        if area is None:
            hint = _hint(gazetteer.suggest(name)) if name.strip() else ""
            raise WatchError(f"{where}.areas: unknown area {name!r}{hint}")
        areas.append(area.ons_code)

    themes: list[str] = []
    for name in _values(_get(watch, "themes"), f"{where}.themes"):
        theme = taxonomy.resolve(name) if name.strip() else None
        if theme is None:
            hint = _hint(taxonomy.suggest(name)) if name.strip() else ""
            raise WatchError(f"{where}.themes: unknown theme {name!r}{hint}")
        themes.append(theme)

    phrases: list[str] = []
    for text in _values(_get(watch, "phrases"), f"{where}.phrases"):
        folded = fold(text).strip()
        if not folded:
            raise WatchError(f"{where}.phrases: empty phrase" + (f" {text!r}" if text.strip() else ""))
        if len(folded) > MAX_PHRASE_CHARS:
            raise WatchError(
                f"{where}.phrases: phrase too long ({len(folded)} characters, at most {MAX_PHRASE_CHARS})"
            )
        if folded not in phrases:
            phrases.append(folded)

    kinds: list[str] = []
    for kind in _values(_get(watch, "kinds"), f"{where}.kinds"):
        if _token(kind) not in KINDS:
            raise WatchError(f"{where}.kinds: unknown kind {kind!r} (choose one of: {', '.join(KINDS)})")
        kinds.append(_token(kind))

    sections: list[str] = []
    for section in _values(_get(watch, "sections"), f"{where}.sections"):
        if _token(section) not in SECTION_KINDS:
            raise WatchError(
                f"{where}.sections: unknown section {section!r} (choose one of: {', '.join(SECTION_KINDS)})"
            )
        sections.append(_token(section))

    if not (areas or themes or phrases or kinds or sections):
        raise WatchError(f"{where}: a watch must set at least one of {', '.join(FIELDS)}")
    return WatchSpec(
        subscriber=subscriber,
        index=index,
        areas=frozenset(areas),
        themes=frozenset(themes),
        phrases=tuple(phrases),
        kinds=frozenset(kinds),
        sections=frozenset(sections),
    )


def compile_watches(
    subscribers: Sequence[Any], *, gazetteer: Any = None, taxonomy: Any = None
) -> WatchSet:
    """Validate every subscriber's watches and build the matcher.

    ``subscribers`` are :class:`flows.config.SubscriberConfig` objects or mappings with
    ``name`` and ``watches`` (each with any of ``areas``, ``themes``, ``phrases``, ``kinds``,
    ``sections``). Raises :class:`WatchError` on the first invalid value.
    """
    if gazetteer is None:
        from .gazetteer import Gazetteer

        gazetteer = Gazetteer.default()
    if taxonomy is None:
        from .themes import Taxonomy

        taxonomy = Taxonomy.default()
    specs: list[WatchSpec] = []
    names: set[str] = set()
    for i, sub in enumerate(subscribers):
        name = _get(sub, "name")
        if not isinstance(name, str) or not name.strip():
            raise WatchError(f"subscribers[{i}].name: a subscriber needs a name")
        if name in names:  # alerts are keyed by subscriber name
            raise WatchError(f"subscribers[{i}].name: duplicate subscriber name {name!r}")
        names.add(name)
        watches = _get(sub, "watches") or []
        if isinstance(watches, (str, Mapping)) or not isinstance(watches, Iterable):
            raise WatchError(f"subscribers[{i}].watches: expected a list of watches")
        for j, watch in enumerate(watches):
            where = f"subscribers[{i}].watches[{j}]"
            specs.append(_compile_one(name, j, watch, where, gazetteer, taxonomy))
    return WatchSet(specs)


# --------------------------------------------------------------------------- the phrase automaton


def _trie_source(phrases: Iterable[str]) -> str:
    """Regex source matching any of ``phrases``, written as a character trie.

    Where a phrase ends inside a longer one, the continuation is an optional greedy group:
    the longest phrase is tried first, and the caller's ``(?= )`` after the trie backtracks to
    a shorter one that ends on a word boundary. At a branch the engine tries each continuation
    in turn (rejecting a wrong first character at once), so continuations shared by more
    phrases, which text tends to contain more often too, come first.
    """
    root: dict[str, Any] = {}
    for p in phrases:
        node = root
        for ch in p:
            node = node.setdefault(ch, {})
        node[""] = {}

    sizes: dict[int, int] = {}

    def size(node: dict[str, Any]) -> int:
        n = sizes.get(id(node))
        if n is None:
            n = sizes[id(node)] = sum(1 if k == "" else size(v) for k, v in node.items())
        return n

    def source(node: dict[str, Any]) -> str:
        out = []
        # Follow single-child chains without recursing: "intermediaries" is one literal.
        while len(node) == 1 and "" not in node:
            (ch, node), = node.items()
            out.append(re.escape(ch))
        children = sorted((k for k in node if k), key=lambda k: (-size(node[k]), k))
        if not children:
            return "".join(out)
        alts = [re.escape(ch) + source(node[ch]) for ch in children]
        body = alts[0] if len(alts) == 1 else "(?:" + "|".join(alts) + ")"
        if "" in node:  # a phrase ends here; longer ones continue
            body = "(?:" + body + ")?"
        return "".join(out) + body

    return source(root)


# --------------------------------------------------------------------------- matching

_Index = dict[Any, Any]
_DocKey = tuple[str | None, str | None]


class WatchSet:
    """Every subscriber's watches, compiled for one-pass matching of a document."""

    def __init__(self, watches: Sequence[WatchSpec]) -> None:
        self.watches: tuple[WatchSpec, ...] = tuple(watches)
        # Document-level watches: (area|None, kind|None) -> {watch id: Match}, built once
        # (a document match carries no findings, so one Match object serves every document).
        self._doc_matches: dict[_DocKey, dict[int, Match]] = {}
        # Finding-level watches: (area|None, kind|None) -> section|None -> theme|None ->
        # phrase|None -> (simple watch ids, other watch ids). A watch is indexed only under
        # values it accepts, so every id reached is a match. A *simple* watch (at most one
        # theme and one phrase) is reached at most once per finding (a finding has one
        # section, a document one area and kind) and its matched theme and phrase are the
        # key that reached it; the others need de-duplicating and an intersection.
        self._finding_index: dict[_DocKey, _Index] = {}
        phrases: dict[str, None] = {}
        themes: set[str] = set()
        for wid, w in enumerate(self.watches):
            doc_keys = [(a, k) for a in (sorted(w.areas) or [None]) for k in (sorted(w.kinds) or [None])]
            if w.document_level:
                match = Match(w, ())
                for dk in doc_keys:
                    self._doc_matches.setdefault(dk, {})[wid] = match
                continue
            themes.update(w.themes)
            phrases.update(dict.fromkeys(w.phrases))
            # 0: simple (one theme at most, one phrase at most); 1: several themes, one
            # phrase at most (needs de-duplicating only for a finding with several themes);
            # 2: several phrases.
            cat = 2 if len(w.phrases) > 1 else (1 if len(w.themes) > 1 else 0)
            for dk in doc_keys:
                by_section = self._finding_index.setdefault(dk, {})
                for s in sorted(w.sections) or [None]:
                    by_theme = by_section.setdefault(s, {})
                    for t in sorted(w.themes) or [None]:
                        # [watches without phrases, {phrase: watches}]; watches by category
                        node = by_theme.setdefault(t, [None, None])
                        if not w.phrases:
                            if node[0] is None:
                                node[0] = ([], [], [])
                            node[0][cat].append(wid)
                            continue
                        if node[1] is None:
                            node[1] = {}
                        for p in w.phrases:
                            node[1].setdefault(p, ([], [], []))[cat].append(wid)
        # Freeze the index into tuples (cheaper to walk, and invisible to the cyclic GC).
        for by_section in self._finding_index.values():
            for by_theme in by_section.values():
                for t, (plain, by_phrase) in by_theme.items():
                    by_theme[t] = (
                        None if plain is None else tuple(map(tuple, plain)),
                        None if by_phrase is None else {p: tuple(map(tuple, lf)) for p, lf in by_phrase.items()},
                    )
        self._themes = frozenset(themes)
        self.phrases: tuple[str, ...] = tuple(phrases)
        # Every phrase starting where a longer one starts is a word-prefix of it.
        self._prefixes: dict[str, tuple[str, ...]] = {}
        for p in self.phrases:
            words = p.split(" ")
            pre = [" ".join(words[:k]) for k in range(1, len(words))]
            self._prefixes[p] = (p, *(q for q in pre if q in phrases))
        # Phrases with shorter phrases as word-prefixes ("front door" -> "front").
        self._nested = frozenset(p for p, v in self._prefixes.items() if len(v) > 1)
        self._regex: re.Pattern[str] | None = None
        if self.phrases:
            # A literal space first lets the engine skip to word starts; the lookahead keeps
            # the scan overlapping.
            self._regex = re.compile(f" (?=({_trie_source(self.phrases)}) )")

    def __len__(self) -> int:
        return len(self.watches)

    def __iter__(self):  # noqa: ANN204
        return iter(self.watches)

    def phrases_in(self, text: str) -> set[str]:
        """Every watched phrase occurring in ``text`` (whole words, any case, overlapping)."""
        if self._regex is None or not text:
            return set()
        found = set(self._regex.findall(fold(text)))
        if self._nested:
            nested = self._nested.intersection(found)
            if nested:
                prefixes = self._prefixes
                for p in nested:
                    found.update(prefixes[p])
        return found

    def match(self, doc: Any, findings: Sequence[Any] | None = None) -> list[Match]:
        """The watches ``doc`` matches, in subscriber then watch order.

        ``findings`` (default: all of the document's) are the findings to test, e.g. only
        those a diff found added or changed; document-level watches match regardless.
        """
        if findings is None:
            findings = doc.findings
        area = getattr(doc, "area", None)
        area_code = getattr(area, "ons_code", None) if area is not None else None
        kind = getattr(doc, "kind", None)
        doc_keys = [(a, k) for a in dict.fromkeys((area_code, None)) for k in dict.fromkeys((kind, None))]

        out: dict[int, Match] = {}
        for dk in doc_keys:
            pre = self._doc_matches.get(dk)
            if pre:
                out.update(pre)
        roots = [r for r in (self._finding_index.get(dk) for dk in doc_keys) if r]
        if roots and findings:
            hits = self._match_findings(roots, findings)
            if hits:
                wids = list(hits)
                pairs = zip(map(self.watches.__getitem__, wids), map(tuple, hits.values()))
                out.update(zip(wids, map(_new_match, pairs)))
        return list(map(out.__getitem__, sorted(out)))

    def _match_findings(self, roots: list[_Index], findings: Sequence[Any]) -> dict[int, list[FindingHit]]:
        watches = self.watches
        watched_themes = self._themes
        use_phrases = self._regex is not None
        hits_by_watch: defaultdict[int, list[FindingHit]] = defaultdict(list)
        no_phrases: set[str] = set()
        for f in findings:
            f_themes = list(dict.fromkeys(t for t in f.themes if t in watched_themes)) if f.themes else []
            found = self.phrases_in(f.text) if use_phrases else no_phrases
            n_found = len(found)
            one_theme = len(f_themes) <= 1
            section = f.section
            ordinal = f.ordinal
            text = f.text
            hit_cache: dict[tuple[str | None, str | None], FindingHit] = {}
            pending: dict[int, FindingHit] = {}  # watches with several themes or phrases
            twice: set[int] = set()  # ... reached by more than one key
            for root in roots:
                for s in (section, None):
                    by_theme = root.get(s)
                    if by_theme is None:
                        continue
                    for t in (*f_themes, None):
                        node = by_theme.get(t)
                        if node is None:
                            continue
                        plain, by_phrase = node
                        leaves: list[tuple[str | None, tuple[tuple[int, ...], tuple[int, ...]]]] = []
                        if plain is not None:
                            leaves.append((None, plain))
                        if by_phrase is not None and n_found:
                            if len(by_phrase) < n_found:  # walk the smaller side
                                leaves.extend([(p, lf) for p, lf in by_phrase.items() if p in found])
                            else:
                                leaves.extend([(p, by_phrase[p]) for p in found if p in by_phrase])
                        for p, (simple, multi_theme, multi_phrase) in leaves:
                            hit = hit_cache.get((t, p))
                            if hit is None:
                                hit = hit_cache[(t, p)] = _new_hit(
                                    ordinal, section, () if t is None else (t,), () if p is None else (p,), text
                                )
                            if multi_theme and one_theme:  # reached once: same as simple
                                simple = simple + multi_theme if simple else multi_theme
                                multi_theme = ()
                            for wid in simple:
                                hits_by_watch[wid].append(hit)
                            for other in (multi_theme, multi_phrase):
                                for wid in other:
                                    if wid in pending:
                                        twice.add(wid)
                                    else:
                                        pending[wid] = hit
            for wid, hit in pending.items():
                if twice and wid in twice:  # matched by several of its themes or phrases
                    w = watches[wid]
                    tm = tuple(t for t in f_themes if t in w.themes)
                    pm = tuple(p for p in w.phrases if p in found)
                    hit = _new_hit(ordinal, section, tm, pm, text)
                hits_by_watch[wid].append(hit)
        return hits_by_watch


# --------------------------------------------------------------------------- snippets

_W = "0-9A-Za-z"
_WS = str.maketrans({c: " " for c in "\n\r\t\f\v"})


@lru_cache(maxsize=8192)
def _original_pattern(phrase: str) -> re.Pattern[str] | None:
    """A phrase's words in original text: any case, any non-word characters between them."""
    words = fold(phrase).split()
    if not words:
        return None
    parts = []
    for w in words:
        core = rf"(?<![{_W}]){re.escape(w)}(?![{_W}])"
        parts.append(f"(?:{core}|&)" if w == "and" else core)
    return re.compile(f"[^{_W}]*".join(parts), re.IGNORECASE | re.ASCII)


def _merge(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    out: list[tuple[int, int]] = []
    for s, e in sorted(spans):
        if out and s <= out[-1][1]:
            if e > out[-1][1]:
                out[-1] = (out[-1][0], e)
        else:
            out.append((s, e))
    return out


def snippet(text: str, phrases: Iterable[str] = (), width: int = SNIPPET_WIDTH) -> tuple[str, list[tuple[int, int]]]:
    """A window of about ``width`` characters of ``text`` around the first occurrence of any
    of ``phrases`` (or its start), and the spans of every phrase occurrence inside it.

    Cut ends are shown as "…" (spans count it); line breaks become spaces. Phrases are
    matched as :func:`fold` does (any case, any punctuation between words).
    """
    text = text or ""
    spans: list[tuple[int, int]] = []
    for p in phrases:
        pat = _original_pattern(p)
        if pat is not None:
            spans.extend(m.span() for m in pat.finditer(text) if m.end() > m.start())
    spans = _merge(spans)
    n = len(text)
    flat = text.translate(_WS)
    first_s, first_e = spans[0] if spans else (0, 0)
    if n <= width:
        start, end = 0, n
    else:
        lead = max(0, (width - (first_e - first_s)) // 4)
        start = max(0, first_s - lead)
        end = min(n, max(start + width, first_e))
        if end == n:
            start = max(0, min(first_s, n - width))
        if start > 0 and flat[start - 1] != " ":  # begin at a word
            sp = flat.find(" ", start, first_s)
            if sp != -1:
                start = sp + 1
        if end < n and flat[end] != " ":  # end at a word
            sp = flat.rfind(" ", first_e, end)
            if sp > first_e:
                end = sp
    body = flat[start:end]
    stripped = body.rstrip()
    end -= len(body) - len(stripped)
    lead_ws = len(stripped) - len(stripped.lstrip())
    start += lead_ws
    body = stripped[lead_ws:]
    prefix = "\u2026" if start > 0 else ""
    suffix = "\u2026" if end < n else ""
    off = len(prefix) - start
    out_spans = [(max(s, start) + off, min(e, end) + off) for s, e in spans if e > start and s < end]
    return prefix + body + suffix, out_spans


def _unmark(marked: str) -> tuple[str, str, tuple[tuple[int, int], ...]]:
    """(marked, plain, spans) of a snippet given with its markers."""
    plain: list[str] = []
    spans: list[tuple[int, int]] = []
    pos = 0
    for m in re.finditer(f"{MARK_OPEN}([^{MARK_CLOSE}]*){MARK_CLOSE}", marked):
        plain.append(marked[pos : m.start()])
        start = sum(map(len, plain))
        plain.append(m.group(1))
        spans.append((start, start + len(m.group(1))))
        pos = m.end()
    plain.append(marked[pos:])
    return marked, "".join(plain), tuple(spans)


def mark(plain: str, spans: Iterable[tuple[int, int]], open: str = MARK_OPEN, close: str = MARK_CLOSE) -> str:
    """``plain`` with each span wrapped in ``open``/``close``."""
    out = []
    pos = 0
    for s, e in sorted(spans):
        out.append(plain[pos:s])
        out.append(open + plain[s:e] + close)
        pos = e
    out.append(plain[pos:])
    return "".join(out)
