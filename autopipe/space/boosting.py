"""Gradient-boosting operators of LightGBM, XGBoost and CatBoost that stop themselves.

Each operator is a plain scikit-learn estimator whose searched
hyperparameters are constructor arguments. ``fit`` holds out
``validation_fraction`` of the rows (stratified for a classifier), boosts up
to ``n_estimators`` rounds on the rest and stops when the validation loss has
not improved for ``n_iter_no_change`` rounds; prediction uses the best round.
``n_estimators_`` says how many rounds the fitted model keeps. On fewer than
:data:`MIN_ROWS_FOR_STOPPING` rows there is no validation split: the model
boosts ``min(n_estimators, 100)`` rounds on all rows. With
``early_stopping=False`` it boosts ``n_estimators`` rounds on all rows.

LightGBM is a dependency of autopipe; XGBoost and CatBoost come with the
``boost`` extra (``pip install "autopipe[boost]"``). Each library is
imported when its operator is fitted, never when this module is imported.
The XGBoost and CatBoost operators train on a CUDA GPU with ``device="cuda"``
(``"auto"``: when one is present), like the neural networks, and share the
evaluator's GPU lane with them; LightGBM's wheel trains on the CPU.

Missing values (NaN) are handled by the libraries natively; every operator
takes dense or sparse numeric input, ``sample_weight`` (the validation rows
keep theirs) and, for classifiers, ``class_weight``.
"""

from __future__ import annotations

import abc
import importlib.util
import inspect
import os
from numbers import Integral, Real
from typing import Any, ClassVar

import numpy as np
import scipy.sparse as sp
from sklearn.base import BaseEstimator, ClassifierMixin, RegressorMixin
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import LabelEncoder
from sklearn.utils import check_random_state
from sklearn.utils.class_weight import compute_sample_weight
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import check_is_fitted, validate_data
from threadpoolctl import threadpool_info

from autopipe._utils.sklearn_shim import Interval, StrOptions, check_sample_weight
from autopipe.space._device import _DeviceMixin

__all__ = [
    "BOOSTING_LIBRARIES",
    "MIN_ROWS_FOR_STOPPING",
    "CatBoostClassifier",
    "CatBoostRegressor",
    "LGBMClassifier",
    "LGBMRegressor",
    "XGBClassifier",
    "XGBRegressor",
    "library_available",
]

#: The libraries behind the operators, by import name.
BOOSTING_LIBRARIES: tuple[str, ...] = ("lightgbm", "xgboost", "catboost")

#: Below this many rows, no validation split is held out (and no early stopping).
MIN_ROWS_FOR_STOPPING = 50
#: Rounds boosted without early stopping, at most.
_ROUNDS_WITHOUT_STOPPING = 100


def library_available(name: str) -> bool:
    """Whether the boosting library ``name`` is installed (found without importing it).

    Parameters
    ----------
    name : {"lightgbm", "xgboost", "catboost"}

    Returns
    -------
    available : bool
    """
    return importlib.util.find_spec(name) is not None


def _threads(n_jobs: int | None) -> int:
    """Threads for one fit: ``n_jobs``, else the OpenMP limit in force here, else ``OMP_NUM_THREADS``, else every core.

    The limit in force is what threadpoolctl reports for the OpenMP runtimes
    loaded in this process: a search worker's share of the cores, or one
    thread inside autopipe's final refit.
    """
    if n_jobs is not None and n_jobs > 0:
        return int(n_jobs)
    limits = [lib["num_threads"] for lib in threadpool_info() if lib.get("user_api") == "openmp"]
    if limits:
        return max(1, min(limits))
    allowed = os.environ.get("OMP_NUM_THREADS", "")
    if allowed.isdigit() and int(allowed) > 0:
        return int(allowed)
    return os.cpu_count() or 1


def _as_matrix(X: Any) -> Any:
    """Sparse input as a ``csr_matrix`` (CatBoost reads no scipy sparse *arrays*)."""
    return sp.csr_matrix(X) if sp.issparse(X) else X


def _seed(random_state: Any) -> int:
    return int(check_random_state(random_state).randint(np.iinfo(np.int32).max))


