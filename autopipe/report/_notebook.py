"""Jupyter notebooks that rebuild, cross-validate, fit and evaluate one candidate pipeline."""

from __future__ import annotations

import math
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ._export_layout import string_literal

if TYPE_CHECKING:
    import nbformat

__all__ = ["candidate_notebook", "data_format", "write_notebook"]

_TASKS = ("classification", "regression")
_CSV_SUFFIXES = (".csv", ".csv.gz", ".csv.bz2", ".csv.xz", ".csv.zip", ".csv.zst")
_PARQUET_SUFFIXES = (".parquet", ".pq")
_MISSING_NBFORMAT = "export_notebook needs nbformat: pip install 'autopipe[notebook]'"


def data_format(path: str | Path) -> str | None:
    """The table format a file name announces: ``"csv"``, ``"parquet"`` or None.

    Parameters
    ----------
    path : str or Path
        A file name; only its suffixes are looked at (case-insensitively).

    Returns
    -------
    str or None
        ``"csv"`` for ``.csv`` (optionally compressed: ``.csv.gz``,
        ``.csv.bz2``, ``.csv.xz``, ``.csv.zip``, ``.csv.zst``), ``"parquet"``
        for ``.parquet`` and ``.pq``, None for anything else.
    """
    name = Path(path).name.lower()
    if name.endswith(_CSV_SUFFIXES):
        return "csv"
    if name.endswith(_PARQUET_SUFFIXES):
        return "parquet"
    return None


def _autopipe_version() -> str:
    """The installed autopipe version, or ``"unknown"``.

    It is read from the package metadata: importing ``autopipe`` from here
    would pull in the estimator, a layer above this one.
    """
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("autopipe")
    except PackageNotFoundError:
        return "unknown"


def _import_nbformat() -> Any:
    try:
        import nbformat
    except ImportError as exc:
        raise ImportError(_MISSING_NBFORMAT) from exc
    return nbformat


def _code_span(text: str) -> str:
    """``text`` as a markdown code span, whatever backticks it holds."""
    longest = run = 0
    for char in text:
        run = run + 1 if char == "`" else 0
        longest = max(longest, run)
    fence = "`" * (longest + 1)
    pad = " " if text.startswith("`") or text.endswith("`") else ""
    return f"{fence}{pad}{text}{pad}{fence}"


def _finite(cv_score: float | None) -> float | None:
    """``cv_score`` as a float, or None when it is missing or not finite."""
    if cv_score is None:
        return None
    value = float(cv_score)
    return value if math.isfinite(value) else None


def _check_arguments(scoring: str, task: str, cv: int, data_path: str | None, target: str | None) -> None:
    from sklearn.metrics import get_scorer_names

    if task not in _TASKS:
        raise ValueError(f"task must be 'classification' or 'regression', got {task!r}")
    if not isinstance(scoring, str) or scoring not in get_scorer_names():
        raise ValueError(
            f"scoring must be a scorer name from sklearn.metrics.get_scorer_names(), got {scoring!r}"
        )
    if isinstance(cv, bool) or not isinstance(cv, int) or cv < 2:
        raise ValueError(f"cv must be an int of at least 2, got {cv!r}")
    if (data_path is None) != (target is None):
        raise ValueError("data_path and target go together: give both or neither")
    if data_path is not None and data_format(data_path) is None:
        raise ValueError(
            f"cannot tell the format of {str(data_path)!r}: the name must end with "
            ".csv, .csv.gz (or another compressed .csv), .parquet or .pq"
        )


