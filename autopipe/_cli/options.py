"""The command line's options: value types, help texts and the parser of the four commands."""

from __future__ import annotations

import argparse
import difflib
import math
from collections.abc import Callable
from typing import NoReturn

from .. import __version__
from . import commands
from .errors import PROG, CLIError
from .files import FORMATS_HELP


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


def _integer(text: str) -> int:
    try:
        return int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected an integer, got {text!r}") from None


def _int_at_least(minimum: int) -> Callable[[str], int]:
    def parse(text: str) -> int:
        value = _integer(text)
        if value < minimum:
            raise argparse.ArgumentTypeError(f"must be at least {minimum}, got {value}")
        return value

    return parse


def _n_jobs(text: str) -> int:
    value = _integer(text)
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


# ------------------------------------------------------------------ help texts
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

_MODEL_HELP = "a model saved by 'autopipe fit'"


# ------------------------------------------------------------------ the parser
def build_parser() -> argparse.ArgumentParser:
    """The parser of ``autopipe COMMAND ...``; each command sets ``handler(args, out) -> int``."""
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument(
        "--debug", action="store_true", default=argparse.SUPPRESS,
        help="show the full traceback of an error instead of one line",
    )
    parser = _Parser(
        prog=PROG,
        description="Search scikit-learn pipelines under a time budget, then predict with and export the best.",
        epilog="example:\n  autopipe fit train.csv --target label --time 60 --out model.joblib\n\n"
        "Run 'autopipe COMMAND --help' for the options of a command.",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        parents=[common],
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    def add_command(name: str, handler: Callable[..., int], **texts: str) -> argparse.ArgumentParser:
        """A command's parser, with ``--debug``, its help ``texts`` and its ``handler``."""
        command = subparsers.add_parser(
            name, parents=[common], formatter_class=argparse.RawDescriptionHelpFormatter, **texts
        )
        command.set_defaults(handler=handler)
        return command

    _add_fit_options(add_command(
        "fit", commands.fit, epilog=_FIT_EXAMPLE.format(formats=FORMATS_HELP),
        help="search pipelines for a table and save the fitted model",
        description="Search pipelines that predict TARGET from the other columns of DATA, refit the "
        "best one on all rows and save the model.",
    ))
    _add_predict_options(add_command(
        "predict", commands.predict, epilog=_PREDICT_EXAMPLE,
        help="predict with a saved model, as CSV",
        description="Predict every row of DATA with a saved model and write the predictions as CSV "
        "(to stdout unless --out is given).",
    ))
    _add_leaderboard_options(add_command(
        "leaderboard", commands.leaderboard, epilog=_LEADERBOARD_EXAMPLE,
        help="show the best candidate pipelines of a saved model",
        description="Show the candidates a search evaluated, best first.",
    ))
    _add_export_options(add_command(
        "export", commands.export, epilog=_EXPORT_EXAMPLE,
        help="export a candidate pipeline as Python code or a Jupyter notebook",
        description="Write Python source that rebuilds a candidate pipeline (unfitted), or a Jupyter "
        "notebook that rebuilds, cross-validates, fits and evaluates it.",
    ))
    return parser


def _add_fit_options(fit: argparse.ArgumentParser) -> None:
    fit.add_argument("data", metavar="DATA", help="training table: " + FORMATS_HELP)
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


def _add_predict_options(predict: argparse.ArgumentParser) -> None:
    predict.add_argument("model", metavar="MODEL", help=_MODEL_HELP)
    predict.add_argument("data", metavar="DATA", help="rows to predict: " + FORMATS_HELP)
    predict.add_argument("--out", metavar="CSV", help="write the predictions to this file")
    predict.add_argument("--proba", action="store_true",
                         help="write class probabilities, one column per class (classification)")


def _add_leaderboard_options(board: argparse.ArgumentParser) -> None:
    board.add_argument("model", metavar="MODEL", help=_MODEL_HELP)
    board.add_argument("--top", type=_int_at_least(1), default=10, metavar="N",
                       help="number of rows (default: 10)")
    board.add_argument("--format", choices=["text", "csv", "markdown"], default="text",
                       help="output format (default: text)")


def _add_export_options(export: argparse.ArgumentParser) -> None:
    export.add_argument("model", metavar="MODEL", help=_MODEL_HELP)
    export.add_argument("--out", metavar="PY", help="write the code to this file instead of stdout")
    export.add_argument("--candidate", type=_int_at_least(0), default=None, metavar="K",
                        help="export the K-th best single pipeline (0 = best) instead of the final model, "
                        "which may be an ensemble; a notebook exports candidate 0 by default")
    export.add_argument("--notebook", metavar="IPYNB", help="write a Jupyter notebook for the candidate")
    export.add_argument("--data", metavar="DATA", help="with --notebook: the table the notebook reads")
    export.add_argument("--target", metavar="COL", help="with --notebook --data: the target column")
