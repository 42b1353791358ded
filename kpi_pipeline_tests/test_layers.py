"""The layer rule of docs/ARCHITECTURE.md, checked on the source: every import (lazy ones too)
of `kpi_pipeline` and `kpi_simulator`, read with `ast`, may only point down or sideways, and
the packages' imports form no cycle."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

# Bottom to top. A unit is a subpackage or a top-level module of kpi_pipeline.
LAYERS: list[tuple[str, set[str]]] = [
    ("foundation", {"__init__", "settings", "errors", "redaction"}),
    ("domain", {"domain"}),
    ("partitions", {"partitions"}),
    # the resources that hand the configuration files and the artifact store to the rooms
    ("resources", {"config_files", "artifacts", "artifact_links"}),
    ("warehouse", {"warehouse"}),
    ("ingestion", {"ingestion"}),
    ("rooms", {"staging", "quality", "kpis", "lineage", "scores", "reports", "alerts"}),
    ("orchestration", {"orchestration"}),
    ("wiring", {"resources", "definitions"}),
    ("shell", {"shell"}),
]
# The simulator stands in for the portals: the pipeline starts it for the embedded default in
# one place only, and it reads only the product's pure pieces (variable names, the working
# calendar, the deployments it serves) so that both sides agree by construction.
SIMULATOR_STARTER = "kpi_pipeline.shell.local_services"
SIMULATOR_MAY_IMPORT = ("kpi_pipeline.settings", "kpi_pipeline.domain")


def modules(root: Path, package: str) -> dict[str, Path]:
    out = {}
    for path in sorted((root / package).rglob("*.py")):
        parts = path.relative_to(root).with_suffix("").parts
        out[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = path
    return out


def imports(root: Path, packages: tuple[str, ...]) -> list[tuple[str, str, int]]:
    """(importing module, imported module, line) for every import of one of `packages`,
    `from a import b` resolved to the module `a.b` where that is a module."""
    known = {m for p in packages for m in modules(root, p)}
    out = []
    for p in packages:
        for module, path in modules(root, p).items():
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if isinstance(node, ast.Import):
                    targets = [a.name for a in node.names]
                elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                    targets = [
                        f"{node.module}.{a.name}"
                        if f"{node.module}.{a.name}" in known
                        else node.module
                        for a in node.names
                    ]
                else:
                    continue
                out += [(module, t, node.lineno) for t in targets if t.split(".")[0] in packages]
    return out


def unit(module: str) -> str:
    parts = module.split(".")
    if parts[0] != "kpi_pipeline":
        return parts[0]
    return parts[1] if len(parts) > 1 else "__init__"


def violations(root: Path) -> list[str]:
    """Every breach of the layer rule in the tree at `root`, as readable lines."""
    rank = {u: i for i, (_, units) in enumerate(LAYERS) for u in units}
    edges = imports(root, ("kpi_pipeline", "kpi_simulator"))
    out = []
    for src, dst, line in edges:
        where = f"{src}:{line} imports {dst}"
        a, b = unit(src), unit(dst)
        if a == b:
            continue
        if a == "kpi_simulator":
            if not any(dst == m or dst.startswith(m + ".") for m in SIMULATOR_MAY_IMPORT):
                out.append(f"{where}: the simulator may import only {SIMULATOR_MAY_IMPORT}")
            continue
        if b == "kpi_simulator":
            if src != SIMULATOR_STARTER:
                out.append(f"{where}: only {SIMULATOR_STARTER} may start the simulator")
            continue
        for u in (a, b):
            if u not in rank:
                out.append(f"{where}: {u!r} is in no layer; place it in test_layers.LAYERS")
        if a in rank and b in rank and rank[b] > rank[a]:
            out.append(f"{where}: an arrow back up ({LAYERS[rank[a]][0]} -> {LAYERS[rank[b]][0]})")
    graph: dict[str, set[str]] = {}
    for src, dst, _ in edges:
        if unit(src) != unit(dst):
            graph.setdefault(unit(src), set()).add(unit(dst))
    out += [f"import cycle: {' -> '.join(c)}" for c in cycles(graph)]
    return sorted(set(out))


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The cycles a depth-first walk meets (each closing back edge once), in a stable order."""
    found: list[list[str]] = []
    state: dict[str, str] = {}
    path: list[str] = []

    def visit(node: str) -> None:
        state[node] = "open"
        path.append(node)
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == "open":
                found.append(path[path.index(nxt) :] + [nxt])
            elif nxt not in state:
                visit(nxt)
        path.pop()
        state[node] = "done"

    for node in sorted(graph):
        if node not in state:
            visit(node)
    return found


def test_the_house_keeps_its_layer_rule():
    assert violations(ROOT) == []


def test_the_walk_sees_the_arrows_down():
    """The checker reads the real graph: the shell reaches the definitions, the resources the
    warehouse, and lazy imports count (the embedded default starts the simulator lazily)."""
    edges = {(unit(s), unit(d)) for s, d, _ in imports(ROOT, ("kpi_pipeline", "kpi_simulator"))}
    assert {
        ("shell", "definitions"),
        ("resources", "warehouse"),
        ("shell", "kpi_simulator"),
    } <= edges
    assert ("kpi_simulator", "domain") in edges


def _tree(tmp_path: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return tmp_path


@pytest.mark.parametrize(
    ("files", "expected"),
    [
        (  # a resource that asks the shell: an arrow back up, even when lazy
            {
                "kpi_pipeline/warehouse/resource.py": "def f():\n    from kpi_pipeline.shell import preflight\n",
                "kpi_pipeline/shell/preflight.py": "",
            },
            "kpi_pipeline.warehouse.resource:2 imports kpi_pipeline.shell.preflight: an arrow back up (warehouse -> shell)",
        ),
        (  # two rooms of one layer importing each other
            {
                "kpi_pipeline/kpis/a.py": "import kpi_pipeline.reports.b\n",
                "kpi_pipeline/reports/b.py": "from kpi_pipeline.kpis import a\n",
            },
            "import cycle: kpis -> reports -> kpis",
        ),
        (  # the product reaching for the simulator outside the embedded starter
            {
                "kpi_pipeline/ingestion/x.py": "from kpi_simulator import World\n",
                "kpi_simulator/__init__.py": "",
            },
            "kpi_pipeline.ingestion.x:1 imports kpi_simulator: only kpi_pipeline.shell.local_services may start the simulator",
        ),
        (  # the simulator reaching into the product's Dagster side
            {
                "kpi_simulator/server.py": "from kpi_pipeline.warehouse import db\n",
                "kpi_pipeline/warehouse/db.py": "",
            },
            "kpi_simulator.server:1 imports kpi_pipeline.warehouse.db: the simulator may import only",
        ),
        (  # a new package nobody placed
            {
                "kpi_pipeline/newroom/x.py": "from kpi_pipeline import settings\n",
                "kpi_pipeline/settings.py": "",
            },
            "'newroom' is in no layer",
        ),
    ],
)
def test_a_breach_is_named(tmp_path, files, expected):
    found = violations(_tree(tmp_path, files))
    assert any(expected in line for line in found), found
