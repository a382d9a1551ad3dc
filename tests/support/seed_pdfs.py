"""Real multi-page PDFs made from the corpus seed texts (fpdf2), for parser tests.

The seeds are text extractions of published PDFs: runs of three or more blank lines mark
where a page ended. Each seed page becomes at least one PDF page (a long one overflows onto
the next, cutting a paragraph mid-sentence just as the originals do), every page carries a
running header and a page number, bullets are typeset as "•" with a hanging indent, headings
bold and larger, footnotes in small print. The parser must undo all of it.
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

from fpdf import FPDF

from .corpus import seed_path

_FONT_DIRS = [
    Path("/usr/share/fonts/truetype/dejavu"),
    Path("/usr/share/fonts/dejavu"),
]
_PAGE_BREAK_RE = re.compile(r"\n[ \t\u00a0]*\n[ \t\u00a0]*\n[ \t\u00a0]*\n")
_HEADING_RE = re.compile(
    r"^(Key Strengths|Areas for priority action|Areas for improvement|Practice study:.*|Next steps|"
    r"Our Priorities|What The Board wants to do next|Key Messages.*|Messages for .*)$"
)
SUPERSCRIPTS = "⁰¹²³⁴⁵⁶⁷⁸⁹"


def _font(name: str) -> Path:
    for d in _FONT_DIRS:
        p = d / name
        if p.exists():
            return p
    try:  # matplotlib ships DejaVu too
        import matplotlib

        p = Path(matplotlib.__file__).parent / "mpl-data" / "fonts" / "ttf" / name
        if p.exists():
            return p
    except ImportError:
        pass
    raise FileNotFoundError(f"{name} not found: install fonts-dejavu-core (see .ci/run)")


class _Doc(FPDF):
    def __init__(self, header_text: str) -> None:
        super().__init__(unit="pt", format="A4")
        self.header_text = header_text
        self.add_font("DejaVu", "", str(_font("DejaVuSans.ttf")))
        self.add_font("DejaVu", "B", str(_font("DejaVuSans-Bold.ttf")))
        self.set_margins(56, 64, 56)
        self.set_auto_page_break(True, margin=64)

    def header(self) -> None:
        self.set_font("DejaVu", "", 8)
        self.set_xy(56, 30)
        self.cell(0, 10, self.header_text)
        self.set_xy(56, 64)

    def footer(self) -> None:
        self.set_font("DejaVu", "", 8)
        self.set_xy(56, self.h - 40)
        self.cell(0, 10, str(self.page_no()), align="C")


def render(text: str, header_text: str = "Care Quality Commission") -> bytes:
    """Typeset a seed text as a PDF and return its bytes."""
    pdf = _Doc(header_text)
    width = pdf.w - pdf.l_margin - pdf.r_margin
    for chunk in _PAGE_BREAK_RE.split("\n" + text.replace("\r\n", "\n") + "\n"):
        if not chunk.strip():
            continue
        pdf.add_page()
        for para in re.split(r"\n[ \t]*\n", chunk):
            lines = [l for l in para.split("\n") if l.strip()]
            if not lines:
                continue
            for line in lines:
                line = line.replace("\t", "    ").strip()
                if line.startswith("- "):
                    pdf.set_font("DejaVu", "", 10)
                    pdf.set_x(pdf.l_margin)
                    pdf.cell(14, 12.5, "•")
                    pdf.multi_cell(width - 14, 12.5, line[2:], new_x="LMARGIN", new_y="NEXT")
                    pdf.ln(3)
                elif _HEADING_RE.match(line) and not re.search(r"\s\d+$", line):
                    pdf.set_font("DejaVu", "B", 12)
                    pdf.multi_cell(width, 15, line, new_x="LMARGIN", new_y="NEXT")
                elif line[:1] in SUPERSCRIPTS:
                    pdf.set_font("DejaVu", "", 8)
                    pdf.multi_cell(width, 10, line, new_x="LMARGIN", new_y="NEXT")
                else:
                    pdf.set_font("DejaVu", "", 10)
                    pdf.multi_cell(width, 12.5, line, new_x="LMARGIN", new_y="NEXT")
            pdf.ln(8)
    return bytes(pdf.output())


@lru_cache(maxsize=None)
def seed_pdf(prefix: str) -> bytes:
    """The PDF for seed ``prefix`` ("000", "001", "002", "004")."""
    return render(seed_path(prefix).read_text(encoding="utf-8"))
