"""The Friday report's indicator sections from the KPI tables (issue 15): late for subjective
reasons, and the drill-down behind a red online payment rate. SQL text in `sql/reports/`."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import date

import psycopg
from psycopg.rows import dict_row

from kpi_pipeline.reports.indicators_model import (
    LateSubjectiveRow,
    PaymentDrilldown,
    UnpaidDossier,
    WeeklyIndicators,
)
from kpi_pipeline.reports.model import ProcedureCount, UnitRow
from kpi_pipeline.warehouse.db import sql_text

TOP_PROCEDURES = 5
TOP_UNPAID = 20


def _rows(conn: psycopg.Connection, name: str, **params) -> list[dict]:
    with conn.cursor(row_factory=dict_row) as cur:
        cur.execute(sql_text(name), params)
        return cur.fetchall()


def weekly_indicators(
    conn: psycopg.Connection, week_start: date, province: UnitRow, units: Sequence[UnitRow]
) -> WeeklyIndicators:
    late, prov = [], None
    for r in _rows(
        conn,
        "reports/select_late_subjective_weekly",
        period_start=week_start,
        province=province.unit_code,
    ):
        row = LateSubjectiveRow(
            r["unit_code"],
            r["unit_name"],
            r["unit_level"],
            int(r["finished"]),
            int(r["finished_late"]),
            int(r["late_subjective"]),
        )
        if r["is_province"]:
            prov = row
        else:
            late.append(row)
    red = [u for u in units if u.online_payment_band == "red"]
    return WeeklyIndicators(
        province_finished=prov.finished if prov else 0,
        province_finished_late=prov.finished_late if prov else 0,
        province_late_subjective=prov.late_subjective if prov else 0,
        late_subjective=tuple(late),
        payment_drilldowns=payment_drilldowns(conn, week_start, red),
    )


def payment_drilldowns(
    conn: psycopg.Connection, week_start: date, red: Sequence[UnitRow]
) -> tuple[PaymentDrilldown, ...]:
    if not red:
        return ()
    codes = [u.unit_code for u in red]
    procs: dict[str, list[ProcedureCount]] = defaultdict(list)
    for r in _rows(
        conn,
        "reports/select_payment_drilldown_procedures",
        period_start=week_start,
        units=codes,
        top=TOP_PROCEDURES,
    ):
        procs[r["unit_code"]].append(
            ProcedureCount(
                r["procedure_code"], r["procedure_name"], int(r["count"]), int(r["total"])
            )
        )
    dossiers: dict[str, list[UnpaidDossier]] = defaultdict(list)
    totals: dict[str, int] = {}
    for r in _rows(
        conn,
        "reports/select_unpaid_online_dossiers",
        period_start=week_start,
        units=codes,
        top=TOP_UNPAID,
    ):
        dossiers[r["unit_code"]].append(
            UnpaidDossier(
                r["ma_ho_so"],
                r["unit_code"],
                r["procedure_code"],
                r["procedure_name"],
                r["received_at"],
                r["provincial_method"],
                r["national_status"],
            )
        )
        totals[r["unit_code"]] = int(r["total"])
    return tuple(
        PaymentDrilldown(
            u.unit_code,
            u.unit_name,
            u.online_payment_rate,
            u.paid_online,
            u.payment_eligible,
            tuple(procs[u.unit_code]),
            tuple(dossiers[u.unit_code]),
            totals.get(u.unit_code, 0),
        )
        for u in red
    )
