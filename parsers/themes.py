"""Safeguarding themes: which of a fixed vocabulary of topics a finding is about.

Why it works as it does:

* **A built-in taxonomy, extensible from config.** :data:`DEFAULT_THEMES` covers the themes
  the design lists, each with the synonyms and acronyms UK safeguarding documents use.
  Operators add themes (or extra terms for a built-in theme, by giving its name) with
  :meth:`Taxonomy.with_extra`; :meth:`Taxonomy.resolve` and :meth:`Taxonomy.suggest` let
  config validation accept any synonym and say "did you mean" for a typo.

* **Two kinds of term.** *Synonyms* (and the theme's own name) are case-insensitive and are
  matched on :func:`parsers.normalise.fold` text, where case, punctuation, line breaks and
  "&"/"and" are gone and words are single-space separated; whole words then means "between
  spaces". *Acronyms* are case-sensitive and are matched on :func:`parsers.normalise.clean`
  text, because many are ordinary words in lower case ("MASH"/"mash", "LAC"/"lac",
  "Prevent"/"prevent"). An acronym whose lower case is no word and is often written in mixed
  case ("CAMHS"/"Camhs", "MAPPA", "LADO", "MARAC", "FGM") is listed as a synonym instead.

* **How one term becomes a pattern** (so that term lists stay short):
  - a hyphen or apostrophe inside a term is optional ("information-sharing" also matches
    "information sharing" and "informationsharing", "well-being" matches "wellbeing",
    "child's voice" matches "childs voice");
  - the last word takes its plural ("strategy meeting" -> "meetings", "vacancy" ->
    "vacancies", "intermediaries" <-> "intermediary", "care leavers" <-> "care leaver"), and
    "child" <-> "children" anywhere ("looked after child" -> "looked after children");
  - British and American spellings: "-isation/-ization", "-ised/-ized", "behaviour/behavior";
  - an all-capitals acronym takes a plural "s" ("SCRs", "GPs");
  - a capitalised-word acronym such as "Prevent" only counts mid-sentence (after a word, a
    comma or an opening bracket/quote), never as the first word of a sentence, line or bullet,
    where any verb is capitalised; its all-capitals form ("PREVENT") counts anywhere. The
    phrases "Prevent duty/strategy/programme/referral/lead/…" are synonyms and count in any
    case. So "to prevent harm" and "Prevent harm by…" are not the Prevent theme.

* **Broad words are left out on purpose.** "missing" alone is not a theme term ("missing key
  information", "missed opportunities"); only phrases about children going missing are
  ("missing children", "go/goes/went/gone missing", "missing from home/care/education",
  "missing episodes", "return home interviews", "reported missing"). Likewise "exploitation"
  alone is not a theme, but "child exploitation" counts for both exploitation themes.

* **One compiled pattern per kind of term**, built once per taxonomy (on first use) and
  cached on it. The case-insensitive terms form one alternation written as a trie of regex
  atoms: common prefixes are shared, longer continuations are tried first, and an empty
  capture group where each term ends says (``match.lastindex``) which themes it belongs to,
  so the work at a word grows with the length of the words there, not with the number of
  terms. The few acronyms are a plain alternation, longest first, bucketed by first letter.
  Theme matching is *overlapping* (a zero-width lookahead scan): every term starting at
  every word is seen, so "looked after children who go missing" is both "children in care…"
  and "missing children". At one starting word only the longest term counts, so a term that
  begins with another theme's term and is about both is listed in both ("early help hub").
  :class:`TermMatcher` is reused by :mod:`parsers.agencies`.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from .normalise import clean, fold, strip_footnote_markers

__all__ = [
    "DEFAULT_THEMES",
    "TermMatcher",
    "Taxonomy",
    "Theme",
    "themes_in",
]


@dataclass(frozen=True, slots=True)
class Theme:
    """One theme: its canonical name, case-insensitive synonyms, case-sensitive acronyms.

    The name is matched too, as a synonym. Lists are accepted (config) and kept as tuples.
    """

    name: str
    synonyms: tuple[str, ...] = ()
    acronyms: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        # Accept lists from config; keep the dataclass hashable.
        object.__setattr__(self, "name", self.name.strip())
        object.__setattr__(self, "synonyms", tuple(s for s in self.synonyms if s.strip()))
        object.__setattr__(self, "acronyms", tuple(a for a in self.acronyms if a.strip()))
        if not self.name:
            raise ValueError("a theme needs a name")
        for term in (self.name, *self.synonyms, *self.acronyms):
            if not any(c.isalnum() for c in term):
                raise ValueError(f"theme {self.name!r}: term {term!r} has no letters or digits")


# --------------------------------------------------------------------------- term patterns

_ALNUM_OR_NOT = re.compile(r"[a-z0-9]+|[^a-z0-9]+")
_JOINERS = frozenset("-'")
_VOWELS = frozenset("aeiou")
_SPELLINGS: tuple[tuple[str, list[str]], ...] = (
    ("isation", ["i", "[sz]", *"ation"]),
    ("ised", ["i", "[sz]", *"ed"]),
    ("ising", ["i", "[sz]", *"ing"]),
    ("behaviour", [*"behavio", "u?", "r"]),
)
# A capitalised word only counts mid-sentence: after a word or comma and a space, or
# straight after an opening bracket, quote or slash.
_MID_SENTENCE = r"(?:(?<=[A-Za-z0-9,;)] )|(?<=[(\"'/]))"


def _plural(word: str) -> list[str]:
    if word.endswith("ies") and len(word) > 4:
        return [*word[:-3], "(?:y|ies)"]
    if word.endswith("y") and len(word) > 1 and word[-2] not in _VOWELS:
        return [*word[:-1], "(?:y|ies)"]
    if word.endswith(("ss", "x", "z", "ch", "sh")):
        return [*word, "(?:es)?"]
    if word.endswith("s") and not word.endswith(("us", "is")):
        return [*word[:-1], "s?"]
    return [*word, "s?"]


def _word_atoms(word: str, last: bool) -> list[str]:
    if word in ("child", "children"):
        return [*"child", "(?:ren)?"]
    atoms = _plural(word) if last else list(word)
    for british, both in _SPELLINGS:
        i = "".join(a if len(a) == 1 else "\0" for a in atoms).find(british)
        if i >= 0:
            atoms[i : i + len(british)] = both
    return atoms


def folded_term_atoms(term: str) -> list[str]:
    """``term`` as a sequence of regex atoms over :func:`fold` text, one per step.

    Joining the atoms gives the term's pattern; keeping them apart lets
    :class:`TermMatcher` share common prefixes between terms in a trie.
    """
    text = clean(term).lower().replace("&", " and ").replace("\u2019", "'")
    words: list[str] = []
    joins: list[str] = []
    pending = ""
    for piece in _ALNUM_OR_NOT.findall(text):
        if piece[0].isalnum():
            if words:
                joins.append(" ?" if pending and set(pending) <= _JOINERS else " ")
            words.append(piece)
            pending = ""
        else:
            pending = piece
    if not words:
        raise ValueError(f"term {term!r} has no letters or digits")
    atoms = _word_atoms(words[0], len(words) == 1)
    for i, w in enumerate(words[1:], start=1):
        atoms.append(joins[i - 1])
        atoms.extend(_word_atoms(w, i == len(words) - 1))
    return atoms


def folded_term_pattern(term: str) -> str:
    """Regex source matching ``term`` inside :func:`fold` text (see the module docstring)."""
    return "".join(folded_term_atoms(term))


def cased_term_pattern(term: str) -> str:
    """Regex source matching a case-sensitive ``term`` inside :func:`clean` text."""
    t = clean(term)
    if not t:
        raise ValueError("empty acronym")
    esc = re.escape(t)
    letters = [c for c in t if c.isalpha()]
    if letters and all(c.isupper() for c in letters):
        return esc + "s?"
    if t[0].isupper() and t[1:].islower() and " " not in t:
        return f"(?:{_MID_SENTENCE}{esc}|{re.escape(t.upper())}s?)"
    return esc


# --------------------------------------------------------------------------- the matcher


class _Node:
    __slots__ = ("children", "labels", "depth")

    def __init__(self) -> None:
        self.children: dict[str, _Node] = {}
        self.labels: list[str] | None = None  # set when a term ends here
        self.depth = 0  # longest path below


def _trie_source(node: _Node, groups: list[tuple[str, ...]]) -> str:
    """Regex source of a trie: longer continuations first, then ``()`` where a term ends.

    The empty group marks which term matched (``match.lastindex``); ``groups`` receives the
    labels of each group in group-number order.
    """
    parts: list[str] = []
    for atom, child in sorted(node.children.items(), key=lambda kv: (-kv[1].depth, kv[0])):
        parts.append(atom + _trie_source(child, groups))
    if node.labels is not None:
        groups.append(tuple(node.labels))
        parts.append("()")
    if len(parts) == 1:
        return parts[0]
    return "(?:" + "|".join(parts) + ")"


class TermMatcher:
    """Which labels' terms occur in a text. Two compiled patterns, built once.

    ``entries`` are ``(term, labels, cased)``: a term, the labels it stands for (an empty
    tuple makes a *blocker*, a longer phrase that hides the terms inside it when matching is
    not overlapping) and whether it is a case-sensitive acronym.

    Case-insensitive terms form one alternation factored as a trie of regex atoms (common
    prefixes shared, longer continuations tried first), so the work at each word grows with
    the length of the words there, not with the number of terms. Acronyms are few: a plain
    alternation, longest first, bucketed by first letter.
    """

    def __init__(
        self, entries: Iterable[tuple[str, tuple[str, ...], bool]], *, overlapping: bool = True
    ) -> None:
        root = _Node()
        cased: dict[str, tuple[int, str, list[str]]] = {}
        for term, labels, is_cased in entries:
            if is_cased:
                pat = cased_term_pattern(term)
                _, _, have = cased.setdefault(pat, (len(term), clean(term)[0], []))
            else:
                atoms = folded_term_atoms(term)
                node = root
                for i, atom in enumerate(atoms):
                    node.depth = max(node.depth, len(atoms) - i)
                    node = node.children.setdefault(atom, _Node())
                if node.labels is None:
                    node.labels = []
                have = node.labels
            have.extend(label for label in labels if label not in have)
        self._folded_labels: list[tuple[str, ...]] = []
        self._folded: re.Pattern[str] | None = None
        self._folded_full: re.Pattern[str] | None = None  # for labels_of_term, on demand
        self._folded_body = ""
        if root.children:
            self._folded_body = body = _trie_source(root, self._folded_labels)
            if overlapping:  # zero-width: every word start is tried, matches may overlap
                self._folded = re.compile(f"(?<= )(?=(?:{body}) )")
            else:
                self._folded = re.compile(f"(?<= )(?:{body})(?= )")
        self._cased, self._cased_labels = self._compile_cased(cased, overlapping)

    @staticmethod
    def _compile_cased(
        table: dict[str, tuple[int, str, list[str]]], overlapping: bool
    ) -> tuple[re.Pattern[str] | None, list[tuple[str, ...]]]:
        if not table:
            return None, []
        # Longest first within each first-character bucket: the first alternative that fits wins.
        order = sorted(table.items(), key=lambda kv: (kv[1][1], -kv[1][0], kv[0]))
        buckets: dict[str, list[str]] = {}
        for pat, (_, first, _) in order:
            buckets.setdefault(first, []).append(f"({pat})")
        body = "|".join(f"(?={re.escape(c)})(?:{'|'.join(ps)})" for c, ps in buckets.items())
        labels = [tuple(lab) for _, (_, _, lab) in order]
        before, after = r"(?<![A-Za-z0-9])", r"(?![A-Za-z0-9])"
        if overlapping:
            return re.compile(f"{before}(?=(?:{body}){after})"), labels
        return re.compile(f"{before}(?:{body}){after}"), labels

    def labels_in(self, text: str) -> set[str]:
        """Every label whose terms occur in ``text``."""
        found: set[str] = set()
        if not text:
            return found
        cleaned = strip_footnote_markers(clean(text))
        if self._folded is not None:
            for m in self._folded.finditer(fold(cleaned)):  # fold(clean(x)) == fold(x)
                found.update(self._folded_labels[(m.lastindex or 1) - 1])
        if self._cased is not None:
            for m in self._cased.finditer(cleaned):
                found.update(self._cased_labels[(m.lastindex or 1) - 1])
        return found

    def labels_of_term(self, text: str) -> tuple[str, ...]:
        """Labels of the case-insensitive term that ``text`` is, in full (e.g. "meetings")."""
        if not self._folded_body:
            return ()
        if self._folded_full is None:
            self._folded_full = re.compile(f"(?:{self._folded_body})")
        m = self._folded_full.fullmatch(fold(text).strip())
        return self._folded_labels[(m.lastindex or 1) - 1] if m else ()


# --------------------------------------------------------------------------- taxonomy

# Acronyms here are case-sensitive; mixed-case-safe ones (CAMHS, MAPPA…) sit in synonyms.
DEFAULT_THEMES: tuple[Theme, ...] = (
    Theme(
        "child sexual abuse",
        (
            "sexual abuse", "sexually abused", "sexual abuse in the family",
            "intrafamilial sexual abuse", "intra-familial sexual abuse", "familial sexual abuse",
            "child abuse images", "indecent images of children", "child sexual offence",
        ),
        ("CSA", "IIOC"),
    ),
    Theme(
        "child sexual exploitation",
        (
            "sexual exploitation", "sexually exploited", "sexually exploiting",
            "grooming", "groomed", "child exploitation", "child and adolescent exploitation",
        ),
        ("CSE", "MACE"),
    ),
    Theme(
        "criminal exploitation",
        (
            "child criminal exploitation", "criminally exploited", "county lines",
            "child exploitation", "child and adolescent exploitation", "extra-familial harm",
            "contextual safeguarding", "modern slavery", "trafficking", "trafficked",
            "national referral mechanism",
        ),
        ("CCE", "NRM", "MACE"),
    ),
    Theme(
        "harmful sexual behaviour",
        (
            "harmful sexualised behaviour", "sexually harmful behaviour",
            "problematic sexual behaviour", "sexualised behaviour", "peer on peer abuse",
            "peer-on-peer abuse",
            "child on child abuse", "child-on-child abuse",
        ),
        ("HSB",),
    ),
    Theme(
        "domestic abuse",
        (
            "domestic violence", "domestic abuse and violence", "intimate partner violence",
            "coercive control", "coercive and controlling behaviour",
            "violence against women and girls", "vawg", "marac",
            "multi-agency risk assessment conference", "idva",
            "independent domestic violence advisor", "independent domestic violence adviser",
            "domestic homicide", "domestic homicide review",
        ),
        ("DV", "DVA", "DASH"),
    ),
    Theme(
        "neglect",
        ("neglected", "neglectful", "graded care profile", "chronic neglect"),
        (),
    ),
    Theme(
        "missing children",
        (
            "missing child", "missing young people", "missing young person", "missing person",
            "go missing", "goes missing", "going missing", "went missing", "gone missing",
            "reported missing", "missing from home", "missing from care", "missing from school",
            "missing from education", "child missing education", "children who are missing",
            "missing episode", "missing incident", "missing from home or care",
            "return home interview", "return interview", "runaway",
            "missing and exploitation", "missing and child exploitation",
            "missing and child and adolescent exploitation", "missing and cse",
            "missing and child sexual exploitation", "missing and absent",
        ),
        ("CME",),
    ),
    Theme(
        "gangs and serious youth violence",
        (
            "gang", "gang-related", "gang member", "serious youth violence", "youth violence",
            "serious violence", "serious youth crime", "knife crime", "knife carrying",
            "weapon carrying", "violence reduction unit",
        ),
        ("SYV", "VRU"),
    ),
    Theme(
        "prevent and radicalisation",
        (
            "radicalisation", "radicalised", "extremism", "extremist",
            "prevent duty", "prevent strategy", "prevent programme", "prevent referral",
            "prevent lead", "prevent coordinator", "prevent co-ordinator", "prevent training",
            "channel panel", "counter terrorism", "counter-terrorism", "terrorism",
        ),
        ("Prevent",),
    ),
    Theme(
        "fgm and harmful practices",
        (
            "fgm", "female genital mutilation", "forced marriage", "honour-based violence",
            "honour-based abuse", "honour based", "so-called honour", "harmful practice",
            "harmful traditional practice", "breast ironing",
            "abuse linked to faith or belief", "spirit possession",
        ),
        ("HBV", "HBA"),
    ),
    Theme(
        "mental health",
        (
            "camhs", "child and adolescent mental health", "emotional well-being",
            "emotional health", "mental well-being", "mental ill health", "mental ill-health",
            "mental illness", "self-harm", "self-harming", "suicide", "suicidal",
            "eating disorder", "psychiatric", "psychological",
        ),
        ("CYPMHS", "EWMHS"),
    ),
    Theme(
        "front door",
        (
            "multi-agency safeguarding hub", "multi-agency referral unit", "safeguarding hub",
            "children's front door", "contact and referral", "referral and assessment",
            "single point of contact", "contact team", "early help hub",
        ),
        ("MASH", "MARU"),
    ),
    Theme(
        "strategy discussions",
        (
            "strategy discussion", "strategy meeting", "strategy decision", "section 47",
            "s47", "section 47 enquiry", "child protection enquiry", "joint agency enquiry",
        ),
        (),
    ),
    Theme(
        "thresholds",
        ("threshold", "threshold document", "continuum of need", "level of need",
         "levels of need", "threshold of need"),
        (),
    ),
    Theme(
        "early help",
        (
            "early intervention", "early help assessment", "early help offer",
            "common assessment framework", "team around the family", "troubled families",
            "supporting families", "early help hub",
        ),
        ("CAF", "TAF"),
    ),
    Theme(
        "private fostering",
        ("privately fostered", "private foster carer", "private fostering arrangement"),
        (),
    ),
    Theme(
        "lado and allegations",
        (
            "lado", "local authority designated officer", "designated officer",
            "allegations against staff", "allegation against staff",
            "allegations against professionals",
            "allegations against people who work with children",
            "managing allegations", "allegations management", "position of trust",
        ),
        (),
    ),
    Theme(
        "children in care and care leavers",
        (
            "children in care", "child in care", "looked after child", "looked-after child",
            "child looked after", "care leaver", "leaving care", "care experienced",
            "care-experienced", "corporate parent", "corporate parenting", "foster care",
            "foster carer", "foster placement", "residential care", "children's home",
            "pathway plan", "staying put", "virtual school", "independent reviewing officer",
        ),
        ("LAC", "CLA", "IRO", "CiC"),
    ),
    Theme(
        "youth offending",
        (
            "youth offending", "youth offending service", "youth offending team",
            "youth justice", "youth justice service", "young offender", "youth offender",
            "young people who offend", "children who offend", "referral order", "youth court",
        ),
        ("YOS", "YOT", "YJS", "YJB", "YOI"),
    ),
    Theme(
        "mappa and sex offenders",
        (
            "mappa", "multi-agency public protection arrangements", "registered sex offender",
            "sex offender", "sexual offender", "sex offender register",
            "child sex offender disclosure scheme", "sarah's law", "mosovo", "visor",
            "management of sexual or violent offenders",
        ),
        ("RSO",),
    ),
    Theme(
        "case reviews",
        (
            "serious case review", "child safeguarding practice review",
            "local child safeguarding practice review", "rapid review", "learning review",
            "case review", "serious incident notification", "child death",
            "child death overview panel", "child death review", "domestic homicide review",
            "cdop", "cspr", "lcspr",
        ),
        ("SCR", "DHR", "SILP"),
    ),
    Theme(
        "training and workforce",
        (
            "training", "trained", "workforce", "workforce development",
            "professional development", "learning and development",
            "continuing professional development",
            "induction", "upskill", "cpd", "workforce stability",
        ),
        (),
    ),
    Theme(
        "supervision and management oversight",
        (
            "management oversight", "managerial oversight", "manager oversight", "oversight",
            "supervision", "supervisor", "reflective supervision", "supervisory",
        ),
        (),
    ),
    Theme(
        "voice of the child",
        (
            "voice of the child", "voice of children", "voices of children",
            "voice of young people", "child's voice", "children's voice", "young people's voice",
            "lived experience", "wishes and feelings", "child's views", "children's views",
            "views of children", "views of the child", "direct work", "listening to children",
        ),
        (),
    ),
    Theme(
        "information sharing",
        (
            "information sharing", "information-sharing", "share information",
            "sharing information", "sharing of information", "information shared",
            "information is shared", "information was shared", "information is not shared",
            "information was not shared", "information is not always shared", "data sharing",
        ),
        (),
    ),
    Theme(
        "capacity and recruitment",
        (
            "capacity", "recruitment", "recruit", "retention", "vacancy", "vacancy rate",
            "caseload", "agency staff", "agency worker", "agency social worker",
            "staff turnover", "turnover", "workload", "staffing", "staff shortage",
            "shortfall", "stable workforce", "workforce stability", "permanent staff", "locum",
        ),
        (),
    ),
    Theme(
        "health services",
        (
            "health service", "health visitor", "health visiting", "school nurse",
            "school nursing", "midwife", "midwives", "midwifery", "general practitioner",
            "hospital", "emergency department", "accident and emergency", "paediatrician",
            "paediatric", "sexual health", "sexual assault referral centre", "named nurse",
            "designated nurse", "named doctor", "designated doctor", "primary care",
            "antenatal", "maternity", "health assessment", "medical examination",
            "health practitioner", "health professional", "health partner", "health provider",
            "clinical commissioning group",
        ),
        ("NHS", "GP", "CCG", "ICB", "SARC", "A&E"),
    ),
    Theme(
        "police investigations",
        (
            "investigation", "investigative", "investigating officer", "detective",
            "police interview", "evidential interview", "achieving best evidence",
            "video recorded interview", "video-recorded interview",
            "visually recorded interview", "joint interview", "criminal justice",
            "prosecution", "crown prosecution service", "charging decision", "arrest",
            "released under investigation", "child abuse investigation team",
        ),
        ("ABE", "CPS", "RUI", "VRI", "CAIT"),
    ),
    Theme(
        "intermediaries",
        ("intermediary", "registered intermediary", "witness intermediary",
         "ground rules hearing"),
        (),
    ),
)


class Taxonomy:
    """An ordered set of themes and the compiled matcher for them."""

    def __init__(self, themes: Iterable[Theme]) -> None:
        self.themes: tuple[Theme, ...] = tuple(themes)
        seen: set[str] = set()
        for theme in self.themes:
            key = theme.name.casefold()
            if key in seen:
                raise ValueError(f"duplicate theme {theme.name!r}")
            seen.add(key)
        self._matcher: TermMatcher | None = None
        self._keys: dict[str, str] | None = None

    @classmethod
    def default(cls) -> Taxonomy:
        """The built-in taxonomy (built once; its patterns compile on first use)."""
        return _default_taxonomy()

    @property
    def names(self) -> list[str]:
        return [t.name for t in self.themes]

    def with_extra(self, themes: Iterable[Theme | Mapping[str, Any]]) -> Taxonomy:
        """A new taxonomy with ``themes`` added; a theme named like an existing one extends it."""
        current = list(self.themes)
        index = {t.name.casefold(): i for i, t in enumerate(current)}
        for item in themes:
            theme = item if isinstance(item, Theme) else Theme(
                name=str(item["name"]),
                synonyms=tuple(item.get("synonyms") or ()),
                acronyms=tuple(item.get("acronyms") or ()),
            )
            i = index.get(theme.name.casefold())
            if i is None:
                index[theme.name.casefold()] = len(current)
                current.append(theme)
            else:
                old = current[i]
                current[i] = Theme(
                    old.name,
                    old.synonyms + tuple(s for s in theme.synonyms if s not in old.synonyms),
                    old.acronyms + tuple(a for a in theme.acronyms if a not in old.acronyms),
                )
        return Taxonomy(current)

    @property
    def matcher(self) -> TermMatcher:
        if self._matcher is None:
            entries: list[tuple[str, tuple[str, ...], bool]] = []
            for t in self.themes:
                entries.extend((term, (t.name,), False) for term in (t.name, *t.synonyms))
                entries.extend((term, (t.name,), True) for term in t.acronyms)
            self._matcher = TermMatcher(entries, overlapping=True)
        return self._matcher

    def match(self, text: str) -> list[str]:
        """Canonical names of the themes ``text`` is about, in taxonomy order, each once."""
        found = self.matcher.labels_in(text)
        return [name for name in self.names if name in found]

    def resolve(self, name_or_synonym: str) -> str | None:
        """The canonical theme a name, synonym or acronym (any case, any plural) stands for.

        Where a term belongs to several themes ("child exploitation"), the first in taxonomy
        order is returned.
        """
        key = fold(name_or_synonym).strip()
        if not key:
            return None
        if self._keys is None:
            keys: dict[str, str] = {}
            for t in self.themes:
                for term in (t.name, *t.synonyms, *t.acronyms):
                    keys.setdefault(fold(term).strip(), t.name)
            self._keys = keys
        if key in self._keys:
            return self._keys[key]
        labels = self.matcher.labels_of_term(name_or_synonym)
        return next((n for n in self.names if n in labels), None)

    def suggest(self, name: str, n: int = 3) -> list[str]:
        """Did-you-mean: canonical names whose name or terms look most like ``name``."""
        query = fold(name).strip()
        if not query:
            return []
        terms: dict[str, str] = {}
        for t in self.themes:
            for term in (t.name, *t.synonyms, *t.acronyms):
                terms.setdefault(fold(term).strip(), t.name)
        out: list[str] = []
        for hit in difflib.get_close_matches(query, terms, n=n * 4, cutoff=0.6):
            if terms[hit] not in out:
                out.append(terms[hit])
        return out[:n]


@lru_cache(maxsize=1)
def _default_taxonomy() -> Taxonomy:
    return Taxonomy(DEFAULT_THEMES)


def themes_in(text: str) -> list[str]:
    """Themes of the built-in taxonomy found in ``text`` (see :meth:`Taxonomy.match`)."""
    return Taxonomy.default().match(text)
