"""Class imbalance: class weighting is searched, and resamplers run on training rows only."""

from __future__ import annotations

import pickle

import numpy as np
import pytest
from sklearn.datasets import make_classification
from sklearn.pipeline import FeatureUnion

from autopipe import AutoClassifier
from autopipe.evaluate import Evaluator
from autopipe.genome import Genome, compile_genome, genome_from_sklearn
from autopipe.space import StackingTransformer, build_space

pytest.importorskip("imblearn")

from imblearn.pipeline import Pipeline as ResamplingPipeline  # noqa: E402


def _imbalanced(n=300, seed=0):
    return make_classification(n_samples=n, n_features=6, weights=[0.9, 0.1], flip_y=0.02, random_state=seed)


def test_a_sampler_resamples_the_training_rows_only():
    X, y = _imbalanced()
    space = build_space("default", "classification")
    pipe = compile_genome(Genome.from_steps(space, ["StandardScaler", "RandomUnderSampler", "GaussianNB"]), random_state=0)
    assert isinstance(pipe, ResamplingPipeline)
    pipe.fit(X, y)
    minority = int(np.bincount(y).min())
    # the model was fitted on balanced rows ...
    np.testing.assert_array_equal(pipe[-1].class_count_, [minority, minority])
    # ... but predicts every row it is given
    assert pipe.predict(X).shape == (len(X),)


def test_out_of_fold_predictions_cover_every_row_with_a_sampler():
    from sklearn.metrics import get_scorer
    from sklearn.model_selection import StratifiedKFold

    X, y = _imbalanced()
    space = build_space("default", "classification")
    pipe = compile_genome(Genome.from_steps(space, ["SMOTE", "GaussianNB"]), random_state=0)
    splits = list(StratifiedKFold(3, shuffle=True, random_state=0).split(X, y))
    with Evaluator(X, y, splits=splits, scorer=get_scorer("balanced_accuracy"), is_classifier=True) as ev:
        (result,) = ev.evaluate([("smote", pipe)])
    assert result.ok and result.oof.shape == (len(y), 2) and not np.isnan(result.oof).any()


def test_samplers_only_ever_sit_directly_before_the_model():
    space = build_space("default", "classification")
    rng = np.random.default_rng(0)
    population = [Genome.random(space, rng) for _ in range(100)]
    for _ in range(1500):
        parent = population[int(rng.integers(len(population)))]
        if rng.random() < 0.8:
            population.append(parent.mutate(rng))
        else:
            population.extend(parent.crossover(population[int(rng.integers(len(population)))], rng))
    with_sampler = 0
    for genome in population:
        pipe = compile_genome(genome, random_state=0)
        names = [type(step).__name__ for _, step in pipe.steps]
        for i, (_, step) in enumerate(pipe.steps):
            if hasattr(step, "fit_resample"):
                assert i == len(pipe.steps) - 2, genome.key
                with_sampler += 1
            for inner in _nested(step):
                assert not hasattr(inner, "fit_resample"), genome.key
        assert isinstance(pipe, ResamplingPipeline) == any(n in names for n in ("SMOTE", "RandomUnderSampler",
                                                                                  "RandomOverSampler"))
    assert with_sampler > 50  # the search does reach them


def _nested(step):
    if isinstance(step, FeatureUnion):
        for _, part in step.transformer_list:
            yield part
            yield from _nested(part)
    elif isinstance(step, StackingTransformer):
        yield step.estimator
    elif hasattr(step, "steps"):
        for _, part in step.steps:
            yield part
            yield from _nested(part)


def test_a_sampler_elsewhere_than_before_the_model_is_refused():
    space = build_space("default", "classification")
    with pytest.raises(ValueError, match="directly before the model"):
        Genome.from_steps(space, ["SMOTE", "StandardScaler", "GaussianNB"])
    from imblearn.over_sampling import SMOTE
    from imblearn.pipeline import make_pipeline
    from sklearn.naive_bayes import GaussianNB
    from sklearn.preprocessing import StandardScaler

    genome = genome_from_sklearn(space, make_pipeline(StandardScaler(), SMOTE(k_neighbors=3), GaussianNB()))
    assert genome.key.startswith("GaussianNB(SMOTE(StandardScaler(input), k_neighbors=3)")


SPACE = {"RandomUnderSampler": {}, "SMOTE": {"k_neighbors": [3, 5]}, "GaussianNB": {}}


def test_search_with_samplers_fits_exports_and_pickles(tmp_path):
    X, y = _imbalanced()
    est = AutoClassifier(time_budget=None, generations=2, population_size=6, search_space=SPACE, cv=3,
                         scoring="balanced_accuracy", random_state=0, ensemble=None).fit(X, y)
    lb = est.leaderboard_
    resampled = lb[lb["pipeline"].str.contains("Sampler|SMOTE") & (lb["status"] == "ok")]
    assert len(resampled) >= 1
    plain = lb[lb["pipeline"] == "GaussianNB(input)"]
    # on 9:1 data, balancing the training rows helps balanced accuracy
    assert resampled["score"].max() >= plain["score"].max()
    assert est.predict(X).shape == (len(X),)
    code = est.export()
    namespace: dict = {}
    exec(code, namespace)
    again = namespace["pipeline"].fit(X, y)
    np.testing.assert_array_equal(again.predict(X), est.predict(X))
    assert pickle.loads(pickle.dumps(est)).predict(X[:5]).shape == (5,)


def test_samplers_are_left_out_while_sample_weight_is_given():
    X, y = _imbalanced()
    est = AutoClassifier(time_budget=None, generations=1, population_size=6, search_space=SPACE, cv=3,
                         random_state=0, ensemble=None).fit(X, y, sample_weight=np.ones(len(y)))
    assert not est.leaderboard_["pipeline"].str.contains("Sampler|SMOTE").any()


def test_a_resampling_pipeline_round_trips_through_skops(tmp_path):
    pytest.importorskip("skops")
    from autopipe.persist import load_model, save_model

    X, y = _imbalanced()
    space = build_space("default", "classification")
    for sampler in ("SMOTE", "RandomUnderSampler", "RandomOverSampler"):
        pipe = compile_genome(Genome.from_steps(space, ["StandardScaler", sampler, "GaussianNB"]), random_state=0)
        pipe.fit(X, y)
        loaded = load_model(save_model(pipe, tmp_path / f"{sampler}.skops"))
        np.testing.assert_array_equal(loaded.predict(X), pipe.predict(X))
