"""The report assets: thin wrappers that query, render and publish (see `publish.py` for how an
issued report is kept as issued).

- `reports/friday_report`, weekly partitions: `<artifact store>/reports/weekly/<week>/
  bao-cao-tuan-<week>.html|.xlsx|.png`, the week being the partition key (its Friday).
- `reports/peak_month_report`, monthly partitions: `<artifact store>/reports/peak-month/<YYYY-MM>/
  bao-cao-thang-cao-diem-<YYYY-MM>.html|.xlsx`. It shares the monthly partitions (so the
  monthly job, which takes every monthly asset, can hold it); for a month that is not a peak
  month it writes nothing and records "not a peak month" in the materialisation's metadata.

A period not yet ended when the asset runs (the peak-month daily monitoring asks for the
week and month in progress) gets a provisional report, never an issued version.
"""

from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import date, datetime

import psycopg
from dagster import (
    AssetExecutionContext,
    AssetKey,
    BackfillPolicy,
    MaterializeResult,
    MetadataValue,
    asset,
)

from kpi_pipeline.artifact_links import with_urls
from kpi_pipeline.artifacts import ArtifactStoreResource
from kpi_pipeline.config_files import ConfigFilesResource
from kpi_pipeline.domain.calendar import TZ, is_peak_month, month_window, week_window
from kpi_pipeline.domain.headline import HEADLINE
from kpi_pipeline.partitions import monthly_partitions, weekly_partitions
from kpi_pipeline.reports import labels as L
from kpi_pipeline.reports.publish import Publication, publish
from kpi_pipeline.reports.queries import peak_month_report_data, weekly_report_data
from kpi_pipeline.reports.render import (
    peak_month_markdown,
    render_peak_month,
    render_weekly,
    weekly_markdown,
)
from kpi_pipeline.warehouse.resource import WarehouseResource

# What each report reads: KPI tables only. The Friday report's drill-down comes from the
# weekly drill-down tables (queries.read_red_unit_drilldowns); the end-of-peak-month report
# shows none, its late counts are columns of kpi.unit_kpi_monthly.
WEEKLY_KPIS = [
    AssetKey(["kpi", "unit_kpi_weekly"]),
    AssetKey(["kpi", "drilldown_procedures_weekly"]),
    AssetKey(["kpi", "overdue_dossiers_weekly"]),
    # late for subjective reasons is a column of unit_kpi_weekly; the payment drill-down:
    AssetKey(["kpi", "drilldown_payments_weekly"]),
    AssetKey(["kpi", "unpaid_online_dossiers_weekly"]),
]
MONTHLY_KPIS = [AssetKey(["kpi", "unit_kpi_monthly"])]


def _now() -> datetime:
    return datetime.now(TZ)


@contextmanager
def _snapshot(warehouse: WarehouseResource):
    """One read-only, repeatable-read transaction: every query of a report sees the same
    data, even if a KPI partition is replaced meanwhile."""
    with warehouse.connect() as conn:
        conn.isolation_level = psycopg.IsolationLevel.REPEATABLE_READ
        conn.read_only = True
        with conn.transaction():
            yield conn


@asset(
    key=AssetKey(["reports", "friday_report"]),
    partitions_def=weekly_partitions,
    backfill_policy=BackfillPolicy.single_run(),
    group_name="reports",
    kinds={"html", "excel"},
    deps=WEEKLY_KPIS,
    description="The Friday report of the week: HTML, Excel workbook and trend chart, kept as issued.",
)
def friday_report(
    context: AssetExecutionContext,
    warehouse: WarehouseResource,
    artifacts: ArtifactStoreResource,
    config_files: ConfigFilesResource,
) -> MaterializeResult:
    config = config_files.kpi()  # the deployment's file, read once for the range

    def read(conn, week: date, now: datetime, provisional: bool):
        return weekly_report_data(
            conn, week, generated_at=now, provisional=provisional, config=config
        )

    return publish_periods(context, warehouse, artifacts, FRIDAY, read)


@asset(
    key=AssetKey(["reports", "peak_month_report"]),
    partitions_def=monthly_partitions,
    backfill_policy=BackfillPolicy.single_run(),
    group_name="reports",
    kinds={"html", "excel"},
    deps=MONTHLY_KPIS,
    description="End-of-peak-month report (March, June, September, December): who met the"
    " peak-month targets, against the previous peak month. Other months: nothing to report.",
)
def peak_month_report(
    context: AssetExecutionContext, warehouse: WarehouseResource, artifacts: ArtifactStoreResource
) -> MaterializeResult:
    done, skipped = [], []
    for key in context.partition_keys:
        month = date.fromisoformat(key)
        if not is_peak_month(month):
            skipped.append(key)
            continue
        done.append(publish_period(context, warehouse, artifacts, PEAK_MONTH, key, _read_peak))
    metadata = _metadata(done, artifacts) if done else {}
    metadata["peak_month"] = bool(done)
    if skipped:
        note = (
            f"Không phải tháng cao điểm ({', '.join(skipped)}): không có báo cáo kết thúc tháng"
            " cao điểm."
        )
        metadata["not_peak_months"] = MetadataValue.json(skipped)
        metadata["note"] = MetadataValue.text(note)
        context.log.info(note)
    return MaterializeResult(metadata=metadata)


