"""The KPI configuration file: defaults of the contract, validation (the resource that
reads KPI_CONFIG_FILE: test_config_files.py)."""

from decimal import Decimal

import pytest
import yaml

from kpi_pipeline.domain.kpi_config import (
    DEFAULT_CONFIG_FILE,
    KpiConfigError,
    load_kpi_config,
    parse_kpi_config,
)


def _default() -> dict:
    return yaml.safe_load(DEFAULT_CONFIG_FILE.read_text(encoding="utf-8"))


def test_defaults_follow_the_contract():
    cfg = load_kpi_config(DEFAULT_CONFIG_FILE)
    assert (cfg.targets["on_time"].percent, cfg.targets["on_time"].strict) == (90, False)
    assert (cfg.targets["online"].percent, cfg.targets["online"].strict) == (50, True)
    assert (cfg.targets["online_payment"].percent, cfg.targets["online_payment"].strict) == (
        25,
        True,
    )
    assert {"level4_share", "digitisation"} <= set(cfg.targets)
    assert (cfg.widths.yellow_within_pp, cfg.widths.orange_within_pp) == (10, 20)
    assert cfg.peak.months == (3, 6, 9, 12)
    assert cfg.peak.online.percent == 100
    assert cfg.chiso_tolerance_pp == Decimal("0.5")
    assert isinstance(cfg.chiso_tolerance_pp, Decimal)


def test_a_file_elsewhere(tmp_path, monkeypatch):
    data = _default()
    data["targets"]["on_time"]["percent"] = "85.5"
    path = tmp_path / "kpi.yaml"
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    monkeypatch.setenv("KPI_CONFIG_FILE", str(path))
    assert load_kpi_config().source == str(DEFAULT_CONFIG_FILE)  # the domain reads no env
    cfg = load_kpi_config(path)
    assert cfg.targets["on_time"].percent == Decimal("85.5")
    assert cfg.band("on_time", 855, 1000) == "green"
    assert cfg.source == str(path)


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (lambda d: d["targets"].pop("online"), "targets: missing key(s) ['online']"),
        (lambda d: d["targets"].update(speed={"percent": 1, "strict": False}), "unknown key"),
        (lambda d: d["targets"]["on_time"].update(percent="ninety"), "targets.on_time.percent"),
        (lambda d: d["targets"]["on_time"].update(percent=120), "outside 0..100"),
        (lambda d: d["targets"]["online"].update(strict="yes"), "targets.online.strict"),
        (lambda d: d["bands"].update(yellow_within_pp=30), "must not exceed"),
        (lambda d: d["peak_months"].update(months=[13]), "peak_months.months"),
        (lambda d: d["reconciliation"].update(chiso_scope="district"), "chiso_scope"),
        (lambda d: d["drilldown"].update(top_procedures=0), "drilldown.top_procedures"),
    ],
)
def test_invalid_configuration_is_refused_clearly(edit, message):
    data = _default()
    edit(data)
    with pytest.raises(KpiConfigError, match="my.yaml") as exc:
        parse_kpi_config(data, "my.yaml")
    assert message in str(exc.value)


def test_unreadable_file(tmp_path):
    with pytest.raises(KpiConfigError, match="cannot read"):
        load_kpi_config(tmp_path / "missing.yaml")
    bad = tmp_path / "bad.yaml"
    bad.write_text("targets: [", encoding="utf-8")
    with pytest.raises(KpiConfigError, match="not valid YAML"):
        load_kpi_config(bad)
