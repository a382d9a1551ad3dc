"""What changed between two sets of findings: added, removed, changed, moved, unchanged.

The store diffs a new version of a document against its previous version, and a new
document against the area's previous document of the same kind (see the design, "Diff").
This module is the pure part of that: two lists of findings in, a :class:`FindingsDiff`
out. No I/O, stdlib and rapidfuzz only.

Why it works as it does:

* **Records are duck-typed.** Anything with ``section``, ``text``, ``themes`` and
  ``ordinal`` will do (a :class:`parsers.records.Finding`, or the store's lightweight rows).
  An optional ``fingerprint`` attribute is used as the finding's *identity* when present
  (the store keeps it in a column), else it is computed from the text with
  :func:`parsers.normalise.fingerprint`. Similarity (step 3) is always computed from the
  text itself, so an identity column that is a digest rather than normalised text still works.
  Both documents' fingerprints must come from the same normaliser.

* **Pairing runs cheapest and most certain first**, each step only on what the previous
  ones left:

  1. *same fingerprint, same section* -> ``unchanged``. The fingerprint ignores case,
     punctuation, quotes, ligatures, hyphenation and line breaks, so the same letter parsed
     from text or from a PDF by either backend is entirely unchanged. Duplicates (two
     identical bullets) are paired in document order: the k-th copy before with the k-th
     copy after.
  2. *same fingerprint, other section* -> ``moved`` (text same, section changed: the sharpest
     signal there is, e.g. a strength now listed as an area for improvement). Paired in
     document order per fingerprint, like step 1.
  3. *same section, similar text* -> ``changed`` with both texts and the score. Fuzzy pairs
     never cross sections: a reworded finding that also changed section is a removal plus
     an addition, which is what a reader would call it.
  4. whatever is left -> ``added`` / ``removed``.

* **The scorer is Indel similarity (``rapidfuzz.fuzz.ratio``) over the fingerprint's
  words**, not its characters: each distinct word of the two documents is mapped to one
  code point, and ``fuzz.ratio`` compares those word strings. It measures the share of
  words kept in the same order, which is what an edit to a finding preserves. Measured on
  the seed letters (best same-section match of each Shropshire finding among Islington's;
  different areas, same deep dive, so no finding is really the same):

  ============================  ==================  ===================================
  scorer                        unrelated (max)      the one real pair (next-steps text)
  ============================  ==================  ===================================
  ratio on words (this)         22-35                79-92
  ratio on characters           48-53                80-94
  token_sort_ratio              60-70                82-94
  token_set_ratio               62-87                94-99
  WRatio                        86 (everything)      89-94
  ============================  ==================  ===================================

  Character-level LCS finds ~50% of any two English paragraphs "in common" (shared letters
  and function words); ``token_sort_ratio`` throws word order away, so shared vocabulary
  ("multi-agency", "children", "partnership") counts wherever it stands; ``token_set`` and
  ``WRatio`` reward one text being contained in the other and rank everything high. Word
  ratio gives the widest gap between noise and real edits, so the default threshold 0.75
  sits far from both. It is also ~4x cheaper than characters on ~600-character findings
  (one symbol per word). Cost of the choice: very short items (3 words or fewer) with one
  word substituted fall below 0.75 and show as removed + added.

* **Globally greedy pairing.** All same-section candidate pairs scoring at least the
  threshold are sorted by score (best first) and taken while both sides are free. Ties are
  broken by distance between the two findings' positions in their section, then by the sum
  of positions: a key that is the same whichever document is "old", so ``diff(a, b)`` and
  ``diff(b, a)`` pair the same findings (pairs with fully equal keys never share a side, so
  their order cannot matter).

* **Scores are computed in C, one call per finding, with a sound prefilter.**
  ``rapidfuzz.process.cdist`` would be one call for the whole matrix but needs numpy, which
  is neither installed nor a dependency of this project; so each new finding is scored
  against all old candidates of its section with one ``process.extract`` call. Word strings
  over a large vocabulary use rapidfuzz's slower wide-character path, so the extract runs on
  a *narrow* copy where each word's number is folded into 1..255 (one byte per word). Folding
  only makes more words equal, so the narrow score is never lower than the exact one: no pair
  above the threshold is lost, and only the few survivors are re-scored exactly. Scoring
  1,000 vs 1,000 unrelated findings in one section: ~0.1 s narrow, ~1 s wide, ~4 s on
  characters; the whole diff ~0.2 s. Two letters of ~50 findings: 2-5 ms, most of it
  normalising text when the records carry no fingerprint.

* **Theme movements are computed over whole documents**, not per finding, because two
  inspections of an area (or two areas) share no finding texts, yet "the front door was an
  area for improvement and is now a strength" is exactly what a reader wants to hear. A theme
  *worsened* if it was in a positive section before (strengths, practice-study strengths),
  is in a negative one now (areas for improvement, areas for priority action, practice-study
  improvements) and is in no positive section now; *improved* is the mirror image. The
  reported sections are where the theme was most frequent on each side. Judgements (graded
  reports) are not compared.

* **Deterministic output.** Changes come in new document order (unchanged, changed, moved
  and added interleaved as the new document reads), then removals in old document order.
  ``added`` changes carry all the new finding's themes in ``themes_added`` and ``removed``
  ones all the old finding's in ``themes_removed``, so an alert matcher can ask "which
  themes appeared" without looking at kinds.
"""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any, Iterable, Literal, Sequence

