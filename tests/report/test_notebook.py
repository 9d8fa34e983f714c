"""Tests for candidate notebooks (``autopipe.report.candidate_notebook``, ``write_notebook``), written and executed."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from sklearn.datasets import make_classification, make_regression
from sklearn.linear_model import LogisticRegression, Ridge
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from autopipe.report import candidate_notebook, data_format, estimator_to_code, write_notebook

nbformat = pytest.importorskip("nbformat")

TITLE = "LogisticRegression(StandardScaler(input), C=1.0)"


@pytest.fixture
def code() -> str:
    return estimator_to_code(make_pipeline(StandardScaler(), LogisticRegression()))


@pytest.fixture
def csv_path(tmp_path: Path) -> Path:
    X, y = make_classification(n_samples=80, n_features=4, random_state=0)
    frame = pd.DataFrame(X, columns=["a", "b", "c", "d"])
    frame["label"] = np.where(y == 1, "yes", "no")
    path = tmp_path / "train.csv"
    frame.to_csv(path, index=False)
    return path


def _sources(nb: nbformat.NotebookNode, kind: str) -> list[str]:
    return [cell.source for cell in nb.cells if cell.cell_type == kind]


def _python3_kernel() -> bool:
    """Whether a ``python3`` Jupyter kernel exists, installing ipykernel's if need be."""
    from jupyter_client.kernelspec import find_kernel_specs

    if "python3" in find_kernel_specs():
        return True
    subprocess.run(
        [sys.executable, "-m", "ipykernel", "install", "--user"], capture_output=True, timeout=60, check=False
    )
    return "python3" in find_kernel_specs()


def test_notebook_structure(code: str, csv_path: Path) -> None:
    nb = candidate_notebook(
        code, title=TITLE, cv_score=0.91234, scoring="balanced_accuracy", task="classification",
        data_path=str(csv_path), target="label", cv=3, random_state=7,
    )
    nbformat.validate(nb)
    assert nb.nbformat == 4
    markdown, sources = _sources(nb, "markdown"), _sources(nb, "code")
    assert TITLE in markdown[0] and "0.9123" in markdown[0] and "balanced_accuracy" in markdown[0]
    assert code.rstrip("\n") in sources
    joined = "\n".join(sources)
    for needle in [
        "SCORING = \"balanced_accuracy\"", "CV = 3", "RANDOM_STATE = 7", "StratifiedKFold(n_splits=CV, shuffle=True",
        "pd.read_csv(DATA_PATH)", "TARGET = \"label\"", "cross_val_score(", "test_size=0.25", "get_scorer(SCORING)",
    ]:
        assert needle in joined
    assert sources[-1] == "pipeline"
    assert nb.cells[1].metadata["tags"] == ["parameters"]
    assert nb.metadata["autopipe"]["cv_score"] == pytest.approx(0.91234)
    assert nb.metadata["kernelspec"]["name"] == "python3"


def test_regression_parquet_and_missing_score(code: str) -> None:
    nb = candidate_notebook(code, title="Ridge(input)", cv_score=float("nan"), scoring="r2", task="regression",
                            data_path="data/train.parquet", target="price")
    joined = "\n".join(_sources(nb, "code"))
    assert "pd.read_parquet(DATA_PATH)" in joined
    assert "KFold(n_splits=CV" in joined and "StratifiedKFold" not in joined
    assert "not available" in nb.cells[0].source
    assert nb.metadata["autopipe"]["cv_score"] is None


def test_without_data_the_notebook_has_a_template_cell(code: str) -> None:
    nb = candidate_notebook(code, title=TITLE, cv_score=None, scoring="accuracy", task="classification")
    nbformat.validate(nb)
    template = next(s for s in _sources(nb, "code") if "Define the training data" in s)
    assert all(line.startswith("#") for line in template.splitlines())
    assert "read_csv(DATA_PATH)" not in "\n".join(_sources(nb, "code"))
    assert "Define `X` and `y`" in nb.cells[0].source


