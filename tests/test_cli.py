"""Tests for the ``autopipe`` command line (``autopipe.cli``), mostly run in-process."""

from __future__ import annotations

import contextlib
import io
import subprocess
import sys
from pathlib import Path
from typing import Any

import joblib
import numpy as np
import pandas as pd
import pytest
from sklearn.datasets import make_classification, make_regression
from sklearn.linear_model import LogisticRegression

from autopipe import AutoEstimator, __version__
from autopipe.cli import main
from autopipe.exceptions import AllCandidatesFailedError

# A few seconds of search (with slack for a busy machine), light operators, fixed seed.
FAST_FIT = ["--time", "8", "--preset", "light", "--seed", "0"]


def _classification_frame() -> pd.DataFrame:
    X, y = make_classification(n_samples=90, n_features=4, n_informative=3, n_redundant=0, random_state=0)
    frame = pd.DataFrame(X, columns=["a", "b", "c", "d"])
    frame["color"] = np.where(X[:, 0] > 0, "red", "blue")
    frame["label"] = np.where(y == 1, "yes", "no")
    return frame


def _run(argv: list[str]) -> tuple[int, str, str]:
    """``main(argv)`` with its stdout and stderr captured (for module-scoped fixtures)."""
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(argv)
    return code, out.getvalue(), err.getvalue()


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("cli")
    frame = _classification_frame()
    train = frame.copy()
    train.loc[[3, 17, 40], "label"] = np.nan  # rows without a target are dropped by fit
    paths = {
        "train": root / "train.csv",
        "test": root / "test.csv",
        "train_full": root / "train_full.csv",
        "reg": root / "houses.parquet",
        "empty": root / "empty.csv",
        "excel": root / "table.xlsx",
        "bad_parquet": root / "broken.parquet",
        "other_columns": root / "other.csv",
    }
    train.to_csv(paths["train"], index=False)
    frame.to_csv(paths["train_full"], index=False)
    frame.drop(columns="label").head(12).to_csv(paths["test"], index=False)
    paths["empty"].write_text("")
    paths["excel"].write_bytes(b"PK\x03\x04 not really a workbook")
    paths["bad_parquet"].write_text("a,b\n1,2\n")
    pd.DataFrame({"x": [1, 2], "z": [3, 4]}).to_csv(paths["other_columns"], index=False)
    if _has_pyarrow():
        X, y = make_regression(n_samples=80, n_features=3, noise=5.0, random_state=0)
        houses = pd.DataFrame(X, columns=["rooms", "area", "age"])
        houses["price"] = y
        houses.to_parquet(paths["reg"])
    return paths


def _has_pyarrow() -> bool:
    try:
        import pyarrow  # noqa: F401
    except ImportError:
        return False
    return True


@pytest.fixture(scope="module")
def fitted(files: dict[str, Path]) -> dict[str, Any]:
    model = files["train"].parent / "model.joblib"
    code, out, err = _run(["fit", str(files["train"]), "--target", "label", "--out", str(model), *FAST_FIT])
    assert code == 0, err
    return {"model": model, "out": out, "err": err}


@pytest.fixture(scope="module")
def regression_model(files: dict[str, Path]) -> Path:
    pytest.importorskip("pyarrow")
    model = files["reg"].parent / "houses.joblib"
    code, _, err = _run(["fit", str(files["reg"]), "--target", "price", "--out", str(model), *FAST_FIT])
    assert code == 0, err
    return model


def _single_error(capsys: pytest.CaptureFixture[str], argv: list[str]) -> tuple[int, str]:
    """Run ``main(argv)``, which must fail with one line on stderr; its exit code and that line."""
    code = main(argv)
    out, err = capsys.readouterr()
    assert code != 0
    assert "Traceback" not in out + err
    lines = err.splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith("autopipe: error: ")
    return code, lines[0]