def _data_cells(nbf: Any, data_path: str | None, target: str | None) -> list[Any]:
    """Markdown and code cells that define ``X`` and ``y``."""
    if data_path is None or target is None:
        note = (
            "## Data\n\n"
            "**Fill in the next cell before running the notebook.** It must define `X`, the "
            "training features (a pandas DataFrame with the columns the pipeline was searched "
            "on, or an array), and `y`, the target. Until then the cells below stop with a "
            "`NameError`."
        )
        template = (
            "# Define the training data, for example:\n"
            '# data = pd.read_csv("train.csv")\n'
            '# X = data.drop(columns=["target"])\n'
            '# y = data["target"]\n'
        )
        return [nbf.v4.new_markdown_cell(note), nbf.v4.new_code_cell(template)]
    reader = "read_parquet" if data_format(data_path) == "parquet" else "read_csv"
    note = (
        f"## Data\n\nRead {_code_span(str(data_path))} and split it into the features `X` and the "
        f"target `y` ({_code_span(str(target))}); rows without a target are dropped."
    )
    code = (
        f"DATA_PATH = {string_literal(str(data_path))}\n"
        f"TARGET = {string_literal(str(target))}\n"
        "\n"
        f"data = pd.{reader}(DATA_PATH).dropna(subset=[TARGET])\n"
        "X = data.drop(columns=[TARGET])\n"
        "y = data[TARGET]\n"
        'print(f"{X.shape[0]} rows, {X.shape[1]} feature columns")'
    )
    return [nbf.v4.new_markdown_cell(note), nbf.v4.new_code_cell(code)]


