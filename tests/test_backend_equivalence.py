"""pypdfium2 yields the same structured findings as pdfminer on the whole shared corpus."""

import pytest

from parsers.api import parse_bytes
from tests.support.corpus import manifest


def _facts(doc):
    return {
        "kind": doc.kind,
        "title": doc.title,
        "area": doc.area,
        "areas_mentioned": doc.areas_mentioned,
        "published": doc.published,
        "inspection": doc.inspection,
        "period": doc.period,
        "deep_dive": doc.deep_dive,
        "pages": doc.pages,
        "grades": doc.grades,
        "sections": doc.sections,
        "deadlines": doc.deadlines,
        "findings": [(f.section, f.ordinal, f.page, f.text, f.themes, f.agencies, f.heading) for f in doc.findings],
    }


@pytest.mark.parametrize("row", manifest(), ids=lambda r: r.file)
def test_real_ofsted_pdf_same_on_both_backends(row, corpus_parsed):
    slow = corpus_parsed("pdfminer")[row.file]
    fast = corpus_parsed("pypdfium2")[row.file]
    assert (slow.error_code, fast.error_code) == (fast.error_code, slow.error_code)
    if slow.error_code:
        assert slow.error_code == fast.error_code == "not_a_pdf"
        return
    assert _facts(slow.document) == _facts(fast.document)


@pytest.mark.parametrize("prefix", ["000", "001", "002", "004"])
def test_seed_pdfs_same_on_both_backends(prefix, seed_pdf):
    data = seed_pdf(prefix)
    assert _facts(parse_bytes(data, backend="pdfminer")) == _facts(parse_bytes(data, backend="pypdfium2"))


def test_corpus_totals(corpus_parsed):
    results = corpus_parsed("pypdfium2")
    ok = [r for r in results.values() if r.document]
    assert len(results) == 49 and len(ok) == 48
    assert sum(r.document.pages for r in ok) == 1072
    assert {r.document.kind for r in ok} == {"inspection_report"}