def _weekly_figures(data) -> dict:
    counts = data.band_counts()
    return {
        "units": len(data.units),
        **{f"units_{b or 'no_data'}": n for b, n in counts.items()},
        **{f"province_{k.rate}": getattr(data.province, k.rate) for k in HEADLINE},
    }


def _peak_month_figures(data) -> dict:
    summary = data.summary()
    return {
        "units": len(data.units),
        "units_met_online": summary["online"]["met"],
        "units_met_no_subjective_late": summary["late"]["met"],
        "units_met_all": summary["all"]["met"],
        "previous_peak_month": f"{data.previous_month:%Y-%m}",
    }


def _read_peak(conn, month: date, now: datetime, provisional: bool):
    return peak_month_report_data(conn, month, generated_at=now, provisional=provisional)


@dataclass(frozen=True)
class Report:
    """One report's files and previews: its folder below `reports/` and its files' name
    (each followed by the period), the period a partition key opens (`week` or `month`),
    and how its data renders (files, Markdown preview, metadata figures)."""

    folder: str
    name: str
    period: str
    render: Callable
    markdown: Callable
    figures: Callable


FRIDAY = Report("weekly", "bao-cao-tuan", "week", render_weekly, weekly_markdown, _weekly_figures)
PEAK_MONTH = Report(
    "peak-month",
    "bao-cao-thang-cao-diem",
    "month",
    render_peak_month,
    peak_month_markdown,
    _peak_month_figures,
)


def publish_period(
    context: AssetExecutionContext,
    warehouse: WarehouseResource,
    artifacts: ArtifactStoreResource,
    report: Report,
    key: str,
    read: Callable,
) -> tuple[str, Publication, str, dict]:
    """The loop body of every report asset, for the partition `key`: read the period's data
    in one snapshot (`read(conn, first_day, now, provisional)`; provisional before the
    period's end), publish its rendering (kept as issued) and log it. Returns the entry
    `_metadata` takes."""
    first = date.fromisoformat(key)
    if report.period == "week":
        end, part, label = week_window(first).end, key, f"tuần {key}"
    else:
        end, part, label = month_window(first).end, f"{first:%Y-%m}", L.month_label(first)
    now = _now()
    provisional = now < end
    with _snapshot(warehouse) as conn:
        data = read(conn, first, now, provisional)
    pub = _publish(
        artifacts,
        ("reports", report.folder, part),
        f"{report.name}-{part}",
        lambda version: report.render(data, version=version),
        data.fingerprint(),
        provisional=provisional,
        now=now,
        run_id=context.run_id,
    )
    _log(context, label, pub)
    return key, pub, report.markdown(data), report.figures(data)


def publish_periods(
    context: AssetExecutionContext,
    warehouse: WarehouseResource,
    artifacts: ArtifactStoreResource,
    report: Report,
    read: Callable,
) -> MaterializeResult:
    """Every partition of the run published (`publish_period`), one materialisation's metadata."""
    done = [
        publish_period(context, warehouse, artifacts, report, key, read)
        for key in context.partition_keys
    ]
    return MaterializeResult(metadata=_metadata(done, artifacts))


def _publish(artifacts: ArtifactStoreResource, parts: tuple[str, ...], *args, **kwargs):
    """`publish` into the store's folder `parts`; the paths named are the store's."""
    with artifacts.folder(*parts) as folder:
        pub = publish(folder, *args, **kwargs)
    paths = {ext: artifacts.location(*parts, p.name) for ext, p in pub.paths.items()}
    return replace(pub, paths=paths)


def _log(context: AssetExecutionContext, period: str, pub: Publication) -> None:
    if pub.provisional:
        context.log.info(
            "%s: provisional report (period not ended) at %s", period, pub.paths["html"]
        )
    elif pub.new:
        context.log.info("%s: issued version %s at %s", period, pub.version, pub.paths["html"])
    else:
        context.log.info(
            "%s: unchanged since version %s issued %s; nothing written",
            period,
            pub.version,
            pub.issued_at.isoformat(),
        )


def _metadata(done: list[tuple[str, Publication, str, dict]], artifacts) -> dict:
    """One period: its paths, figures and preview. A range run (one backfill run of several
    partitions) records the same metadata on every partition's materialisation, so it lists
    every period's files instead of naming one period's as if they were all the range's."""
    if len(done) == 1:
        _, pub, preview, figures = done[0]
        meta: dict = {ext: MetadataValue.path(str(p)) for ext, p in pub.paths.items()}
        meta.update(pub.metadata())
        meta.update(figures)
        meta["preview"] = MetadataValue.md(preview)
        meta["reports_dir"] = MetadataValue.path(artifacts.location("reports"))
        return with_urls(meta)  # links that open from the Dagster UI (`kpi-pipeline dev`)
    listing = [
        {
            "partition": key,
            "version": pub.version,
            "provisional": pub.provisional,
            "newly_written": pub.new,
            **{ext: str(path) for ext, path in pub.paths.items()},
        }
        for key, pub, _, _ in done
    ]
    table = ["| Kỳ | Bản | Tệp HTML |", "|---|---|---|"]
    table += [
        f"| {r['partition']} | {r['version'] or 'tạm tính'} | `{r['html']}` |" for r in listing
    ]
    return {
        "reports": MetadataValue.json(listing),
        "periods": len(done),
        "preview": MetadataValue.md("\n".join(table)),
        "reports_dir": MetadataValue.path(artifacts.location("reports")),
    }


ASSETS = [friday_report, peak_month_report]
