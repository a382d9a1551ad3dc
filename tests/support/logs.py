"""Every log record of the process, whoever emits it and wherever it goes.

pytest's ``caplog`` hangs its handler on the root logger, but Prefect's logging config
replaces the root's handlers (again when flows start) and sets ``propagate: false`` on its
own loggers, and apprise's logger does not propagate either. To say "no secret in any log
line" the test must see them all, so this wraps :meth:`logging.Logger.handle`, the one door
every record that passes its logger's level goes through, and turns the root logger to
DEBUG — an operator debugging a run. Loggers with a level of their own keep it: jtai-watch
holds apprise's and urllib3's loggers at WARNING because at DEBUG they print notify URLs
whole, tokens included.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def all_log_lines() -> Iterator[list[str]]:
    lines: list[str] = []
    lock = threading.Lock()
    original = logging.Logger.handle

    def handle(self: logging.Logger, record: logging.LogRecord) -> None:
        if not self.disabled:
            try:
                line = f"{record.name} {record.levelname} {record.getMessage()}"
            except Exception:
                line = f"{record.name} {record.levelname} {record.msg!r} {record.args!r}"
            with lock:
                lines.append(line)
        original(self, record)

    root = logging.getLogger()
    level = root.level
    root.setLevel(logging.DEBUG)
    logging.Logger.handle = handle  # type: ignore[method-assign]
    try:
        yield lines
    finally:
        logging.Logger.handle = original  # type: ignore[method-assign]
        root.setLevel(level)