from rapidfuzz import fuzz, process

from .normalise import fingerprint as _fingerprint
from .records import (
    AREA_FOR_IMPROVEMENT,
    Finding,
    BOARD_PRIORITY,
    JUDGEMENT,
    KEY_MESSAGE,
    NEXT_STEPS,
    PRACTICE_STUDY_IMPROVEMENT,
    PRACTICE_STUDY_STRENGTH,
    PRIORITY_ACTION,
    SECTION,
    STRENGTH,
)

__all__ = [
    "DEFAULT_THRESHOLD",
    "NEGATIVE_SECTIONS",
    "POSITIVE_SECTIONS",
    "FindingChange",
    "FindingsDiff",
    "ThemeMovement",
    "describe",
    "diff_findings",
    "section_label",
    "shorten",
    "theme_movements",
]

ChangeKind = Literal["added", "removed", "changed", "unchanged", "moved"]
Direction = Literal["worsened", "improved"]

DEFAULT_THRESHOLD = 0.75

# Ordered: on a tie of counts, the earlier section is reported.
POSITIVE_SECTIONS: tuple[str, ...] = (STRENGTH, PRACTICE_STUDY_STRENGTH)
NEGATIVE_SECTIONS: tuple[str, ...] = (PRIORITY_ACTION, AREA_FOR_IMPROVEMENT, PRACTICE_STUDY_IMPROVEMENT)

# Singular and plural labels for alert lines.
_LABELS: dict[str, tuple[str, str]] = {
    STRENGTH: ("strength", "strengths"),
    PRIORITY_ACTION: ("area for priority action", "areas for priority action"),
    AREA_FOR_IMPROVEMENT: ("area for improvement", "areas for improvement"),
    PRACTICE_STUDY_STRENGTH: ("practice study strength", "practice study strengths"),
    PRACTICE_STUDY_IMPROVEMENT: ("practice study improvement", "practice study improvements"),
    NEXT_STEPS: ("next step", "next steps"),
    BOARD_PRIORITY: ("board priority", "board priorities"),
    KEY_MESSAGE: ("key message", "key messages"),
    SECTION: ("section", "sections"),
    JUDGEMENT: ("judgement", "judgements"),
}

# describe(): what is said first. Negative sections before positive ones.
_SECTION_RANK = {
    PRIORITY_ACTION: 0,
    AREA_FOR_IMPROVEMENT: 1,
    PRACTICE_STUDY_IMPROVEMENT: 2,
    NEXT_STEPS: 3,
    STRENGTH: 4,
    PRACTICE_STUDY_STRENGTH: 5,
}
_KIND_RANK = {"added": 0, "moved": 1, "changed": 2, "removed": 3}


