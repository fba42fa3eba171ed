"""parse_date_range: the dates archives write, read as ranges of whole days."""
from __future__ import annotations

import pytest

from indexer.mapping.dates import parse_date_range


def test_iso_day_is_a_range_of_that_one_day():
    assert parse_date_range("1976-03-05") == ("1976-03-05", "1976-03-05")


def test_iso_day_with_a_time_keeps_only_the_day():
    assert parse_date_range("1976-03-05T10:30:00Z") == ("1976-03-05", "1976-03-05")


def test_iso_day_without_leading_zeros_is_read():
    assert parse_date_range("1976-3-5") == ("1976-03-05", "1976-03-05")


def test_year_covers_the_whole_year():
    assert parse_date_range("1976") == ("1976-01-01", "1976-12-31")


def test_iso_month_covers_the_whole_month():
    assert parse_date_range("1976-04") == ("1976-04-01", "1976-04-30")


@pytest.mark.parametrize(
    ("text", "last_day"),
    [("1976-02", "1976-02-29"), ("1977-02", "1977-02-28"), ("2000-02", "2000-02-29"), ("1900-02", "1900-02-28")],
)
def test_february_ends_on_its_last_day_in_leap_and_common_years(text, last_day):
    assert parse_date_range(text) == (text + "-01", last_day)


def test_month_slash_year_covers_the_month():
    assert parse_date_range("03/1976") == ("1976-03-01", "1976-03-31")


def test_day_month_year_is_read_day_first_as_vietnamese_write_it():
    assert parse_date_range("05/03/1976") == ("1976-03-05", "1976-03-05")


def test_day_month_year_with_dots_is_read_like_slashes():
    assert parse_date_range("05.03.1976") == ("1976-03-05", "1976-03-05")


@pytest.mark.parametrize("text", ["năm 1980", "Năm 1980", "năm 1980."])
def test_nam_year_covers_the_whole_year(text):
    assert parse_date_range(text) == ("1980-01-01", "1980-12-31")


def test_thang_nam_covers_the_month():
    assert parse_date_range("tháng 3 năm 1976") == ("1976-03-01", "1976-03-31")


def test_ngay_thang_nam_is_one_day():
    assert parse_date_range("ngày 5 tháng 3 năm 1976") == ("1976-03-05", "1976-03-05")


def test_iso_interval_runs_from_its_first_day_to_its_last():
    assert parse_date_range("1975-01-01/1980-12-31") == ("1975-01-01", "1980-12-31")


def test_iso_interval_of_one_day_is_that_day():
    assert parse_date_range("1976-03-05/1976-03-05") == ("1976-03-05", "1976-03-05")


@pytest.mark.parametrize("text", ["1975-1980", "1975 - 1980", "1975–1980", "1975—1980", "1975 đến 1980", "1975/1980"])
def test_year_span_runs_from_first_january_to_last_december(text):
    assert parse_date_range(text) == ("1975-01-01", "1980-12-31")


def test_span_of_months_runs_from_the_first_month_start_to_the_last_month_end():
    assert parse_date_range("01/1975 - 12/1980") == ("1975-01-01", "1980-12-31")


def test_surrounding_and_repeated_whitespace_is_ignored():
    assert parse_date_range("  tháng   3  năm 1976 ") == ("1976-03-01", "1976-03-31")


@pytest.mark.parametrize("text", [None, "", "   ", "garbage", "không rõ", "19761", "76", "3/1976/1980"])
def test_text_that_is_no_date_gives_none(text):
    assert parse_date_range(text) is None


@pytest.mark.parametrize(
    "text",
    ["2021-02-30", "1976-02-30", "2021-13-01", "2021-00", "1976-00-10", "13/1976", "30/02/1976",
     "tháng 13 năm 1976", "ngày 31 tháng 2 năm 1976"],
)
def test_impossible_calendar_dates_give_none(text):
    assert parse_date_range(text) is None


@pytest.mark.parametrize("text", ["0999", "2101", "0999-05-01", "05/2101"])
def test_years_outside_the_archival_range_give_none(text):
    assert parse_date_range(text) is None


@pytest.mark.parametrize("text", ["1980-1975", "1980-12-31/1975-01-01"])
def test_interval_that_ends_before_it_starts_gives_none(text):
    assert parse_date_range(text) is None


def test_interval_with_an_unreadable_end_gives_none():
    assert parse_date_range("1975-01-01/garbage") is None


@pytest.mark.parametrize("text, expected", [
    ("Nov. 29, 1949 - April 8, 1950", ("1949-11-29", "1950-04-08")),
    ("29 November 1949", ("1949-11-29", "1949-11-29")),
    ("Sept. 3, 1950", ("1950-09-03", "1950-09-03")),
    ("November 1949", ("1949-11-01", "1949-11-30")),
    ("ca. 1945", ("1945-01-01", "1945-12-31")),
    ("circa 1920 - 1930", ("1920-01-01", "1930-12-31")),
    ("[1945?]", ("1945-01-01", "1945-12-31")),
    ("1940s", ("1940-01-01", "1949-12-31")),
    ("1975 to 1980", ("1975-01-01", "1980-12-31")),
    ("1929-", ("1929-01-01", "1929-12-31")),  # open: kept as the year it begins
    ("Nov. 29, 1949 -April 8, 1950", ("1949-11-29", "1950-04-08")),  # NYU's wnyu.xml: dash spaced on one side
    ("1949- 1950", ("1949-01-01", "1950-12-31")),
    ("1851, 1882, 1884", ("1851-01-01", "1884-12-31")),  # a list spans its earliest to its latest
])
def test_english_dates_of_real_finding_aids(text, expected):
    """ArchivesSpace and AtoM write dates in English; 39 of 41 in one finding aid were not read (issue 15)."""
    assert parse_date_range(text) == expected


@pytest.mark.parametrize("text", ["undated", "Foo 12, 1950", "Feb. 30, 1950", "n.d.", "1950 -1940", "1947, undated",
                                  "Oct. 11, 1964 -May"])
def test_what_is_not_an_english_date_stays_unread(text):
    assert parse_date_range(text) is None
