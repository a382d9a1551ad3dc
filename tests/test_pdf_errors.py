"""Bad input gets one clear, typed error, on both backends, quickly."""

import time

import pytest
from fpdf import FPDF

from parsers.errors import CorruptPdf, EncryptedPdf, NotAPdf, ParseTimeout, TooLarge, TooManyPages
from parsers.pdf import Limits, extract_pdf

BACKENDS = ["pdfminer", "pypdfium2"]


def _pdf(pages: int = 1, password: str | None = None) -> bytes:
    pdf = FPDF()
    if password:
        pdf.set_encryption(owner_password="owner", user_password=password)
    pdf.set_font("helvetica", size=12)
    for i in range(pages):
        pdf.add_page()
        pdf.cell(0, 10, f"Page {i + 1} of the test document")
    return bytes(pdf.output())


@pytest.mark.parametrize("backend", BACKENDS)
def test_real_html_error_page_is_not_a_pdf(backend, ofsted_dir):
    data = (ofsted_dir / "80429-birmingham-19-october-2012.pdf").read_bytes()
    with pytest.raises(NotAPdf) as exc:
        extract_pdf(data, backend=backend)
    assert str(exc.value).startswith("not a PDF: the server sent an HTML page")
    assert "\n" not in str(exc.value)


@pytest.mark.parametrize("backend", BACKENDS)
def test_empty_and_garbage(backend):
    with pytest.raises(NotAPdf, match="empty"):
        extract_pdf(b"", backend=backend)
    with pytest.raises(NotAPdf, match="starts with"):
        extract_pdf(b"PK\x03\x04 a zip file", backend=backend)


@pytest.mark.parametrize("backend", BACKENDS)
def test_truncated_download(backend, ofsted_dir):
    data = (ofsted_dir / "80505-islington-29-january-2025.pdf").read_bytes()
    with pytest.raises(CorruptPdf, match="truncated"):
        extract_pdf(data[: len(data) // 2], backend=backend)


@pytest.mark.parametrize("backend", BACKENDS)
def test_corrupt_body(backend):
    data = _pdf(2)
    broken = data[:200] + b"\x00garbage\x00" * 50 + data[-30:]
    with pytest.raises(CorruptPdf):
        extract_pdf(broken, backend=backend)


@pytest.mark.parametrize("backend", BACKENDS)
def test_encrypted_needs_password(backend):
    with pytest.raises(EncryptedPdf, match="encrypted PDF"):
        extract_pdf(_pdf(1, password="secret"), backend=backend)


@pytest.mark.parametrize("backend", BACKENDS)
def test_limits(backend):
    data = _pdf(5)
    with pytest.raises(TooLarge, match="over the 0 MB limit"):
        extract_pdf(data, Limits(max_bytes=100), backend=backend)
    with pytest.raises(TooManyPages, match="5 pages, over the 3-page limit"):
        extract_pdf(data, Limits(max_pages=3), backend=backend)
    pages = extract_pdf(data, Limits(max_pages=5), backend=backend)
    assert [p.number for p in pages] == [1, 2, 3, 4, 5]


@pytest.mark.parametrize("backend", BACKENDS)
def test_time_budget_stops_early(backend, ofsted_dir):
    data = (ofsted_dir / "80532-northumberland-14-april-2016.pdf").read_bytes()
    started = time.monotonic()
    with pytest.raises(ParseTimeout, match="stopped at page 1"):
        extract_pdf(data, Limits(timeout_s=0.0), backend=backend)
    assert time.monotonic() - started < 5