def section_label(section: str | None, plural: bool = False) -> str:
    """Human name of a section kind ("area_for_improvement" -> "area for improvement")."""
    if not section:
        return "finding" if not plural else "findings"
    pair = _LABELS.get(section)
    if pair is None:
        name = section.replace("_", " ")
        return name + "s" if plural and not name.endswith("s") else name
    return pair[1] if plural else pair[0]


# ------------------------------------------------------------------------------ records


@dataclass(frozen=True, slots=True)
class FindingChange:
    """One finding's fate. ``section`` is the new section (the old one for a removal);
    ``old_section`` is ``None`` exactly when there is no old finding (an addition).

    ``old_index``/``new_index`` are positions in the lists given to :func:`diff_findings`,
    so a caller can map a change back to its own rows.
    """

    kind: ChangeKind
    section: str
    old_section: str | None
    old_text: str | None
    new_text: str | None
    old_ordinal: int | None
    new_ordinal: int | None
    score: float | None
    themes_added: list[str] = field(default_factory=list)
    themes_removed: list[str] = field(default_factory=list)
    old_index: int | None = None
    new_index: int | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "section": self.section,
            "old_section": self.old_section,
            "old_text": self.old_text,
            "new_text": self.new_text,
            "old_ordinal": self.old_ordinal,
            "new_ordinal": self.new_ordinal,
            "score": self.score,
            "themes_added": list(self.themes_added),
            "themes_removed": list(self.themes_removed),
        }


@dataclass(frozen=True, slots=True)
class ThemeMovement:
    """A theme that crossed between the positive and negative sections of two documents."""

    theme: str
    from_section: str
    to_section: str
    direction: Direction

    def to_json(self) -> dict[str, str]:
        return {
            "theme": self.theme,
            "from_section": self.from_section,
            "to_section": self.to_section,
            "direction": self.direction,
        }


@dataclass(frozen=True, slots=True)
class FindingsDiff:
    changes: list[FindingChange]
    theme_movements: list[ThemeMovement] = field(default_factory=list)

    def _of(self, kind: str) -> list[FindingChange]:
        return [c for c in self.changes if c.kind == kind]

    @property
    def added(self) -> list[FindingChange]:
        return self._of("added")

    @property
    def removed(self) -> list[FindingChange]:
        return self._of("removed")

    @property
    def changed(self) -> list[FindingChange]:
        return self._of("changed")

    @property
    def unchanged(self) -> list[FindingChange]:
        return self._of("unchanged")

    @property
    def moved(self) -> list[FindingChange]:
        return self._of("moved")

    @property
    def is_empty(self) -> bool:
        """Nothing but unchanged findings (and so no theme movement either)."""
        return not self.theme_movements and all(c.kind == "unchanged" for c in self.changes)

    def summary(self) -> dict[str, int]:
        counts = {"added": 0, "removed": 0, "changed": 0, "moved": 0, "unchanged": 0}
        for c in self.changes:
            counts[c.kind] += 1
        counts["theme_movements"] = len(self.theme_movements)
        return counts

    def to_json(self, *, include_unchanged: bool = True) -> dict[str, Any]:
        return {
            "summary": self.summary(),
            "changes": [c.to_json() for c in self.changes if include_unchanged or c.kind != "unchanged"],
            "theme_movements": [m.to_json() for m in self.theme_movements],
        }


# ------------------------------------------------------------------------------ inputs


def _themes_of(record: Any) -> list[str]:
    themes = getattr(record, "themes", None)
    if not themes:
        return []
    if isinstance(themes, str):  # a store row holding a JSON list, or one theme
        if themes.startswith("["):
            try:
                themes = json.loads(themes)
            except ValueError:
                themes = [themes]
        else:
            themes = [themes]
    out: list[str] = []
    for t in themes:
        if t and t not in out:
            out.append(str(t))
    return out


def _text_of(record: Any) -> str:
    return getattr(record, "text", None) or ""


