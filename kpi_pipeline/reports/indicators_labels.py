"""Texts of the indicator sections (issue 15): what a cumulative period and the map mean, and
how the project's 766-style score differs from the national portal's, written from the
score configuration itself so the report never says something the computation does not do."""

from __future__ import annotations

from kpi_pipeline.domain.score_766 import ScoreConfig
from kpi_pipeline.reports import labels as L

KIND_TITLES = {
    "month": "Tháng",
    "quarter": "Quý (lũy kế đến hết tháng)",
    "year_to_date": "Lũy kế từ đầu năm",
}
CURRENT_MAP_NOTE = (
    "Kỳ này và kỳ cùng kỳ năm trước nằm hai bên ngày 01/07/2025 (sắp xếp đơn vị hành chính):"
    " số liệu được tính theo địa giới hiện nay (hồ sơ của đơn vị cũ tính cho đơn vị kế thừa)."
)
AS_THEN_NOTE = "Số liệu tính theo địa giới của từng kỳ."
NO_PREVIOUS = "chưa có số liệu"
CUMULATIVE_NOTE = (
    "Quý và lũy kế được đếm trên cả kỳ theo cùng quy tắc với bảng tháng (không cộng dồn các"
    " tháng): hồ sơ tiếp nhận tháng này, giải quyết tháng sau chỉ tính một lần; hồ sơ quá hạn"
    " là số tồn tại thời điểm cuối kỳ."
)
NO_FIELD = "Chưa xác định lĩnh vực"
CATALOGUE_NOTE = (
    "Tỷ lệ trên toàn bộ danh mục thủ tục của từng cấp, theo mức độ có hiệu lực vào ngày cuối"
    " tháng (thay đổi mức độ chỉ tính từ ngày có hiệu lực, các tháng trước giữ nguyên). Khác"
    " với tỷ lệ mức độ 4 trong bảng chỉ số đơn vị, chỉ đếm các thủ tục có phát sinh hồ sơ."
)
CATALOGUE_LEVELS = {"TINH": "Cấp tỉnh (sở, ngành)", "HUYEN": "Cấp huyện", "XA": "Cấp xã"}

SCORE_TITLE = "Điểm theo Quyết định 766 — cách tính gần đúng của dự án"
COMPONENT_LABELS = {
    "on_time": "hồ sơ giải quyết đúng hạn",
    "online": "hồ sơ trực tuyến",
    "online_payment": "thanh toán trực tuyến",
    "digitisation": "số hóa hồ sơ",
}


def score_note(config: ScoreConfig) -> list[str]:
    """How the project's score differs from the portal's (kpi_pipeline/config/score_766.yaml)."""
    parts = ", ".join(
        f"{COMPONENT_LABELS.get(c.name, c.name)} {L.number(int(c.points))} điểm"
        f" (đủ điểm từ {L.number(int(c.full_at_percent))}%)"
        for c in config.components.values()
    )
    return [
        "Đây KHÔNG phải điểm chính thức của Cổng Dịch vụ công quốc gia, mà là điểm dự án tự tính"
        " gần đúng theo Quyết định 766/QĐ-TTg từ số liệu hồ sơ của tỉnh.",
        f"Chỉ chấm các chỉ số có dữ liệu: {parts}; tổng {L.number(int(config.total_points))}"
        " trên 100 điểm của Bộ chỉ số. Không chấm nhóm công khai, minh bạch và nhóm mức độ hài"
        " lòng; cách chia điểm và ngưỡng đủ điểm là cách đọc của dự án.",
        "Chỉ số không phát sinh hồ sơ không được chấm và không tính vào điểm tối đa; điểm quy về"
        " thang 100 (= 100 × điểm đạt / điểm tối đa của các chỉ số được chấm).",
        "Cột «Cổng quốc gia» là điểm mà các tỷ lệ Cổng quốc gia công bố (chiso) cho cùng cách"
        " chấm, trên các chỉ số cả hai bên đều có; chênh lệch là điểm của dự án trừ điểm đó.",
    ]
