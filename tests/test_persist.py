"""Safer model files with skops: round trip, and refusal of untrusted types."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from sklearn.compose import make_column_transformer

pytest.importorskip("skops")

from autopipe import AutoClassifier  # noqa: E402
from autopipe.persist import load_model, save_model  # noqa: E402
from autopipe.testing import SlowClassifier  # noqa: E402


def test_round_trip_with_featurization_and_stacking(tmp_path, fast):
    rng = np.random.default_rng(0)
    X = pd.DataFrame({"a": rng.normal(size=90), "c": rng.choice(["x", "y", None], 90)})
    y = (X["a"] > 0).astype(int).to_numpy()
    space = {"StandardScaler": {}, "GaussianNB": {}, "LogisticRegression": {}}
    est = AutoClassifier(**{**fast, "search_space": space, "population_size": 6}).fit(X, y)
    path = save_model(est, tmp_path / "model.skops")
    loaded = load_model(path)
    np.testing.assert_array_equal(loaded.predict(X), est.predict(X))


def test_untrusted_types_are_refused(tmp_path, clf_data):
    X, y = clf_data
    model = SlowClassifier(seconds=0.0).fit(X, y)
    path = save_model(model, tmp_path / "m.skops")
    with pytest.raises(ValueError, match="SlowClassifier"):
        load_model(path)
    assert load_model(path, trusted=["autopipe.testing._fakes.SlowClassifier"]).predict(X).shape == y.shape


def test_files_saved_before_the_data_transformers_moved_still_load(tmp_path, monkeypatch):
    from autopipe.data import FrequencyEncoder, ToNumeric

    X = pd.DataFrame({"a": ["1", "2", "x"], "c": ["u", "v", "u"]})
    model = make_column_transformer((ToNumeric(), ["a"]), (FrequencyEncoder(), ["c"])).fit(X)
    for cls in (ToNumeric, FrequencyEncoder):  # the module path such files name
        monkeypatch.setattr(cls, "__module__", "autopipe.data.transformers")
    path = save_model(model, tmp_path / "old.skops")
    monkeypatch.undo()
    np.testing.assert_array_equal(load_model(path).transform(X), model.transform(X))