class _SelfStoppingBoosting(BaseEstimator, metaclass=abc.ABCMeta):
    """Validation split, weights and label handling shared by the six operators."""

    _library: ClassVar[str]
    _common_constraints: ClassVar[dict[str, list[Any]]] = {
        "n_estimators": [Interval(Integral, 1, None, closed="left")],
        "learning_rate": [Interval(Real, 0, None, closed="neither"), None],
        "early_stopping": ["boolean"],
        "validation_fraction": [Interval(Real, 0, 1, closed="neither")],
        "n_iter_no_change": [Interval(Integral, 1, None, closed="left")],
        "n_jobs": [Integral, None],
        "random_state": ["random_state"],
    }

    def __sklearn_tags__(self) -> Any:
        tags = super().__sklearn_tags__()
        tags.input_tags.allow_nan = True
        tags.input_tags.sparse = True
        return tags

    # -- per library ------------------------------------------------------------------
    @abc.abstractmethod
    def _model(self, n_rounds: int, stopping: bool, seed: int, threads: int) -> Any:
        """The library's estimator, ready to fit."""

    @abc.abstractmethod
    def _fit_model(self, model: Any, X: Any, y: np.ndarray, w: np.ndarray, valid: tuple | None) -> int:
        """Fit ``model`` (with early stopping on ``valid`` = (X, y, w) when given); the rounds kept."""

    # -- shared -----------------------------------------------------------------------
    def _require_library(self) -> None:
        if not library_available(self._library):
            extra = "" if self._library == "lightgbm" else ' (pip install "autopipe[boost]")'
            raise ImportError(f"{type(self).__name__} needs the {self._library} package{extra}.")

    def _validate(self, X: Any, y: Any = None, *, reset: bool) -> Any:
        kwargs = {"accept_sparse": ("csr", "csc"), "ensure_all_finite": "allow-nan", "reset": reset,
                  "accept_large_sparse": self._library != "catboost"}  # CatBoost takes int32 indices only
        if not reset:
            return _as_matrix(validate_data(self, X, **kwargs))
        X, y = validate_data(self, X, y, y_numeric=not isinstance(self, ClassifierMixin), **kwargs)
        X = _as_matrix(X)
        if X.shape[0] < 2:
            raise ValueError(f"{type(self).__name__} needs at least 2 samples; got n_samples = {X.shape[0]}.")
        return X, y

    def _split(self, n_rows: int, y: np.ndarray, seed: int) -> tuple[np.ndarray, np.ndarray] | None:
        """Training and validation row indices, or None when no validation split is held out.

        A classifier's split is stratified when every class has two rows and
        both parts can hold each class; either way every class keeps at least
        one training row, so the library sees all of ``classes_``.
        """
        if not self.early_stopping or n_rows < MIN_ROWS_FOR_STOPPING:
            return None
        rows = np.arange(n_rows)
        if not isinstance(self, ClassifierMixin):
            return tuple(train_test_split(rows, test_size=self.validation_fraction, random_state=seed))
        counts = np.bincount(y)
        n_valid = int(np.ceil(self.validation_fraction * n_rows))
        stratify = y if counts.min() >= 2 and n_valid >= len(counts) and n_rows - n_valid >= len(counts) else None
        train, valid = train_test_split(rows, test_size=self.validation_fraction, stratify=stratify,
                                        random_state=seed)
        missing = np.setdiff1d(np.arange(len(counts)), y[train])
        if len(missing):
            moved = np.array([valid[y[valid] == c][0] for c in missing])
            train, valid = np.concatenate([train, moved]), np.setdiff1d(valid, moved)
        return train, valid

    def _fit_encoded(self, X: Any, y: np.ndarray, sample_weight: Any) -> _SelfStoppingBoosting:
        self._require_library()
        seed = _seed(self.random_state)
        w = check_sample_weight(sample_weight, X)
        split = self._split(X.shape[0], y, seed)
        rounds = self.n_estimators
        if split is None and self.early_stopping:  # too few rows to hold any out
            rounds = min(rounds, _ROUNDS_WITHOUT_STOPPING)
        model = self._model(rounds, split is not None, seed, _threads(self.n_jobs))
        if split is None:
            kept = self._fit_model(model, X, y, w, None)
        else:
            train, valid = split
            kept = self._fit_model(model, X[train], y[train], w[train], (X[valid], y[valid], w[valid]))
        self.booster_ = model
        self.n_estimators_ = int(kept)
        return self


