"""No leakage: featurization, target encoding included, is fitted inside each cross-validation fold."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedKFold, cross_val_score
from sklearn.preprocessing import TargetEncoder

from autopipe import AutoClassifier
from autopipe.data import OneVsRestTargetEncoder


def _noise_table(n: int = 600, seed: int = 0) -> tuple[pd.DataFrame, np.ndarray]:
    """A high-cardinality code (about 3 rows per value) and a number, both unrelated to a random target."""
    rng = np.random.default_rng(seed)
    X = pd.DataFrame({"code": [f"c{i}" for i in rng.integers(0, 200, n)], "x": rng.normal(size=n)})
    return X, rng.integers(0, 2, n)


def _steps(estimator):
    for step in getattr(estimator, "transformers_", []):
        yield from _steps(step[1])
    for _, step in getattr(estimator, "steps", []):
        yield step
        yield from _steps(step)
    for _, step in getattr(estimator, "transformer_list", []):
        yield step
        yield from _steps(step)


def test_target_encoding_fitted_per_fold_keeps_the_cv_score_honest():
    X, y = _noise_table()
    # The leak: target-encode on all training rows, then cross-validate.
    encoded = TargetEncoder(random_state=0).fit(X[["code"]], y).transform(X[["code"]])
    folds = StratifiedKFold(5, shuffle=True, random_state=0)
    leaky = cross_val_score(LogisticRegression(), np.c_[encoded, X[["x"]]], y, cv=folds,
                            scoring="balanced_accuracy").mean()
    assert leaky > 0.65  # pure noise looks predictive

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        est = AutoClassifier(search_space="light", generations=1, population_size=8, time_budget=None, cv=5,
                             scoring="balanced_accuracy", random_state=0).fit(X, y)
    # autopipe target-encodes the code column too ...
    assert any(isinstance(s, OneVsRestTargetEncoder) for s in _steps(est.best_pipeline_))
    # ... but inside each fold, so no candidate finds signal in noise
    assert est.leaderboard_["score"].max() < 0.6