# ------------------------------------------------------------------------- fit
def test_fit_prints_a_summary_and_saves_the_model(fitted: dict[str, Any]) -> None:
    out = fitted["out"]
    for needle in ["classification model on 87 rows x 5 columns", "candidates", "best pipeline", "cv accuracy",
                   "final model", "wall time", "saved to"]:
        assert needle in out
    lines = fitted["err"].strip().splitlines()
    assert lines[0] == "autopipe: warning: dropped 3 rows with a missing 'label'"
    # the only other warnings allowed are about candidates that failed during the search
    assert all("candidate pipelines failed" in line for line in lines[1:]), lines
    content = joblib.load(fitted["model"])
    assert set(content) == {"estimator", "target", "autopipe_version"}
    assert isinstance(content["estimator"], AutoEstimator)
    assert content["target"] == "label" and content["autopipe_version"] == __version__


# --------------------------------------------------------------------- predict
def test_predict_to_stdout(fitted: dict[str, Any], files: dict[str, Path], capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["predict", str(fitted["model"]), str(files["test"])]) == 0
    out, err = capsys.readouterr()
    predictions = pd.read_csv(io.StringIO(out))
    assert list(predictions.columns) == ["label"]
    assert len(predictions) == 12
    assert set(predictions["label"]) <= {"yes", "no"}
    assert err == ""


