"""KPI counts recounted from the simulator's own data, in Python, by kpi-tables.md's rules.

Independent of the pipeline: no warehouse, no SQL; the simulator's latest version of every
dossier and payment as of its "now", and its procedure catalogue. Counts are per unit's own
dossiers (scope `unit`) and period [start, end).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from datetime import datetime, timedelta

from kpi_simulator.timestamps import parse


class Truth:
    """Every dossier and payment the simulator holds, ready to count periods from."""

    def __init__(self, world):
        start = datetime(2021, 1, 1, tzinfo=world.config.now.tzinfo)
        end = world.config.now + timedelta(seconds=1)
        self.dossiers = list(world.dossiers_changed(start, end))
        self.procedures = {p["MaTTHC"]: p for p in world.procedures()}
        latest: dict[str, dict] = {}
        for tx in world.payments_changed(start, end):
            key = (tx["NgayCapNhat"], tx["NgayThanhToan"] or "", tx["MaGiaoDich"])
            held = latest.get(tx["MaHoSo"])
            if held is None or key > (
                held["NgayCapNhat"],
                held["NgayThanhToan"] or "",
                held["MaGiaoDich"],
            ):
                latest[tx["MaHoSo"]] = tx
        self.latest_payment = latest

    def counts(self, start: datetime, end: datetime) -> dict[str, Counter]:
        out: dict[str, Counter] = defaultdict(Counter)
        for x in self.dossiers:
            unit, status = x["MaDonVi"], x["TrangThaiHoSo"]
            received_at, due_at = parse(x["NgayTiepNhan"]), parse(x["NgayHenTra"])
            finished_at = parse(x["NgayKetThucXuLy"]) if x.get("NgayKetThucXuLy") else None
            proc = self.procedures.get(x["MaTTHC"], {})
            c = out[unit]
            if start <= received_at < end and status != 3:
                online = x["KenhThucHien"] == 2
                eligible = proc.get("MucDo") in (3, 4) and bool(proc.get("TichHopDVCQG"))
                pay_eligible = bool(proc.get("CoPhiLePhi")) and bool(proc.get("ThanhToanTrucTuyen"))
                tx = self.latest_payment.get(x["MaHoSo"])
                c["received"] += 1
                c["received_online"] += online
                c["online_eligible"] += eligible
                c["online_eligible_received_online"] += eligible and online
                c["payment_eligible"] += pay_eligible
                c["paid_online"] += (
                    pay_eligible and tx is not None and tx["TrangThai"] == ("THANH_CONG")
                )
                c["digitised"] += bool(x["SoHoa"])
            if finished_at is not None and start <= finished_at < end and status in (9, 10):
                c["finished"] += 1
                c["finished_on_time"] += finished_at <= due_at
            closed_at = _closed_at(x, finished_at)
            if received_at < end and due_at < end and (closed_at is None or closed_at >= end):
                c["overdue_open"] += 1
        return out


def _closed_at(x: dict, finished_at: datetime | None) -> datetime | None:
    """When the dossier left the open backlog: finished or returned (9, 10); refused,
    withdrawn or suspended (3, 7, 8) at its last change; open otherwise."""
    status = x["TrangThaiHoSo"]
    updated = parse(x["NgayCapNhat"])
    returned = parse(x["NgayTra"]) if x.get("NgayTra") else None
    if status in (9, 10):
        return finished_at or returned or updated
    if status in (3, 7, 8):
        return finished_at or updated
    return None
