"""End to end on the raw tables of the development suite: strings, dates, missing values as they come."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from sklearn.model_selection import train_test_split

from autopipe import AutoEstimator
from autopipe.testing import assert_same_params

SUITE = Path(__file__).resolve().parents[2] / "shared" / "datasets"
TABLES = {"titanic": "survived", "penguins": "species", "mpg": "mpg", "diamonds": "price"}
MINIMUM = {"titanic": 0.7, "penguins": 0.9, "mpg": 0.7, "diamonds": 0.8}


@pytest.mark.parametrize("name", list(TABLES))
def test_raw_table_end_to_end(name):
    path = SUITE / f"{name}.csv.gz"
    if not path.exists():
        pytest.skip(f"{path} not found")
    frame = pd.read_csv(path).head(600)
    X, y = frame.drop(columns=[TABLES[name]]), frame[TABLES[name]]
    X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.25, random_state=0)
    est = AutoEstimator(time_budget=None, generations=0, population_size=3, search_space="light", cv=3,
                        random_state=0).fit(X_train, y_train)
    assert est.score(X_test, y_test) > MINIMUM[name]
    # new data: another column order, unseen categories, missing values where there were none
    shuffled = X_test[X_test.columns[::-1]].copy()
    text_columns = [c for c in shuffled.columns if shuffled[c].dtype == object or str(shuffled[c].dtype) == "str"]
    for column in text_columns[:1]:
        shuffled[column] = shuffled[column].astype(object)
        shuffled.iloc[0, shuffled.columns.get_loc(column)] = "never-seen-before"
    numeric = shuffled.select_dtypes("number").columns
    if len(numeric):
        shuffled.iloc[1, shuffled.columns.get_loc(numeric[0])] = np.nan
    predictions = est.predict(shuffled)
    assert len(predictions) == len(X_test)
    np.testing.assert_array_equal(predictions[2:], est.predict(X_test)[2:])
    if est.task_ == "classification":
        assert set(predictions) <= set(y_train)
    namespace: dict = {}
    exec(est.export(), namespace)
    assert_same_params(namespace["pipeline"], est.fitted_pipeline_)
