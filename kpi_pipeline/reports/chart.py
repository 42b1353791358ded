"""The province's 12-week trend chart, a PNG drawn with matplotlib's Agg backend.

Uses `Figure` directly (no pyplot global state), so it is safe in any process or thread.
DejaVu Sans ships with matplotlib and carries every Vietnamese diacritic.
"""

from __future__ import annotations

import io
import math

import matplotlib
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter

from kpi_pipeline.domain.headline import HEADLINE
from kpi_pipeline.reports import labels as L
from kpi_pipeline.reports.model import TrendPoint

# One line per headline KPI (domain/headline.py), in its order; here only its colour.
COLOURS = {"on_time": "#1f6fb2", "online": "#2e9e5b", "online_payment": "#c0392b"}


def trend_png(trend: tuple[TrendPoint, ...] | list[TrendPoint], title: str | None = None) -> bytes:
    """The headline rates per week, with their targets as dashed lines, as PNG bytes."""
    with matplotlib.rc_context({"font.family": "DejaVu Sans", "font.size": 10}):
        fig = Figure(figsize=(9.0, 3.6), dpi=110)
        FigureCanvasAgg(fig)
        ax = fig.add_subplot(1, 1, 1)
        xs = list(range(len(trend)))
        for kpi in HEADLINE:
            ys = [_pct(getattr(p, kpi.rate)) for p in trend]
            colour = COLOURS[kpi.key]
            label = L.KPI_LABELS[kpi.key]
            ax.plot(xs, ys, marker="o", markersize=4, linewidth=2, color=colour, label=label)
            ax.axhline(
                L.KPI_TARGETS[kpi.key] * 100, color=colour, linestyle="--", linewidth=1, alpha=0.6
            )
        ax.set_xticks(xs)
        ax.set_xticklabels([L.day_month(p.week_start) for p in trend], rotation=0, fontsize=8)
        ax.set_ylim(0, 105)
        ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _pos: f"{v:.0f}%"))
        ax.set_ylabel("Tỷ lệ (%)")
        ax.set_xlabel("Tuần (ngày bắt đầu, thứ Sáu)")
        ax.set_title(title or "Xu hướng 12 tuần gần nhất — toàn tỉnh", fontsize=11)
        ax.grid(axis="y", alpha=0.3)
        ax.spines[["top", "right"]].set_visible(False)
        ax.legend(
            loc="upper center", bbox_to_anchor=(0.5, -0.22), ncol=3, frameon=False, fontsize=9
        )
        fig.text(
            0.995, 0.01, "Nét đứt: mục tiêu", ha="right", va="bottom", fontsize=7, color="#666666"
        )
        fig.tight_layout()
        buf = io.BytesIO()
        fig.savefig(buf, format="png", metadata={"Software": None})
        return buf.getvalue()


def _pct(rate: float | None) -> float:
    return math.nan if rate is None else float(rate) * 100