def candidate_notebook(
    pipeline_code: str,
    *,
    title: str,
    cv_score: float | None,
    scoring: str,
    task: str,
    data_path: str | None = None,
    target: str | None = None,
    cv: int = 5,
    random_state: int = 0,
) -> nbformat.NotebookNode:
    """A Jupyter notebook that rebuilds one candidate pipeline, evaluates it and fits it.

    The notebook (nbformat v4) holds, in order: a title cell naming the
    candidate and its cross-validated score from the search; a parameters cell
    (imports, ``SCORING``, ``CV``, ``RANDOM_STATE``; tagged ``parameters``
    for papermill; sklearn's ``ConvergenceWarning`` is silenced, as in the
    search); the pipeline source; a data cell that defines ``X`` and ``y``;
    a cross-validation cell (shuffled ``StratifiedKFold`` for classification,
    ``KFold`` for regression) printing the mean and standard deviation of the
    score; a cell that fits the pipeline on a 75% training split and scores it
    on the held-out 25%; and a cell showing the fitted pipeline.

    Parameters
    ----------
    pipeline_code : str
        Python source that defines ``pipeline``, as returned by
        :func:`autopipe.report.estimator_to_code`.
    title : str
        The candidate's name, usually its pipeline string from the leaderboard.
    cv_score : float or None
        The candidate's cross-validated score in the search; None or NaN when
        unknown.
    scoring : str
        A scorer name from :func:`sklearn.metrics.get_scorer_names`.
    task : {"classification", "regression"}
        Chooses stratified or plain folds and a stratified split.
    data_path : str or None, default=None
        A ``.csv`` (optionally compressed) or ``.parquet`` / ``.pq`` file the
        notebook reads, as written in the notebook: a relative path is relative
        to the directory the notebook runs in. With None the data cell is a
        commented template the user must fill in, and the notebook cannot run
        until then.
    target : str or None, default=None
        The target column of ``data_path``; required with ``data_path``.
    cv : int, default=5
        Number of cross-validation folds in the notebook.
    random_state : int, default=0
        Seed of the shuffled folds and of the train/test split.

    Returns
    -------
    nbformat.NotebookNode
        The notebook, unexecuted; save it with :func:`write_notebook`.

    Raises
    ------
    ImportError
        If nbformat is not installed.
    ValueError
        If ``scoring``, ``task``, ``cv`` or the format of ``data_path`` is
        invalid, or only one of ``data_path`` and ``target`` is given.

    Examples
    --------
    >>> from sklearn.linear_model import LogisticRegression
    >>> from autopipe.report import estimator_to_code
    >>> nb = candidate_notebook(
    ...     estimator_to_code(LogisticRegression()), title="LogisticRegression(input)",
    ...     cv_score=0.91, scoring="accuracy", task="classification",
    ...     data_path="train.csv", target="label",
    ... )  # doctest: +SKIP
    >>> write_notebook(nb, "candidate.ipynb")  # doctest: +SKIP
    PosixPath('candidate.ipynb')
    """
    nbf = _import_nbformat()
    _check_arguments(scoring, task, cv, data_path, target)
    version = _autopipe_version()
    is_clf = task == "classification"
    splitter = "StratifiedKFold" if is_clf else "KFold"
    has_data = data_path is not None
    score = _finite(cv_score)
    shown = "not available" if score is None else f"{score:.4f}"
    intro = (
        f"# {_code_span(title)}\n\n"
        f"A candidate pipeline from an autopipe search ({task}). Its cross-validated "
        f"`{scoring}` in the search was **{shown}**.\n\n"
        "This notebook rebuilds the pipeline (unfitted), "
        + ("reads the data, " if has_data else "takes the data you define, ")
        + f"estimates its `{scoring}` by {cv}-fold cross-validation, fits it on 75% of the rows "
        "and scores it on the held-out 25%, and shows the fitted pipeline. The folds differ "
        "from the search's, so the scores differ a little from the one above."
        + ("" if has_data else "\n\n**Define `X` and `y` in the Data section before running it.**")
        + f"\n\n*Generated by autopipe {version}.*"
    )
    parameters = nbf.v4.new_code_cell(
        "import warnings\n"
        "\n"
        "import pandas as pd\n"
        "from sklearn.exceptions import ConvergenceWarning\n"
        "from sklearn.metrics import get_scorer\n"
        f"from sklearn.model_selection import {splitter}, cross_val_score, train_test_split\n"
        "\n"
        'warnings.filterwarnings("ignore", category=ConvergenceWarning)  # the search ignores them too\n'
        "\n"
        f"SCORING = {string_literal(scoring)}\n"
        f"CV = {cv}\n"
        f"RANDOM_STATE = {random_state}",
        metadata={"tags": ["parameters"]},
    )
    evaluate = (
        f"folds = {splitter}(n_splits=CV, shuffle=True, random_state=RANDOM_STATE)\n"
        "scores = cross_val_score(pipeline, X, y, scoring=SCORING, cv=folds)\n"
        'print(f"{CV}-fold cross-validated {SCORING}: {scores.mean():.4f} ± {scores.std():.4f}")'
    )
    stratify = (
        "stratify = y if pd.Series(y).value_counts().min() >= 2 else None  # keep the class proportions\n"
        if is_clf
        else "stratify = None\n"
    )
    fit = stratify + (
        "X_train, X_test, y_train, y_test = train_test_split(\n"
        "    X, y, test_size=0.25, random_state=RANDOM_STATE, stratify=stratify\n"
        ")\n"
        "pipeline.fit(X_train, y_train)\n"
        "held_out = get_scorer(SCORING)(pipeline, X_test, y_test)\n"
        'print(f"held-out {SCORING}: {held_out:.4f} on {len(y_test)} rows '
        '(trained on {len(y_train)})")'
    )
    cells = [
        nbf.v4.new_markdown_cell(intro),
        parameters,
        nbf.v4.new_markdown_cell("## Pipeline\n\nThe candidate, unfitted."),
        nbf.v4.new_code_cell(pipeline_code.rstrip("\n")),
        *_data_cells(nbf, data_path, target),
        nbf.v4.new_markdown_cell(
            f"## Cross-validation\n\n{cv} shuffled folds ({splitter}); each fold fits a fresh copy "
            "of the pipeline."
        ),
        nbf.v4.new_code_cell(evaluate),
        nbf.v4.new_markdown_cell("## Fit and held-out score\n\nA 75/25 train/test split."),
        nbf.v4.new_code_cell(fit),
        nbf.v4.new_markdown_cell("## The fitted pipeline"),
        nbf.v4.new_code_cell("pipeline"),
    ]
    metadata = {
        "kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"},
        "language_info": {"name": "python"},
        "autopipe": {
            "version": version,
            "candidate": title,
            "cv_score": score,
            "scoring": scoring,
            "task": task,
        },
    }
    return nbf.v4.new_notebook(cells=cells, metadata=metadata)


def write_notebook(notebook: nbformat.NotebookNode, path: str | Path) -> Path:
    """Validate ``notebook`` and save it as an ``.ipynb`` file.

    Parameters
    ----------
    notebook : nbformat.NotebookNode
        A notebook, such as one from :func:`candidate_notebook`.
    path : str or Path
        The file to write (overwritten if it exists); its directory must exist.

    Returns
    -------
    Path
        ``path``.

    Raises
    ------
    ImportError
        If nbformat is not installed.
    nbformat.ValidationError
        If ``notebook`` is not a valid nbformat v4 notebook.
    """
    nbf = _import_nbformat()
    path = Path(path)
    nbf.validate(notebook)
    with path.open("w", encoding="utf-8") as handle:
        nbf.write(notebook, handle)
    return path