def test_title_with_backticks_stays_a_code_span(code: str) -> None:
    nb = candidate_notebook(code, title="a`b", cv_score=0.5, scoring="accuracy", task="classification")
    assert "``a`b``" in nb.cells[0].source


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"scoring": "acuracy"}, "scorer name"),
        ({"task": "ranking"}, "task"),
        ({"cv": 1}, "cv"),
        ({"data_path": "train.csv"}, "both or neither"),
        ({"data_path": "train.xlsx", "target": "y"}, "format"),
    ],
)
def test_bad_arguments(code: str, kwargs: dict, match: str) -> None:
    arguments = {"title": TITLE, "cv_score": 0.5, "scoring": "accuracy", "task": "classification", **kwargs}
    with pytest.raises(ValueError, match=match):
        candidate_notebook(code, **arguments)


def test_missing_nbformat(code: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "nbformat", None)
    with pytest.raises(ImportError, match=r"pip install 'autopipe\[notebook\]'"):
        candidate_notebook(code, title=TITLE, cv_score=0.5, scoring="accuracy", task="classification")


@pytest.mark.parametrize(
    ("name", "kind"),
    [("a.csv", "csv"), ("a.CSV.GZ", "csv"), ("a.csv.zip", "csv"), ("a.parquet", "parquet"), ("a.pq", "parquet"),
     ("a.xlsx", None), ("csv", None)],
)
def test_data_format(name: str, kind: str | None) -> None:
    assert data_format(name) == kind


def test_write_round_trips(code: str, tmp_path: Path) -> None:
    nb = candidate_notebook(code, title=TITLE, cv_score=0.5, scoring="accuracy", task="classification")
    path = write_notebook(nb, str(tmp_path / "candidate.ipynb"))
    assert path == tmp_path / "candidate.ipynb"
    assert nbformat.read(path, as_version=4) == nb


@pytest.mark.parametrize("task", ["classification", "regression"])
def test_written_notebook_executes(task: str, csv_path: Path, tmp_path: Path) -> None:
    nbclient = pytest.importorskip("nbclient")
    pytest.importorskip("ipykernel")
    if not _python3_kernel():
        pytest.skip("no python3 Jupyter kernel")
    if task == "classification":
        model = make_pipeline(StandardScaler(), LogisticRegression())
        data_path, target, scoring = csv_path, "label", "accuracy"
    else:  # a Parquet file, read with read_parquet, and plain KFold
        pytest.importorskip("pyarrow")
        X, y = make_regression(n_samples=80, n_features=4, noise=30.0, random_state=0)
        frame = pd.DataFrame(X, columns=["a", "b", "c", "d"]).assign(price=y)
        data_path, target, scoring = tmp_path / "houses.parquet", "price", "r2"
        frame.to_parquet(data_path)
        model = make_pipeline(StandardScaler(), Ridge())
    nb = candidate_notebook(
        estimator_to_code(model), title=TITLE, cv_score=0.9, scoring=scoring, task=task,
        data_path=data_path.name, target=target, cv=3,
    )
    path = write_notebook(nb, tmp_path / "candidate.ipynb")
    nb = nbformat.read(path, as_version=4)
    client = nbclient.NotebookClient(
        nb, timeout=120, kernel_name="python3", resources={"metadata": {"path": str(tmp_path)}}
    )
    client.execute()  # raises CellExecutionError if a cell fails
    outputs = [out for cell in nb.cells if cell.cell_type == "code" for out in cell.get("outputs", [])]
    assert not [out for out in outputs if out.output_type == "error"]
    text = "".join(out.get("text", "") for out in outputs)
    assert "80 rows, 4 feature columns" in text
    assert re.search(rf"3-fold cross-validated {scoring}: -?\d\.\d{{4}} ± \d\.\d{{4}}", text)
    assert re.search(rf"held-out {scoring}: -?\d\.\d{{4}} on 20 rows \(trained on 60\)", text)
    assert "text/html" in outputs[-1]["data"] or "text/plain" in outputs[-1]["data"]