def _identity_of(record: Any) -> tuple[str, str | None]:
    """(identity, fingerprint of the text if the identity is that, else None)."""
    if isinstance(record, Finding):  # its fingerprint is a property over the text
        fp = _fingerprint(record.text or "")
        return fp, fp
    fp = getattr(record, "fingerprint", None)
    if fp is None or (fp == "" and _text_of(record)):
        fp = _fingerprint(_text_of(record))
        return fp, fp
    return str(fp), None


def _identities(records: list[Any]) -> tuple[list[str], list[str | None]]:
    ids: list[str] = []
    fps: list[str | None] = []
    for r in records:
        i, f = _identity_of(r)
        ids.append(i)
        fps.append(f)
    return ids, fps


def _similarity_fp(record: Any, known: str | None) -> str:
    return known if known is not None else _fingerprint(_text_of(record))


def _ordinal_of(record: Any) -> int | None:
    return getattr(record, "ordinal", None)


def _section_of(record: Any) -> str:
    return getattr(record, "section", None) or ""


class _Words:
    """Encodes fingerprints as word strings: one code point per distinct word (exact), and a
    one-byte-per-word copy (narrow) whose score bounds the exact one from above."""

    __slots__ = ("wide", "narrow")

    def __init__(self) -> None:
        self.wide: dict[str, str] = {}
        self.narrow: dict[str, str] = {}

    def encode(self, fingerprint: str) -> tuple[str, str]:
        words = fingerprint.split()
        wide, narrow = self.wide, self.narrow
        for w in set(words).difference(wide):
            i = len(wide)
            cp = 0x100 + i
            if cp >= 0xD800:  # skip the surrogates
                cp += 0x800
            wide[w] = chr(cp)
            narrow[w] = chr(1 + i % 255)
        return "".join(map(wide.__getitem__, words)), "".join(map(narrow.__getitem__, words))


# ------------------------------------------------------------------------------ the diff


def diff_findings(
    old: Sequence[Any],
    new: Sequence[Any],
    *,
    threshold: float = DEFAULT_THRESHOLD,
) -> FindingsDiff:
    """Pair ``old`` and ``new`` findings and say what became of each (see the module doc).

    ``threshold`` is the least word similarity (0..1) for two findings of one section to
    count as the same finding changed.
    """
    if not 0.0 <= threshold <= 1.0:
        raise ValueError(f"threshold must be between 0 and 1, not {threshold!r}")
    old = list(old)
    new = list(new)
    old_sec = [_section_of(r) for r in old]
    new_sec = [_section_of(r) for r in new]
    old_id, old_fp = _identities(old)
    new_id, new_fp = _identities(new)

    # new index -> (kind, old index, score)
    pairs: dict[int, tuple[str, int, float]] = {}
    old_paired = [False] * len(old)

    # 1. Same fingerprint, same section: unchanged, duplicates in order.
    waiting: dict[tuple[str, str], list[int]] = defaultdict(list)
    for i in range(len(old) - 1, -1, -1):  # reversed so that pop() yields document order
        waiting[(old_sec[i], old_id[i])].append(i)
    for j in range(len(new)):
        queue = waiting.get((new_sec[j], new_id[j]))
        if queue:
            i = queue.pop()
            pairs[j] = ("unchanged", i, 1.0)
            old_paired[i] = True

    # 2. Same fingerprint, other section: moved, in order per fingerprint.
    if len(pairs) < min(len(old), len(new)):
        by_id: dict[str, list[int]] = defaultdict(list)
        for i in range(len(old) - 1, -1, -1):
            if not old_paired[i]:
                by_id[old_id[i]].append(i)
        for j in range(len(new)):
            if j in pairs:
                continue
            queue = by_id.get(new_id[j])
            if queue:
                i = queue.pop()
                pairs[j] = ("moved", i, 1.0)
                old_paired[i] = True

    # 3. Same section, similar words: changed.
    if len(pairs) < min(len(old), len(new)):
        _pair_fuzzy(old, new, old_sec, new_sec, old_fp, new_fp, old_paired, pairs, threshold)

    # 4. Assemble, in new document order, then removals in old order.
    changes: list[FindingChange] = []
    for j, rec in enumerate(new):
        themes = _themes_of(rec)
        hit = pairs.get(j)
        if hit is None:
            changes.append(
                FindingChange(
                    kind="added",
                    section=new_sec[j],
                    old_section=None,
                    old_text=None,
                    new_text=_text_of(rec),
                    old_ordinal=None,
                    new_ordinal=_ordinal_of(rec),
                    score=None,
                    themes_added=themes,
                    themes_removed=[],
                    old_index=None,
                    new_index=j,
                )
            )
            continue
        kind, i, score = hit
        before = _themes_of(old[i])
        changes.append(
            FindingChange(
                kind=kind,  # type: ignore[arg-type]
                section=new_sec[j],
                old_section=old_sec[i],
                old_text=_text_of(old[i]),
                new_text=_text_of(rec),
                old_ordinal=_ordinal_of(old[i]),
                new_ordinal=_ordinal_of(rec),
                score=score,
                themes_added=[t for t in themes if t not in before],
                themes_removed=[t for t in before if t not in themes],
                old_index=i,
                new_index=j,
            )
        )
    for i, rec in enumerate(old):
        if old_paired[i]:
            continue
        changes.append(
            FindingChange(
                kind="removed",
                section=old_sec[i],
                old_section=old_sec[i],
                old_text=_text_of(rec),
                new_text=None,
                old_ordinal=_ordinal_of(rec),
                new_ordinal=None,
                score=None,
                themes_added=[],
                themes_removed=_themes_of(rec),
                old_index=i,
                new_index=None,
            )
        )
    return FindingsDiff(changes=changes, theme_movements=theme_movements(old, new))


