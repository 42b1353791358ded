"""Shared steps of the ingestion tests: materialise a range, read tables, build the truth."""

from datetime import datetime

from dagster import materialize

from kpi_pipeline.domain.calendar import TZ
from kpi_pipeline.ingestion.assets import ASSETS as INGESTION_ASSETS
from kpi_pipeline.partitions import FIRST_WEEK, weekly_partitions
from kpi_pipeline.staging.assets import ASSETS as STAGING_ASSETS
from kpi_pipeline.warehouse import db

WEEKLY = [a for a in INGESTION_ASSETS + STAGING_ASSETS if a.partitions_def == weekly_partitions]
REFERENCE = [a for a in INGESTION_ASSETS if a.partitions_def is None]


def with_history_from(resources: dict, first: str) -> dict:
    """`resources` with a warehouse whose change history starts at `first` (not 2022)."""
    warehouse = resources["warehouse"]
    fields = {name: getattr(warehouse, name) for name in type(warehouse).model_fields}
    return {**resources, "warehouse": type(warehouse)(**{**fields, "history_start": first})}


def run_weeks(resources, first: str, last: str, raise_on_error: bool = True, **kwargs):
    """Reference assets, then every weekly raw and staging asset over [first, last], one run.

    On an empty warehouse whose history start was left at its default, the history is taken to
    start at `first`, so the pull reads `first` through the week in progress and no earlier.
    """
    if resources["warehouse"].history_start == FIRST_WEEK:
        resources = with_history_from(resources, first)
    ref = materialize(REFERENCE, resources=resources, raise_on_error=raise_on_error, **kwargs)
    if not ref.success:
        return ref
    return materialize(
        WEEKLY,
        resources=resources,
        tags={
            "dagster/asset_partition_range_start": first,
            "dagster/asset_partition_range_end": last,
        },
        raise_on_error=raise_on_error,
        **kwargs,
    )


def table(url: str, sql: str, params: tuple | None = None) -> list[tuple]:
    with db.connect(url) as conn:
        return conn.execute(sql, params).fetchall()


def window(first: str, last: str) -> tuple[datetime, datetime]:
    from datetime import date, timedelta

    start = datetime.combine(date.fromisoformat(first), datetime.min.time(), tzinfo=TZ)
    end = datetime.combine(
        date.fromisoformat(last) + timedelta(days=7), datetime.min.time(), tzinfo=TZ
    )
    return start, end


STAGED_DOSSIER_COLUMNS = (
    "ma_ho_so, procedure_code, unit_code, channel, digitised,"
    " to_char(received_at AT TIME ZONE 'Asia/Ho_Chi_Minh', 'YYYYMMDDHH24MISS'),"
    " to_char(due_at AT TIME ZONE 'Asia/Ho_Chi_Minh', 'YYYYMMDDHH24MISS'),"
    " to_char(finished_at AT TIME ZONE 'Asia/Ho_Chi_Minh', 'YYYYMMDDHH24MISS'),"
    " to_char(returned_at AT TIME ZONE 'Asia/Ho_Chi_Minh', 'YYYYMMDDHH24MISS'),"
    " status, late_reason, payment_method, payment_amount, payment_tx,"
    " to_char(updated_at AT TIME ZONE 'Asia/Ho_Chi_Minh', 'YYYYMMDDHH24MISS')"
)


def truth_row(item: dict) -> tuple:
    """A simulator dossier as the staging row it must become."""
    pay = item.get("ThanhToan") or {}
    return (
        item["MaHoSo"],
        item["MaTTHC"],
        item["MaDonVi"],
        item["KenhThucHien"],
        item["SoHoa"],
        item["NgayTiepNhan"],
        item["NgayHenTra"],
        item.get("NgayKetThucXuLy") or None,
        item.get("NgayTra") or None,
        item["TrangThaiHoSo"],
        item.get("LyDoTreHan") or None,
        pay.get("HinhThuc"),
        pay.get("SoTien"),
        pay.get("MaGiaoDich"),
        item["NgayCapNhat"],
    )
