"""kpi.unit_kpi_field_monthly against hand counts: by field (lĩnh vực) of the procedure, for
the province's roll-up and each district's (or commune's, after the reform) directly below it."""

from kpi_pipeline.kpis.fields import unit_kpi_field_monthly
from kpi_pipeline_tests.kpis.helpers import query, run


def test_fields_of_the_province_and_each_district(seed, database_url):
    seed.unit("XT", "XA", "49")  # a commune reporting to the province (two tiers)
    seed.procedure("LAND")
    seed.procedure("CIVIL", service_level=2)
    seed.procedure("NOFIELD")
    seed.conn.execute(
        "UPDATE ref.procedures SET field_code = v.code, field_name = v.name"
        " FROM (VALUES ('LAND', 'DAT_DAI', 'Đất đai'), ('CIVIL', 'HO_TICH', 'Hộ tịch')) v(p, code, name)"
        " WHERE procedure_code = v.p"
    )
    r = "2024-01-08 09:00:00"
    seed.dossier("L1", "X1", "LAND", r, "2024-01-20", channel=2)
    seed.dossier("L2", "X2", "LAND", r, "2024-01-10", finished="2024-01-12")  # late
    seed.dossier("L3", "X3", "LAND", r, "2024-01-20", finished="2024-01-09")
    seed.dossier("C1", "X1", "CIVIL", r, "2024-01-20", finished="2024-01-09")
    seed.dossier("S1", "SO1", "LAND", r, "2024-01-20")
    seed.dossier("N1", "H2", "NOFIELD", r, "2024-01-20")
    seed.dossier("T1", "XT", "CIVIL", r, "2024-01-20")
    seed.dossier("FEB", "X1", "LAND", "2024-02-01", "2024-02-20")  # another month
    run(database_url, [unit_kpi_field_monthly], "2024-01-01")
    rows = {
        (x["unit_code"], x["field_code"]): x
        for x in query(database_url, "SELECT * FROM kpi.unit_kpi_field_monthly")
    }
    got = {
        k: (
            x["received"],
            x["online_eligible_received_online"],
            x["finished"],
            x["finished_on_time"],
        )
        for k, x in rows.items()
    }
    assert got == {
        ("49", "DAT_DAI"): (4, 1, 2, 1),
        ("49", "HO_TICH"): (2, 0, 1, 1),
        ("49", ""): (1, 0, 0, 0),
        ("H1", "DAT_DAI"): (2, 1, 1, 0),
        ("H1", "HO_TICH"): (1, 0, 1, 1),
        ("H2", "DAT_DAI"): (1, 0, 1, 1),
        ("H2", ""): (1, 0, 0, 0),
        ("XT", "HO_TICH"): (1, 0, 0, 0),
    }  # no row of a department, nor of a commune under a district
    land = rows[("49", "DAT_DAI")]
    assert land["field_name"] == "Đất đai" and land["unit_level"] == "TINH"
    assert land["online_rate"] == 0.25 and land["online_band"] == "red"
    assert rows[("H1", "DAT_DAI")]["on_time_band"] == "red"
    assert rows[("49", "")]["field_name"] is None
