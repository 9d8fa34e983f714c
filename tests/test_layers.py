"""The package's layers import only downwards (pyproject.toml's import-linter contracts), and no private module
is imported from outside its package."""

from __future__ import annotations

import ast
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "autopipe"

#: Private imports across packages still made by modules that are being rewritten, as (importing file, imported
#: private module). The lead empties this list as those modules switch to the public names, which exist already:
#: ``autopipe.data.check_classes``, ``check_cv_rows``, ``check_regression_target``, ``check_groups``,
#: ``check_sample_weight`` and ``autopipe.report.data_format``. A listed import that is gone fails the test too,
#: so that the list only shrinks.
ALLOWED_PRIVATE_IMPORTS: set[tuple[str, str]] = set()


def _lint_imports() -> str | None:
    beside = Path(sys.executable).with_name("lint-imports")  # the test environment's own, when not on PATH
    return str(beside) if beside.is_file() else shutil.which("lint-imports")


def test_layers_point_down():
    pytest.importorskip("importlinter")
    exe = _lint_imports()
    if exe is None:
        pytest.skip("lint-imports is not on PATH")
    proc = subprocess.run([exe], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stdout[-3000:]
    assert "0 broken" in proc.stdout


def test_contracts_name_every_top_level_module():
    """The forbidden contracts that list "everything else" stay complete when a module is added."""
    tomllib = pytest.importorskip("tomllib")
    contracts = {c["name"]: c for c in tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["importlinter"]
                 ["contracts"]}
    top = {f"autopipe.{p.stem if p.is_file() else p.name}" for p in PACKAGE.iterdir()
           if (p.suffix == ".py" and p.name != "__init__.py") or (p / "__init__.py").is_file()}
    helpers = {"autopipe._utils", "autopipe.exceptions"}
    assert set(contracts["_utils and exceptions import nothing else from autopipe"]["forbidden_modules"]) \
        == top - helpers
    assert set(contracts["library code never imports autopipe.testing"]["source_modules"]) \
        == top - {"autopipe.testing"}


def _module_name(path: Path) -> tuple[str, ...]:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return parts[:-1] if parts[-1] == "__init__" else parts


def _is_private(name: str) -> bool:
    return name.startswith("_") and not name.startswith("__") and name != "_utils"  # _utils is shared by design


def _private_imports(path: Path, source: str) -> Iterator[tuple[int, str, str]]:
    """(line, imported name, private module) for each import in ``source`` (the module at ``path``) of a private
    autopipe module, or of a private name, from outside the package that holds it."""
    module = _module_name(path)
    package = module if path.name == "__init__.py" else module[:-1]
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            targets = [tuple(alias.name.split(".")) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = package[: len(package) - node.level + 1] if node.level else ()
            base = (*base, *(node.module.split(".") if node.module else ()))
            targets = [(*base, alias.name) for alias in node.names]
        else:
            continue
        for target in targets:
            if target[0] != "autopipe":
                continue
            i = next((i for i, part in enumerate(target) if _is_private(part)), None)
            if i is None:
                continue
            # a private module belongs to the package holding it; a private name to its module's package
            is_module = (ROOT.joinpath(*target[: i + 1]).with_suffix(".py").is_file()
                         or ROOT.joinpath(*target[: i + 1], "__init__.py").is_file())
            owner = target[:i] if is_module or ROOT.joinpath(*target[:i], "__init__.py").is_file() else target[:i - 1]
            if module[: len(owner)] != owner:
                yield node.lineno, ".".join(target), ".".join(target[: i + 1])


def test_private_modules_stay_inside_their_package():
    found = set()
    problems = []
    for path in sorted(PACKAGE.rglob("*.py")):
        where = path.relative_to(ROOT).as_posix()
        for line, name, private in _private_imports(path, path.read_text(encoding="utf-8")):
            if (where, private) in ALLOWED_PRIVATE_IMPORTS:
                found.add((where, private))
            else:
                problems.append(f"{where}:{line} imports {name}: import a public name of its package instead")
    assert not problems, "\n".join(problems)
    assert found == ALLOWED_PRIVATE_IMPORTS, f"no longer imported, remove from the list: {ALLOWED_PRIVATE_IMPORTS - found}"


def test_the_private_import_check_sees_relative_absolute_and_local_imports():
    source = ("from ..space._operator import Role\n"
              "def f():\n    import autopipe.data._target\n"
              "from ..data.transformers import _to_datetime\n"
              "from ..space import Role\nfrom ._base import BaseStrategy\nfrom .._utils.deadline import Deadline\n")
    found = {private for _, _, private in _private_imports(PACKAGE / "search" / "_probe.py", source)}
    assert found == {"autopipe.space._operator", "autopipe.data._target", "autopipe.data.transformers._to_datetime"}
    inside = "from .transformers import _to_datetime\nfrom ._target import check_classes\n"
    assert not list(_private_imports(PACKAGE / "data" / "_probe.py", inside))
