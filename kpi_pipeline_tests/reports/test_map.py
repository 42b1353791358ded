"""The province map: points at their coordinates, coloured by band, in PNG and inline SVG;
units without coordinates listed beside it."""

from __future__ import annotations

import io
import xml.etree.ElementTree as ET
from dataclasses import replace

import pytest
from openpyxl import load_workbook
from PIL import Image

from kpi_pipeline.reports import labels as L
from kpi_pipeline.reports.geo import (
    REASON_NO_CODE,
    REASON_NO_TERRITORY,
    normalise_gso,
    place_units,
    province_places,
)
from kpi_pipeline.reports.map import MapLayout, map_png, map_svg
from kpi_pipeline.reports.model import MapPoint, ProvinceMap, UnitRow, UnplacedUnit
from kpi_pipeline.reports.queries import weekly_report_data
from kpi_pipeline.reports.render import MAP_SUFFIX, render_weekly
from kpi_pipeline.warehouse import db
from kpi_pipeline_tests.reports import samples
from kpi_pipeline_tests.reports import scenario as S
from kpi_pipeline_tests.reports.browser import open_page
from kpi_pipeline_tests.reports.warehouse_rows import at

SVG = "{http://www.w3.org/2000/svg}"
BOUNDS = (14.95, 107.21, 16.07, 108.74)  # Quảng Nam

# Well apart, so no marker or label covers another's centre.
POINTS = (
    MapPoint("000.46.21.H47", "Xã Trà Mai", "XA", 15.179, 108.155, "red", "20944"),
    MapPoint("000.31.01.H47", "Phường An Mỹ", "XA", 15.90, 107.50, "green", "20341"),
    MapPoint("000.37.05.H47", "Xã Tây Giang", "XA", 15.55, 107.70, None, "20000"),
    MapPoint("000.00.46.H47", "Huyện Nam Trà My", "HUYEN", 15.60, 108.60, "yellow", "516"),
    MapPoint("000.00.31.H47", "Thành phố Tam Kỳ", "HUYEN", 15.30, 107.40, "orange", "502"),
)
UNPLACED = (
    UnplacedUnit("000.00.10.H47", "Sở Tư pháp", "SO_NGANH", "green", REASON_NO_TERRITORY),
    UnplacedUnit("000.00.19.H47", "Huyện Nông Sơn", "HUYEN", "red", "Mã đơn vị hành chính 519 …"),
)


def rgb(band) -> tuple[int, int, int]:
    h = L.BAND_COLOURS[band]
    return tuple(int(h[i : i + 2], 16) for i in (0, 2, 4))


@pytest.fixture(scope="module")
def province_map() -> ProvinceMap:
    return ProvinceMap(BOUNDS, POINTS, UNPLACED)


def test_png_points_have_their_band_colours(province_map):
    layout = MapLayout.for_map(province_map)
    img = Image.open(io.BytesIO(map_png(province_map, title="Tuần 07/06/2024"))).convert("RGB")
    assert img.size == (layout.width, layout.height)
    for p in POINTS:
        x, y = layout.pixel(p.lat, p.lon)
        assert img.getpixel((int(x), int(y))) == rgb(p.band), p.unit_name
    # and north is up, east is right
    mai = layout.pixel(15.179, 108.155)
    my = layout.pixel(15.60, 108.60)
    assert my[1] < mai[1] and my[0] > mai[0]


def test_svg_points_have_their_band_colours_and_a_vietnamese_legend(province_map):
    svg = map_svg(province_map, title="Bản đồ <thử> & tuần")
    root = ET.fromstring(svg)  # well-formed, title escaped
    by_unit = {e.get("data-unit"): e for e in root.iter() if e.get("data-unit")}
    assert set(by_unit) == {p.unit_code for p in POINTS}
    mai = by_unit["000.46.21.H47"]
    assert mai.tag == f"{SVG}circle" and mai.get("fill").upper() == "#F8696B"
    assert mai.get("data-band") == "red"
    assert by_unit["000.37.05.H47"].get("fill").upper() == "#" + L.BAND_COLOURS[None]
    district = by_unit["000.00.46.H47"]
    assert district.tag == f"{SVG}polygon" and district.get("fill").upper() == "#FFEB84"
    # the same geometry as the PNG
    layout = MapLayout.for_map(province_map)
    x, y = layout.pixel(15.179, 108.155)
    assert (float(mai.get("cx")), float(mai.get("cy"))) == pytest.approx((x, y), abs=0.06)
    legend = "".join(root.find(f"{SVG}g[@class='legend']").itertext())
    for word in (
        "Xếp loại chung",
        "Xanh (1)",
        "Vàng (1)",
        "Cam (1)",
        "Đỏ (1)",
        "Chưa có dữ liệu (1)",
    ):
        assert word in legend


