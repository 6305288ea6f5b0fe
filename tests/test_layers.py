"""The folders are the architecture: each layer imports only from the layers below it.

shirube/ (the CLI and demo) sits on top and may use everything; dashboard/ reads marts through
pipelines/' public functions; pipelines/ (ingest, build, reports) never reaches up. Imports are
read with `ast`, so an import inside a function counts as much as one at the top of a file.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
# Each layer and the top-level packages it must never import.
FORBIDDEN = {
    "pipelines": {"dashboard", "shirube"},
    "dashboard": {"shirube"},
}


def imported_packages(source: str) -> set[str]:
    """The top-level package of every absolute import in `source`."""
    found = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.add(node.module.split(".")[0])
    return found


def test_imports_are_read_wherever_they_are_written():
    source = "import os\ndef f():\n    from dashboard.serve import run\n    import shirube.cli\n"
    assert imported_packages(source) == {"os", "dashboard", "shirube"}
    assert imported_packages("from . import sibling\n") == set()


@pytest.mark.parametrize("layer", sorted(FORBIDDEN))
def test_no_module_of_a_layer_imports_a_layer_above_it(layer):
    files = sorted((ROOT / layer).rglob("*.py"))
    assert files, f"no Python files under {layer}/"
    reaching_up = {
        str(path.relative_to(ROOT)): sorted(imported_packages(path.read_text("utf-8")) & banned)
        for path in files
        for banned in [FORBIDDEN[layer]]
        if imported_packages(path.read_text("utf-8")) & banned
    }
    assert reaching_up == {}
