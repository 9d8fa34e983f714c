"""The ``autopipe`` command line: fit, predict, leaderboard and export from a terminal."""

from __future__ import annotations

import argparse
import contextlib
import difflib
import math
import os
import sys
import time
import warnings
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn, TextIO

from . import __version__

# scikit-learn, pandas and the estimator are imported where they are needed,
# so that ``autopipe --help`` and usage errors answer at once.
if TYPE_CHECKING:
    import pandas as pd

    from .estimator import AutoEstimator

__all__ = ["CLIError", "main"]

PROG = "autopipe"
_MAX_MESSAGE = 400
_SHOWN_COLUMNS = 15
_TEXT_WIDTH = 100  # longest pipeline, note or error in a text leaderboard (csv and markdown keep all)
_TEXT_COLUMNS = ["rank", "score", "score_std", "complexity", "fit_time", "status", "pipeline"]
_NUMERIC_COLUMNS = frozenset({"rank", "score", "score_std", "complexity", "fit_time"})
_FORMATS_HELP = "CSV (.csv, .csv.gz, other compressed .csv) or Parquet (.parquet, .pq)"


class CLIError(Exception):
    """An error reported to the user as one line on stderr, with an exit status.

    Parameters
    ----------
    message : str
        What went wrong and, where possible, what to do about it.
    code : int, default=1
        Exit status: 2 for usage errors (bad options), 1 for everything else.
    """

    def __init__(self, message: str, code: int = 1) -> None:
        super().__init__(message)
        self.code = code


class _Parser(argparse.ArgumentParser):
    """An argument parser whose errors become :class:`CLIError` (one line, exit status 2)."""

    def error(self, message: str) -> NoReturn:
        raise CLIError(f"{message} (see '{self.prog} --help')", code=2)


# ----------------------------------------------------------------- option types
def _positive_float(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number of seconds, got {text!r}") from None
    if not math.isfinite(value) or value <= 0:
        raise argparse.ArgumentTypeError(f"must be a positive number of seconds, got {text!r}")
    return value


def _int_at_least(minimum: int) -> Callable[[str], int]:
    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"expected an integer, got {text!r}") from None
        if value < minimum:
            raise argparse.ArgumentTypeError(f"must be at least {minimum}, got {value}")
        return value

    return parse


