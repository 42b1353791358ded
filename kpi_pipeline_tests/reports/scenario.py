"""A small province in the warehouse: KPI rows for 13 weeks and five peak months, and the
staging dossiers behind the drill-down, from which the KPI SQL computes the drill-down tables."""

from __future__ import annotations

from datetime import date, timedelta

import psycopg

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

P = ("000.00.00.H47", "Tỉnh Quảng Nam", "TINH", None)
SO = ("000.00.10.H47", "Sở Tư pháp", "SO_NGANH", P[0])
D = ("000.00.46.H47", "Huyện Nam Trà My", "HUYEN", P[0])
C = ("000.46.21.H47", "Xã Trà Mai", "XA", D[0])
E = ("000.46.22.H47", "Xã Trà Tập", "XA", D[0])

WEEK = date(2024, 6, 7)
WEEKS = [WEEK - timedelta(weeks=12 - i) for i in range(13)]

PROC_A = ("1.001612.000.00.00.H47", "Đăng ký khai sinh", 3, True, False, False)
PROC_B = ("2.000889.000.00.00.H47", "Cấp giấy chứng nhận quyền sử dụng đất", 4, True, True, True)
PROC_L = ("1.000001.000.00.00.H47", "Cung cấp thông tin quy hoạch", 2, False, False, False)


def _sum(rows: list[dict], unit: tuple, period: date) -> dict:
    from kpi_pipeline_tests.reports.warehouse_rows import ADDED, COUNTS

    counts = {k: sum(r[k] for r in rows) for k in COUNTS + ADDED}
    return kpi_row(period, unit, scope="rollup", **counts)


def weekly_kpi_rows(d_band_now: str = "red") -> list[dict]:
    rows = []
    for i, w in enumerate(WEEKS):
        last = i == len(WEEKS) - 1
        so = kpi_row(
            w,
            SO,
            finished=10,
            finished_on_time=10,
            online_eligible=10,
            online_eligible_received_online=6,
            payment_eligible=4,
            paid_online=2,
            received=12,
            digitised=6,
        )
        d_on_time = 8 if i % 2 == 0 else 10
        if last:
            d_on_time = {"red": 5, "orange": 7}[d_band_now]
        d = kpi_row(
            w,
            D,
            finished=10,
            finished_on_time=d_on_time,
            online_eligible=10,
            online_eligible_received_online=6,
            received=15,
            overdue_open=2,
        )
        week_rows = [so, d, kpi_row(w, E)]
        if i >= 2:  # Xã Trà Mai has rows from the third week on, zero counts that week
            c = (
                kpi_row(w, C)
                if i == 2
                else kpi_row(w, C, finished=10, finished_on_time=7 if last else 9, received=5)
            )
            week_rows.append(c)
        rows += week_rows
        rows.append(kpi_row(w, P, scope="unit"))  # the province's own desk: not a report row
        rows.append(_sum([r for r in week_rows if r["unit_code"] != SO[0]], D, w))
        if i >= 3:  # the province roll-up exists for the last 10 weeks only
            rows.append(_sum(week_rows, P, w))
    return rows