class _SelfStoppingClassifier(ClassifierMixin, _SelfStoppingBoosting):
    _class_constraints: ClassVar[dict[str, list[Any]]] = {
        "class_weight": [StrOptions({"balanced"}), dict, None],
    }

    def fit(self, X: Any, y: Any, sample_weight: Any = None) -> _SelfStoppingClassifier:
        """Fit on ``X``, ``y``, holding out ``validation_fraction`` of the rows for early stopping.

        Parameters
        ----------
        X : array-like or sparse matrix of shape (n_samples, n_features)
        y : array-like of shape (n_samples,)
        sample_weight : array-like of shape (n_samples,), default=None

        Returns
        -------
        self : object
        """
        self._validate_params()
        X, y = self._validate(X, y, reset=True)
        check_classification_targets(y)
        self._encoder = LabelEncoder().fit(y)
        self.classes_ = self._encoder.classes_
        if len(self.classes_) < 2:
            raise ValueError(
                f"{type(self).__name__} needs at least two classes in y; got one class: {self.classes_[0]!r}."
            )
        codes = self._encoder.transform(y)
        if self.class_weight is not None:
            sample_weight = check_sample_weight(sample_weight, X) * compute_sample_weight(self.class_weight, y)
        return self._fit_encoded(X, codes, sample_weight)

    def predict_proba(self, X: Any) -> np.ndarray:
        """Class probabilities, columns in the order of ``classes_``.

        Parameters
        ----------
        X : array-like or sparse matrix of shape (n_samples, n_features)

        Returns
        -------
        proba : ndarray of shape (n_samples, n_classes)
        """
        check_is_fitted(self, "booster_")
        X = self._validate(X, reset=False)
        proba = np.asarray(self.booster_.predict_proba(X), dtype=np.float64)
        return proba.reshape(X.shape[0], len(self.classes_))

    def predict(self, X: Any) -> np.ndarray:
        """The most probable class of each row.

        Parameters
        ----------
        X : array-like or sparse matrix of shape (n_samples, n_features)

        Returns
        -------
        y : ndarray of shape (n_samples,)
        """
        check_is_fitted(self, "booster_")
        return self.classes_[np.argmax(self.predict_proba(X), axis=1)]


class _SelfStoppingRegressor(RegressorMixin, _SelfStoppingBoosting):
    def fit(self, X: Any, y: Any, sample_weight: Any = None) -> _SelfStoppingRegressor:
        """Fit on ``X``, ``y``, holding out ``validation_fraction`` of the rows for early stopping.

        Parameters
        ----------
        X : array-like or sparse matrix of shape (n_samples, n_features)
        y : array-like of shape (n_samples,)
        sample_weight : array-like of shape (n_samples,), default=None

        Returns
        -------
        self : object
        """
        self._validate_params()
        X, y = self._validate(X, y, reset=True)
        return self._fit_encoded(X, np.asarray(y, dtype=np.float64), sample_weight)

    def predict(self, X: Any) -> np.ndarray:
        """Predicted values.

        Parameters
        ----------
        X : array-like or sparse matrix of shape (n_samples, n_features)

        Returns
        -------
        y : ndarray of shape (n_samples,)
        """
        check_is_fitted(self, "booster_")
        X = self._validate(X, reset=False)
        return np.asarray(self.booster_.predict(X), dtype=np.float64).reshape(-1)


_SHARE = [Interval(Real, 0, 1, closed="right")]
_PENALTY = [Interval(Real, 0, None, closed="left")]
_DEVICE = {"device": [StrOptions({"auto", "cpu", "cuda"})]}


