"""Fake estimators that misbehave in ``fit`` in controlled ways, for tests."""

from __future__ import annotations

import os
import time
from typing import Any, NoReturn

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin, RegressorMixin
from sklearn.utils.validation import check_array, check_is_fitted, check_X_y


class _Fake(BaseEstimator):
    """Base of the fakes: after misbehaving, ``fit`` ends in :meth:`_fit_baseline`."""

    def _fit_baseline(self, X: Any, y: Any) -> Any:
        """Validate the data and fit the trivial model; defined by the two families below."""
        raise NotImplementedError

    def _check_samples(self, X: Any, fitted_attribute: str) -> np.ndarray:
        """``X`` validated for prediction (anything goes, NaN included), once fitted."""
        check_is_fitted(self, fitted_attribute)
        return check_array(X, dtype=None, ensure_all_finite=False)


class _MajorityClassifier(ClassifierMixin, _Fake):
    """Shared behaviour: predict the majority class, class priors as probabilities.

    Subclasses misbehave first and then call :meth:`_fit_baseline`.
    """

    def _fit_baseline(self, X: Any, y: Any) -> _MajorityClassifier:
        """Validate the data and store the class priors."""
        X, y = check_X_y(X, y, dtype=None, ensure_all_finite=False)
        self.classes_, counts = np.unique(y, return_counts=True)
        self.class_prior_ = counts / counts.sum()
        self.n_features_in_ = X.shape[1]
        return self

    def predict_proba(self, X: Any) -> np.ndarray:
        """Return the training class priors for every sample.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Samples.

        Returns
        -------
        ndarray of shape (n_samples, n_classes)
            The same row of class frequencies for each sample.
        """
        X = self._check_samples(X, "classes_")
        return np.tile(self.class_prior_, (X.shape[0], 1))

    def predict(self, X: Any) -> np.ndarray:
        """Return the majority training class for every sample.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Samples.

        Returns
        -------
        ndarray of shape (n_samples,)
            The most frequent training class (the first one on ties).
        """
        X = self._check_samples(X, "classes_")
        majority = self.classes_[int(np.argmax(self.class_prior_))]
        return np.full(X.shape[0], majority, dtype=self.classes_.dtype)


class _MeanRegressor(RegressorMixin, _Fake):
    """Shared behaviour: predict one constant, by default the training mean of the target.

    Subclasses misbehave first and then call :meth:`_fit_baseline`.
    """

    def _fit_baseline(self, X: Any, y: Any) -> _MeanRegressor:
        """Validate the data and store the target mean."""
        X, y = check_X_y(X, y, dtype=None, ensure_all_finite=False, y_numeric=True)
        self.mean_ = float(np.mean(y))
        self.n_features_in_ = X.shape[1]
        return self

    def _constant(self) -> float:
        """The value :meth:`predict` returns for every sample."""
        return self.mean_

    def predict(self, X: Any) -> np.ndarray:
        """Return the training mean of the target for every sample.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Samples.

        Returns
        -------
        ndarray of shape (n_samples,)
            Constant predictions.
        """
        X = self._check_samples(X, "mean_")
        return np.full(X.shape[0], self._constant(), dtype=np.float64)


class _RaisesInFit(_Fake):
    """Mixin of the raising fakes: ``fit`` always raises ``ValueError(message)``."""

    def __init__(self, message: str = "boom") -> None:
        self.message = message

    def fit(self, X: Any, y: Any) -> NoReturn:
        """Raise ``ValueError(self.message)``.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Ignored.
        y : array-like of shape (n_samples,)
            Ignored.

        Raises
        ------
        ValueError
            Always.
        """
        raise ValueError(self.message)


class _SleepsInFit(_Fake):
    """Mixin of the slow fakes: ``fit`` sleeps ``seconds``, then fits the trivial model."""

    def __init__(self, seconds: float = 30.0) -> None:
        self.seconds = seconds

    def fit(self, X: Any, y: Any) -> Any:
        """Sleep ``seconds`` seconds, then fit the trivial model.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Training data.
        y : array-like of shape (n_samples,)
            Class labels or target values.

        Returns
        -------
        self
            The fitted estimator.
        """
        time.sleep(self.seconds)
        return self._fit_baseline(X, y)


class RaisingClassifier(_RaisesInFit, _MajorityClassifier):
    """Classifier whose ``fit`` always raises ``ValueError``.

    Parameters
    ----------
    message : str, default="boom"
        The message of the raised error.
    """


class SlowClassifier(_SleepsInFit, _MajorityClassifier):
    """Classifier that sleeps in ``fit``, then predicts the majority class.

    Parameters
    ----------
    seconds : float, default=30.0
        How long ``fit`` sleeps (``time.sleep``) before fitting.
    """


class CrashingClassifier(_MajorityClassifier):
    """Classifier whose ``fit`` kills the process with ``os.abort()``.

    Only ever fit it in a child process: it takes the interpreter down
    (SIGABRT) without running any cleanup.
    """

    def __init__(self) -> None:
        pass

    def fit(self, X: Any, y: Any) -> NoReturn:
        """Abort the current process.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Ignored.
        y : array-like of shape (n_samples,)
            Ignored.
        """
        os.abort()


class MemoryHungryClassifier(_MajorityClassifier):
    """Classifier that allocates and touches a large array in ``fit``.

    After the allocation succeeds (and is released) it fits like a majority
    class predictor. Meant for testing memory limits in child processes.

    Parameters
    ----------
    gigabytes : float, default=4.0
        Size of the array allocated in ``fit``, in GiB (``2**30`` bytes).
    """

    def __init__(self, gigabytes: float = 4.0) -> None:
        self.gigabytes = gigabytes

    def fit(self, X: Any, y: Any) -> MemoryHungryClassifier:
        """Allocate ``gigabytes`` GiB of float64 ones, then store class priors.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Training data.
        y : array-like of shape (n_samples,)
            Class labels.

        Returns
        -------
        self
            The fitted estimator.

        Raises
        ------
        MemoryError
            If the allocation fails.
        """
        # np.ones writes every element, so every page is really committed.
        block = np.ones(int(self.gigabytes * 2**30 / 8))
        del block
        return self._fit_baseline(X, y)


class NaNRegressor(_MeanRegressor):
    """Regressor that fits fine but predicts NaN for every sample."""

    def __init__(self) -> None:
        pass

    def fit(self, X: Any, y: Any) -> NaNRegressor:
        """Validate the data and store the target mean (never used).

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Training data.
        y : array-like of shape (n_samples,)
            Target values.

        Returns
        -------
        self
            The fitted estimator.
        """
        return self._fit_baseline(X, y)

    def _constant(self) -> float:
        """NaN, whatever the training target."""
        return np.nan


class RaisingRegressor(_RaisesInFit, _MeanRegressor):
    """Regressor whose ``fit`` always raises ``ValueError``.

    Parameters are those of :class:`RaisingClassifier`.
    """


class SlowRegressor(_SleepsInFit, _MeanRegressor):
    """Regressor that sleeps in ``fit``, then predicts the target mean.

    Parameters are those of :class:`SlowClassifier`.
    """