def test_units_are_placed_from_the_package_by_gso_code():
    places = province_places("49")
    units = [
        UnitRow("C", "Xã Trà Mai", "XA", "D", overall_band="red"),
        UnitRow("D", "Huyện Nam Trà My", "HUYEN", "P", overall_band="orange"),
        UnitRow("NS", "Huyện Nông Sơn", "HUYEN", "P", overall_band="green"),
        UnitRow("X", "Xã Mới", "XA", "D"),
        UnitRow("SO", "Sở Tư pháp", "SO_NGANH", "P", overall_band="yellow"),
        UnitRow("P", "Tỉnh Quảng Nam", "TINH"),
    ]
    m = place_units(units, {"C": "020944", "D": "516", "NS": "519", "X": None}, places)
    points = {p.unit_code: p for p in m.points}
    assert set(points) == {"C", "D"}
    assert points["C"].lat == pytest.approx(15.18, abs=0.01)
    assert points["C"].lon == pytest.approx(108.15, abs=0.01)
    assert points["C"].band == "red" and points["D"].band == "orange"
    unplaced = {u.unit_code: u for u in m.unplaced}
    assert set(unplaced) == {"NS", "X", "SO"}  # the province itself is the map
    assert "519" in unplaced["NS"].reason and unplaced["NS"].band == "green"
    assert unplaced["X"].reason == REASON_NO_CODE
    assert unplaced["SO"].reason == REASON_NO_TERRITORY
    assert normalise_gso(" 0516 ") == "516" and normalise_gso("") is None
    s, w, n, e = places.bounds
    assert s < 15.18 < n and w < 108.15 < e


def test_html_report_embeds_the_svg_map_and_lists_units_not_on_it(province_map, chromium, tmp_path):
    data = replace(samples.weekly_report(), map=province_map)
    files = render_weekly(data, version="1")
    assert files[MAP_SUFFIX][:8] == b"\x89PNG\r\n\x1a\n"
    html = tmp_path / "bao-cao-tuan.html"
    html.write_bytes(files["html"])
    page = open_page(chromium, html, tmp_path)
    section = page.dom.by_id("map-section")
    assert "Bản đồ xếp loại" in page.dom.by_id("part-map").find("h2").text()
    svg = section.find("svg")
    circle = svg.find("circle", data_unit="000.46.21.H47")
    assert circle.get("fill").upper() == "#F8696B"
    items = page.dom.by_id("map-unplaced").find_all("li")
    assert [i.get("data-unit") for i in items] == ["000.00.10.H47", "000.00.19.H47"]
    assert "Huyện Nông Sơn" in items[1].text() and items[1].get("data-band") == "red"
    assert "Đơn vị không có trên bản đồ: 2" in page.dom.by_id("map-unplaced").text()
    # sections after the map are renumbered
    assert page.dom.by_id("part-drilldown").find("h2").text().startswith("6.")
    # the screenshot shows the map's red point (the map sits below the unit table)
    wb = load_workbook(io.BytesIO(files["xlsx"]))
    assert wb.sheetnames[-1] == "Bản đồ"
    ws = wb["Bản đồ"]
    rows = {r[0]: r for r in ws.iter_rows(min_row=2, values_only=True)}
    assert rows["000.46.21.H47"][3] == "Đỏ" and rows["000.46.21.H47"][5] == 15.179
    assert rows["000.00.19.H47"][7].startswith("Không có trên bản đồ")
    assert len(ws._images) == 1


def test_report_without_a_map_is_unchanged():
    data = samples.weekly_report()
    files = render_weekly(data)
    assert MAP_SUFFIX not in files
    assert 'id="map-section"' not in files["html"].decode()


def test_query_layer_places_units_by_their_reference_gso_codes(database_url):
    with db.connect(database_url) as conn:
        S.load_weekly(conn)
        conn.execute(
            "INSERT INTO ref.units (unit_code, valid_from, valid_to, unit_name, unit_level,"
            " parent_code, gso_code) VALUES"
            " (%s, '2020-01-01', NULL, 'Huyện Nam Trà My', 'HUYEN', %s, '516'),"
            " (%s, '2020-01-01', '2023-12-31', 'Xã Trà Mai', 'XA', %s, '99999'),"
            " (%s, '2024-01-01', NULL, 'Xã Trà Mai', 'XA', %s, '20944'),"
            " (%s, '2020-01-01', NULL, 'Xã Trà Tập', 'XA', %s, NULL)"
            " ON CONFLICT (unit_code, valid_from) DO UPDATE"
            " SET valid_to = excluded.valid_to, gso_code = excluded.gso_code",
            (S.D[0], S.P[0], S.C[0], S.D[0], S.C[0], S.D[0], S.E[0], S.D[0]),
        )
        data = weekly_report_data(conn, S.WEEK, generated_at=at(2024, 6, 14, 6))
    m = data.map
    assert {p.unit_code: p.band for p in m.points} == {S.D[0]: "red", S.C[0]: "orange"}
    assert {u.unit_code: u.reason for u in m.unplaced} == {
        S.SO[0]: REASON_NO_TERRITORY,
        S.E[0]: REASON_NO_CODE,
    }


def test_a_province_without_coordinates_gives_an_empty_map_listing_everyone():
    places = province_places("99")
    m = place_units([UnitRow("D", "Huyện X", "HUYEN", overall_band="red")], {"D": "999"}, places)
    assert not m.points and [u.unit_code for u in m.unplaced] == ["D"]
    assert map_png(m)[:8] == b"\x89PNG\r\n\x1a\n" and "data-unit" not in map_svg(m)
