"""Text normalisation shared by every parser.

PDF text arrives with ligatures (ﬁ), typographic quotes, several dash and bullet glyphs,
non-breaking and zero-width spaces, and words hyphenated at line ends. Findings are compared
(diff, fingerprints) and matched (themes, areas, phrases) on text, so all of that must be
reduced to one canonical form first, the same form whichever PDF backend produced it.

Two levels:

* :func:`clean` — what a human reads: Unicode NFKC-ish fixes, straight quotes, en dash for
  ranges kept as "-", bullets unified, whitespace collapsed. Case and punctuation are kept.
* :func:`fold` — what a matcher compares: :func:`clean`, then lower case, punctuation to
  spaces. Whole-word matching is then a matter of matching space-delimited tokens.
"""

from __future__ import annotations

import re
import unicodedata

# Glyphs that pdfminer/pdfium emit for list bullets in the Ofsted, CQC and board templates.
BULLET_CHARS = "•▪◼■●◦○‣⁃∙·▸►➢➤✓✔\uf0b7\uf0a7\uf0d8\uf076\uf0fc\uf06e\uf02d\uf0be"
_BULLET_RE = re.compile(r"^\s*(?:[" + re.escape(BULLET_CHARS) + r"]|[-–—*](?=\s))\s*")

_TRANSLATE = str.maketrans(
    {
        "\u2018": "'",
        "\u2019": "'",
        "\u201a": "'",
        "\u201b": "'",
        "\u2032": "'",
        "\u00b4": "'",
        "`": "'",
        "\u201c": '"',
        "\u201d": '"',
        "\u201e": '"',
        "\u201f": '"',
        "\u2033": '"',
        "\u00ab": '"',
        "\u00bb": '"',
        "\u2010": "-",
        "\u2011": "-",
        "\u2012": "-",
        "\u2013": "-",
        "\u2014": "-",
        "\u2015": "-",
        "\u2212": "-",
        "\u00ad": "",  # soft hyphen: only a line-break hint
        "\ufffe": "-",  # PDFium's marker for a hyphen it found at a line end
        "\u0002": "-",
        "\u200b": "",
        "\u200c": "",
        "\u200d": "",
        "\u2060": "",
        "\ufeff": "",
        "\u00a0": " ",
        "\u2002": " ",
        "\u2003": " ",
        "\u2009": " ",
        "\u202f": " ",
        "\t": " ",
        "\r": " ",
        "\u2026": "...",
    }
)

_LIGATURES = {
    "\ufb00": "ff",
    "\ufb01": "fi",
    "\ufb02": "fl",
    "\ufb03": "ffi",
    "\ufb04": "ffl",
    "\ufb05": "st",
    "\ufb06": "st",
}
_TRANSLATE.update(str.maketrans(_LIGATURES))

SUPERSCRIPT_DIGITS = "⁰¹²³⁴⁵⁶⁷⁸⁹"
_SUPERSCRIPT_RE = re.compile(f"[{SUPERSCRIPT_DIGITS}]+")
# NFKC would turn footnote markers into plain digits; park them in the private use area
# (which NFKC leaves alone) and bring them back afterwards.
_PARK = str.maketrans({ch: chr(0xE000 + i) for i, ch in enumerate(SUPERSCRIPT_DIGITS)})
_UNPARK = str.maketrans({chr(0xE000 + i): ch for i, ch in enumerate(SUPERSCRIPT_DIGITS)})
_FOLD_RE = re.compile(r"[^0-9a-z]+")


def clean(text: str) -> str:
    """Canonical readable text: ligatures expanded, quotes/dashes straightened, spaces collapsed.

    Called on every line of every page, so the common all-ASCII line takes a fast path.
    """
    if not text:
        return ""
    if text.isascii():
        if "`" in text:
            text = text.replace("`", "'")
    else:
        text = text.translate(_TRANSLATE)
        # Compatibility forms (full-width letters, odd spaces), keeping footnote markers.
        if not text.isascii() and not unicodedata.is_normalized("NFKC", text):
            text = unicodedata.normalize("NFKC", text.translate(_PARK)).translate(_UNPARK)
    return " ".join(text.split())


def strip_footnote_markers(text: str) -> str:
    """Drop superscript footnote references ("Islington.¹ This" -> "Islington. This")."""
    if text.isascii():
        return text
    return " ".join(_SUPERSCRIPT_RE.sub("", text).split())


def strip_bullet(text: str) -> tuple[bool, str]:
    """Split a leading list bullet from a line: returns (had_bullet, rest)."""
    m = _BULLET_RE.match(text)
    if not m:
        return False, text
    return True, text[m.end():]


def fold(text: str) -> str:
    """Matching form: clean, lower-cased, every run of non-alphanumerics one space, padded.

    The padding lets callers test whole words with ``f" {word} " in fold(text)``.
    """
    text = strip_footnote_markers(clean(text)).lower()
    text = text.replace("&", " and ")
    return " " + _FOLD_RE.sub(" ", text).strip() + " "


def fingerprint(text: str) -> str:
    """Stable identity of a finding's wording: folded text without the padding.

    Two findings with the same words in the same order have the same fingerprint, however
    the PDF broke their lines, hyphenated them or typeset their quotes.
    """
    return fold(text).strip()


def join_lines(lines: list[str]) -> str:
    """Join wrapped lines of one paragraph, undoing end-of-line hyphenation.

    "Au-" + "thority" -> "Authority"; but "multi-" + "agency" keeps its hyphen because the
    prefix is one the documents hyphenate on purpose. Parts are collected in a list and
    joined once: paragraphs run to hundreds of lines in tables.
    """
    parts: list[str] = []
    for raw in lines:
        line = raw.strip()
        if not line:
            continue
        if not parts:
            parts.append(line)
            continue
        prev = parts[-1]
        if len(prev) >= 2 and prev[-1] == "-" and prev[-2].isalpha() and line[:1].islower():
            head = prev[:-1]
            last_word = re.split(r"[\s/(]", head)[-1].lower()
            # "up-" + "to-date": the next fragment is itself hyphenated, so this is a compound.
            compound = last_word in _KEEP_HYPHEN_PREFIXES or "-" in line.split(" ", 1)[0]
            parts[-1] = prev if compound else head
            parts.append(line)  # glued below without a space
            parts[-2:] = [parts[-2] + parts[-1]]
        else:
            parts.append(" ")
            parts.append(line)
    return "".join(parts)


# Prefixes that the documents hyphenate on purpose ("multi-agency", "co-ordinated"); a line
# break after them keeps the hyphen.
_KEEP_HYPHEN_PREFIXES = frozenset(
    """multi single cross co non pre post re self well under over inter intra anti sub
    semi ex long short high low full part face one two three first second child young
    age area trauma relationship risk decision record home school court up""".split()
)