# -- LightGBM ---------------------------------------------------------------------------
class _LightGBM(_SelfStoppingBoosting):
    _library = "lightgbm"
    _library_constraints: ClassVar[dict[str, list[Any]]] = {
        "num_leaves": [Interval(Integral, 2, None, closed="left")],
        "min_child_samples": [Interval(Integral, 1, None, closed="left")],
        "subsample": _SHARE,
        "colsample_bytree": _SHARE,
        "reg_alpha": _PENALTY,
        "reg_lambda": _PENALTY,
    }

    def _model(self, n_rounds: int, stopping: bool, seed: int, threads: int) -> Any:
        import lightgbm

        cls = lightgbm.LGBMClassifier if isinstance(self, ClassifierMixin) else lightgbm.LGBMRegressor
        return cls(
            n_estimators=n_rounds,
            learning_rate=self.learning_rate,
            num_leaves=self.num_leaves,
            min_child_samples=self.min_child_samples,
            subsample=self.subsample,
            subsample_freq=1 if self.subsample < 1.0 else 0,
            colsample_bytree=self.colsample_bytree,
            reg_alpha=self.reg_alpha,
            reg_lambda=self.reg_lambda,
            random_state=seed,
            n_jobs=threads,
            verbose=-1,
        )

    def _fit_model(self, model: Any, X: Any, y: np.ndarray, w: np.ndarray, valid: tuple | None) -> int:
        import lightgbm

        if valid is None:
            model.fit(X, y, sample_weight=w)
            return model.n_estimators
        Xv, yv, wv = valid
        # lightgbm 4.7 takes the validation rows as eval_X/eval_y (eval_set is deprecated there)
        if "eval_X" in inspect.signature(model.fit).parameters:
            held_out = {"eval_X": (Xv,), "eval_y": (yv,)}
        else:
            held_out = {"eval_set": [(Xv, yv)]}
        model.fit(X, y, sample_weight=w, eval_sample_weight=[wv], **held_out,
                  callbacks=[lightgbm.early_stopping(self.n_iter_no_change, verbose=False)])
        return model.best_iteration_ or model.n_estimators


_LIGHTGBM_DOC = """\
    Parameters
    ----------
    n_estimators : int, default=2000
        Boosting rounds at most; early stopping usually ends far sooner.
    learning_rate : float, default=0.05
    num_leaves : int, default=31
        Leaves per tree.
    min_child_samples : int, default=20
        Rows a leaf needs at least.
    subsample : float, default=1.0
        Share of the rows each round is fitted on (bagging every round when below 1).
    colsample_bytree : float, default=1.0
        Share of the columns each tree may use.
    reg_alpha, reg_lambda : float, default=0.0
        L1 and L2 regularization of the leaf values.
    early_stopping : bool, default=True
        Hold out ``validation_fraction`` of the rows and stop after
        ``n_iter_no_change`` rounds without improvement.
    validation_fraction : float, default=0.1
    n_iter_no_change : int, default=50
    n_jobs : int or None, default=None
        Threads; None uses the OpenMP limit in force (a worker's share of
        the cores inside a search; see threadpoolctl), else every core.
    random_state : int, RandomState instance or None, default=None
"""


class LGBMClassifier(_SelfStoppingClassifier, _LightGBM):
    __doc__ = (
        "LightGBM gradient-boosted trees for classification, with early stopping on held-out rows.\n\n"
        + _LIGHTGBM_DOC
        + """    class_weight : "balanced", dict or None, default=None
        Weights of the classes, multiplied into ``sample_weight``.

    Attributes
    ----------
    classes_ : ndarray
    n_estimators_ : int
        Boosting rounds kept (the best on the validation rows).
    booster_ : lightgbm.LGBMClassifier
        The fitted library model.

    Examples
    --------
    >>> from sklearn.datasets import make_classification
    >>> from autopipe.space.boosting import LGBMClassifier
    >>> X, y = make_classification(n_samples=300, random_state=0)
    >>> model = LGBMClassifier(random_state=0).fit(X, y)
    >>> model.n_estimators_ < model.n_estimators
    True
"""
    )

    _parameter_constraints: ClassVar[dict[str, list[Any]]] = {
        **_SelfStoppingBoosting._common_constraints,
        **_SelfStoppingClassifier._class_constraints,
        **_LightGBM._library_constraints,
    }

    def __init__(
        self,
        n_estimators: int = 2000,
        learning_rate: float = 0.05,
        num_leaves: int = 31,
        min_child_samples: int = 20,
        subsample: float = 1.0,
        colsample_bytree: float = 1.0,
        reg_alpha: float = 0.0,
        reg_lambda: float = 0.0,
        class_weight: str | dict | None = None,
        early_stopping: bool = True,
        validation_fraction: float = 0.1,
        n_iter_no_change: int = 50,
        n_jobs: int | None = None,
        random_state: Any = None,
    ) -> None:
        self.n_estimators = n_estimators
        self.learning_rate = learning_rate
        self.num_leaves = num_leaves
        self.min_child_samples = min_child_samples
        self.subsample = subsample
        self.colsample_bytree = colsample_bytree
        self.reg_alpha = reg_alpha
        self.reg_lambda = reg_lambda
        self.class_weight = class_weight
        self.early_stopping = early_stopping
        self.validation_fraction = validation_fraction
        self.n_iter_no_change = n_iter_no_change
        self.n_jobs = n_jobs
        self.random_state = random_state


