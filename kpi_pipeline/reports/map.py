"""The province map: district seats and communes as points coloured by their shown overall
band; a district seat is a diamond of its own desk's band inside a frame of its roll-up band
(the district with its communes).

One layout (`MapLayout`) gives every point's pixel position, shared by the two renderings so
they agree point for point: a PNG drawn with matplotlib's Agg backend (`map_png`, the same
canvas size in pixels) and an inline SVG for the HTML report (`map_svg`). The projection is
equirectangular, longitudes scaled by the cosine of the middle latitude (a province is small).
Band colours and labels come from `labels.py`, as in every other rendering.

Pure: model in, bytes or text out.
"""

from __future__ import annotations

import io
import math
from dataclasses import dataclass
from html import escape

import matplotlib
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Rectangle
from matplotlib.patheffects import withStroke

from kpi_pipeline.reports import labels as L
from kpi_pipeline.reports.model import BAND_ORDER, LOW_VOLUME, ProvinceMap

LEGEND_BANDS = ("green", "yellow", "orange", "red", LOW_VOLUME, None)
LEVEL_NAMES = {
    "XA": "Xã, phường, thị trấn",
    "HUYEN": "Huyện: trong — bộ phận của huyện, viền — toàn huyện",
}
COMMUNE_RADIUS = 5  # px
DISTRICT_RADIUS = 8  # px, centre to corner of the diamond
ROLLUP_FRAME = 4  # px: the district's roll-up band, a frame around its desk's diamond
EDGE = "#4d4d4d"
FRAME = "#b8c2cc"
DPI = 100


@dataclass(frozen=True)
class MapLayout:
    """Pixel geometry: the map panel (margin + inner box) then the legend panel on the right."""

    bounds: tuple[float, float, float, float]  # south, west, north, east (with padding)
    inner_width: int = 600
    margin: int = 20
    legend_width: int = 260

    @classmethod
    def for_map(cls, m: ProvinceMap, **kw) -> MapLayout:
        s, w, n, e = m.bounds
        for p in m.points:  # a point outside the published bounds still shows
            s, w, n, e = min(s, p.lat), min(w, p.lon), max(n, p.lat), max(e, p.lon)
        pad_lat, pad_lon = max((n - s) * 0.03, 0.01), max((e - w) * 0.03, 0.01)
        return cls((s - pad_lat, w - pad_lon, n + pad_lat, e + pad_lon), **kw)

    @property
    def _kx(self) -> float:
        s, _, n, _ = self.bounds
        return math.cos(math.radians((s + n) / 2))

    @property
    def scale(self) -> float:
        """Pixels per projected degree."""
        _, w, _, e = self.bounds
        return self.inner_width / ((e - w) * self._kx)

    @property
    def inner_height(self) -> int:
        s, _, n, _ = self.bounds
        return max(1, round((n - s) * self.scale))

    @property
    def width(self) -> int:
        return self.margin * 2 + self.inner_width + self.legend_width

    @property
    def height(self) -> int:
        return max(self.margin * 2 + self.inner_height, 330)

    @property
    def _top(self) -> float:
        """The inner box's top edge, in pixels from the image top (vertically centred)."""
        return (self.height - self.inner_height) / 2

    def pixel(self, lat: float, lon: float) -> tuple[float, float]:
        """(x, y) in pixels from the image's top-left corner."""
        s, w, _, _ = self.bounds
        x = self.margin + (lon - w) * self._kx * self.scale
        y = self._top + self.inner_height - (lat - s) * self.scale
        return x, y


def band_hex(band: str | None) -> str:
    return "#" + L.BAND_COLOURS[band]


def _counts(m: ProvinceMap) -> dict[str | None, int]:
    counts: dict[str | None, int] = {b: 0 for b in LEGEND_BANDS}
    for p in m.points:
        counts[p.band] = counts.get(p.band, 0) + 1
    return counts


def _short(name: str) -> str:
    for prefix in ("Thành phố ", "Thị xã ", "Huyện "):
        if name.startswith(prefix):
            return name[len(prefix) :]
    return name


# -- PNG -----------------------------------------------------------------------------------------


