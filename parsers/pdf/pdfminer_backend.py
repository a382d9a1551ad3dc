"""pdfminer.six backend: the default, pure Python, reads every PDF the corpus holds.

Layout analysis (``LAParams``) only groups characters into lines here; paragraph building,
page furniture and reading order are the shared layout stage's job, so this backend and the
pypdfium2 one hand over the same kind of segments.
"""

from __future__ import annotations

import io
import logging

from pdfminer.converter import PDFPageAggregator
from pdfminer.layout import LAParams, LTChar, LTTextBox, LTTextLine
from pdfminer.pdfdocument import PDFDocument, PDFEncryptionError, PDFPasswordIncorrect
from pdfminer.pdfinterp import PDFPageInterpreter, PDFResourceManager
from pdfminer.pdfpage import PDFPage
from pdfminer.pdfparser import PDFParser
from pdfminer.pdftypes import resolve1

from ..errors import CorruptPdf, EncryptedPdf, ParseError
from .extract import Budget, RawPage, Segment

# pdfminer logs every odd object at WARNING; a broken document is reported once, by us.
for _name in ("pdfminer", "pdfminer.pdfpage", "pdfminer.pdfinterp", "pdfminer.pdfdocument"):
    logging.getLogger(_name).setLevel(logging.ERROR)

_LAPARAMS = LAParams(boxes_flow=None)


def _page_count(doc: PDFDocument) -> int | None:
    try:
        pages = resolve1(doc.catalog.get("Pages"))
        return int(resolve1(pages.get("Count")))
    except Exception:
        return None


def _line_size(line: LTTextLine) -> float:
    for obj in line:
        if isinstance(obj, LTChar) and obj.get_text().strip():
            return round(obj.size, 1)
    return round(line.height, 1)


def extract(data: bytes, budget: Budget) -> list[RawPage]:
    try:
        parser = PDFParser(io.BytesIO(data))
        doc = PDFDocument(parser)
    except (PDFPasswordIncorrect, PDFEncryptionError) as exc:
        raise EncryptedPdf(f"encrypted PDF: {exc or 'a password is needed'}") from exc
    except Exception as exc:
        raise CorruptPdf(f"corrupt PDF: {type(exc).__name__}: {exc}") from exc
    count = _page_count(doc)
    if count is not None:
        budget.check_pages(count)
    rsrc = PDFResourceManager(caching=True)
    device = PDFPageAggregator(rsrc, laparams=_LAPARAMS)
    interpreter = PDFPageInterpreter(rsrc, device)
    pages: list[RawPage] = []
    try:
        for number, page in enumerate(PDFPage.create_pages(doc), start=1):
            budget.check_pages(number)
            interpreter.process_page(page)
            layout = device.get_result()
            height = layout.height
            raw = RawPage(number=number, width=layout.width, height=height)
            for box in layout:
                if not isinstance(box, LTTextBox):
                    continue
                for line in box:
                    if not isinstance(line, LTTextLine):
                        continue
                    text = line.get_text().strip("\n")
                    if not text.strip():
                        continue
                    raw.segments.append(
                        Segment(
                            text=text,
                            x0=round(line.x0, 1),
                            top=round(height - line.y1, 1),
                            x1=round(line.x1, 1),
                            bottom=round(height - line.y0, 1),
                            size=_line_size(line),
                        )
                    )
            pages.append(raw)
            budget.tick(number)
    except ParseError:
        raise
    except (PDFPasswordIncorrect, PDFEncryptionError) as exc:
        raise EncryptedPdf(f"encrypted PDF: {exc or 'a password is needed'}") from exc
    except Exception as exc:
        raise CorruptPdf(f"corrupt PDF at page {len(pages) + 1}: {type(exc).__name__}: {exc}") from exc
    if not pages:
        raise CorruptPdf("corrupt PDF: no pages found")
    return pages
