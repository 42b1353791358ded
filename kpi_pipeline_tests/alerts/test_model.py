"""Who is alerted and what the message says (no database)."""

from __future__ import annotations

import unicodedata
from datetime import date

from kpi_pipeline.alerts.model import (
    FRIDAY,
    PEAK_MONTH,
    STAYED_RED,
    TURNED_RED,
    compose,
    select_alerts,
)
from kpi_pipeline.domain.alert_recipients import parse_recipients
from kpi_pipeline.reports.model import UnitRow
from kpi_pipeline_tests.reports import samples

WEEK = date(2024, 6, 7)


def unit(code, band, level="XA", parent="000.00.46.H47", name=None) -> UnitRow:
    return UnitRow(
        code,
        name or f"Xã {code}",
        level,
        parent,
        finished=10,
        finished_on_time=5 if band == "red" else 10,
        on_time_rate=0.5 if band == "red" else 1.0,
        on_time_band=band,
        overall_band=band,
    )


def test_red_to_red_stayed_green_to_red_turned_and_others_not_alerted():
    units = [
        unit("a", "red"),
        unit("b", "red"),
        unit("c", "red"),
        unit("d", "green"),
        unit("e", "green"),
        unit("f", None),
        unit("g", "orange"),
    ]
    previous = {"a": "red", "b": "green", "d": "green", "e": "red", "f": "red", "g": "red"}
    alerts = select_alerts(FRIDAY, WEEK, units, previous)
    assert [(a.unit_code, a.change) for a in alerts] == [
        ("a", STAYED_RED),
        ("b", TURNED_RED),
        ("c", TURNED_RED),  # no row the week before: no data, not red
    ]
    assert alerts[2].previous_band is None


def test_message_has_rates_and_top_drilldown_items_in_vietnamese():
    report = samples.weekly_report()
    units = {u.unit_code: u for u in report.units}
    drill = {d.unit_code: d for d in report.drilldowns}
    alerts = select_alerts(
        FRIDAY, WEEK, [units["000.00.46.H47"]], {"000.00.46.H47": "orange"}, drill.values()
    )
    msg = compose(alerts[0], "Tỉnh Quảng Nam")
    assert msg.subject == "[Cảnh báo Đỏ] Huyện Nam Trà My – tuần 07/06–13/06/2024"
    text = msg.text
    assert "Kính gửi: Huyện Nam Trà My" in text
    assert (
        "Trong tuần từ Thứ Sáu 07/06/2024 đến hết Thứ Năm 13/06/2024, đơn vị chuyển sang xếp"
        " loại Đỏ (tuần trước: Cam)." in text
    )
    assert "- Tỷ lệ giải quyết đúng hạn: 40,0% (40/100 hồ sơ) – Đỏ; mục tiêu ≥ 90%" in text
    assert "- Tỷ lệ hồ sơ trực tuyến: 35,0% (28/80 hồ sơ) – Cam; mục tiêu > 50%" in text
    assert "1. Đăng ký khai sinh (1.001612.000.00.00.H47): 9/20 hồ sơ trễ hạn" in text
    assert "Cấp giấy chứng nhận quyền sử dụng đất (2.000889.000.00.00.H47): 12/14" in text
    assert "Hồ sơ quá hạn lâu nhất (tổng số 7 hồ sơ):" in text
    assert "000.00.46.H47-240520-0012 – Đăng ký khai sinh – hạn trả 23/05/2024 – quá hạn 15" in text
    assert "Báo cáo tuần của Ủy ban nhân dân Tỉnh Quảng Nam" in text
    assert unicodedata.is_normalized("NFC", text)
    assert msg.key == compose(alerts[0]).key  # stable per alert


def test_peak_month_message_and_a_unit_without_dossiers_for_a_rate():
    u = unit("x", "red", name="Xã Trà Mai")
    a = select_alerts(PEAK_MONTH, date(2024, 6, 1), [u], {"x": "red"})[0]
    msg = compose(a)
    assert msg.subject == "[Cảnh báo Đỏ] Xã Trà Mai – tháng cao điểm 6/2024"
    assert "Trong tháng cao điểm 6/2024, đơn vị tiếp tục xếp loại Đỏ (tháng trước: Đỏ)." in msg.text
    assert "- Tỷ lệ hồ sơ trực tuyến: không phát sinh hồ sơ" in msg.text
    assert "Báo cáo kết thúc tháng cao điểm." in msg.text


def test_recipients_inherit_from_parents_then_default():
    r = parse_recipients(
        {
            "default": {"webhook": ["office"]},
            "units": {"D": {"email": ["d@example.vn"]}, "C": {"webhook": [{"user_id": "c"}]}},
        }
    )
    parents = {"C": "D", "E": "D", "D": "P", "SO": "P"}
    assert r.for_unit("E", "email", parents) == ("d@example.vn",)
    assert r.for_unit("C", "email", parents) == ("d@example.vn",)
    assert r.for_unit("C", "webhook", parents) == ({"user_id": "c"},)
    assert r.for_unit("E", "webhook", parents) == ({"user_id": "office"},)
    assert r.for_unit("SO", "email", parents) == ()