def _pair_fuzzy(
    old: list[Any],
    new: list[Any],
    old_sec: list[str],
    new_sec: list[str],
    old_fp: list[str | None],
    new_fp: list[str | None],
    old_paired: list[bool],
    pairs: dict[int, tuple[str, int, float]],
    threshold: float,
) -> None:
    cutoff = threshold * 100.0
    # Position of each finding within its section (for the symmetric tie-break).
    old_pos = _positions(old_sec)
    new_pos = _positions(new_sec)
    old_left: dict[str, list[int]] = defaultdict(list)
    for i, s in enumerate(old_sec):
        if not old_paired[i]:
            old_left[s].append(i)
    new_left: dict[str, list[int]] = defaultdict(list)
    for j, s in enumerate(new_sec):
        if j not in pairs and s in old_left:
            new_left[s].append(j)

    words = _Words()
    for section, js in new_left.items():
        is_ = old_left[section]
        old_enc = [words.encode(_similarity_fp(old[i], old_fp[i])) for i in is_]
        old_wide = [w for w, _ in old_enc]
        old_narrow = [n for _, n in old_enc]
        candidates: list[tuple[float, int, int, int, int]] = []
        for j in js:
            wide, narrow = words.encode(_similarity_fp(new[j], new_fp[j]))
            # One C call scores this finding against every old one left in the section; the
            # narrow score is an upper bound of the exact one, so survivors are re-scored.
            for _, _, k in process.extract(
                narrow, old_narrow, scorer=fuzz.ratio, processor=None, score_cutoff=cutoff, limit=None
            ):
                score = fuzz.ratio(wide, old_wide[k], processor=None, score_cutoff=cutoff)
                if score >= cutoff and (score > 0.0 or cutoff == 0.0):
                    i = is_[k]
                    po, pn = old_pos[i], new_pos[j]
                    candidates.append((-score, abs(po - pn), po + pn, i, j))
        if not candidates:
            continue
        candidates.sort()
        want = min(len(is_), len(js))
        used_old: set[int] = set()
        done = 0
        for neg, _, _, i, j in candidates:
            if i in used_old or j in pairs:
                continue
            used_old.add(i)
            old_paired[i] = True
            pairs[j] = ("changed", i, round(-neg / 100.0, 4))
            done += 1
            if done == want:
                break


def _positions(sections: list[str]) -> list[int]:
    seen: dict[str, int] = defaultdict(int)
    out = []
    for s in sections:
        out.append(seen[s])
        seen[s] += 1
    return out


