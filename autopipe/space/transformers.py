"""Transformers autopipe adds to scikit-learn's: model stacking and zero counting."""

from __future__ import annotations

from typing import Any

import numpy as np
import scipy.sparse as sp
from sklearn.base import BaseEstimator, TransformerMixin, clone, is_classifier
from sklearn.utils import get_tags
from sklearn.utils.validation import check_is_fitted, has_fit_parameter, validate_data

from .._utils.features import input_feature_names

__all__ = ["StackingTransformer", "ZeroCount"]


def _hstack(blocks: list[Any]) -> Any:
    """Stack dense or sparse blocks side by side (sparse if any block is)."""
    if any(sp.issparse(b) for b in blocks):
        fmt = next(b.format for b in blocks if sp.issparse(b))
        fmt = fmt if fmt in ("csr", "csc") else "csr"
        return sp.hstack([b if sp.issparse(b) else sp.csr_array(b) for b in blocks], format=fmt)
    return np.hstack(blocks)


# This module's wording of the length error (scikit-learn's lacks "the").
_LENGTH_ERROR = "input_features should have length equal to the number of features ({n}), got {got}"


def _input_feature_names(estimator: BaseEstimator, input_features: Any) -> np.ndarray:
    """Validate ``input_features`` against what ``estimator`` was fitted on (``NotFittedError`` before ``fit``)."""
    return input_feature_names(estimator, input_features, length_error=_LENGTH_ERROR, require_1d=True)


class ZeroCount(TransformerMixin, BaseEstimator):
    """Prepend, per row, the number of non-zero and of zero values.

    The output has two more columns than the input: the count of non-zero
    values, the count of zero values, then the original features.

    Attributes
    ----------
    n_features_in_ : int
        Number of features seen during :meth:`fit`.
    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Names of features seen during :meth:`fit`, when they are all strings.

    Examples
    --------
    >>> import numpy as np
    >>> ZeroCount().fit_transform(np.array([[0.0, 1.0, 2.0]]))
    array([[2., 1., 0., 1., 2.]])
    """

    def __init__(self) -> None:
        pass

    def fit(self, X: Any, y: Any = None) -> ZeroCount:
        """Record the number of input features.

        Parameters
        ----------
        X : array-like or sparse matrix of shape (n_samples, n_features)
            Input data.
        y : None
            Ignored.

        Returns
        -------
        self : ZeroCount
        """
        validate_data(self, X, accept_sparse=("csr", "csc"), reset=True)
        return self

    def transform(self, X: Any) -> Any:
        """Prepend the non-zero and zero counts.

        Parameters
        ----------
        X : array-like or sparse matrix of shape (n_samples, n_features)
            Input data.

        Returns
        -------
        X_new : ndarray or sparse matrix of shape (n_samples, n_features + 2)
        """
        check_is_fitted(self)
        X = validate_data(self, X, accept_sparse=("csr", "csc"), reset=False)
        n_features = X.shape[1]
        if sp.issparse(X):
            nonzero = np.asarray((X != 0).sum(axis=1)).reshape(-1)
        else:
            nonzero = np.count_nonzero(X, axis=1)
        nonzero = nonzero.astype(np.float64)
        counts = np.column_stack([nonzero, n_features - nonzero])
        return _hstack([counts, X])

    def get_feature_names_out(self, input_features: Any = None) -> np.ndarray:
        """Output feature names: ``nonzero_count``, ``zero_count``, then the input's.

        Parameters
        ----------
        input_features : array-like of str or None, default=None
            Input feature names; defaults to ``feature_names_in_`` or ``x0, x1, ...``.

        Returns
        -------
        feature_names_out : ndarray of str objects
        """
        names = _input_feature_names(self, input_features)
        return np.concatenate([np.asarray(["nonzero_count", "zero_count"], dtype=object), names])

    def __sklearn_tags__(self) -> Any:
        tags = super().__sklearn_tags__()
        tags.input_tags.sparse = True
        tags.requires_fit = True
        return tags


