"""Encoders of categorical columns as numbers: by the frequency or by the mean target of each category."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import sklearn
from sklearn.base import BaseEstimator, OneToOneFeatureMixin, TransformerMixin
from sklearn.model_selection import KFold
from sklearn.preprocessing import TargetEncoder
from sklearn.utils.fixes import parse_version
from sklearn.utils.multiclass import type_of_target
from sklearn.utils.validation import check_is_fitted

from .._utils.features import input_feature_names
from ._table_input import TableTransformer, check_2d, column_at, plain_values

__all__ = ["FrequencyEncoder", "OneVsRestTargetEncoder"]


class FrequencyEncoder(OneToOneFeatureMixin, TableTransformer):
    """Replace each category by its relative frequency in the training data.

    A compact encoding for high-cardinality categorical columns: one output
    column per input column, holding the share of training rows that had the
    same value. Values never seen during :meth:`fit` get 0. Missing values are
    treated as a category of their own (their training share, or 0 when the
    training column had none).

    Attributes
    ----------
    categories_ : list of ndarray
        For each input column, the distinct non-missing training values.
    frequencies_ : list of ndarray
        For each input column, the relative frequency of each entry of
        ``categories_`` (the share of all training rows, missing ones included).
    missing_frequencies_ : ndarray of shape (`n_features_in_`,)
        The share of training rows in which each column was missing.
    n_features_in_ : int
        Number of columns seen during :meth:`fit`.
    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Column names seen during :meth:`fit`; only defined when they are all
        strings.

    See Also
    --------
    sklearn.preprocessing.OrdinalEncoder : An integer code per category.
    sklearn.preprocessing.OneHotEncoder : A binary column per category.

    Examples
    --------
    >>> import pandas as pd
    >>> from autopipe.data import FrequencyEncoder
    >>> enc = FrequencyEncoder().fit(pd.DataFrame({"city": ["a", "a", "b", "c"]}))
    >>> enc.transform(pd.DataFrame({"city": ["a", "b", "z"]}))
    array([[0.5 ],
           [0.25],
           [0.  ]])
    """

    def __init__(self) -> None:
        pass

    def fit(self, X: Any, y: Any = None) -> FrequencyEncoder:
        """Count the relative frequency of every value in each column.

        Parameters
        ----------
        X : DataFrame or array-like of shape (n_samples, n_features)
            The categorical columns.
        y : None
            Ignored.

        Returns
        -------
        self : FrequencyEncoder
            The fitted encoder.
        """
        X = check_2d(self, X, reset=True)
        n_rows = X.shape[0]
        self.categories_ = []
        self.frequencies_ = []
        missing = np.zeros(X.shape[1])
        for j in range(X.shape[1]):
            s = plain_values(column_at(X, j))
            counts = s.value_counts(dropna=True, sort=False)
            self.categories_.append(np.asarray(counts.index, dtype=object))
            self.frequencies_.append(counts.to_numpy(dtype=np.float64) / n_rows)
            missing[j] = s.isna().sum() / n_rows
        self.missing_frequencies_ = missing
        return self

    def transform(self, X: Any) -> np.ndarray:
        """Encode each value by its training frequency.

        Parameters
        ----------
        X : DataFrame or array-like of shape (n_samples, n_features)
            The categorical columns.

        Returns
        -------
        X_new : ndarray of shape (n_samples, n_features), dtype float64
            Relative training frequencies; 0 for unseen values.
        """
        check_is_fitted(self, "frequencies_")
        X = check_2d(self, X, reset=False)
        out = np.zeros(X.shape, dtype=np.float64)
        for j in range(X.shape[1]):
            s = plain_values(column_at(X, j))
            missing = s.isna().to_numpy()
            codes = pd.Index(self.categories_[j], dtype=object).get_indexer(s.to_numpy(dtype=object))
            known = (codes >= 0) & ~missing
            out[known, j] = self.frequencies_[j][codes[known]]
            out[missing, j] = self.missing_frequencies_[j]
        return out


# Since sklearn 1.9 TargetEncoder takes its shuffling from a splitter given as ``cv``.
_SPLITTER_CV = parse_version(sklearn.__version__) >= parse_version("1.9")


def _shuffled_folds(folds: int, random_state: int) -> dict[str, Any]:
    """TargetEncoder arguments for shuffled cross-fitting."""
    if _SPLITTER_CV:
        return {"cv": KFold(folds, shuffle=True, random_state=random_state)}
    return {"cv": folds, "shuffle": True, "random_state": random_state}


class OneVsRestTargetEncoder(TransformerMixin, BaseEstimator):
    """Cross-fitted target encoding that works with any class sizes.

    Each category is replaced by the smoothed mean of the target over the
    training rows with that category, computed by scikit-learn's
    :class:`~sklearn.preprocessing.TargetEncoder` with a continuous target:
    the target itself for a numeric target, and the indicator of each class
    (one-vs-rest) for class labels: one column for two classes (the second
    class), one per class for more. ``fit_transform`` is cross-fitted with
    shuffled, unstratified folds, so no row is encoded with its own target and
    a class with a single member does not break the folds (sklearn's
    stratified cross-fitting needs as many members as folds in every class).

    Parameters
    ----------
    cv : int, default=5
        Folds of the cross-fitting in ``fit_transform`` (fewer when there are
        fewer rows).
    random_state : int, default=0
        Seed of the fold shuffling.

    Attributes
    ----------
    classes_ : ndarray or None
        The class labels, or ``None`` for a numeric target.
    encoders_ : list of TargetEncoder
        One fitted encoder per output block (per encoded class).
    n_features_in_ : int
        Number of columns seen during ``fit``.

    Examples
    --------
    >>> import numpy as np
    >>> X = np.array([["a"], ["a"], ["b"], ["b"], ["c"], ["c"]], dtype=object)
    >>> y = np.array(["no", "yes", "no", "no", "yes", "yes"])
    >>> OneVsRestTargetEncoder(cv=2).fit_transform(X, y).shape
    (6, 1)
    """

    def __init__(self, cv: int = 5, random_state: int = 0) -> None:
        self.cv = cv
        self.random_state = random_state

    def _targets(self, y: Any) -> np.ndarray:
        """The continuous targets to encode, as columns."""
        y = np.asarray(y)
        if type_of_target(y) in ("continuous", "continuous-multioutput") or (
            y.dtype.kind == "f" and len(np.unique(y)) > 2
        ):
            self.classes_ = None
            return y.astype(np.float64).reshape(-1, 1)
        self.classes_ = np.unique(y)
        encoded = self.classes_[1:] if len(self.classes_) == 2 else self.classes_
        return np.column_stack([(y == c).astype(np.float64) for c in encoded])

    def fit(self, X: Any, y: Any) -> OneVsRestTargetEncoder:
        """Fit the encoders on all rows (use ``fit_transform`` for the training rows' own encoding).

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Categorical columns.
        y : array-like of shape (n_samples,)
            Target.

        Returns
        -------
        self : OneVsRestTargetEncoder
        """
        self.fit_transform(X, y)
        return self

    def fit_transform(self, X: Any, y: Any = None, **fit_params: Any) -> np.ndarray:
        """Fit, and encode the training rows out of fold (cross-fitted).

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Categorical columns.
        y : array-like of shape (n_samples,)
            Target (required).

        Returns
        -------
        X_out : ndarray of shape (n_samples, n_features * n_blocks)
        """
        if y is None:
            raise ValueError("OneVsRestTargetEncoder needs y: it encodes categories by their mean target.")
        targets = self._targets(y)
        folds = max(2, min(int(self.cv), targets.shape[0]))
        self.encoders_ = []
        blocks = []
        for column in targets.T:
            encoder = TargetEncoder(target_type="continuous", **_shuffled_folds(folds, self.random_state))
            blocks.append(encoder.fit_transform(X, column))
            self.encoders_.append(encoder)
        self.n_features_in_ = self.encoders_[0].n_features_in_
        if hasattr(self.encoders_[0], "feature_names_in_"):
            self.feature_names_in_ = self.encoders_[0].feature_names_in_
        return np.hstack(blocks)

    def transform(self, X: Any) -> np.ndarray:
        """Encode new rows with the means learnt from all training rows.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)

        Returns
        -------
        X_out : ndarray of shape (n_samples, n_features * n_blocks)
        """
        check_is_fitted(self, "encoders_")
        return np.hstack([encoder.transform(X) for encoder in self.encoders_])

    def get_feature_names_out(self, input_features: Any = None) -> np.ndarray:
        """``<column>_target`` (numeric target or two classes), else ``<column>_target_<class>``.

        Parameters
        ----------
        input_features : array-like of str, optional

        Returns
        -------
        names : ndarray of str
        """
        names = input_feature_names(self, input_features)
        classes = self.classes_
        if classes is None or len(classes) == 2:
            return np.asarray([f"{n}_target" for n in names], dtype=object)
        return np.asarray([f"{n}_target_{c}" for c in classes for n in names], dtype=object)
