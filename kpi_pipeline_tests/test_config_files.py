"""The `config_files` resource: each file from its variable (an `EnvVar`, read when the run
starts), a bad file refused naming the file and the key, and no variable name outside
settings.py."""

import re

import pytest
import yaml
from dagster import AssetExecutionContext, MaterializeResult, asset, materialize

from kpi_pipeline import settings
from kpi_pipeline.config_files import FILES, ConfigFilesResource, build_config_files
from kpi_pipeline.shell.preflight import config_file_problems


def _packaged(field: str) -> dict:
    return yaml.safe_load(FILES[field][1].read_text(encoding="utf-8")) or {}


def _write(tmp_path, name: str, data) -> str:
    path = tmp_path / name
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    return str(path)


@asset
def reads_config(context: AssetExecutionContext, config_files: ConfigFilesResource):
    recipients = config_files.recipients()
    return MaterializeResult(
        metadata={
            "on_time": str(config_files.kpi().targets["on_time"].percent),
            "top_units": config_files.score().top_units,
            "slack": config_files.quality().slack_working_days,
            "x1_email": list(recipients.for_unit("X1", "email", {})),
            "paths": config_files.paths(),
        }
    )


def test_each_file_comes_from_its_variable_at_run_start(tmp_path, monkeypatch):
    kpi, score, quality = _packaged("kpi_file"), _packaged("score_file"), _packaged("quality_file")
    kpi["targets"]["on_time"]["percent"] = "85.5"
    score["comparison"]["top_units"] = 7
    quality["due_date"]["slack_working_days"] = 4
    files = {
        settings.KPI_CONFIG_FILE: _write(tmp_path, "kpi.yaml", kpi),
        settings.KPI_SCORE_CONFIG_FILE: _write(tmp_path, "score.yaml", score),
        settings.KPI_QUALITY_CONFIG_FILE: _write(tmp_path, "quality.yaml", quality),
        settings.KPI_ALERT_RECIPIENTS_FILE: _write(
            tmp_path, "r.yaml", {"units": {"X1": {"email": ["x1@example.vn"]}}}
        ),
    }
    for name, path in files.items():
        monkeypatch.setenv(name, path)
    resource = build_config_files()
    assert "85.5" not in repr(resource)  # paths, not contents, and read later
    meta = materialize([reads_config], resources={"config_files": resource})
    got = meta.asset_materializations_for_node("reads_config")[0].metadata
    assert got["on_time"].value == "85.5"
    assert got["top_units"].value == 7
    assert got["slack"].value == 4
    assert got["x1_email"].value == ["x1@example.vn"]
    assert set(got["paths"].value.values()) == set(files.values())


def test_unset_variables_mean_the_packaged_files(monkeypatch):
    for var, _, _ in FILES.values():
        monkeypatch.delenv(var, raising=False)
    resource = build_config_files()
    assert resource.paths() == {f: str(default) for f, (_, default, _) in FILES.items()}
    assert resource.kpi().targets["on_time"].percent == 90


def test_a_variable_set_after_the_location_loaded_is_read_when_the_step_asks(tmp_path, monkeypatch):
    """An in-process run started later (the CLI's runner) sees the variable as it is then."""
    monkeypatch.delenv(settings.KPI_QUALITY_CONFIG_FILE, raising=False)
    resource = build_config_files()  # as definitions.py builds it: the variable unset
    quality = _packaged("quality_file")
    quality["due_date"]["slack_working_days"] = 5
    monkeypatch.setenv(settings.KPI_QUALITY_CONFIG_FILE, _write(tmp_path, "q.yaml", quality))
    assert resource.quality().slack_working_days == 5


@pytest.mark.parametrize(
    "field, edit, message",
    [
        ("kpi_file", lambda d: d["bands"].update(yellow_within_pp="x"), "bands.yellow_within_pp"),
        ("kpi_file", lambda d: d["drilldown"].update(top=1), "drilldown: unknown key(s) ['top']"),
        ("score_file", lambda d: d["comparison"].pop("scope"), "comparison: missing key(s)"),
        (
            "quality_file",
            lambda d: d["volume"].update(low_ratio=2),
            "volume.low_ratio: expected a number in 0..1, got 2",
        ),
        (
            "recipients_file",
            lambda d: d.update(units={"X1": {"email": ["no-at-sign"]}}),
            "units.X1.email.0: 'no-at-sign' is not an e-mail address",
        ),
    ],
)
def test_a_bad_file_is_refused_naming_the_file_and_the_key(tmp_path, field, edit, message):
    data = _packaged(field)
    edit(data)
    path = _write(tmp_path, "bad.yaml", data)
    resource = ConfigFilesResource(**{field: path})
    load = {
        "kpi_file": resource.kpi,
        "score_file": resource.score,
        "quality_file": resource.quality,
        "recipients_file": resource.recipients,
    }[field]
    with pytest.raises(ValueError) as exc:
        load()
    assert str(exc.value).startswith(f"{path}: ")
    assert message in str(exc.value)
    # the pre-run checks say the same and name the variable to correct
    var = FILES[field][0]
    (problem,) = config_file_problems({var: path})
    assert message in problem and f"{var} ({path})" in problem


def test_every_variable_name_is_declared_in_settings():
    """Outside settings.py no module spells a variable name (they import it from there)."""
    name = re.compile(r"""["'](?:KPI|DAGSTER|PROVINCIAL|NATIONAL)_[A-Z0-9_]+["']""")
    found = []
    for path in sorted((settings.PROJECT_ROOT / "kpi_pipeline").rglob("*.py")):
        if path.name == "settings.py":
            continue
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if name.search(line):
                found.append(f"{path.relative_to(settings.PROJECT_ROOT)}:{number}: {line.strip()}")
    assert not found, "\n".join(found)
    declared = {v for k, v in vars(settings).items() if k.isupper() and isinstance(v, str)}
    assert {var for var, _, _ in FILES.values()} <= declared
