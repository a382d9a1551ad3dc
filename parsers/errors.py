"""Typed parse errors, each with a one-line message a person can act on.

Every failure of a document maps to exactly one of these, so the ingest can record the
stage and reason, keep the previous good version, and retry next run. ``str(err)`` is the
one-line message; ``err.code`` is a stable machine name for summaries and JSON.
"""

from __future__ import annotations


class ParseError(Exception):
    """A document could not be turned into structure."""

    code = "parse_error"

    def __init__(self, message: str) -> None:
        super().__init__(message.splitlines()[0] if message else self.code)

    @property
    def message(self) -> str:
        return str(self)


class NotAPdf(ParseError):
    """The bytes are not a PDF (typically an HTML error page served at a PDF link)."""

    code = "not_a_pdf"


class EncryptedPdf(ParseError):
    """The PDF needs a password to read its text."""

    code = "encrypted"


class CorruptPdf(ParseError):
    """The PDF is truncated or structurally broken beyond what the backend can repair."""

    code = "corrupt"


class TooLarge(ParseError):
    """The document exceeds the configured byte limit."""

    code = "too_large"


class TooManyPages(ParseError):
    """The document exceeds the configured page limit."""

    code = "too_many_pages"


class ParseTimeout(ParseError):
    """Text extraction exceeded the per-document time budget."""

    code = "timeout"


class BackendUnavailable(ParseError):
    """The requested PDF backend is not installed (e.g. pypdfium2 without the extra)."""

    code = "backend_unavailable"
