"""Pure parsing: bytes or text in, typed records out. No I/O beyond the input, no Prefect.

Entry points: :func:`parsers.api.parse_bytes` and :func:`parsers.api.parse_text`.
"""
