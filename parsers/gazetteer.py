"""The 156 English local authorities, and how documents name them.

Why it works as it does:

* **One table, shipped with the code.** ``data/local_authorities.csv`` (data-to-insight's
  lookup, see ``data/ATTRIBUTION.md``) is read once through :mod:`importlib.resources`, so the
  gazetteer works from a wheel or a zip as well as from the source tree.

* **Display names.** ``Area.name`` is the CSV's ``local_authority_ons_name`` made readable:
  where the ONS lower-tier name (``ltla23nm``) names the *same* authority (same ONS code) it
  is preferred ("Bedford Borough" -> "Bedford", "Durham" -> "County Durham",
  "Kingston Upon Hull, City of" -> "Kingston upon Hull"); an inverted "X, City of" is turned
  round ("Bristol, City of" -> "Bristol"). Everything else is the ONS name unchanged
  ("St. Helens"). Every original spelling stays a lookup key. ``ons_code`` is ``la_code_new``;
  the three authorities since abolished (Cumbria, Northamptonshire, Poole) have none there, so
  their own former code (``ltla23cd``) is used. ``ofsted_urn`` is the CSV ``urn``.

* **lookup() is forgiving** because its input is typed by people (config files) or copied
  from letterheads. Keys are compared in :func:`parsers.normalise.fold` form (case, "&"/"and",
  "St."/"St", commas and hyphens all fold away); if the whole string is not a known name,
  alias, ONS code or URN, council styles are peeled off one at a time ("London Borough of",
  "Royal Borough of", "City of", "... Metropolitan Borough Council", "... County Council",
  "... local authority", ", City of", "... Safeguarding Children Board" ...) and the rest is
  tried again. Bare "London" is *not* the City of London: only a full key can match it.

* **find_in() is strict** because its input is running prose. One compiled regular
  expression, an alternation of every name and text-safe alias, longest first, scanned left
  to right: matches are whole-word and non-overlapping, and the longest name wins where names
  nest ("North Yorkshire" is not also "York", "Central Bedfordshire" is not "Bedford", "Bath
  and North East Somerset" is not "Somerset"). Names match *as capitalised* (or in full
  capitals), never in lower case, since several are English words ("Reading", "Bury",
  "Slough", "Hull", "Harrow"). Within a name, connectives ("and"/"&", "of", "upon", "on")
  take any case, "St"/"St."/"Saint" are one, and words may be split by hyphens, commas or
  line breaks. For the five common-word names one more rule applies: at the start of a
  sentence (or line, or bullet) the word only counts if the next word is capitalised, or is
  "'s"/"is"/"has"/"was"/..., so "Reading the report" names no area. Their all-capitals form
  is not matched either ("FURTHER READING").

* **Short and ambiguous aliases.** Acronyms are matched only as written in capitals ("BCP",
  "BANES"), never in lower case. Aliases that name something else as often as the authority
  ("Newcastle" is also Newcastle-under-Lyme, "Richmond" the Yorkshire town, "Stoke" Stoke
  Mandeville, "Blackburn" a surname) are lookup-only: :meth:`Gazetteer.lookup` accepts them,
  :meth:`Gazetteer.find_in` does not look for them. "Hull", "Bristol", "Southend", "County
  Durham" and "East Riding" are unambiguous enough to be looked for in text.
"""

from __future__ import annotations

import csv
import difflib
import io
import re
from functools import lru_cache
from importlib import resources

from .normalise import fold
from .records import Area

__all__ = ["Gazetteer"]

_CSV = "local_authorities.csv"

