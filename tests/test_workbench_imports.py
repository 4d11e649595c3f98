"""The workbench uses the library only through its public API (``hotpass``), not its modules."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import hotpass
from tests.conftest import ROOT

APP_FILES = sorted([ROOT / "app.py", *(ROOT / "app_pages").glob("*.py"),
                    *(ROOT / "workbench").glob("*.py")])


def hotpass_imports(path: Path) -> list[tuple[int, str, list[str]]]:
    """(line, module, names) of every import of hotpass in a file, however it is written."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name, []) for alias in node.names
                      if alias.name.split(".")[0] == "hotpass"]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module \
                and node.module.split(".")[0] == "hotpass":
            found.append((node.lineno, node.module, [alias.name for alias in node.names]))
        elif isinstance(node, ast.Call) and _called(node) in ("import_module", "__import__"):
            found += [(node.lineno, arg.value, []) for arg in node.args
                      if isinstance(arg, ast.Constant) and str(arg.value).startswith("hotpass")]
    return found


def _called(node: ast.Call) -> str:
    return getattr(node.func, "attr", getattr(node.func, "id", ""))


@pytest.mark.parametrize("path", APP_FILES, ids=lambda p: str(p.relative_to(ROOT)))
def test_app_code_imports_only_the_public_api(path):
    bad = []
    for line, module, names in hotpass_imports(path):
        if module != "hotpass":
            bad.append(f"line {line}: {module} is below the facade; import from hotpass")
        bad += [f"line {line}: hotpass has no public {name!r}" for name in names
                if name not in hotpass.__all__]
    assert not bad, "\n".join(bad)


def test_the_facade_offers_every_name_the_app_imports():
    for path in APP_FILES:
        for _, module, names in hotpass_imports(path):
            if module == "hotpass":
                for name in names:
                    assert getattr(hotpass, name) is not None