def map_png(m: ProvinceMap, title: str | None = None, layout: MapLayout | None = None) -> bytes:
    """The map as PNG bytes, `layout.width` x `layout.height` pixels."""
    lay = layout or MapLayout.for_map(m)
    W, H = lay.width, lay.height
    with matplotlib.rc_context({"font.family": "DejaVu Sans", "font.size": 9}):
        fig = Figure(figsize=(W / DPI, H / DPI), dpi=DPI)
        FigureCanvasAgg(fig)
        # the axes in pixel coordinates, y down: exactly the layout's canvas
        ax = fig.add_axes((0, 0, 1, 1))
        ax.set_xlim(0, W)
        ax.set_ylim(H, 0)
        ax.set_axis_off()
        x0, y0 = lay.margin, lay._top
        ax.add_patch(
            Rectangle(
                (x0, y0),
                lay.inner_width,
                lay.inner_height,
                facecolor="#f7f9fb",
                edgecolor=FRAME,
                linewidth=1,
            )
        )
        pt = 72 / DPI  # points per pixel
        for p in m.points:
            x, y = lay.pixel(p.lat, p.lon)
            if p.unit_level == "HUYEN":
                ax.plot(
                    [x],
                    [y],
                    marker="D",
                    markersize=(DISTRICT_RADIUS + ROLLUP_FRAME) * 2 / math.sqrt(2) * pt,
                    markerfacecolor=band_hex(p.rollup_band),
                    markeredgecolor="#1f1f1f",
                    markeredgewidth=0.8,
                    linestyle="none",
                    zorder=3,
                )
                ax.plot(
                    [x],
                    [y],
                    marker="D",
                    markersize=DISTRICT_RADIUS * 2 / math.sqrt(2) * pt * 1.0,
                    markerfacecolor=band_hex(p.band),
                    markeredgecolor="#1f1f1f",
                    markeredgewidth=1.2,
                    linestyle="none",
                    zorder=3,
                )
                ax.text(
                    x + DISTRICT_RADIUS + 3,
                    y,
                    _short(p.unit_name),
                    fontsize=7,
                    color="#333333",
                    va="center",
                    zorder=4,
                    path_effects=[withStroke(linewidth=2.5, foreground="white")],
                )
            else:
                ax.plot(
                    [x],
                    [y],
                    marker="o",
                    markersize=COMMUNE_RADIUS * 2 * pt,
                    markerfacecolor=band_hex(p.band),
                    markeredgecolor=EDGE,
                    markeredgewidth=0.6,
                    linestyle="none",
                    zorder=2,
                )
        _png_legend(ax, m, lay, title)
        buf = io.BytesIO()
        fig.savefig(buf, format="png", dpi=DPI, metadata={"Software": None})
        return buf.getvalue()


def _png_legend(ax, m: ProvinceMap, lay: MapLayout, title: str | None) -> None:
    x = lay.margin * 2 + lay.inner_width
    y = lay.margin
    if title:
        ax.text(x, y, title, fontsize=9, fontweight="bold", va="top", wrap=True)
        y += 34
    ax.text(x, y, "Xếp loại chung", fontsize=9, fontweight="bold", va="top")
    y += 20
    counts = _counts(m)
    for band in LEGEND_BANDS:
        ax.plot(
            [x + 7],
            [y + 6],
            marker="o",
            markersize=10 * 72 / DPI,
            markerfacecolor=band_hex(band),
            markeredgecolor=EDGE,
            markeredgewidth=0.6,
            linestyle="none",
        )
        ax.text(x + 20, y + 6, f"{L.BAND_LABELS[band]} ({counts[band]})", va="center")
        y += 20
    y += 8
    ax.add_line(
        Line2D([x + 7], [y + 6], marker="o", markersize=7, markerfacecolor="white",
               markeredgecolor=EDGE, linestyle="none")
    )  # fmt: skip
    ax.text(x + 20, y + 6, LEVEL_NAMES["XA"], va="center", fontsize=8)
    if any(p.unit_level == "HUYEN" for p in m.points):  # none after the 2025 reform
        y += 20
        ax.add_line(
            Line2D([x + 7], [y + 6], marker="D", markersize=8, markerfacecolor="white",
                   markeredgecolor="#1f1f1f", linestyle="none")
        )  # fmt: skip
        ax.text(x + 20, y + 6, LEVEL_NAMES["HUYEN"], va="center", fontsize=8)
    y += 28
    if m.unplaced:
        ax.text(
            x,
            y,
            f"{len(m.unplaced)} đơn vị không có trên bản đồ\n(danh sách bên cạnh bản đồ)",
            va="top",
            fontsize=8,
            color="#555555",
        )


# -- SVG -----------------------------------------------------------------------------------------