# Extra names keyed by Ofsted URN: (looked for in text and by lookup, lookup only).
_EXTRA_ALIASES: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "80428": (("Bedford",), ()),
    "80465": (("County Durham",), ("Durham County",)),
    "80477": (("Hull", "Kingston upon Hull"), ("City of Kingston upon Hull", "Hull City")),
    "80441": (("Bristol",), ("City of Bristol", "Bristol City")),
    "80474": ((), ("County of Herefordshire",)),
    "80559": (("Southend",), ("Southend on Sea",)),
    "2532287": (("BCP",), ("Bournemouth Christchurch and Poole",)),
    "80427": (("BANES", "B&NES"), ("Bath and NE Somerset",)),
    "80466": (("East Riding",), ()),
    "80453": (("City of York",), ()),
    "80450": ((), ("Corporation of London", "City of London Corporation")),
    "80525": ((), ("Newcastle",)),
    "80513": ((), ("Richmond",)),
    "80564": ((), ("Stoke",)),
    "80430": ((), ("Blackburn",)),
    "80455": ((), ("Scilly",)),
}

# Area names that are also ordinary English words when capitalised at a sentence start.
_COMMON_WORD_NAMES = frozenset({"Reading", "Bury", "Slough", "Hull", "Harrow"})
# After a sentence-initial common-word name, these next words still make it the area.
_SUBJECT_FOLLOWERS = frozenset(
    "'s is was has had have does did will would should must can could".split()
)

# Council styles peeled off by lookup(), in fold() form (space-padded, lower case).
_PREFIXES = (
    " the ",
    " london borough of ",
    " royal borough of ",
    " metropolitan borough of ",
    " borough of ",
    " city and county of ",
    " city of ",
    " county of ",
    " council of the ",
    " council of ",
)
_SUFFIXES = (
    " local safeguarding children board ",
    " local safeguarding children s board ",
    " safeguarding children board ",
    " safeguarding children s board ",
    " safeguarding children partnership ",
    " safeguarding partnership ",
    " lscb ",
    " scp ",
    " children s services ",
    " metropolitan district council ",
    " metropolitan borough council ",
    " borough council ",
    " county council ",
    " city council ",
    " district council ",
    " unitary authority ",
    " council ",
    " corporation ",
    " local authority ",
    " metropolitan borough ",
    " borough ",
    " city of ",
    " county of ",
    " city ",
    " county ",
)

_CONNECTIVES = frozenset({"of", "upon", "on", "with", "the", "in", "under"})
_SEP = r"(?:\s*[-\u2010-\u2015,]\s*|\s+)"
_TOKEN_SPLIT = re.compile(r"\s*[-\u2010-\u2015,]\s*|\s+")
_SENTENCE_END = re.compile(r"(?:^|[.!?:;(\[\"'\n\u2022\u25aa\u25cf\u00b7*-])\s*$")
_NEXT_WORD = re.compile(r"\s*('s|[A-Za-z]+)")


def _key(text: str) -> str:
    """Comparison form of a name: folded, 'saint' written 'st', no padding."""
    k = fold(text)
    return k.replace(" saint ", " st ").strip()


def _split_aliases(raw: str, ons_name: str) -> list[str]:
    """Split ``[BCP, Bournemouth, Christchurch & Poole]`` without cutting the long alias.

    The CSV separates aliases with commas, and one alias contains commas itself. Runs of
    comma-separated pieces are re-joined when, together, they spell the authority's name.
    """
    raw = raw.strip().strip("[]").strip()
    if not raw:
        return []
    pieces = [p.strip() for p in raw.split(",") if p.strip()]
    target = _key(ons_name)
    out: list[str] = []
    i = 0
    while i < len(pieces):
        for j in range(len(pieces), i, -1):
            cand = ", ".join(pieces[i:j])
            if j - i == 1 or _key(cand) == target:
                out.append(cand)
                i = j
                break
    return out


def _display_name(row: dict[str, str]) -> str:
    ons = row["local_authority_ons_name"].strip()
    ltla = row.get("ltla23nm", "").strip()
    if ltla and row.get("ltla23cd") == row.get("la_code_new") and ", " not in ltla:
        return ltla
    m = re.fullmatch(r"(.+), (City|County) of", ons)
    return m.group(1) if m else ons