class StackingTransformer(TransformerMixin, BaseEstimator):
    """Use a model as a feature generator: append its predictions to the input.

    ``transform`` returns the input followed by the fitted model's class
    probabilities (classifiers with ``predict_proba``, one column per class) or
    its predictions (one column per output; a classifier's predicted labels are
    encoded as their index in ``classes_``).

    Parameters
    ----------
    estimator : estimator object
        The model to fit on ``(X, y)``; it is cloned.

    Attributes
    ----------
    estimator_ : estimator object
        The fitted clone of ``estimator``.
    n_features_in_ : int
        Number of features seen during :meth:`fit`.
    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Names of features seen during :meth:`fit`, when they are all strings.
    n_added_features_ : int
        Number of columns appended by :meth:`transform`.

    Examples
    --------
    >>> from sklearn.datasets import make_classification
    >>> from sklearn.linear_model import LogisticRegression
    >>> X, y = make_classification(n_samples=50, n_features=4, random_state=0)
    >>> StackingTransformer(LogisticRegression()).fit_transform(X, y).shape
    (50, 6)
    """

    def __init__(self, estimator: Any) -> None:
        self.estimator = estimator

    def _validate(self, X: Any, y: Any = None, *, reset: bool) -> Any:
        allow_nan = get_tags(self.estimator).input_tags.allow_nan
        kwargs = dict(
            accept_sparse=("csr", "csc"),
            ensure_all_finite="allow-nan" if allow_nan else True,
            reset=reset,
        )
        if reset:
            return validate_data(self, X, y, multi_output=True, **kwargs)
        return validate_data(self, X, **kwargs)

    def fit(self, X: Any, y: Any, sample_weight: Any = None, **fit_params: Any) -> StackingTransformer:
        """Fit a clone of ``estimator`` on ``(X, y)``.

        Parameters
        ----------
        X : array-like or sparse matrix of shape (n_samples, n_features)
            Training data.
        y : array-like of shape (n_samples,) or (n_samples, n_outputs)
            Target.
        sample_weight : array-like of shape (n_samples,), default=None
            Passed to the estimator's ``fit`` when it accepts weights.
        **fit_params : dict
            Passed to the estimator's ``fit``.

        Returns
        -------
        self : StackingTransformer
        """
        X, y = self._validate(X, y, reset=True)
        if sample_weight is not None and has_fit_parameter(self.estimator, "sample_weight"):
            fit_params["sample_weight"] = sample_weight
        self.estimator_ = clone(self.estimator).fit(X, y, **fit_params)
        self.n_added_features_ = self._extra(X[:1]).shape[1]
        return self

    def _extra(self, X: Any) -> np.ndarray:
        est = self.estimator_
        n = X.shape[0]
        if is_classifier(est) and hasattr(est, "predict_proba"):
            proba = est.predict_proba(X)
            if isinstance(proba, list):  # multi-output classifiers
                proba = np.hstack([np.asarray(p).reshape(n, -1) for p in proba])
            return np.asarray(proba, dtype=np.float64).reshape(n, -1)
        pred = np.asarray(est.predict(X))
        if is_classifier(est) and hasattr(est, "classes_"):
            classes = np.asarray(est.classes_)
            if classes.ndim == 1 and pred.ndim == 1:
                order = np.argsort(classes, kind="stable")
                pos = np.searchsorted(classes, pred, sorter=order)
                pred = order[np.clip(pos, 0, len(classes) - 1)]
        return pred.astype(np.float64).reshape(n, -1)

    def transform(self, X: Any) -> Any:
        """Append the model's probabilities or predictions to ``X``.

        Parameters
        ----------
        X : array-like or sparse matrix of shape (n_samples, n_features)
            Input data.

        Returns
        -------
        X_new : ndarray or sparse matrix of shape (n_samples, n_features + `n_added_features_`)
        """
        check_is_fitted(self)
        X = self._validate(X, reset=False)
        return _hstack([X, self._extra(X)])

    def get_feature_names_out(self, input_features: Any = None) -> np.ndarray:
        """Output feature names: the input's, then the model's columns.

        Parameters
        ----------
        input_features : array-like of str or None, default=None
            Input feature names; defaults to ``feature_names_in_`` or ``x0, x1, ...``.

        Returns
        -------
        feature_names_out : ndarray of str objects
        """
        names = _input_feature_names(self, input_features)
        est = self.estimator_
        prefix = type(est).__name__.lower()
        if is_classifier(est) and hasattr(est, "predict_proba") and self.n_added_features_ == len(
            getattr(est, "classes_", ())
        ):
            added = [f"{prefix}_proba_{c}" for c in est.classes_]
        elif self.n_added_features_ == 1:
            added = [f"{prefix}_prediction"]
        else:
            added = [f"{prefix}_output{i}" for i in range(self.n_added_features_)]
        return np.concatenate([names, np.asarray(added, dtype=object)])

    def __sklearn_tags__(self) -> Any:
        tags = super().__sklearn_tags__()
        inner = get_tags(self.estimator)
        tags.input_tags.sparse = inner.input_tags.sparse
        tags.input_tags.allow_nan = inner.input_tags.allow_nan
        tags.target_tags.required = True
        return tags
