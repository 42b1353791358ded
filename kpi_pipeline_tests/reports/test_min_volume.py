"""The minimum-volume rule and the districts' roll-up bands, against hand counts.

The KPI SQL computes the week of the reports scenario from its staging dossiers
(scenario.load_weekly), on a real PostgreSQL database. Counted by hand from the dossiers:

- Xã Trà Mai (C) finished 1 dossier, late (C-late): on-time 0/1, contract band red; below the
  minimum of 5, so "ít hồ sơ": not red in the reports, not alerted, counted.
- Huyện Nam Trà My's own desk (D) finished 5 (D-late-0..2, D-ontime, D-late-B: 1 on time),
  received 6 online-eligible dossiers (B1, B2, B3, A1, D-due-at-end, D-over-2; 1 online) and
  5 payment-eligible (the B ones; none paid): every KPI rated at 5, all red.
- The district's roll-up adds C: finished 6, on time 1.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
import yaml

from kpi_pipeline.alerts.dispatch import collect
from kpi_pipeline.alerts.model import FRIDAY
from kpi_pipeline.domain.kpi_config import DEFAULT_CONFIG_FILE, KpiConfigError, parse_kpi_config
from kpi_pipeline.domain.volume import is_low_volume, rated_overall_band
from kpi_pipeline.kpis.compute import PeriodRange, replace_table
from kpi_pipeline.reports.model import LOW_VOLUME
from kpi_pipeline.reports.queries import weekly_report_data
from kpi_pipeline.reports.summary import needed_for_target, weekly_summary
from kpi_pipeline.warehouse import db
from kpi_pipeline_tests.reports import scenario as S
from kpi_pipeline_tests.reports.warehouse_rows import at

C, D = S.C[0], S.D[0]
CONTRACT = [
    "finished",
    "finished_on_time",
    "online_eligible",
    "online_eligible_received_online",
    "payment_eligible",
    "paid_online",
    "on_time_band",
    "online_band",
    "online_payment_band",
    "overall_band",
]
RULE = [
    "on_time_low_volume",
    "online_low_volume",
    "online_payment_low_volume",
    "overall_band_rated",
    "low_volume",
]


def config(min_volume: int | None):
    data = yaml.safe_load(DEFAULT_CONFIG_FILE.read_text(encoding="utf-8"))
    if min_volume is None:
        del data["min_volume"]
    else:
        data["min_volume"] = {"dossiers": min_volume}
    return parse_kpi_config(data)


def compute(conn, min_volume: int | None) -> dict:
    week = PeriodRange(S.WEEK, S.WEEK + timedelta(days=7), "week")
    for table in ("unit_procedure_weekly", "unit_kpi_weekly"):  # the counts, then the table
        replace_table(conn, table, week, config(min_volume))
    cols = ", ".join(["unit_code", "scope", *CONTRACT, *RULE])
    rows = conn.execute(
        f"SELECT {cols} FROM kpi.unit_kpi_weekly WHERE period_start = %s", (S.WEEK,)
    ).fetchall()
    names = ["unit_code", "scope", *CONTRACT, *RULE]
    return {(r[0], r[1]): dict(zip(names, r, strict=True)) for r in rows}


@pytest.fixture
def scenario_db(database_url):
    with db.connect(database_url) as conn:
        S.load_weekly(conn, drilldown=False)
        yield conn


def test_rule_columns_against_hand_counts_and_contract_unchanged(scenario_db):
    default = compute(scenario_db, None)  # `min_volume` left out of the file: 5
    c, d, d_rollup = default[C, "unit"], default[D, "unit"], default[D, "rollup"]
    assert (c["finished"], c["finished_on_time"], c["on_time_band"]) == (1, 0, "red")
    assert c["overall_band"] == "red"  # the contract band, as kpi-tables.md defines it
    assert (c["on_time_low_volume"], c["online_low_volume"], c["low_volume"]) == (
        True,
        False,  # no dossier at all is "no data", not "low volume"
        True,
    )
    assert c["overall_band_rated"] is None
    assert (d["finished"], d["online_eligible"], d["payment_eligible"]) == (5, 6, 5)
    assert [d[k] for k in RULE] == [False, False, False, "red", False]
    assert (d_rollup["finished"], d_rollup["finished_on_time"]) == (6, 1)

    six = compute(scenario_db, 6)  # D's on-time (5) and payment (5) now too few, online (6) not
    d6 = six[D, "unit"]
    assert [d6[k] for k in RULE] == [True, False, True, "red", False]
    off = compute(scenario_db, 0)  # 0 turns the rule off
    assert off[C, "unit"]["overall_band_rated"] == "red" and not off[C, "unit"]["low_volume"]
    # the contract columns never depend on the rule
    for other in (six, off):
        assert {k: {c: r[c] for c in CONTRACT} for k, r in other.items()} == {
            k: {c: r[c] for c in CONTRACT} for k, r in default.items()
        }
    # the SQL and its Python twin agree on every row
    for r in [*default.values(), *six.values(), *off.values()]:
        pairs = [(r[f"{k}_band"], r[f"{k}_low_volume"]) for k in ("on_time", "online")]
        pairs.append((r["online_payment_band"], r["online_payment_low_volume"]))
        assert rated_overall_band(*pairs) == r["overall_band_rated"]


def test_reports_and_alerts_leave_low_volume_units_out(scenario_db):
    compute(scenario_db, 5)
    data = weekly_report_data(scenario_db, S.WEEK, generated_at=at(2024, 6, 14, 6))
    units = {u.unit_code: u for u in data.units}
    assert units[C].shown_overall == LOW_VOLUME and units[C].shown_band("on_time") == LOW_VOLUME
    assert units[C].rated_band is None and units[C].overall_band == "red"
    assert data.band_counts()[LOW_VOLUME] == 1
    assert [d.unit_code for d in data.drilldowns] == [D]  # C is not a red unit
    # the district's roll-up beside its desk, on the map too
    assert units[D].rollup.finished == 6 and units[D].rollup.rated_band == "red"
    s = weekly_summary(data)
    assert s.low_volume == 1
    # D short of the targets, by hand: on time ceil(90% x 5) - 1 = 4; online (> 50% of 6)
    # 4 - 1 = 3; payment (> 25% of 5) 2 - 0 = 2
    assert [(p.unit.unit_code, p.short, p.total) for p in s.pulling_down] == [
        (D, {"on_time": 4, "online": 3, "online_payment": 2}, 9)
    ]
    assert [x.unit.unit_code for x in s.localities] == [D]  # ranked on its roll-up
    assert s.localities[0].unit.finished == 6
    collected = collect(scenario_db, FRIDAY, S.WEEK)
    assert [a.unit_code for a in collected.alerts] == [D] and collected.low_volume == 1


def test_needed_for_target_edges():
    targets = config(5).targets
    assert needed_for_target(10, targets["on_time"]) == 9  # 90% itself is green
    assert needed_for_target(7, targets["on_time"]) == 7  # 6.3 -> 7
    assert needed_for_target(10, targets["online"]) == 6  # > 50%: 5/10 is yellow
    assert needed_for_target(8, targets["online_payment"]) == 3  # > 25%: 2/8 is yellow
    assert not is_low_volume(0, 5) and is_low_volume(4, 5) and not is_low_volume(5, 5)


def test_min_volume_config_is_validated():
    with pytest.raises(KpiConfigError, match="min_volume.dossiers"):
        config(-1)
    data = yaml.safe_load(DEFAULT_CONFIG_FILE.read_text(encoding="utf-8"))
    data["min_volume"] = {"units": 5}
    with pytest.raises(KpiConfigError, match="min_volume"):
        parse_kpi_config(data)
    assert config(None).min_volume == 5 and config(12).sql_json().count('"dossiers": 12') == 1


def test_after_the_reform_communes_are_ranked_not_districts():
    from dataclasses import replace

    from kpi_pipeline_tests.reports import samples

    report = samples.weekly_report()
    before, after = weekly_summary(report), weekly_summary(replace(report, two_tier=True))
    assert before.localities_level == "HUYEN"
    assert {x.unit.unit_level for x in before.localities} == {"HUYEN"}
    assert after.localities_level == "XA"
    assert {x.unit.unit_level for x in after.localities} == {"XA"}
    # best first: no unit ranked above one with a better rated band
    order = {"green": 0, "yellow": 1, "orange": 2, "red": 3}
    ranks = [order[x.band] for x in after.localities]
    assert ranks == sorted(ranks) and [x.rank for x in after.localities] == list(
        range(1, len(ranks) + 1)
    )
