"""Imported once by the parse pool's fork server, so every worker starts warm.

Workers fork from a server process that has already imported the parsers and both PDF
backends and built the gazetteer and theme patterns; a new worker then costs a fork, not
~0.5 s of imports and pattern compilation.
"""

from parsers.api import _default_gazetteer
from parsers.pdf import pdfminer_backend  # noqa: F401
from parsers.themes import Taxonomy

try:  # the optional fast backend
    from parsers.pdf import pdfium_backend  # noqa: F401
except ImportError:  # pragma: no cover
    pass

_default_gazetteer()
Taxonomy.default().match("warm up the theme patterns")