class LGBMRegressor(_SelfStoppingRegressor, _LightGBM):
    __doc__ = (
        "LightGBM gradient-boosted trees for regression (squared error), with early stopping on held-out rows.\n\n"
        + _LIGHTGBM_DOC
        + """
    Attributes
    ----------
    n_estimators_ : int
        Boosting rounds kept (the best on the validation rows).
    booster_ : lightgbm.LGBMRegressor
        The fitted library model.
"""
    )

    _parameter_constraints: ClassVar[dict[str, list[Any]]] = {
        **_SelfStoppingBoosting._common_constraints,
        **_LightGBM._library_constraints,
    }

    def __init__(
        self,
        n_estimators: int = 2000,
        learning_rate: float = 0.05,
        num_leaves: int = 31,
        min_child_samples: int = 20,
        subsample: float = 1.0,
        colsample_bytree: float = 1.0,
        reg_alpha: float = 0.0,
        reg_lambda: float = 0.0,
        early_stopping: bool = True,
        validation_fraction: float = 0.1,
        n_iter_no_change: int = 50,
        n_jobs: int | None = None,
        random_state: Any = None,
    ) -> None:
        self.n_estimators = n_estimators
        self.learning_rate = learning_rate
        self.num_leaves = num_leaves
        self.min_child_samples = min_child_samples
        self.subsample = subsample
        self.colsample_bytree = colsample_bytree
        self.reg_alpha = reg_alpha
        self.reg_lambda = reg_lambda
        self.early_stopping = early_stopping
        self.validation_fraction = validation_fraction
        self.n_iter_no_change = n_iter_no_change
        self.n_jobs = n_jobs
        self.random_state = random_state


# -- XGBoost ----------------------------------------------------------------------------
class _XGBoost(_DeviceMixin, _SelfStoppingBoosting):
    _library = "xgboost"
    _library_constraints: ClassVar[dict[str, list[Any]]] = {
        "max_depth": [Interval(Integral, 0, None, closed="left")],
        "min_child_weight": _PENALTY,
        "subsample": _SHARE,
        "colsample_bytree": _SHARE,
        "reg_alpha": _PENALTY,
        "reg_lambda": _PENALTY,
        **_DEVICE,
    }

    def _model(self, n_rounds: int, stopping: bool, seed: int, threads: int) -> Any:
        import xgboost

        cls = xgboost.XGBClassifier if isinstance(self, ClassifierMixin) else xgboost.XGBRegressor
        return cls(
            n_estimators=n_rounds,
            learning_rate=self.learning_rate,
            max_depth=self.max_depth,
            min_child_weight=self.min_child_weight,
            subsample=self.subsample,
            colsample_bytree=self.colsample_bytree,
            reg_alpha=self.reg_alpha,
            reg_lambda=self.reg_lambda,
            tree_method="hist",
            device=self._resolved_device(),
            early_stopping_rounds=self.n_iter_no_change if stopping else None,
            random_state=seed,
            n_jobs=threads,
            verbosity=0,
        )

    def _fit_model(self, model: Any, X: Any, y: np.ndarray, w: np.ndarray, valid: tuple | None) -> int:
        if valid is None:
            model.fit(X, y, sample_weight=w, verbose=False)
            return model.n_estimators
        Xv, yv, wv = valid
        model.fit(X, y, sample_weight=w, eval_set=[(Xv, yv)], sample_weight_eval_set=[wv], verbose=False)
        return model.best_iteration + 1


_XGBOOST_DOC = """\
    Parameters
    ----------
    n_estimators : int, default=2000
        Boosting rounds at most; early stopping usually ends far sooner.
    learning_rate : float, default=0.05
    max_depth : int, default=6
    min_child_weight : float, default=1.0
        Hessian weight a leaf needs at least.
    subsample : float, default=1.0
    colsample_bytree : float, default=1.0
    reg_alpha : float, default=0.0
    reg_lambda : float, default=1.0
    early_stopping : bool, default=True
    validation_fraction : float, default=0.1
    n_iter_no_change : int, default=50
    device : {"auto", "cpu", "cuda"}, default="auto"
        ``"auto"`` trains on a CUDA GPU when one is usable.
    n_jobs : int or None, default=None
    random_state : int, RandomState instance or None, default=None
"""


