"""PDF text extraction: two interchangeable backends producing positioned text segments.

``extract_pdf(data, limits, backend)`` checks the bytes (sniffing, size, encryption, page
count), runs a backend within the page and time budget, and returns :class:`RawPage` records
that :mod:`parsers.layout` turns into clean paragraphs. Both backends feed the same layout
code, which is why they yield the same findings.
"""

from .extract import BACKENDS, Limits, RawPage, Segment, extract_pdf, sniff

__all__ = ["BACKENDS", "Limits", "RawPage", "Segment", "extract_pdf", "sniff"]