def _n_jobs(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected an integer, got {text!r}") from None
    if value == 0:
        raise argparse.ArgumentTypeError("must be a number of processes (1, 2, ...) or -1 for one per core, got 0")
    return value


def _scorer_name(text: str) -> str:
    from sklearn.metrics import get_scorer_names

    names = get_scorer_names()
    if text in names:
        return text
    close = difflib.get_close_matches(text, names, n=1)
    hint = f"; did you mean {close[0]!r}?" if close else "; see sklearn.metrics.get_scorer_names()"
    raise argparse.ArgumentTypeError(f"unknown scorer {text!r}{hint}")


# ------------------------------------------------------------------ the parser
_FIT_EXAMPLE = """\
example:
  autopipe fit train.csv --target survived --time 120 --n-jobs 2 --out model.joblib

The data may be {formats}.
Rows with a missing target are dropped. The model file records the target
column, so that 'autopipe predict' can name its output and ignore the column.
A model file runs code when it is loaded: load only models you trust."""

_PREDICT_EXAMPLE = """\
examples:
  autopipe predict model.joblib test.csv --out predictions.csv
  autopipe predict model.joblib test.parquet --proba > probabilities.csv

If DATA holds the target column (the training file, say), it is ignored."""

_LEADERBOARD_EXAMPLE = """\
examples:
  autopipe leaderboard model.joblib
  autopipe leaderboard model.joblib --top 3 --format markdown"""

_EXPORT_EXAMPLE = """\
examples:
  autopipe export model.joblib --out pipeline.py
  autopipe export model.joblib --candidate 1
  autopipe export model.joblib --notebook best.ipynb --data train.csv --target survived

--data defaults to no data (the notebook then has a cell to fill in); --target
defaults to the target the model was fitted on."""


def _build_parser() -> _Parser:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument(
        "--debug", action="store_true", default=argparse.SUPPRESS,
        help="show the full traceback of an error instead of one line",
    )
    formatter = argparse.RawDescriptionHelpFormatter
    parser = _Parser(
        prog=PROG,
        description="Search scikit-learn pipelines under a time budget, then predict with and export the best.",
        epilog="example:\n  autopipe fit train.csv --target label --time 60 --out model.joblib\n\n"
        "Run 'autopipe COMMAND --help' for the options of a command.",
        formatter_class=formatter,
        parents=[common],
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    fit = commands.add_parser(
        "fit", parents=[common], formatter_class=formatter, epilog=_FIT_EXAMPLE.format(formats=_FORMATS_HELP),
        help="search pipelines for a table and save the fitted model",
        description="Search pipelines that predict TARGET from the other columns of DATA, refit the "
        "best one on all rows and save the model.",
    )
    fit.add_argument("data", metavar="DATA", help="training table: " + _FORMATS_HELP)
    fit.add_argument("--target", required=True, metavar="COL", help="the column to predict")
    fit.add_argument("--out", required=True, metavar="MODEL", help="where to save the model (joblib file)")
    fit.add_argument("--weight", metavar="COL", default=None,
                     help="a column of non-negative row weights (used in fits and scores, not as a feature)")
    fit.add_argument("--groups", metavar="COL", default=None,
                     help="a column of group labels: no group is on both sides of a cross-validation fold")
    fit.add_argument("--time", type=_positive_float, default=60.0, metavar="SECONDS",
                     help="time budget of the whole fit, in seconds (default: 60)")
    fit.add_argument("--task", choices=["auto", "classification", "regression"], default="auto",
                     help="the learning task (default: inferred from the target)")
    fit.add_argument("--scoring", type=_scorer_name, default=None, metavar="NAME",
                     help="an sklearn scorer name (default: accuracy or r2)")
    fit.add_argument("--n-jobs", type=_n_jobs, default=None, metavar="N",
                     help="worker processes, -1 for one per core (default: 1)")
    fit.add_argument("--seed", type=_int_at_least(0), default=None, metavar="N", help="random seed")
    fit.add_argument("--preset", choices=["default", "light", "nn"], default="default",
                     help="search space: 'light' keeps only fast operators (default: default)")
    fit.add_argument("--verbose", type=int, choices=[0, 1, 2], default=0,
                     help="0: quiet; 1: progress bar; 2: also log each step (default: 0)")
    fit.set_defaults(handler=_cmd_fit)

    predict = commands.add_parser(
        "predict", parents=[common], formatter_class=formatter, epilog=_PREDICT_EXAMPLE,
        help="predict with a saved model, as CSV",
        description="Predict every row of DATA with a saved model and write the predictions as CSV "
        "(to stdout unless --out is given).",
    )
    predict.add_argument("model", metavar="MODEL", help="a model saved by 'autopipe fit'")
    predict.add_argument("data", metavar="DATA", help="rows to predict: " + _FORMATS_HELP)
    predict.add_argument("--out", metavar="CSV", help="write the predictions to this file")
    predict.add_argument("--proba", action="store_true",
                         help="write class probabilities, one column per class (classification)")
    predict.set_defaults(handler=_cmd_predict)

    board = commands.add_parser(
        "leaderboard", parents=[common], formatter_class=formatter, epilog=_LEADERBOARD_EXAMPLE,
        help="show the best candidate pipelines of a saved model",
        description="Show the candidates a search evaluated, best first.",
    )
    board.add_argument("model", metavar="MODEL", help="a model saved by 'autopipe fit'")
    board.add_argument("--top", type=_int_at_least(1), default=10, metavar="N",
                       help="number of rows (default: 10)")
    board.add_argument("--format", choices=["text", "csv", "markdown"], default="text",
                       help="output format (default: text)")
    board.set_defaults(handler=_cmd_leaderboard)

    export = commands.add_parser(
        "export", parents=[common], formatter_class=formatter, epilog=_EXPORT_EXAMPLE,
        help="export a candidate pipeline as Python code or a Jupyter notebook",
        description="Write Python source that rebuilds a candidate pipeline (unfitted), or a Jupyter "
        "notebook that rebuilds, cross-validates, fits and evaluates it.",
    )
    export.add_argument("model", metavar="MODEL", help="a model saved by 'autopipe fit'")
    export.add_argument("--out", metavar="PY", help="write the code to this file instead of stdout")
    export.add_argument("--candidate", type=_int_at_least(0), default=None, metavar="K",
                        help="export the K-th best single pipeline (0 = best) instead of the final model, "
                        "which may be an ensemble; a notebook exports candidate 0 by default")
    export.add_argument("--notebook", metavar="IPYNB", help="write a Jupyter notebook for the candidate")
    export.add_argument("--data", metavar="DATA", help="with --notebook: the table the notebook reads")
    export.add_argument("--target", metavar="COL", help="with --notebook --data: the target column")
    export.set_defaults(handler=_cmd_export)
    return parser


# ----------------------------------------------------------------- data files
def _hint_columns(name: str, columns: Sequence[Any]) -> str:
    names = [str(c) for c in columns]
    folded = [c for c in names if c.casefold() == name.casefold()]
    close = folded or difflib.get_close_matches(name, names, n=1)
    hint = f"; did you mean {close[0]!r}?" if close else "."
    shown = ", ".join(names[:_SHOWN_COLUMNS])
    more = f", ... ({len(names)} in all)" if len(names) > _SHOWN_COLUMNS else ""
    return f"{hint} Columns: {shown}{more}"


def _check_column(frame: pd.DataFrame, column: str, source: str) -> None:
    if column not in frame.columns:
        raise CLIError(f"column {column!r} not found in {source}{_hint_columns(column, frame.columns)}")


def _check_input_file(path: str, what: str) -> Path:
    file = Path(path)
    if not file.exists():
        raise CLIError(f"{what} {path!r} does not exist")
    if file.is_dir():
        raise CLIError(f"{what} {path!r} is a directory, not a file")
    return file


def _check_output_file(path: str) -> Path:
    file = Path(path)
    if file.is_dir():
        raise CLIError(f"cannot write {path!r}: it is a directory")
    if not file.resolve().parent.is_dir():
        raise CLIError(f"cannot write {path!r}: directory {str(file.parent)!r} does not exist")
    return file


def _read_table(path: str) -> pd.DataFrame:
    """Read a CSV or Parquet file (by suffix) into a DataFrame, with one-line errors."""
    import pandas as pd

    from .report._notebook import data_format

    file = _check_input_file(path, "data file")
    kind = data_format(file)
    if kind is None:
        raise CLIError(f"cannot read {path!r}: unknown format; use {_FORMATS_HELP}")
    try:
        if kind == "csv":
            frame = pd.read_csv(file)
        else:
            frame = pd.read_parquet(file)
    except ImportError as exc:
        raise CLIError(f"reading Parquet needs pyarrow: pip install 'autopipe[parquet]' ({exc})") from exc
    except pd.errors.EmptyDataError:
        raise CLIError(f"cannot read {path!r}: the file is empty") from None
    except Exception as exc:  # noqa: BLE001  (any parser failure means the same to the user)
        raise CLIError(f"cannot read {path!r} as {kind.upper()}: {_one_line(str(exc)) or type(exc).__name__}") from exc
    if frame.shape[0] == 0:
        raise CLIError(f"{path!r} has no rows")
    return frame


# ---------------------------------------------------------------- model files
def _load_model(path: str) -> tuple[AutoEstimator, str | None]:
    """The fitted estimator in a model file, and the target column name when recorded."""
    import joblib

    from .estimator import AutoEstimator

    file = _check_input_file(path, "model file")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            content = joblib.load(file)
    except Exception as exc:  # noqa: BLE001  (whatever fails, the file is not a loadable model)
        raise CLIError(f"{path!r} is not an autopipe model: joblib cannot load it ({type(exc).__name__})") from exc
    target = None
    estimator = content
    if isinstance(content, dict) and "estimator" in content:
        estimator = content["estimator"]
        target = content.get("target")
        saved = content.get("autopipe_version")
        if saved is not None and saved != __version__:
            warnings.warn(f"{path} was saved by autopipe {saved}; this is autopipe {__version__}", UserWarning,
                          stacklevel=2)
    if not isinstance(estimator, AutoEstimator):
        raise CLIError(f"{path!r} is not an autopipe model: it holds a {type(estimator).__name__}")
    if not hasattr(estimator, "fitted_pipeline_"):
        raise CLIError(f"{path!r} holds an unfitted {type(estimator).__name__}; fit it first")
    return estimator, None if target is None else str(target)


def _model_file_content(estimator: AutoEstimator, target: str) -> dict[str, Any]:
    return {"estimator": estimator, "target": target, "autopipe_version": __version__}


# ------------------------------------------------------------------- commands
def _cmd_fit(args: argparse.Namespace, out: TextIO) -> int:
    import joblib

    from .estimator import AutoEstimator
    from .exceptions import CandidateFailureWarning

    destination = _check_output_file(args.out)
    data = _read_table(args.data)
    _check_column(data, args.target, args.data)
    y = data[args.target]
    missing = int(y.isna().sum())
    if missing == len(y):
        raise CLIError(f"the target column {args.target!r} of {args.data!r} has no values")
    if missing:
        warnings.warn(f"dropped {missing} rows with a missing {args.target!r}", UserWarning, stacklevel=2)
        data = data[y.notna()]
        y = y[y.notna()]
    extra = {}
    for option, column, argument in (("--weight", args.weight, "sample_weight"), ("--groups", args.groups, "groups")):
        if column is None:
            continue
        _check_column(data, column, args.data)
        if column == args.target:
            raise CLIError(f"{option} {column!r} is the target column")
        extra[argument] = data[column].to_numpy()
    X = data.drop(columns=list({c for c in (args.target, args.weight, args.groups) if c is not None}))
    if X.shape[1] == 0:
        raise CLIError(f"{args.data!r} has no feature columns besides the target {args.target!r}")

    estimator = AutoEstimator(
        task=args.task, scoring=args.scoring, time_budget=args.time, search_space=args.preset,
        n_jobs=args.n_jobs, random_state=args.seed, verbose=args.verbose,
    )
    start = time.perf_counter()
    with warnings.catch_warnings(record=True) as caught:  # shown after the model is saved
        estimator.fit(X, y, **extra)
    wall = time.perf_counter() - start
    joblib.dump(_model_file_content(estimator, args.target), destination)
    for warning in caught:
        text = str(warning.message)
        if issubclass(warning.category, CandidateFailureWarning):
            text = text.replace("(see leaderboard_['error'])", f"(see 'autopipe leaderboard {args.out}')")
        warnings.showwarning(text, warning.category, warning.filename, warning.lineno)

    board = estimator.leaderboard_
    ok = board[board["status"] == "ok"]
    best = ok.iloc[0]
    statuses = board["status"].value_counts()
    outcome = f"{len(ok) + statuses.get('error', 0) + statuses.get('timeout', 0)} evaluated: {len(ok)} ok"
    if statuses.get("error", 0):
        outcome += f", {statuses['error']} failed"
    if statuses.get("timeout", 0):
        outcome += f", {statuses['timeout']} timed out"
    summary = [
        ("candidates", outcome),
        ("best pipeline", str(best["pipeline"])),
        (f"cv {_scoring_label(estimator)}", f"{best['score']:.4f} ± {best['score_std']:.4f}"),
        ("final model", _final_model(estimator, str(best["pipeline"]))),
        ("wall time", f"{wall:.1f} s (budget {args.time:g} s)"),
        ("saved to", str(destination)),
    ]
    width = max(len(label) for label, _ in summary) + 2
    out.write(f"Fitted a {estimator.task_} model on {X.shape[0]} rows x {X.shape[1]} columns of {args.data}\n")
    out.write("".join(f"  {label:<{width}}{value}\n" for label, value in summary))
    return 0


def _final_model(estimator: AutoEstimator, best_key: str) -> str:
    """What ``predict`` uses: the best pipeline, an ensemble, or a fallback pipeline."""
    report = estimator.ensemble_report_
    if report.used:
        return (
            f"{report.kind} ensemble of {len(report.members)} pipelines, out-of-fold "
            f"{_scoring_label(estimator)} {report.score:.4f}"
        )
    refitted = getattr(estimator, "best_candidate_", best_key)
    if refitted != best_key:
        return f"{refitted} (the best pipeline could not be refitted in time)"
    return "the best pipeline"


def _scoring_label(estimator: AutoEstimator) -> str:
    """The name of the score the search maximised."""
    if isinstance(estimator.scoring, str):
        return estimator.scoring
    if estimator.scoring is None:
        return "accuracy" if estimator.task_ == "classification" else "r2"
    return "score"


def _check_features(estimator: AutoEstimator, data: pd.DataFrame, source: str) -> None:
    expected = getattr(estimator, "feature_names_in_", None)
    if expected is None:
        return
    if not set(map(str, expected)) & set(map(str, data.columns)):
        shown = ", ".join(map(str, expected[:_SHOWN_COLUMNS])) + (", ..." if len(expected) > _SHOWN_COLUMNS else "")
        raise CLIError(f"{source!r} has none of the columns the model was fitted on ({shown})")


def _cmd_predict(args: argparse.Namespace, out: TextIO) -> int:
    import pandas as pd

    estimator, target = _load_model(args.model)
    destination = None if args.out is None else _check_output_file(args.out)
    data = _read_table(args.data)
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


def _markdown_cell(value: Any) -> str:
    return str(value).replace("\\", "\\\\").replace("|", "\\|").replace("\n", " ")


def _markdown_table(frame: pd.DataFrame) -> str:
    header = "| " + " | ".join(map(_markdown_cell, frame.columns)) + " |"
    rule = "|" + "|".join("---:" if c in _NUMERIC_COLUMNS else "---" for c in frame.columns) + "|"
    rows = ["| " + " | ".join(_markdown_cell(v) for v in row) + " |" for row in frame.itertuples(index=False)]
    return "\n".join([header, rule, *rows]) + "\n"


def _text_table(frame: pd.DataFrame) -> str:
    """``frame`` (of strings) as aligned columns: numbers to the right, text to the left."""
    columns = [[str(c), *map(str, frame[c])] for c in frame.columns]
    widths = [max(map(len, cells)) for cells in columns]
    lines = []
    for i in range(len(frame) + 1):
        cells = [
            col[i].rjust(w) if name in _NUMERIC_COLUMNS else col[i].ljust(w)
            for name, col, w in zip(frame.columns, columns, widths, strict=True)
        ]
        lines.append("  ".join(cells).rstrip())
    return "\n".join(lines) + "\n"


def _display_frame(board: pd.DataFrame, max_width: int | None = None) -> pd.DataFrame:
    """The leaderboard columns a person reads, numbers rounded, missing values blank.

    Text longer than ``max_width`` characters (pipelines, notes, errors) is cut short.
    """
    import pandas as pd

    columns = list(_TEXT_COLUMNS)
    for extra in ("note", "error"):
        if extra in board and board[extra].fillna("").astype(str).str.strip().any():
            columns.append(extra)
    shown = board[columns].copy()
    shown["score"] = shown["score"].map(lambda v: "" if pd.isna(v) else f"{v:.4f}")
    shown["score_std"] = shown["score_std"].map(lambda v: "" if pd.isna(v) else f"{v:.4f}")
    shown["fit_time"] = shown["fit_time"].map(lambda v: "" if pd.isna(v) else f"{v:.2f}")
    for column in ("rank", "complexity"):
        shown[column] = shown[column].map(lambda v: "" if pd.isna(v) else str(int(v)))
    for extra in ("note", "error"):
        if extra in shown:
            shown[extra] = shown[extra].fillna("").astype(str).map(_first_line)
    if max_width is not None:
        for column in ("pipeline", "note", "error"):
            if column in shown:
                shown[column] = shown[column].map(lambda v: v if len(v) <= max_width else v[: max_width - 3] + "...")
    return shown


def _first_line(text: str) -> str:
    return next((line.strip() for line in text.splitlines() if line.strip()), "")


def _cmd_leaderboard(args: argparse.Namespace, out: TextIO) -> int:
    estimator, _ = _load_model(args.model)
    board = estimator.leaderboard_
    top = board.head(args.top)
    if args.format == "csv":
        top.to_csv(out, index=False)
    elif args.format == "markdown":
        out.write(_markdown_table(_display_frame(top)))
    else:
        out.write(
            f"Top {len(top)} of {len(board)} candidates, by cross-validated {_scoring_label(estimator)}\n"
            + _text_table(_display_frame(top, max_width=_TEXT_WIDTH))
        )
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
    from .report import estimator_to_code

    row = _successful(estimator).iloc[candidate]
    header = (
        f"# autopipe: candidate {candidate} (rank {row['rank']}) of {len(estimator.leaderboard_)}, "
        f"cross-validated {_scoring_label(estimator)} = {row['score']:.4f}\n"
    )
    return header + estimator_to_code(estimator.candidate_pipeline(candidate))


def _notebook_data(args: argparse.Namespace, target: str | None, notebook: Path) -> tuple[str | None, str | None]:
    """The data path (relative to the notebook's folder) and target column the notebook reads."""
    if args.data is None:
        return None, None
    column = args.target or target
    if column is None:
        raise CLIError("--data needs --target: the model file does not record its target column", code=2)
    data = _read_table(args.data)
    _check_column(data, column, args.data)
    source = Path(args.data).resolve()
    try:
        relative = os.path.relpath(source, notebook.resolve().parent)
    except ValueError:  # another drive on Windows
        relative = str(source)
    return Path(relative).as_posix(), column


def _cmd_export(args: argparse.Namespace, out: TextIO) -> int:
    if args.notebook is None and (args.data is not None or args.target is not None):
        raise CLIError("--data and --target go with --notebook", code=2)
    if args.notebook is not None and args.target is not None and args.data is None:
        raise CLIError("--target needs --data (the table the notebook reads)", code=2)
    estimator, target = _load_model(args.model)
    n_ok = len(_successful(estimator))
    if args.candidate is not None and args.candidate >= n_ok:
        raise CLIError(
            f"--candidate {args.candidate} is out of range: the leaderboard has {n_ok} successful "
            f"candidate(s), numbered 0 to {n_ok - 1}",
            code=2,
        )
    code_file = None if args.out is None else _check_output_file(args.out)
    if args.notebook is not None:
        notebook = _check_output_file(args.notebook)
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


# ----------------------------------------------------------------------- main
def _one_line(message: str) -> str:
    """``message`` on one line: its lines joined, shortened to a readable length."""
    text = ""
    for line in (line.strip() for line in str(message).splitlines()):
        if line:
            text += line if not text else (" " if text.endswith(":") else "; ") + line
    return text if len(text) <= _MAX_MESSAGE else text[: _MAX_MESSAGE - 6] + " [...]"


def _show_warning(
    message: Warning | str, category: type[Warning], filename: str, lineno: int,
    file: TextIO | None = None, line: str | None = None,
) -> None:
    (file or sys.stderr).write(f"{PROG}: warning: {_one_line(str(message))}\n")


def _describe(exc: BaseException) -> tuple[str, int]:
    """The one-line message and exit status for an error raised by a command."""
    if isinstance(exc, CLIError):
        return _one_line(str(exc)), exc.code
    from .exceptions import AllCandidatesFailedError

    if isinstance(exc, AllCandidatesFailedError):
        summary = str(exc).split("\nFirst failing pipeline:")[0]  # the grouped errors, without the debugging recipe
        return _one_line(summary) + " (a larger --time may help)", 1
    text = _one_line(str(exc))
    name = type(exc).__name__
    return (f"{name}: {text}" if text else name) + " (rerun with --debug for the traceback)", 1


def main(argv: list[str] | None = None) -> int:
    """Run the ``autopipe`` command line.

    Parameters
    ----------
    argv : list of str or None, default=None
        The arguments after the program name; None means ``sys.argv[1:]``.

    Returns
    -------
    int
        The exit status: 0 on success, 2 for a usage error (a bad or missing
        option), 1 for any other error. Errors are reported as one line on
        stderr (``autopipe: error: ...``); ``--debug`` raises them instead.

    Examples
    --------
    >>> main(["fit", "train.csv", "--target", "label", "--time", "30", "--out", "model.joblib"])  # doctest: +SKIP
    0
    """
    argv = sys.argv[1:] if argv is None else list(argv)
    debug = "--debug" in argv
    with warnings.catch_warnings():
        warnings.showwarning = _show_warning
        try:
            try:
                args = _build_parser().parse_args(argv)
            except SystemExit as exc:  # --help and --version
                return exc.code if isinstance(exc.code, int) else 0
            return int(args.handler(args, sys.stdout))
        except KeyboardInterrupt:
            if debug:
                raise
            sys.stderr.write(f"{PROG}: error: interrupted\n")
            return 130
        except BrokenPipeError:
            # the reader of stdout went away (| head): stop quietly, as Unix tools do
            with contextlib.suppress(OSError, ValueError):
                os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
            return 1
        except Exception as exc:  # noqa: BLE001  (the command line shows one line, never a traceback)
            if debug:
                raise
            message, code = _describe(exc)
            sys.stderr.write(f"{PROG}: error: {message}\n")
            return code


if __name__ == "__main__":
    raise SystemExit(main())