class XGBClassifier(_SelfStoppingClassifier, _XGBoost):
    __doc__ = (
        "XGBoost gradient-boosted trees (histogram method) for classification, with early stopping.\n\n"
        + _XGBOOST_DOC
        + """    class_weight : "balanced", dict or None, default=None

    Attributes
    ----------
    classes_ : ndarray
    n_estimators_ : int
    booster_ : xgboost.XGBClassifier
"""
    )

    _parameter_constraints: ClassVar[dict[str, list[Any]]] = {
        **_SelfStoppingBoosting._common_constraints,
        **_SelfStoppingClassifier._class_constraints,
        **_XGBoost._library_constraints,
    }

    def __init__(
        self,
        n_estimators: int = 2000,
        learning_rate: float = 0.05,
        max_depth: int = 6,
        min_child_weight: float = 1.0,
        subsample: float = 1.0,
        colsample_bytree: float = 1.0,
        reg_alpha: float = 0.0,
        reg_lambda: float = 1.0,
        class_weight: str | dict | None = None,
        early_stopping: bool = True,
        validation_fraction: float = 0.1,
        n_iter_no_change: int = 50,
        device: str = "auto",
        n_jobs: int | None = None,
        random_state: Any = None,
    ) -> None:
        self.n_estimators = n_estimators
        self.learning_rate = learning_rate
        self.max_depth = max_depth
        self.min_child_weight = min_child_weight
        self.subsample = subsample
        self.colsample_bytree = colsample_bytree
        self.reg_alpha = reg_alpha
        self.reg_lambda = reg_lambda
        self.class_weight = class_weight
        self.early_stopping = early_stopping
        self.validation_fraction = validation_fraction
        self.n_iter_no_change = n_iter_no_change
        self.device = device
        self.n_jobs = n_jobs
        self.random_state = random_state


class XGBRegressor(_SelfStoppingRegressor, _XGBoost):
    __doc__ = (
        "XGBoost gradient-boosted trees (histogram method) for regression, with early stopping.\n\n"
        + _XGBOOST_DOC
        + """
    Attributes
    ----------
    n_estimators_ : int
    booster_ : xgboost.XGBRegressor
"""
    )

    _parameter_constraints: ClassVar[dict[str, list[Any]]] = {
        **_SelfStoppingBoosting._common_constraints,
        **_XGBoost._library_constraints,
    }

    def __init__(
        self,
        n_estimators: int = 2000,
        learning_rate: float = 0.05,
        max_depth: int = 6,
        min_child_weight: float = 1.0,
        subsample: float = 1.0,
        colsample_bytree: float = 1.0,
        reg_alpha: float = 0.0,
        reg_lambda: float = 1.0,
        early_stopping: bool = True,
        validation_fraction: float = 0.1,
        n_iter_no_change: int = 50,
        device: str = "auto",
        n_jobs: int | None = None,
        random_state: Any = None,
    ) -> None:
        self.n_estimators = n_estimators
        self.learning_rate = learning_rate
        self.max_depth = max_depth
        self.min_child_weight = min_child_weight
        self.subsample = subsample
        self.colsample_bytree = colsample_bytree
        self.reg_alpha = reg_alpha
        self.reg_lambda = reg_lambda
        self.early_stopping = early_stopping
        self.validation_fraction = validation_fraction
        self.n_iter_no_change = n_iter_no_change
        self.device = device
        self.n_jobs = n_jobs
        self.random_state = random_state


# -- CatBoost ---------------------------------------------------------------------------
class _CatBoost(_DeviceMixin, _SelfStoppingBoosting):
    _library = "catboost"
    _library_constraints: ClassVar[dict[str, list[Any]]] = {
        "depth": [Interval(Integral, 1, 16, closed="both")],
        "l2_leaf_reg": _PENALTY,
        "random_strength": _PENALTY,
        **_DEVICE,
    }

    def _model(self, n_rounds: int, stopping: bool, seed: int, threads: int) -> Any:
        import catboost

        cls = catboost.CatBoostClassifier if isinstance(self, ClassifierMixin) else catboost.CatBoostRegressor
        return cls(
            iterations=n_rounds,
            learning_rate=self.learning_rate,
            depth=self.depth,
            l2_leaf_reg=self.l2_leaf_reg,
            random_strength=self.random_strength,
            task_type="GPU" if self._resolved_device() == "cuda" else "CPU",
            random_seed=seed,
            thread_count=threads,
            verbose=False,
            allow_writing_files=False,
        )

    def _fit_model(self, model: Any, X: Any, y: np.ndarray, w: np.ndarray, valid: tuple | None) -> int:
        if valid is None:
            model.fit(X, y, sample_weight=w)
            return model.tree_count_
        import catboost

        Xv, yv, wv = valid
        model.fit(X, y, sample_weight=w, eval_set=catboost.Pool(Xv, yv, weight=wv),
                  early_stopping_rounds=self.n_iter_no_change, use_best_model=True)
        return model.tree_count_


