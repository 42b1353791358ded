"""The paging fields of one response: whole numbers in their ranges, or a clear error."""

import pytest

from kpi_pipeline.ingestion.client import PortalError, _as_page


@pytest.mark.parametrize(
    "body, field",
    [
        ({"total": -5, "page": 1, "size": 50, "items": [{}]}, "total=-5"),
        ({"page": 1, "size": 50, "items": [{}]}, "total=None"),
        ({"total": "many", "page": 1, "size": 50, "items": [{}]}, "total='many'"),
        ({"total": True, "page": 1, "size": 50, "items": [{}]}, "total=True"),
        ({"total": 5, "page": 0, "size": 50, "items": [{}]}, "page=0"),
        ({"total": 5, "page": 1, "size": 0, "items": [{}]}, "size=0"),
        ({"total": 5.5, "page": 1, "size": 50, "items": [{}]}, "total=5.5"),
    ],
)
def test_bad_paging_fields_are_named(body, field):
    with pytest.raises(PortalError, match=f"bad paging field {field}"):
        _as_page(body, 1, "provincial portal: https://p.example/api/v1/hoso page 1")


def test_tolerated_shapes():
    page = _as_page({"total": "330", "page": "2", "size": 50, "items": [{}]}, 2, "x")
    assert (page.total, page.echoed, page.size) == (330, 2, 50)
    empty = _as_page({"total": 0, "page": 1, "size": 0, "items": []}, 1, "x")
    assert (empty.total, empty.items) == (0, [])
    bare = _as_page({"total": 3, "items": [{}, {}, {}]}, 1, "x")
    assert (bare.size, bare.echoed) == (3, None)
