"""`typed_fields._ts`'s one pattern match accepts exactly the stamps its six checks accepted."""

import itertools

from kpi_pipeline.ingestion.typed_fields import _ts, _Untyped, _valid_day


def _checks(value):  # the earlier rule, check by check
    return not (
        type(value) is not str
        or len(value) != 14
        or not value.isascii()
        or not value.isdigit()
        or value[8:10] > "23"
        or value[10:12] > "59"
        or value[12:] > "59"
        or not _valid_day(value[:8])
    )


def _accepted(value):
    try:
        return _ts(value) == value[:8] + "T" + value[8:]
    except _Untyped:
        return False


def test_the_pattern_accepts_what_the_checks_accepted():
    days = ["20240229", "20230229", "20241231", "20241301", "20240100", "18991231", "21000101"]
    parts = ["00", "09", "19", "20", "23", "24", "29", "59", "60", "61", "99", "0٩", "a0", "+1"]
    values = [d + h + m + s for d, h, m, s in itertools.product(days, parts, parts, parts)]
    values += [
        "20240304100000\n", " 20240304100000", "2024030410000", "202403041000000", "",
        "２０２４0304100000", "20240304１00000", None, 20240304100000, b"20240304100000",
    ]  # fmt: skip
    assert sum(map(_accepted, values)) > 100
    for value in values:
        assert _accepted(value) == _checks(value), value