_CATBOOST_DOC = """\
    Parameters
    ----------
    n_estimators : int, default=2000
        Boosting rounds (CatBoost's ``iterations``) at most.
    learning_rate : float or None, default=None
        None lets CatBoost choose it from the data and the rounds.
    depth : int, default=6
        Depth of the symmetric trees.
    l2_leaf_reg : float, default=3.0
    random_strength : float, default=1.0
        Noise added to split scores.
    early_stopping : bool, default=True
    validation_fraction : float, default=0.1
    n_iter_no_change : int, default=50
    device : {"auto", "cpu", "cuda"}, default="auto"
        ``"cuda"`` trains with ``task_type="GPU"``.
    n_jobs : int or None, default=None
    random_state : int, RandomState instance or None, default=None
"""


class CatBoostClassifier(_SelfStoppingClassifier, _CatBoost):
    __doc__ = (
        "CatBoost ordered boosting for classification, with early stopping on held-out rows.\n\n"
        + _CATBOOST_DOC
        + """    class_weight : "balanced", dict or None, default=None

    Attributes
    ----------
    classes_ : ndarray
    n_estimators_ : int
    booster_ : catboost.CatBoostClassifier
"""
    )

    _parameter_constraints: ClassVar[dict[str, list[Any]]] = {
        **_SelfStoppingBoosting._common_constraints,
        **_SelfStoppingClassifier._class_constraints,
        **_CatBoost._library_constraints,
    }

    def __init__(
        self,
        n_estimators: int = 2000,
        learning_rate: float | None = None,
        depth: int = 6,
        l2_leaf_reg: float = 3.0,
        random_strength: float = 1.0,
        class_weight: str | dict | None = None,
        early_stopping: bool = True,
        validation_fraction: float = 0.1,
        n_iter_no_change: int = 50,
        device: str = "auto",
        n_jobs: int | None = None,
        random_state: Any = None,
    ) -> None:
        self.n_estimators = n_estimators
        self.learning_rate = learning_rate
        self.depth = depth
        self.l2_leaf_reg = l2_leaf_reg
        self.random_strength = random_strength
        self.class_weight = class_weight
        self.early_stopping = early_stopping
        self.validation_fraction = validation_fraction
        self.n_iter_no_change = n_iter_no_change
        self.device = device
        self.n_jobs = n_jobs
        self.random_state = random_state


class CatBoostRegressor(_SelfStoppingRegressor, _CatBoost):
    __doc__ = (
        "CatBoost ordered boosting for regression (RMSE), with early stopping on held-out rows.\n\n"
        + _CATBOOST_DOC
        + """
    Attributes
    ----------
    n_estimators_ : int
    booster_ : catboost.CatBoostRegressor
"""
    )

    _parameter_constraints: ClassVar[dict[str, list[Any]]] = {
        **_SelfStoppingBoosting._common_constraints,
        **_CatBoost._library_constraints,
    }

    def __init__(
        self,
        n_estimators: int = 2000,
        learning_rate: float | None = None,
        depth: int = 6,
        l2_leaf_reg: float = 3.0,
        random_strength: float = 1.0,
        early_stopping: bool = True,
        validation_fraction: float = 0.1,
        n_iter_no_change: int = 50,
        device: str = "auto",
        n_jobs: int | None = None,
        random_state: Any = None,
    ) -> None:
        self.n_estimators = n_estimators
        self.learning_rate = learning_rate
        self.depth = depth
        self.l2_leaf_reg = l2_leaf_reg
        self.random_strength = random_strength
        self.early_stopping = early_stopping
        self.validation_fraction = validation_fraction
        self.n_iter_no_change = n_iter_no_change
        self.device = device
        self.n_jobs = n_jobs
        self.random_state = random_state
