"""Bands: exact edges, strict targets, overall band; the SQL function agrees with Python."""

from decimal import Decimal

import psycopg
import pytest

from kpi_pipeline.domain.bands import BandWidths, Target, band, overall_band, worst_band
from kpi_pipeline.domain.kpi_config import load_kpi_config

CFG = load_kpi_config()
W = BandWidths()
ON_TIME = CFG.targets["on_time"]
ONLINE = CFG.targets["online"]
PAYMENT = CFG.targets["online_payment"]

# (numerator, denominator, target, expected): percentages as exact fractions
CASES = [
    (90, 100, ON_TIME, "green"),  # on-time exactly 90% is green
    (8999, 10000, ON_TIME, "yellow"),  # 89.99%
    (80, 100, ON_TIME, "yellow"),
    (799, 1000, ON_TIME, "orange"),  # 79.9%
    (70, 100, ON_TIME, "orange"),
    (699, 1000, ON_TIME, "red"),  # 69.9%
    (1, 1, ON_TIME, "green"),
    (0, 5, ON_TIME, "red"),
    (50, 100, ONLINE, "yellow"),  # strict: 50% itself is yellow
    (501, 1000, ONLINE, "green"),  # 50.1%
    (40, 100, ONLINE, "orange"),  # strict edges: 40% is orange
    (401, 1000, ONLINE, "yellow"),  # 40.1%
    (30, 100, ONLINE, "red"),
    (301, 1000, ONLINE, "orange"),
    (25, 100, PAYMENT, "yellow"),  # 25% itself is yellow
    (251, 1000, PAYMENT, "green"),
    (5, 100, PAYMENT, "red"),  # 20 pp below a strict 25% target
    (7, 10, Target(Decimal(70)), "green"),  # on the threshold, no float drift
    (7, 10, Target(Decimal(70), strict=True), "yellow"),
    (1, 3, Target(Decimal("33.3")), "green"),  # 33.333..% >= 33.3
    (333, 1000, Target(Decimal("33.4")), "yellow"),
    (2, 3, Target(Decimal("66.67")), "yellow"),  # 66.666..% < 66.67
]


@pytest.mark.parametrize(("num", "den", "target", "expected"), CASES)
def test_band_edges(num, den, target, expected):
    assert band(num, den, target, W) == expected


def test_no_data_has_no_band():
    assert band(0, 0, ON_TIME, W) is None
    assert band(0, 0, ONLINE, W) is None


def test_float_arithmetic_would_drift_but_ours_does_not():
    # in binary floating point 57/100 * 100 is 56.99999999999999: "below" a 57% target
    assert 57 / 100 * 100 < 57
    assert band(57, 100, Target(57), W) == "green"
    assert band(7, 10, Target(70), W) == "green"
    assert band(7, 10, Target(0.7 * 100), W) == "green"  # a float target is read via its text


def test_counts_must_be_integers():
    with pytest.raises(TypeError):
        band(0.9, 1, ON_TIME, W)
    with pytest.raises(ValueError):
        band(-1, 1, ON_TIME, W)


def test_overall_is_worst_non_null():
    assert overall_band("green", "yellow", "red") == "red"
    assert overall_band("green", None, "orange") == "orange"
    assert overall_band(None, "yellow", None) == "yellow"
    assert overall_band("green", "green", "green") == "green"
    assert overall_band(None, None, None) is None
    with pytest.raises(ValueError):
        worst_band("blue")


def test_sql_band_agrees_with_python(database_url):
    cfg = CFG.sql_json()
    extra = [
        (n, d, t, None)
        for d in (0, 1, 3, 7, 10, 1000)
        for n in sorted({0, 1, d // 2, d // 3, d})
        if n <= d
        for t in (ON_TIME, ONLINE, PAYMENT, Target(Decimal("33.3")))
    ]
    with psycopg.connect(database_url) as conn:
        for num, den, target, _ in CASES + extra:
            (got,) = conn.execute(
                "SELECT kpi.band(%s, %s, %s, %s, %s, %s)",
                (num, den, target.percent, target.strict, W.yellow_within_pp, W.orange_within_pp),
            ).fetchone()
            assert got == band(num, den, target, W), (num, den, target)
        # band_for reads the same targets from the configuration document
        for kpi, target in CFG.targets.items():
            for num, den in ((90, 100), (50, 100), (25, 100), (0, 0), (2, 3), (401, 1000)):
                (got,) = conn.execute(
                    "SELECT kpi.band_for(%s, %s, %s::jsonb, %s)", (num, den, cfg, kpi)
                ).fetchone()
                assert got == band(num, den, target, W), (kpi, num, den)
        for bands in (("green", "yellow", "red"), (None, "orange", "green"), (None, None, None)):
            (got,) = conn.execute("SELECT kpi.worst_band(%s, %s, %s)", bands).fetchone()
            assert got == overall_band(*bands)


def test_sql_band_refuses_a_missing_target(database_url):
    with psycopg.connect(database_url) as conn, pytest.raises(psycopg.errors.RaiseException):
        conn.execute("SELECT kpi.band_for(1, 2, '{}'::jsonb, 'on_time')")
