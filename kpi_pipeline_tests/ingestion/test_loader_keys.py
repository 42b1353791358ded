"""A raw record's week comes from its NgayCapNhat; the per-day cache must not change which
strings place a record and which fall back to the range's first week."""

from datetime import datetime

import pytest

from kpi_pipeline.domain.calendar import week_start
from kpi_pipeline.ingestion.loader import _json_text, week_key_of


def _reference(text):  # the rule without the cache: one strptime of the whole stamp
    try:
        ts = datetime.strptime(text.strip(), "%Y%m%d%H%M%S")
    except ValueError:
        return None
    return week_start(ts.date()).isoformat() if len(text.strip()) == 14 else None


@pytest.mark.parametrize(
    "stamp",
    [
        "20241204100000",  # a Wednesday -> the Friday week starting 2024-11-29
        "20241206000000",  # a Friday: its own week starts that day
        "20241205235959",  # the Thursday before: previous week
        " 20241204100000 ",
        "20240229120000",  # leap day
        "20230229120000",  # no such day
        "20241304100000",  # month 13
        "20241204240000",  # hour 24
        "20241204106000",  # minute 60
        "2024120410000",  # 13 characters
        "2024-12-04 10:00",
        "",
    ],
)
def test_week_key_matches_a_full_parse(stamp):
    assert week_key_of(stamp) == _reference(stamp)


def test_a_friday_starts_its_week():
    assert week_key_of("20241206000000") == "2024-12-06"
    assert week_key_of("20241205235959") == "2024-11-29"


def test_non_text_and_non_ascii_digits_do_not_place_a_record():
    assert week_key_of(None) is None
    assert week_key_of(20241204100000) is None
    assert week_key_of("２０２４１２０４１０００００") is None


def test_json_text_keeps_unicode_and_integers_beyond_64_bits():
    assert _json_text({"TenNguoiNop": "Nguyễn Văn Á"}) == '{"TenNguoiNop":"Nguyễn Văn Á"}'
    assert '"SoTien": 100000000000000000000000' in _json_text({"SoTien": 10**23})
