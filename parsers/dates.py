"""Dates as English inspection documents write them.

"29 January 2019", "8 Aug 2014", "Between 24 and 28 September 2018", "3 June 2014 - 25 June
2014", "21 November to 15 December 2016", "11 January 2016–4 February 2016", "April 2015 -
March 2016". One module so every parser reads dates the same way and a new form is taught
once.
"""

from __future__ import annotations

import calendar
import re
from datetime import date

from .records import DateRange

_MONTHS = {name.lower(): i for i, name in enumerate(calendar.month_name) if name}
_MONTHS.update({name.lower(): i for i, name in enumerate(calendar.month_abbr) if name})
_MONTHS["sept"] = 9

MONTH = r"(?:January|February|March|April|May|June|July|August|September|October|November|December|Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sept|Sep|Oct|Nov|Dec)\.?"
DAY = r"(?:[0-3]?\d)(?:st|nd|rd|th)?"
YEAR = r"(?:19|20)\d\d"
DATE = rf"{DAY}\s+{MONTH},?\s+{YEAR}"
_DATE_RE = re.compile(rf"\b({DAY})\s+({MONTH}),?\s+({YEAR})\b", re.I)
_SEP = r"\s*(?:-|–|—|to|and|until)\s*"

# "3 December 2018 and 7 December 2018", "21 November to 15 December 2016", "24 and 28 September 2018"
_RANGE_RE = re.compile(
    rf"\b({DAY})(?:\s+({MONTH}))?(?:,?\s+({YEAR}))?{_SEP}({DAY})\s+({MONTH}),?\s+({YEAR})\b",
    re.I,
)
_MONTH_RANGE_RE = re.compile(rf"\b({MONTH})\s+({YEAR}){_SEP}({MONTH})\s+({YEAR})\b", re.I)
_FY_RE = re.compile(rf"\b({YEAR})\s*(?:/|-|–|to)\s*(\d\d|{YEAR})\b")


def _month(name: str) -> int:
    return _MONTHS[name.lower().rstrip(".")]


def _day(text: str) -> int:
    return int(re.match(r"\d+", text).group(0))  # type: ignore[union-attr]


def _make(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None


def parse_date(text: str) -> date | None:
    """The first full date in ``text`` ("29 January 2019"), or None."""
    for m in _DATE_RE.finditer(text):
        d = _make(int(m.group(3)), _month(m.group(2)), _day(m.group(1)))
        if d:
            return d
    return None


def all_dates(text: str) -> list[date]:
    out = []
    for m in _DATE_RE.finditer(text):
        d = _make(int(m.group(3)), _month(m.group(2)), _day(m.group(1)))
        if d:
            out.append(d)
    return out


def parse_range(text: str) -> DateRange | None:
    """The first day range in ``text``; a missing month or year is taken from the end date."""
    for m in _RANGE_RE.finditer(text):
        d1, m1, y1, d2, m2, y2 = m.groups()
        end = _make(int(y2), _month(m2), _day(d2))
        if not end:
            continue
        start_month = _month(m1) if m1 else end.month
        start_year = int(y1) if y1 else end.year
        if not y1 and start_month > end.month:
            start_year -= 1  # "21 November to 15 January 2017"
        start = _make(start_year, start_month, _day(d1))
        if start and start <= end:
            return DateRange(start, end)
    return None


def parse_month_range(text: str) -> DateRange | None:
    """A period of whole months: "April 2015 - March 2016" -> 2015-04-01..2016-03-31."""
    m = _MONTH_RANGE_RE.search(text)
    if m:
        m1, y1, m2, y2 = m.groups()
        start = date(int(y1), _month(m1), 1)
        end_month, end_year = _month(m2), int(y2)
        end = date(end_year, end_month, calendar.monthrange(end_year, end_month)[1])
        if start <= end:
            return DateRange(start, end)
    return None


def parse_financial_year(text: str) -> DateRange | None:
    """"2015/16", "2015-16", "2015-2016" as an English financial year (April to March)."""
    for m in _FY_RE.finditer(text):
        y1 = int(m.group(1))
        tail = m.group(2)
        y2 = int(tail) if len(tail) == 4 else (y1 // 100) * 100 + int(tail)
        if y2 == y1 + 1:
            return DateRange(date(y1, 4, 1), date(y2, 3, 31))
    return None