def test_predict_ignores_the_target_column(
    fitted: dict[str, Any], files: dict[str, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["predict", str(fitted["model"]), str(files["test"])]) == 0
    from_test = pd.read_csv(io.StringIO(capsys.readouterr().out))
    assert main(["predict", str(fitted["model"]), str(files["train_full"])]) == 0
    out, err = capsys.readouterr()
    from_train = pd.read_csv(io.StringIO(out))
    assert len(from_train) == 90 and err == ""
    assert from_train["label"].head(12).tolist() == from_test["label"].tolist()


def test_predict_proba_to_a_file(
    fitted: dict[str, Any], files: dict[str, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = tmp_path / "proba.csv"
    assert main(["predict", str(fitted["model"]), str(files["test"]), "--proba", "--out", str(target)]) == 0
    assert "wrote 12 predictions" in capsys.readouterr().out
    proba = pd.read_csv(target)
    assert list(proba.columns) == ["no", "yes"]
    np.testing.assert_allclose(proba.sum(axis=1), 1.0)


def test_predict_with_a_bare_estimator(
    fitted: dict[str, Any], files: dict[str, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bare = tmp_path / "bare.joblib"
    joblib.dump(joblib.load(fitted["model"])["estimator"], bare)
    assert main(["predict", str(bare), str(files["test"])]) == 0
    assert list(pd.read_csv(io.StringIO(capsys.readouterr().out)).columns) == ["prediction"]


# ----------------------------------------------------------------- leaderboard
@pytest.mark.parametrize("fmt", ["text", "csv", "markdown"])
def test_leaderboard_formats(fitted: dict[str, Any], fmt: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["leaderboard", str(fitted["model"]), "--top", "3", "--format", fmt]) == 0
    out = capsys.readouterr().out
    board = joblib.load(fitted["model"])["estimator"].leaderboard_
    best = board["pipeline"].iloc[0]
    if fmt == "csv":
        parsed = pd.read_csv(io.StringIO(out))
        assert list(parsed.columns) == list(board.columns)
        assert len(parsed) == 3 and parsed["pipeline"].iloc[0] == best
    elif fmt == "markdown":
        lines = out.splitlines()
        assert len(lines) == 5 and all(line.startswith("|") and line.endswith("|") for line in lines)
        assert lines[0].startswith("| rank | score") and set(lines[1]) <= set("|-:")
        assert best.replace("|", "\\|") in lines[2]
    else:
        lines = out.splitlines()
        assert lines[0].startswith(f"Top 3 of {len(board)} candidates")
        assert lines[1].split()[:2] == ["rank", "score"] and len(lines) == 5
        assert best[:90] in lines[2]  # text cuts long pipelines short


# ---------------------------------------------------------------------- export
def test_export_to_stdout_and_file(
    fitted: dict[str, Any], files: dict[str, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["export", str(fitted["model"])]) == 0
    code = capsys.readouterr().out
    assert code.startswith("# autopipe: best of") and "pipeline = " in code
    target = tmp_path / "pipeline.py"
    assert main(["export", str(fitted["model"]), "--out", str(target)]) == 0
    assert "wrote" in capsys.readouterr().out
    assert target.read_text() == code

    namespace: dict[str, Any] = {}
    exec(compile(code, str(target), "exec"), namespace)  # noqa: S102  (our own exported code)
    data = pd.read_csv(files["train_full"])
    pipeline = namespace["pipeline"].fit(data.drop(columns="label"), data["label"])
    assert pipeline.score(data.drop(columns="label"), data["label"]) > 0.6


@pytest.mark.skipif(not hasattr(AutoEstimator, "candidate_pipeline"), reason="wired by the lead")
def test_export_another_candidate(fitted: dict[str, Any], capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["export", str(fitted["model"]), "--candidate", "1"]) == 0
    code = capsys.readouterr().out
    assert code.startswith("# autopipe: candidate 1 (rank 2)")
    namespace: dict[str, Any] = {}
    exec(code, namespace)  # noqa: S102
    assert hasattr(namespace["pipeline"], "fit")


@pytest.mark.skipif(not hasattr(AutoEstimator, "export_notebook"), reason="wired by the lead")
def test_export_notebook(
    fitted: dict[str, Any], files: dict[str, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    nbformat = pytest.importorskip("nbformat")
    target = tmp_path / "notebooks" / "best.ipynb"
    target.parent.mkdir()
    assert main(["export", str(fitted["model"]), "--notebook", str(target), "--data", str(files["train_full"])]) == 0
    assert "wrote notebook" in capsys.readouterr().out
    nb = nbformat.read(target, as_version=4)
    sources = "\n".join(cell.source for cell in nb.cells)
    assert 'TARGET = "label"' in sources  # the target recorded in the model file
    relative = Path("..") / ".." / files["train_full"].parent.name / files["train_full"].name
    assert f'DATA_PATH = "{relative.as_posix()}"' in sources
    assert (target.parent / relative).resolve() == files["train_full"].resolve()


# --------------------------------------------------------------------- parquet
def test_parquet_fit_and_predict(
    regression_model: Path, files: dict[str, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    assert joblib.load(regression_model)["estimator"].task_ == "regression"
    assert main(["predict", str(regression_model), str(files["reg"])]) == 0
    predictions = pd.read_csv(io.StringIO(capsys.readouterr().out))
    assert list(predictions.columns) == ["price"] and len(predictions) == 80
    assert predictions["price"].dtype.kind == "f"


def test_proba_of_a_regression_model_is_an_error(
    regression_model: Path, files: dict[str, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    code, line = _single_error(capsys, ["predict", str(regression_model), str(files["reg"]), "--proba"])
    assert code == 1 and "--proba needs a classification model" in line


# ---------------------------------------------------------------------- errors
@pytest.mark.parametrize(
    ("argv", "code", "needle"),
    [
        ([], 2, "required: COMMAND"),
        (["train"], 2, "invalid choice: 'train'"),
        (["fit", "{train}", "--out", "{tmp}/m.joblib"], 2, "required: --target"),
        (["fit", "{train}", "--target", "label", "--out", "{tmp}/m.joblib", "--time", "-3"], 2, "--time: must be"),
        (["fit", "{train}", "--target", "label", "--out", "{tmp}/m.joblib", "--time", "soon"], 2, "--time"),
        (["fit", "{train}", "--target", "label", "--out", "{tmp}/m.joblib", "--task", "ranking"], 2, "--task"),
        (["fit", "{train}", "--target", "label", "--out", "{tmp}/m.joblib", "--scoring", "acuracy"], 2,
         "did you mean 'accuracy'"),
        (["fit", "{train}", "--target", "label", "--out", "{tmp}/m.joblib", "--n-jobs", "0"], 2, "--n-jobs"),
        (["fit", "{train}", "--target", "label", "--out", "{tmp}/m.joblib", "--verbose", "5"], 2, "--verbose"),
        (["fit", "{train}", "--target", "label", "--out", "{tmp}/m.joblib", "--seed", "-1"], 2, "--seed"),
        (["fit", "{train}", "--target", "label", "--out", "{tmp}/m.joblib", "--preset", "huge"], 2, "--preset"),
        (["fit", "{tmp}/missing.csv", "--target", "label", "--out", "{tmp}/m.joblib"], 1, "does not exist"),
        (["fit", "{tmp}", "--target", "label", "--out", "{tmp}/m.joblib"], 1, "is a directory"),
        (["fit", "{train}", "--target", "lable", "--out", "{tmp}/m.joblib"], 1,
         "column 'lable' not found in"),
        (["fit", "{train}", "--target", "Label", "--out", "{tmp}/m.joblib"], 1, "did you mean 'label'?"),
        (["fit", "{excel}", "--target", "label", "--out", "{tmp}/m.joblib"], 1, "unknown format"),
        (["fit", "{bad_parquet}", "--target", "label", "--out", "{tmp}/m.joblib"], 1, "as PARQUET"),
        (["fit", "{empty}", "--target", "label", "--out", "{tmp}/m.joblib"], 1, "is empty"),
        (["fit", "{train}", "--target", "label", "--out", "{tmp}/no/such/dir/m.joblib"], 1, "does not exist"),
        (["predict", "{train}", "{test}"], 1, "is not an autopipe model"),
        (["predict", "{tmp}/missing.joblib", "{test}"], 1, "does not exist"),
        (["predict", "{model}", "{tmp}/missing.csv"], 1, "does not exist"),
        (["predict", "{model}", "{other_columns}"], 1, "none of the columns"),
        (["leaderboard", "{model}", "--top", "0"], 2, "--top: must be at least 1"),
        (["leaderboard", "{model}", "--format", "html"], 2, "--format"),
        (["export", "{model}", "--candidate", "999"], 2, "out of range"),
        (["export", "{model}", "--candidate", "-1"], 2, "--candidate"),
        (["export", "{model}", "--data", "{train}"], 2, "go with --notebook"),
        (["export", "{model}", "--notebook", "{tmp}/nb.ipynb", "--target", "label"], 2, "--target needs --data"),
    ],
)
def test_errors_are_one_line(
    argv: list[str], code: int, needle: str, fitted: dict[str, Any], files: dict[str, Path], tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    names = {key: str(path) for key, path in files.items()}
    argv = [arg.format(tmp=tmp_path, model=fitted["model"], **names) for arg in argv]
    got, line = _single_error(capsys, argv)
    assert got == code, line
    assert needle in line


def test_unknown_column_lists_the_columns(
    files: dict[str, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _, line = _single_error(capsys, ["fit", str(files["train"]), "--target", "survived", "--out", str(tmp_path / "m")])
    assert line.endswith(f"not found in {files['train']}. Columns: a, b, c, d, color, label")


@pytest.mark.parametrize(
    "content",
    [{"model": 1}, LogisticRegression(), AutoEstimator()],
    ids=["dict", "sklearn", "unfitted"],
)
def test_model_files_that_are_not_autopipe_models(
    content: Any, files: dict[str, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "model.joblib"
    joblib.dump(content, path)
    for argv in (["predict", str(path), str(files["test"])], ["leaderboard", str(path)], ["export", str(path)]):
        code, line = _single_error(capsys, argv)
        assert code == 1
        assert "is not an autopipe model" in line or "unfitted" in line


def test_unexpected_errors_are_one_line_unless_debug(
    files: dict[str, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    def explode(self: AutoEstimator, X: Any, y: Any) -> AutoEstimator:
        raise RuntimeError("boom\nsecond line\nthird line")

    monkeypatch.setattr(AutoEstimator, "fit", explode)
    argv = ["fit", str(files["train_full"]), "--target", "label", "--out", str(tmp_path / "m.joblib")]
    code, line = _single_error(capsys, argv)
    assert code == 1
    assert line.startswith("autopipe: error: RuntimeError: boom; second line; third line") and "--debug" in line
    with pytest.raises(RuntimeError, match="boom"):
        main([*argv, "--debug"])


def test_a_search_where_everything_failed_suggests_more_time(
    files: dict[str, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    def fail(self: AutoEstimator, X: Any, y: Any) -> AutoEstimator:
        raise AllCandidatesFailedError(
            "All 3 candidate pipelines failed:\n  3 x timeout: evaluation exceeded 1.0 s limit\n"
            "First failing pipeline: GaussianNB(input)\nevaluation exceeded 1.0 s limit\nTo debug it ..."
        )

    monkeypatch.setattr(AutoEstimator, "fit", fail)
    argv = ["fit", str(files["train_full"]), "--target", "label", "--out", str(tmp_path / "m.joblib")]
    code, line = _single_error(capsys, argv)
    assert code == 1
    assert line == (
        "autopipe: error: All 3 candidate pipelines failed: 3 x timeout: evaluation exceeded 1.0 s limit "
        "(a larger --time may help)"
    )
    assert not (tmp_path / "m.joblib").exists()


# ------------------------------------------------------------------------ help
@pytest.mark.parametrize("command", ["fit", "predict", "leaderboard", "export"])
def test_every_command_has_help_with_an_example(command: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main([command, "--help"]) == 0
    out = capsys.readouterr().out
    assert out.startswith(f"usage: autopipe {command}")
    assert "example" in out and f"autopipe {command} " in out.split("example")[1]


def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--version"]) == 0
    assert capsys.readouterr().out.strip() == f"autopipe {__version__}"


# ----------------------------------------------------------- the entry point
def test_python_dash_m_help() -> None:
    proc = subprocess.run([sys.executable, "-m", "autopipe", "--help"], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.startswith("usage: autopipe")
    assert all(command in proc.stdout for command in ["fit", "predict", "leaderboard", "export"])


def test_python_dash_m_fit(tmp_path: Path) -> None:
    _classification_frame().to_csv(tmp_path / "tiny.csv", index=False)
    proc = subprocess.run(
        [sys.executable, "-m", "autopipe", "fit", "tiny.csv", "--target", "label", "--time", "8",
         "--preset", "light", "--seed", "0", "--out", "tiny.joblib"],
        cwd=tmp_path, capture_output=True, text=True, timeout=180,
    )
    assert proc.returncode == 0, proc.stderr
    assert "best pipeline" in proc.stdout and "Traceback" not in proc.stderr
    assert isinstance(joblib.load(tmp_path / "tiny.joblib")["estimator"], AutoEstimator)


# ------------------------------------------------------------ weights, groups
def test_fit_with_weight_and_group_columns(tmp_path: Path) -> None:
    frame = _classification_frame()
    frame["w"] = np.where(frame["label"] == "yes", 2.0, 1.0)
    frame["site"] = np.arange(len(frame)) % 9
    data, model = tmp_path / "weighted.csv", tmp_path / "weighted.joblib"
    frame.to_csv(data, index=False)
    argv = ["fit", str(data), "--target", "label", "--weight", "w", "--groups", "site", "--out", str(model)]
    code, out, err = _run([*argv, *FAST_FIT])
    assert code == 0, err
    estimator = joblib.load(model)["estimator"]
    assert "w" not in estimator.feature_names_in_ and "site" not in estimator.feature_names_in_
    code, out, err = _run(["predict", str(model), str(data)])
    assert code == 0 and len(pd.read_csv(io.StringIO(out))) == len(frame), err


@pytest.mark.parametrize(
    ("extra", "needle"),
    [
        (["--weight", "wieght"], "column 'wieght' not found"),
        (["--groups", "label"], "--groups 'label' is the target column"),
        (["--weight", "a"], "sample_weight must not be negative"),
    ],
)
def test_bad_weight_and_group_columns_are_one_line_errors(
    files: dict[str, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str], extra: list[str], needle: str
) -> None:
    argv = ["fit", str(files["train_full"]), "--target", "label", "--out", str(tmp_path / "m.joblib"), *extra]
    code, line = _single_error(capsys, [*argv, *FAST_FIT])
    assert code == 1 and needle in line, line
