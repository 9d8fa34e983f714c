"""The files the command line reads and writes: data tables, model files and output paths."""

from __future__ import annotations

import difflib
import warnings
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .. import __version__
from .errors import CLIError, one_line

# pandas, joblib and the estimator are imported where they are needed,
# so that ``autopipe --help`` and usage errors answer at once.
if TYPE_CHECKING:
    import pandas as pd

    from ..estimator import AutoEstimator

FORMATS_HELP = "CSV (.csv, .csv.gz, other compressed .csv) or Parquet (.parquet, .pq)"
SHOWN_COLUMNS = 15


def _hint_columns(name: str, columns: Sequence[Any]) -> str:
    names = [str(c) for c in columns]
    folded = [c for c in names if c.casefold() == name.casefold()]
    close = folded or difflib.get_close_matches(name, names, n=1)
    hint = f"; did you mean {close[0]!r}?" if close else "."
    shown = ", ".join(names[:SHOWN_COLUMNS])
    more = f", ... ({len(names)} in all)" if len(names) > SHOWN_COLUMNS else ""
    return f"{hint} Columns: {shown}{more}"


def check_column(frame: pd.DataFrame, column: str, source: str) -> None:
    """Raise a :class:`CLIError` naming close matches when ``frame`` lacks ``column``."""
    if column not in frame.columns:
        raise CLIError(f"column {column!r} not found in {source}{_hint_columns(column, frame.columns)}")


def check_input_file(path: str, what: str) -> Path:
    """``path`` as a Path, once it is known to be an existing file."""
    file = Path(path)
    if not file.exists():
        raise CLIError(f"{what} {path!r} does not exist")
    if file.is_dir():
        raise CLIError(f"{what} {path!r} is a directory, not a file")
    return file


def check_output_file(path: str) -> Path:
    """``path`` as a Path, once it is known to be writable: not a directory, in an existing one."""
    file = Path(path)
    if file.is_dir():
        raise CLIError(f"cannot write {path!r}: it is a directory")
    if not file.resolve().parent.is_dir():
        raise CLIError(f"cannot write {path!r}: directory {str(file.parent)!r} does not exist")
    return file


def read_table(path: str) -> pd.DataFrame:
    """Read a CSV or Parquet file (by suffix) into a DataFrame, with one-line errors."""
    import pandas as pd

    from ..report import data_format

    file = check_input_file(path, "data file")
    kind = data_format(file)
    if kind is None:
        raise CLIError(f"cannot read {path!r}: unknown format; use {FORMATS_HELP}")
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
        raise CLIError(f"cannot read {path!r} as {kind.upper()}: {one_line(str(exc)) or type(exc).__name__}") from exc
    if frame.shape[0] == 0:
        raise CLIError(f"{path!r} has no rows")
    return frame


def load_model(path: str) -> tuple[AutoEstimator, str | None]:
    """The fitted estimator in a model file, and the target column name when recorded."""
    import joblib

    from ..estimator import AutoEstimator

    file = check_input_file(path, "model file")
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


def model_file_content(estimator: AutoEstimator, target: str) -> dict[str, Any]:
    """What a model file holds: the estimator, its target column and the autopipe version."""
    return {"estimator": estimator, "target": target, "autopipe_version": __version__}
