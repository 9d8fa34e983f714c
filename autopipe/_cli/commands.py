"""The four commands of the command line: fit, predict, leaderboard and export."""

from __future__ import annotations

import argparse
import os
import time
import warnings
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

from .errors import CLIError
from .files import (
    SHOWN_COLUMNS,
    check_column,
    check_output_file,
    load_model,
    model_file_content,
    read_table,
)
from .output import TEXT_WIDTH, display_frame, fit_summary, markdown_table, scoring_label, text_table

if TYPE_CHECKING:
    import pandas as pd

    from ..estimator import AutoEstimator


# ------------------------------------------------------------------------ fit
def fit(args: argparse.Namespace, out: TextIO) -> int:
    """``autopipe fit``: search pipelines for a table, save the model, print a summary."""
    import joblib

    from ..estimator import AutoEstimator

    destination = check_output_file(args.out)
    X, y, extra = _training_data(args)
    estimator = AutoEstimator(
        task=args.task, scoring=args.scoring, time_budget=args.time, search_space=args.preset,
        n_jobs=args.n_jobs, random_state=args.seed, verbose=args.verbose,
    )
    start = time.perf_counter()
    with warnings.catch_warnings(record=True) as caught:  # shown after the model is saved
        estimator.fit(X, y, **extra)
    wall = time.perf_counter() - start
    joblib.dump(model_file_content(estimator, args.target), destination)
    _show_fit_warnings(caught, args.out)
    out.write(fit_summary(estimator, args.data, X.shape, wall, args.time, destination))
    return 0


def _training_data(args: argparse.Namespace) -> tuple[pd.DataFrame, pd.Series, dict[str, Any]]:
    """The features, the target and the ``fit`` arguments (weights, groups) of the training table."""
    data = read_table(args.data)
    check_column(data, args.target, args.data)
    y = data[args.target]
    missing = int(y.isna().sum())
    if missing == len(y):
        raise CLIError(f"the target column {args.target!r} of {args.data!r} has no values")
    if missing:
        warnings.warn(f"dropped {missing} rows with a missing {args.target!r}", UserWarning, stacklevel=3)
        data = data[y.notna()]
        y = y[y.notna()]
    extra = {}
    for option, column, argument in (("--weight", args.weight, "sample_weight"), ("--groups", args.groups, "groups")):
        if column is None:
            continue
        check_column(data, column, args.data)
        if column == args.target:
            raise CLIError(f"{option} {column!r} is the target column")
        extra[argument] = data[column].to_numpy()
    X = data.drop(columns=list({c for c in (args.target, args.weight, args.groups) if c is not None}))
    if X.shape[1] == 0:
        raise CLIError(f"{args.data!r} has no feature columns besides the target {args.target!r}")
    return X, y, extra


def _show_fit_warnings(caught: list[warnings.WarningMessage], model: str) -> None:
    """Show the warnings of a fit, pointing failure summaries to ``autopipe leaderboard``."""
    from ..exceptions import CandidateFailureWarning

    for warning in caught:
        text = str(warning.message)
        if issubclass(warning.category, CandidateFailureWarning):
            text = text.replace("(see leaderboard_['error'])", f"(see 'autopipe leaderboard {model}')")
        warnings.showwarning(text, warning.category, warning.filename, warning.lineno)


# -------------------------------------------------------------------- predict
def predict(args: argparse.Namespace, out: TextIO) -> int:
    """``autopipe predict``: predictions (or class probabilities) of a saved model, as CSV."""
    import pandas as pd

    estimator, target = load_model(args.model)
    destination = None if args.out is None else check_output_file(args.out)
    data = read_table(args.data)
    if target is not None and target in data.columns:
        data = data.drop(columns=[target])
    _check_features(estimator, data, args.data)
    if args.proba:
        if estimator.task_ != "classification":
            raise CLIError(f"--proba needs a classification model; {args.model!r} is a {estimator.task_} model")
        if not hasattr(estimator, "predict_proba"):
            raise CLIError(
                f"the selected pipeline of {args.model!r} ({estimator.best_candidate_}) has no predict_proba"
            )
        proba = estimator.predict_proba(data)
        result = pd.DataFrame(proba, columns=[str(c) for c in estimator.classes_])
    else:
        result = pd.DataFrame({target or "prediction": estimator.predict(data)})
    if destination is None:
        result.to_csv(out, index=False)
    else:
        result.to_csv(destination, index=False)
        out.write(f"wrote {len(result)} predictions to {destination}\n")
    return 0


