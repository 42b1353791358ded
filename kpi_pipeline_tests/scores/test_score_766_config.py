"""The 766-style score's configuration and its exact arithmetic (no database)."""

from __future__ import annotations

import copy
from decimal import Decimal

import pytest
import yaml

from kpi_pipeline.domain.score_766 import (
    COMPONENTS,
    DECISION_GROUPS,
    DEFAULT_FILE,
    ScoreConfigError,
    load_score_config,
    parse_score_config,
    points,
)


@pytest.fixture
def raw() -> dict:
    return yaml.safe_load(DEFAULT_FILE.read_text(encoding="utf-8"))


def test_packaged_config_loads_and_names_its_source():
    text = DEFAULT_FILE.read_text(encoding="utf-8")
    assert "Decision 766/QĐ-TTg" in text and "23 June 2022" in text
    assert "PROJECT'S READING" in text
    config = load_score_config()
    assert set(config.components) == set(COMPONENTS)
    assert config.components["online"].full_at_percent == 50
    for name in ("on_time", "online_payment", "digitisation"):
        assert config.components[name].full_at_percent == 80


def test_weights_sum_to_the_total_and_groups_stay_within_the_decision():
    config = load_score_config()
    assert sum(c.points for c in config.components.values()) == config.total_points == 64
    for group, maximum in config.groups.items():
        assert maximum <= DECISION_GROUPS[group]
        assert sum(c.points for c in config.components.values() if c.group == group) <= maximum
    assert sum(DECISION_GROUPS.values()) == 100


def test_weights_not_summing_to_the_total_are_refused(raw):
    raw["components"]["online"]["points"] = 12
    with pytest.raises(ScoreConfigError, match="sum to 65, not total_points 64"):
        parse_score_config(raw)


def test_a_group_above_its_maximum_is_refused(raw):
    bad = copy.deepcopy(raw)
    bad["components"]["online"]["points"] = 12
    bad["components"]["online_payment"]["points"] = 11
    bad["total_points"] = 65
    with pytest.raises(ScoreConfigError, match="online_service have 23 points"):
        parse_score_config(bad)
    bad = copy.deepcopy(raw)
    bad["groups"]["progress"] = 21
    with pytest.raises(ScoreConfigError, match="exceeds the decision's 20"):
        parse_score_config(bad)


@pytest.mark.parametrize(
    "path, value, message",
    [
        (("components", "online", "full_at_percent"), 0, "positive"),
        (("components", "online", "full_at_percent"), 101, "above 100"),
        (("components", "online", "points"), "x", "not a number"),
        (("components", "online", "group"), "nope", "not one of groups"),
        (("comparison", "scope"), "province", "expected one of"),
        (("comparison", "top_units"), 0, "1..500"),
    ],
)
def test_invalid_values_are_refused_naming_the_key(raw, path, value, message):
    node = raw
    for key in path[:-1]:
        node = node[key]
    node[path[-1]] = value
    with pytest.raises(ScoreConfigError, match=message):
        parse_score_config(raw, source="f.yaml")


def test_missing_and_unknown_keys_are_refused(raw):
    del raw["components"]["digitisation"]
    with pytest.raises(ScoreConfigError, match=r"missing key\(s\) \['digitisation'\]"):
        parse_score_config(raw)


def test_decimal_thresholds_are_exact(raw):
    raw["components"]["online"]["full_at_percent"] = 33.3
    config = parse_score_config(raw)
    assert config.components["online"].full_at_percent == Decimal("33.3")
    assert config.points("online", 333, 1000) == Decimal(11)  # exactly at 33.3%
    assert config.points("online", 332, 1000) < 11


# -- points: linear up to the threshold, exact at it -----------------------------------------


@pytest.mark.parametrize(
    "num, den, weight, full, expected",
    [
        (80, 100, 20, 80, "20"),  # exactly at the threshold
        (4, 5, 20, 80, "20"),  # 80% as another fraction
        (79, 100, 20, 80, "19.75"),  # just below
        (799, 1000, 20, 80, "19.975"),
        (7999999, 10000000, 20, 80, "19.9999"),  # truncated, never rounded up to full
        (95, 100, 20, 80, "20"),  # above: capped
        (1, 1, 20, 80, "20"),
        (0, 10, 20, 80, "0"),  # no on-time dossier: zero points
        (1, 2, 11, 50, "11"),  # online: full at 50%
        (49, 100, 11, 50, "10.78"),
        (1, 3, 11, 50, "7.3333"),  # 7.333… truncated
        (Decimal("79.9"), 100, 20, 80, "19.975"),  # a published percentage
        (Decimal("80.0"), 100, 20, 80, "20"),
    ],
)
def test_points(num, den, weight, full, expected):
    assert points(num, den, weight, full) == Decimal(expected)


def test_zero_denominator_gives_no_points_not_zero():
    assert points(0, 0, 20, 80) is None
    assert points(None, 10, 20, 80) is None