def load_weekly(conn: psycopg.Connection, drilldown: bool = True) -> None:
    """KPI rows (hand-made), units, procedures, holidays and staging dossiers; with `drilldown`,
    also the week's drill-down tables computed from them (else materialise the KPI assets)."""
    ensure_kpi_tables(conn)
    insert_kpi_rows(conn, "unit_kpi_weekly", weekly_kpi_rows())
    insert_units(conn, [P, SO, D, C, E])
    insert_procedures(conn, [PROC_A, PROC_B, PROC_L])
    conn.execute(
        "INSERT INTO ref.holidays (day, year, name, kind) VALUES"
        " ('2024-06-03', 2024, 'Nghỉ bù (thử)', 'BU'), ('2024-06-08', 2024, 'Làm bù (thử)', 'LAM_BU')"
    )
    a, b, lv = PROC_A[0], PROC_B[0], PROC_L[0]
    u = D[0]
    dossiers = [
        # finished in the week: 3 late + 1 on time for A, 1 late for B; one late before the week
        *[
            {
                "ma_ho_so": f"D-late-{k}",
                "procedure_code": a,
                "unit_code": u,
                "received_at": at(2024, 6, 3),
                "due_at": at(2024, 6, 6),
                "finished_at": at(2024, 6, 10),
                "status": 10,
            }
            for k in range(3)
        ],
        {
            "ma_ho_so": "D-ontime",
            "procedure_code": a,
            "unit_code": u,
            "received_at": at(2024, 6, 5),
            "due_at": at(2024, 6, 12),
            "finished_at": at(2024, 6, 11),
            "status": 9,
        },
        {
            "ma_ho_so": "D-late-B",
            "procedure_code": b,
            "unit_code": u,
            "received_at": at(2024, 6, 3),
            "due_at": at(2024, 6, 5),
            "finished_at": at(2024, 6, 7, 10),
            "status": 9,
        },
        {
            "ma_ho_so": "D-late-old",
            "procedure_code": b,
            "unit_code": u,
            "received_at": at(2024, 5, 27),
            "due_at": at(2024, 5, 30),
            "finished_at": at(2024, 6, 5),
            "status": 9,
        },
        # received in the week
        {
            "ma_ho_so": "D-rcv-B1",
            "procedure_code": b,
            "unit_code": u,
            "channel": 1,
            "received_at": at(2024, 6, 10),
            "due_at": at(2024, 6, 20),
        },
        {
            "ma_ho_so": "D-rcv-B2",
            "procedure_code": b,
            "unit_code": u,
            "channel": 1,
            "received_at": at(2024, 6, 11),
            "due_at": at(2024, 6, 20),
        },
        {
            "ma_ho_so": "D-rcv-B3",
            "procedure_code": b,
            "unit_code": u,
            "channel": 2,
            "received_at": at(2024, 6, 11),
            "due_at": at(2024, 6, 20),
        },
        {
            "ma_ho_so": "D-rcv-B4",
            "procedure_code": b,
            "unit_code": u,
            "channel": 1,
            "status": 3,
            "received_at": at(2024, 6, 11),
            "due_at": at(2024, 6, 20),
        },
        {
            "ma_ho_so": "D-rcv-A1",
            "procedure_code": a,
            "unit_code": u,
            "channel": 3,
            "received_at": at(2024, 6, 12),
            "due_at": at(2024, 6, 20),
        },
        {
            "ma_ho_so": "D-rcv-L1",
            "procedure_code": lv,
            "unit_code": u,
            "channel": 1,
            "received_at": at(2024, 6, 12),
            "due_at": at(2024, 6, 20),
        },
        # overdue and open at the week's end (Friday 14 June 00:00)
        {
            "ma_ho_so": "D-over-1",
            "procedure_code": a,
            "unit_code": u,
            "received_at": at(2024, 5, 20),
            "due_at": at(2024, 5, 23),
        },
        {
            "ma_ho_so": "D-over-2",
            "procedure_code": b,
            "unit_code": u,
            "received_at": at(2024, 6, 7),
            "due_at": at(2024, 6, 12),
            "finished_at": at(2024, 6, 20),
            "status": 10,
        },
        {
            "ma_ho_so": "D-withdrawn",
            "procedure_code": b,
            "unit_code": u,
            "status": 7,
            "received_at": at(2024, 5, 27),
            "due_at": at(2024, 6, 1),
        },
        {
            "ma_ho_so": "D-due-at-end",
            "procedure_code": b,
            "unit_code": u,
            "received_at": at(2024, 6, 10),
            "due_at": at(2024, 6, 14, 0),
        },
        # an orange unit's late dossier: not drilled into
        {
            "ma_ho_so": "C-late",
            "procedure_code": a,
            "unit_code": C[0],
            "received_at": at(2024, 6, 3),
            "due_at": at(2024, 6, 6),
            "finished_at": at(2024, 6, 10),
            "status": 10,
        },
    ]
    insert_dossiers(conn, dossiers)
    if drilldown:
        fill_drilldown(conn, "week", WEEK)


# -- peak months -----------------------------------------------------------------------------

PEAK_MONTHS = [
    date(2023, 12, 1),
    date(2024, 3, 1),
    date(2024, 6, 1),
    date(2024, 9, 1),
    date(2024, 12, 1),
]


def so_online(month: date) -> int:
    """Sở Tư pháp's online dossiers out of 20: all of them in June and December 2024."""
    return (
        20 if month in (date(2024, 6, 1), date(2024, 12, 1)) else 20 - PEAK_MONTHS.index(month) - 1
    )


def d_online(month: date) -> int:
    return 10 + PEAK_MONTHS.index(month)


# (finished late, of them CHU_QUAN) per unit in each peak month (finished 10 for SO and D, 5
# for C): SO one objective late in June and one subjective in March; D two late every month,
# subjective in June only; C none.
LATE = {
    (date(2024, 6, 1), SO[0]): (1, 0),
    (date(2024, 3, 1), SO[0]): (1, 1),
    (date(2024, 6, 1), D[0]): (2, 2),
}


def _peak_row(month: date, unit: tuple, finished: int, **counts) -> dict:
    late, subjective = LATE.get((month, unit[0]), (2, 0) if unit == D else (0, 0))
    return kpi_row(
        month,
        unit,
        finished=finished,
        finished_on_time=finished - late,
        finished_late_subjective=subjective,
        **counts,
    )


def load_peak_months(conn: psycopg.Connection) -> None:
    ensure_kpi_tables(conn)
    rows = []
    for m in PEAK_MONTHS:
        units = [
            _peak_row(m, SO, 10, online_eligible=20, online_eligible_received_online=so_online(m)),
            _peak_row(m, D, 10, online_eligible=40, online_eligible_received_online=d_online(m)),
            _peak_row(m, C, 5),
        ]
        rows += units + [_sum(units, P, m)]
    insert_kpi_rows(conn, "unit_kpi_monthly", rows)
