"""A backfill range is pulled one week's change window at a time: adjacent, half-open windows
that together cover exactly the range's window, in order."""

from datetime import timedelta

from kpi_pipeline.ingestion.assets import _weekly_items, portal_ts
from kpi_pipeline.ingestion.client import Page
from kpi_pipeline.ingestion.sources import NATIONAL_PAYMENTS, PROVINCIAL_DOSSIERS
from kpi_pipeline.partitions import weekly_partitions


class RecordingClient:
    def __init__(self):
        self.calls: list[tuple[str, dict]] = []

    def iter_pages(self, path, params):
        self.calls.append((path, dict(params)))
        yield Page(number=1, size=500, total=1, items=[{"window": params}])


def test_a_range_is_pulled_week_by_week():
    keys = ["2024-02-09", "2024-02-16", "2024-02-23", "2024-03-01"]
    client = RecordingClient()
    pulled_at: dict = {}
    items = list(_weekly_items(client, PROVINCIAL_DOSSIERS, "49", keys, pulled_at))

    assert len(items) == len(keys)  # every window's items, in order
    starts = [p["capnhat_tu"] for _, p in client.calls]
    ends = [p["capnhat_den"] for _, p in client.calls]
    assert starts[1:] == ends[:-1]  # adjacent
    first = weekly_partitions.time_window_for_partition_key(keys[0])
    last = weekly_partitions.time_window_for_partition_key(keys[-1])
    assert starts[0] == portal_ts(first.start) and ends[-1] == portal_ts(last.end)
    assert all(
        portal_ts(weekly_partitions.time_window_for_partition_key(k).start) == s
        for k, s in zip(keys, starts, strict=True)
    )
    assert last.end - first.start == timedelta(days=7 * len(keys))
    assert {path for path, _ in client.calls} == {"/api/v1/hoso"}
    assert all("ma_tinh" not in p for _, p in client.calls)
    # each week's first request instant is recorded, in the order the windows were read
    assert list(pulled_at) == keys
    assert list(pulled_at.values()) == sorted(pulled_at.values())


def test_national_windows_carry_the_province_and_their_parameter_names():
    client = RecordingClient()
    list(_weekly_items(client, NATIONAL_PAYMENTS, "49", ["2024-03-01"], {}))
    ((path, params),) = client.calls
    assert path == "/api/v1/thanhtoan"
    assert params == {"tu": "20240301000000", "den": "20240308000000", "ma_tinh": "49"}