def map_svg(m: ProvinceMap, title: str | None = None, layout: MapLayout | None = None) -> str:
    """The map as an inline `<svg>` element (text escaped), same geometry as `map_png`."""
    lay = layout or MapLayout.for_map(m)
    W, H = lay.width, lay.height
    label = title or "Bản đồ xếp loại các đơn vị"
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" id="province-map" class="province-map"'
        f' viewBox="0 0 {W} {H}" width="{W}" height="{H}" role="img" aria-label="{escape(label)}"'
        f' font-family="DejaVu Sans, Arial, sans-serif">',
        f"<title>{escape(label)}</title>",
        f'<rect x="{lay.margin}" y="{_f(lay._top)}" width="{lay.inner_width}"'
        f' height="{lay.inner_height}" fill="#f7f9fb" stroke="{FRAME}"/>',
    ]
    communes = [p for p in m.points if p.unit_level != "HUYEN"]
    districts = [p for p in m.points if p.unit_level == "HUYEN"]
    # the stroke is the group's: said once, not on each of some 300 points
    out.append(f'<g class="communes" stroke="{EDGE}" stroke-width="0.6">')
    for p in communes:
        x, y = lay.pixel(p.lat, p.lon)
        out.append(
            f'<circle cx="{_f(x)}" cy="{_f(y)}" r="{COMMUNE_RADIUS}" fill="{band_hex(p.band)}"'
            f" {_data(p)}>"
            f"<title>{escape(p.unit_name)}: {escape(L.BAND_LABELS[p.band])}</title></circle>"
        )
    out.append("</g>")
    out.append('<g class="district-seats">')
    r = DISTRICT_RADIUS
    for p in districts:
        x, y = lay.pixel(p.lat, p.lon)
        pts = f"{_f(x)},{_f(y - r)} {_f(x + r)},{_f(y)} {_f(x)},{_f(y + r)} {_f(x - r)},{_f(y)}"
        R = r + ROLLUP_FRAME
        frame = f"{_f(x)},{_f(y - R)} {_f(x + R)},{_f(y)} {_f(x)},{_f(y + R)} {_f(x - R)},{_f(y)}"
        title = (
            f"{escape(p.unit_name)}: bộ phận của huyện {escape(L.BAND_LABELS[p.band])}"
            f" · toàn huyện {escape(L.BAND_LABELS[p.rollup_band])}"
        )
        out.append(
            f'<polygon class="rollup" points="{frame}" fill="{band_hex(p.rollup_band)}"'
            f' stroke="#1f1f1f" stroke-width="0.8" data-unit="{escape(p.unit_code)}"'
            f' data-rollup-band="{p.rollup_band or "none"}"><title>{title}</title></polygon>'
            f'<polygon points="{pts}" fill="{band_hex(p.band)}" stroke="#1f1f1f"'
            f' stroke-width="1.2" {_data(p)}>'
            f"<title>{title}</title></polygon>"
            f'<text x="{_f(x + R + 3)}" y="{_f(y)}" dominant-baseline="middle" font-size="9"'
            f' fill="#333333" stroke="#ffffff" stroke-width="2.5" paint-order="stroke">'
            f"{escape(_short(p.unit_name))}</text>"
        )
    out.append("</g>")
    out += _svg_legend(m, lay)
    out.append("</svg>")
    return "".join(out)


def _svg_legend(m: ProvinceMap, lay: MapLayout) -> list[str]:
    x = lay.margin * 2 + lay.inner_width
    y = lay.margin
    out = [
        '<g class="legend">',
        f'<text x="{x}" y="{y + 10}" font-size="12" font-weight="bold">Xếp loại chung</text>',
    ]
    y += 26
    counts = _counts(m)
    for band in LEGEND_BANDS:
        key = band or "none"
        out.append(
            f'<g class="legend-item" data-band="{key}">'
            f'<circle cx="{x + 7}" cy="{y}" r="6" fill="{band_hex(band)}" stroke="{EDGE}"'
            f' stroke-width="0.6"/><text x="{x + 20}" y="{y}" dominant-baseline="middle"'
            f' font-size="12">{escape(L.BAND_LABELS[band])} ({counts[band]})</text></g>'
        )
        y += 22
    y += 8
    out.append(
        f'<circle cx="{x + 7}" cy="{y}" r="{COMMUNE_RADIUS}" fill="#ffffff" stroke="{EDGE}"/>'
        f'<text x="{x + 20}" y="{y}" dominant-baseline="middle" font-size="11">'
        f"{escape(LEVEL_NAMES['XA'])}</text>"
    )
    if any(p.unit_level == "HUYEN" for p in m.points):  # none after the 2025 reform
        y += 22
        r = 6
        out.append(
            f'<polygon points="{x + 7},{y - r} {x + 7 + r},{y} {x + 7},{y + r} {x + 7 - r},{y}"'
            f' fill="#ffffff" stroke="#1f1f1f"/>'
            f'<text x="{x + 20}" y="{y}" dominant-baseline="middle" font-size="11">'
            f"{escape(LEVEL_NAMES['HUYEN'])}</text>"
        )
    out.append("</g>")
    return out


def _data(p) -> str:
    return (
        f'data-unit="{escape(p.unit_code)}" data-band="{p.band or "none"}"'
        f' data-level="{escape(p.unit_level)}"'
    )


def _f(v: float) -> str:
    return f"{v:.1f}"


def band_totals(m: ProvinceMap) -> list[tuple[str | None, int]]:
    """(band, number of points) in legend order: for captions."""
    counts = _counts(m)
    return sorted(counts.items(), key=lambda kv: BAND_ORDER[kv[0]])