def _check_features(estimator: AutoEstimator, data: pd.DataFrame, source: str) -> None:
    expected = getattr(estimator, "feature_names_in_", None)
    if expected is None:
        return
    if not set(map(str, expected)) & set(map(str, data.columns)):
        shown = ", ".join(map(str, expected[:SHOWN_COLUMNS])) + (", ..." if len(expected) > SHOWN_COLUMNS else "")
        raise CLIError(f"{source!r} has none of the columns the model was fitted on ({shown})")


# ---------------------------------------------------------------- leaderboard
def leaderboard(args: argparse.Namespace, out: TextIO) -> int:
    """``autopipe leaderboard``: the best candidates of a saved model, as text, CSV or markdown."""
    estimator, _ = load_model(args.model)
    board = estimator.leaderboard_
    top = board.head(args.top)
    if args.format == "csv":
        top.to_csv(out, index=False)
    elif args.format == "markdown":
        out.write(markdown_table(display_frame(top)))
    else:
        out.write(
            f"Top {len(top)} of {len(board)} candidates, by cross-validated {scoring_label(estimator)}\n"
            + text_table(display_frame(top, max_width=TEXT_WIDTH))
        )
    return 0


# --------------------------------------------------------------------- export
def export(args: argparse.Namespace, out: TextIO) -> int:
    """``autopipe export``: a candidate pipeline as Python code, a Jupyter notebook, or both."""
    if args.notebook is None and (args.data is not None or args.target is not None):
        raise CLIError("--data and --target go with --notebook", code=2)
    if args.notebook is not None and args.target is not None and args.data is None:
        raise CLIError("--target needs --data (the table the notebook reads)", code=2)
    estimator, target = load_model(args.model)
    n_ok = len(_successful(estimator))
    if args.candidate is not None and args.candidate >= n_ok:
        raise CLIError(
            f"--candidate {args.candidate} is out of range: the leaderboard has {n_ok} successful "
            f"candidate(s), numbered 0 to {n_ok - 1}",
            code=2,
        )
    code_file = None if args.out is None else check_output_file(args.out)
    if args.notebook is not None:
        notebook = check_output_file(args.notebook)
        if not hasattr(estimator, "export_notebook"):
            raise CLIError("this autopipe version cannot export notebooks (no AutoEstimator.export_notebook)")
        data_path, column = _notebook_data(args, target, notebook)
        candidate = 0 if args.candidate is None else args.candidate
        estimator.export_notebook(notebook, candidate=candidate, data_path=data_path, target=column)
        out.write(f"wrote notebook {notebook}\n")
        if code_file is None:
            return 0
    code = _candidate_code(estimator, args.candidate)
    if code_file is None:
        out.write(code)
    else:
        code_file.write_text(code, encoding="utf-8")
        out.write(f"wrote {code_file}\n")
    return 0


def _successful(estimator: AutoEstimator) -> pd.DataFrame:
    """The leaderboard rows of candidates evaluated without error, best first."""
    board = estimator.leaderboard_
    return board[board["status"] == "ok"]


def _candidate_code(estimator: AutoEstimator, candidate: int | None) -> str:
    if candidate is None:
        return estimator.export()
    if not hasattr(estimator, "candidate_pipeline"):
        raise CLIError("this autopipe version cannot export single candidates (no AutoEstimator.candidate_pipeline)")
    from ..report import estimator_to_code

    row = _successful(estimator).iloc[candidate]
    header = (
        f"# autopipe: candidate {candidate} (rank {row['rank']}) of {len(estimator.leaderboard_)}, "
        f"cross-validated {scoring_label(estimator)} = {row['score']:.4f}\n"
    )
    return header + estimator_to_code(estimator.candidate_pipeline(candidate))


def _notebook_data(args: argparse.Namespace, target: str | None, notebook: Path) -> tuple[str | None, str | None]:
    """The data path (relative to the notebook's folder) and target column the notebook reads."""
    if args.data is None:
        return None, None
    column = args.target or target
    if column is None:
        raise CLIError("--data needs --target: the model file does not record its target column", code=2)
    data = read_table(args.data)
    check_column(data, column, args.data)
    source = Path(args.data).resolve()
    try:
        relative = os.path.relpath(source, notebook.resolve().parent)
    except ValueError:  # another drive on Windows
        relative = str(source)
    return Path(relative).as_posix(), column
