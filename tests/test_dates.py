from datetime import date

from parsers.dates import parse_date, parse_financial_year, parse_month_range, parse_range
from parsers.records import DateRange


def test_single_dates():
    assert parse_date("29 January 2019") == date(2019, 1, 29)
    assert parse_date("by 6 March 2019, 70 working days") == date(2019, 3, 6)
    assert parse_date("Report published: 8 Aug 2014") == date(2014, 8, 8)
    assert parse_date("31 February 2019") is None


def test_ranges_in_every_form_the_documents_use():
    assert parse_range("Between 3 December 2018 and 7 December 2018, Ofsted") == DateRange(date(2018, 12, 3), date(2018, 12, 7))
    assert parse_range("Between 24 and 28 September 2018") == DateRange(date(2018, 9, 24), date(2018, 9, 28))
    assert parse_range("Inspection date: 3 June 2014 - 25 June 2014") == DateRange(date(2014, 6, 3), date(2014, 6, 25))
    assert parse_range("21 November to 15 December 2016") == DateRange(date(2016, 11, 21), date(2016, 12, 15))
    assert parse_range("11 January 2016–4 February 2016") == DateRange(date(2016, 1, 11), date(2016, 2, 4))
    assert parse_range("18 Feb 2014 – 12 March 2014") == DateRange(date(2014, 2, 18), date(2014, 3, 12))
    assert parse_range("15 – 19 July 2013") == DateRange(date(2013, 7, 15), date(2013, 7, 19))


def test_periods():
    assert parse_month_range("April 2015 - March 2016") == DateRange(date(2015, 4, 1), date(2016, 3, 31))
    assert parse_financial_year("Annual report 2015/16") == DateRange(date(2015, 4, 1), date(2016, 3, 31))
    assert parse_financial_year("2015-2016") == DateRange(date(2015, 4, 1), date(2016, 3, 31))
    assert parse_financial_year("2015-2018") is None
