"""The parser's version: part of every parse cache key and stored on every version.

Bump it whenever a change to the parsers changes their output, so cached parses are not
reused and ``jtai-watch rerun --reparse`` has something to catch up with.
"""

PARSER_VERSION = "1"