# ------------------------------------------------------------------------------ themes


def _theme_sections(records: Iterable[Any]) -> dict[str, dict[str, int]]:
    """theme -> {section: number of findings with the theme}, positive/negative sections only."""
    out: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for r in records:
        s = _section_of(r)
        if s in POSITIVE_SECTIONS or s in NEGATIVE_SECTIONS:
            for t in _themes_of(r):
                out[t][s] += 1
    return out


def _main_section(counts: dict[str, int], group: tuple[str, ...]) -> str | None:
    best = None
    for s in group:  # group order breaks ties
        n = counts.get(s, 0)
        if n and (best is None or n > counts[best]):
            best = s
    return best


def theme_movements(old: Iterable[Any], new: Iterable[Any]) -> list[ThemeMovement]:
    """Themes that moved between strengths and areas for improvement (see the module doc).

    Worsened first, then improved; alphabetical within each.
    """
    before = _theme_sections(old)
    after = _theme_sections(new)
    worsened: list[ThemeMovement] = []
    improved: list[ThemeMovement] = []
    for theme in sorted(set(before) & set(after)):
        b, a = before[theme], after[theme]
        b_pos, b_neg = _main_section(b, POSITIVE_SECTIONS), _main_section(b, NEGATIVE_SECTIONS)
        a_pos, a_neg = _main_section(a, POSITIVE_SECTIONS), _main_section(a, NEGATIVE_SECTIONS)
        if b_pos and a_neg and not a_pos:
            worsened.append(ThemeMovement(theme, b_pos, a_neg, "worsened"))
        elif b_neg and a_pos and not a_neg:
            improved.append(ThemeMovement(theme, b_neg, a_pos, "improved"))
    return worsened + improved


# ------------------------------------------------------------------------------ alerts


def shorten(text: str | None, limit: int = 120) -> str:
    """``text`` on one line, cut at a word boundary to at most ``limit`` characters."""
    text = " ".join((text or "").split())
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    space = cut.rfind(" ")
    if space > limit // 2:
        cut = cut[:space]
    return cut.rstrip(" ,;:.-(") + "…"


def _with_themes(line: str, themes: list[str], most: int = 3) -> str:
    if not themes:
        return line
    shown = ", ".join(themes[:most]) + (", …" if len(themes) > most else "")
    return f"{line} ({shown})"


def _line(c: FindingChange) -> str:
    if c.kind == "added":
        return _with_themes(f"new {section_label(c.section)}: {shorten(c.new_text)}", c.themes_added)
    if c.kind == "removed":
        return _with_themes(f"removed {section_label(c.section)}: {shorten(c.old_text)}", c.themes_removed)
    if c.kind == "moved":
        return (
            f"moved from {section_label(c.old_section, True)} to {section_label(c.section, True)}: "
            f"{shorten(c.new_text)}"
        )
    # changed
    line = f"changed {section_label(c.section)}: {shorten(c.new_text)}"
    if c.themes_added:
        line = _with_themes(line, ["now " + t for t in c.themes_added])
    return line


def describe(diff: FindingsDiff, limit: int = 5) -> list[str]:
    """At most ``limit`` short lines for an alert, most telling first.

    Theme movements (worsened before improved), then added, moved, changed and removed
    findings, each kind with priority actions and areas for improvement before strengths.
    When there is more than fits, the last line says how many more there are.
    """
    if limit <= 0:
        return []
    lines = [
        f"'{m.theme}' moved from {section_label(m.from_section, True)} to {section_label(m.to_section, True)}"
        for m in diff.theme_movements
    ]
    notable = [c for c in diff.changes if c.kind != "unchanged"]
    notable.sort(key=lambda c: (_KIND_RANK[c.kind], _SECTION_RANK.get(c.section, 9)))  # stable
    lines.extend(_line(c) for c in notable)
    if len(lines) <= limit:
        return lines
    keep = lines[: limit - 1] if limit > 1 else []
    return keep + [f"… and {len(lines) - len(keep)} more"]
