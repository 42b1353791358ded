"""Units whose band changes between two periods, with recipients and the dossiers behind the
drill-down tables.

| unit | previous | now | alert |
|---|---|---|---|
| Sở Tư pháp (SO) | red | red | stayed red |
| Huyện Nam Trà My (D) | green | red | turned red |
| Xã Trà Tập (E, commune of D) | yellow | red | turned red; no own recipient: D's e-mail |
| Xã Trà Mai (C) | green | green | none |
| Xã Trà Cang (Z) | red | green | none |
"""

from __future__ import annotations

from datetime import date, timedelta

import yaml

from kpi_pipeline_tests.reports.scenario import PROC_A, PROC_B, SO, C, D, E, P
from kpi_pipeline_tests.reports.warehouse_rows import (
    at,
    ensure_kpi_tables,
    fill_drilldown,
    insert_dossiers,
    insert_kpi_rows,
    insert_procedures,
    insert_units,
    kpi_row,
)

Z = ("000.46.23.H47", "Xã Trà Cang", "XA", D[0])
WEEK = date(2024, 6, 7)
PREVIOUS_WEEK = WEEK - timedelta(days=7)
MONTH, PREVIOUS_MONTH = date(2024, 6, 1), date(2024, 5, 1)

ON_TIME = {"red": 5, "yellow": 8, "green": 10}  # finished on time out of 10 (online is green)
BANDS = {  # unit: (previous, now)
    SO: ("red", "red"),
    D: ("green", "red"),
    E: ("yellow", "red"),
    C: ("green", "green"),
    Z: ("red", "green"),
}

TOKEN = "zalo-oa-secret-token-8f3a"
PASSWORD = "smtp-secret-password-77"


def rows(period: date, which: int) -> list[dict]:
    out = [kpi_row(period, P)]
    for unit, bands in BANDS.items():
        out.append(
            kpi_row(
                period,
                unit,
                finished=10,
                finished_on_time=ON_TIME[bands[which]],
                online_eligible=10,
                online_eligible_received_online=6,
                received=12,
                digitised=3,
                overdue_open=1,
            )
        )
    return out


def load(conn) -> None:
    ensure_kpi_tables(conn)
    insert_kpi_rows(conn, "unit_kpi_weekly", rows(PREVIOUS_WEEK, 0) + rows(WEEK, 1))
    insert_kpi_rows(conn, "unit_kpi_monthly", rows(PREVIOUS_MONTH, 0) + rows(MONTH, 1))
    insert_units(conn, [P, *BANDS])
    insert_procedures(conn, [PROC_A, PROC_B])
    insert_dossiers(
        conn,
        [
            {
                "ma_ho_so": f"D-late-{k}",
                "procedure_code": PROC_A[0],
                "unit_code": D[0],
                "received_at": at(2024, 6, 3),
                "due_at": at(2024, 6, 6),
                "finished_at": at(2024, 6, 10),
                "status": 10,
            }
            for k in range(2)
        ]
        + [
            {
                "ma_ho_so": "D-over-1",
                "procedure_code": PROC_B[0],
                "unit_code": D[0],
                "received_at": at(2024, 5, 20),
                "due_at": at(2024, 5, 23),
            }
        ],
    )
    # the drill-down tables the alerts read, computed from these dossiers by the KPI SQL
    fill_drilldown(conn, "week", WEEK)
    fill_drilldown(conn, "month", MONTH)


RECIPIENTS = {
    "default": {"email": [], "webhook": ["zalo-vanphong"]},
    "units": {
        SO[0]: {"email": ["sotuphap@example.vn"], "webhook": [{"user_id": "zalo-so"}]},
        D[0]: {"email": ["namtramy@example.vn"]},
        C[0]: {"email": ["tramai@example.vn"]},
    },
}


def write_recipients(path) -> str:
    path.write_text(yaml.safe_dump(RECIPIENTS, allow_unicode=True), encoding="utf-8")
    return str(path)