def _token_pattern(token: str, common: bool) -> str:
    low = token.lower()
    if token == "&" or low == "and":
        return "(?:and|And|AND|&)"
    if low in ("st", "st.", "saint"):
        return r"(?:St|ST|Saint|SAINT)\.?"
    if low in _CONNECTIVES:
        return f"(?:{low}|{low.capitalize()}|{low.upper()})"
    if token.isupper() or common:
        return re.escape(token)
    return f"(?:{re.escape(token)}|{re.escape(token.upper())})"


def _name_pattern(name: str) -> str:
    common = name in _COMMON_WORD_NAMES
    tokens = [t for t in _TOKEN_SPLIT.split(name.strip()) if t]
    return _SEP.join(_token_pattern(t, common) for t in tokens)


class Gazetteer:
    """Every English local authority with children's services, and how to find them."""

    def __init__(self, rows: list[dict[str, str]]) -> None:
        self.areas: list[Area] = []
        self._by_key: dict[str, Area] = {}
        self._by_urn: dict[str, Area] = {}
        self._labels: dict[str, Area] = {}  # every spelling -> area, for suggest()
        text_terms: list[tuple[str, Area]] = []
        aliases: list[tuple[str, Area]] = []
        for row in rows:
            urn = row["urn"].strip()
            code = row["la_code_new"].strip() or row.get("ltla23cd", "").strip()
            ons_name = row["local_authority_ons_name"].strip()
            area = Area(
                name=_display_name(row),
                ons_code=code,
                ofsted_urn=urn,
                region=row.get("region_name", "").strip(),
            )
            self.areas.append(area)
            self._by_urn[urn] = area
            text_names, lookup_only = _EXTRA_ALIASES.get(urn, ((), ()))
            csv_aliases = _split_aliases(row.get("also_known_as", ""), ons_name)
            for label in (area.name, ons_name):
                self._add_key(label, area)
                text_terms.append((label, area))
            for label in (*csv_aliases, *text_names):
                aliases.append((label, area))
                text_terms.append((label, area))
            aliases.extend((label, area) for label in lookup_only)
            aliases.extend(((code, area), (urn, area)))
        # Aliases second, so that no alias can take a key that is some area's own name.
        for label, area in aliases:
            self._add_key(label, area)
        self._pattern, self._group_areas = self._compile(text_terms)

    def _add_key(self, label: str, area: Area) -> None:
        if not label:
            return
        self._by_key.setdefault(_key(label), area)
        if not label[:1].isdigit() and not re.fullmatch(r"E\d{8}", label):
            self._labels.setdefault(label, area)

    @staticmethod
    def _compile(terms: list[tuple[str, Area]]) -> tuple[re.Pattern[str], list[tuple[Area, bool]]]:
        seen: set[str] = set()
        alts: list[tuple[int, str, Area, str]] = []
        for label, area in terms:
            pat = _name_pattern(label)
            if pat in seen:
                continue
            seen.add(pat)
            alts.append((len(label), pat, area, label))
        # Longest first: the first alternative to fit wins. Alternatives are bucketed by
        # their initial capital (all names start with one) so that a position is only tried
        # against the names that could start there; capture groups are numbered in order.
        alts.sort(key=lambda a: (a[3][:1].upper(), -a[0]))
        buckets: dict[str, list[str]] = {}
        for _, pat, _, label in alts:
            buckets.setdefault(label[:1].upper(), []).append(f"({pat})")
        body = "|".join(f"(?={initial})(?:{'|'.join(ps)})" for initial, ps in buckets.items())
        pattern = re.compile(rf"(?<![A-Za-z0-9])(?=[A-Z])(?:{body})(?![A-Za-z0-9])")
        return pattern, [(area, label in _COMMON_WORD_NAMES) for _, _, area, label in alts]

    @classmethod
    def default(cls) -> Gazetteer:
        """The gazetteer of the package's own ``data/local_authorities.csv`` (built once)."""
        return _default_gazetteer()

    def lookup(self, name_or_code: str) -> Area | None:
        """The area a name, alias, council style, ONS code or Ofsted URN refers to."""
        if not name_or_code or not name_or_code.strip():
            return None
        padded = " " + _key(name_or_code) + " "
        while True:
            area = self._by_key.get(padded.strip())
            if area is not None:
                return area
            for prefix in _PREFIXES:
                if padded.startswith(prefix) and len(padded) > len(prefix):
                    padded = " " + padded[len(prefix):]
                    break
            else:
                for suffix in _SUFFIXES:
                    if padded.endswith(suffix) and len(padded) > len(suffix):
                        padded = padded[: -len(suffix)] + " "
                        break
                else:
                    return None

    def by_urn(self, urn: str | int) -> Area | None:
        """The area with this Ofsted provider URN."""
        return self._by_urn.get(str(urn).strip())

    def suggest(self, name: str, n: int = 3) -> list[str]:
        """Did-you-mean: names of the areas whose names or aliases look most like ``name``.

        difflib's ratio against each spelling, and against the same-length start of it, so
        that a truncated name ("Kingston") still finds the long ones.
        """
        query = name.casefold().strip()
        if not query:
            return []
        matcher = difflib.SequenceMatcher(b=query)
        scored: list[tuple[float, str]] = []
        for label, area in self._labels.items():
            best = 0.0
            for cand in {label.casefold(), label.casefold()[: len(query)]}:
                matcher.set_seq1(cand)
                if matcher.real_quick_ratio() > best and matcher.quick_ratio() > best:
                    best = max(best, matcher.ratio())
            if best >= 0.6:
                scored.append((best, area.name))
        out: list[str] = []
        for _, area_name in sorted(scored, key=lambda s: (-s[0], s[1])):
            if area_name not in out:
                out.append(area_name)
        return out[:n]

    def mentions(self, text: str) -> list[tuple[Area, int, int]]:
        """Every area mention in ``text`` as (area, start, end): whole-word, longest first,
        non-overlapping, in text order. Offsets index ``text`` as given; pass
        :func:`parsers.normalise.clean` output if it may still hold ligatures."""
        out: list[tuple[Area, int, int]] = []
        for m in self._pattern.finditer(text):
            area, common = self._group_areas[(m.lastindex or 1) - 1]
            if common and _sentence_initial_word(text, m.start(), m.end()):
                continue
            if text[max(0, m.start() - 8) : m.start()] == "Greater ":
                continue  # "Greater Manchester" is a combined authority, not Manchester
            out.append((area, m.start(), m.end()))
        return out

    def find_in(self, text: str) -> list[tuple[Area, int]]:
        """Areas named in ``text``, each once with the offset of its first mention, in order."""
        seen: set[str] = set()
        out: list[tuple[Area, int]] = []
        for area, start, _ in self.mentions(text):
            if area.ofsted_urn not in seen:
                seen.add(area.ofsted_urn)
                out.append((area, start))
        return out


def _sentence_initial_word(text: str, start: int, end: int) -> bool:
    """True when a common-word name at text[start:end] reads as an ordinary word."""
    if not _SENTENCE_END.search(text[max(0, start - 40):start]):
        return False
    m = _NEXT_WORD.match(text, end)
    if not m:
        return False  # a name alone on a line or before punctuation is the place
    word = m.group(1)
    return not (word[0].isupper() or word.lower() in _SUBJECT_FOLLOWERS)


@lru_cache(maxsize=1)
def _default_gazetteer() -> Gazetteer:
    raw = resources.files("parsers").joinpath("data").joinpath(_CSV).read_bytes()
    text = raw.decode("utf-8-sig")
    return Gazetteer(list(csv.DictReader(io.StringIO(text))))
