"""``SearchHistory`` keeps out-of-fold predictions only for candidates an ensemble may use, within its byte bound."""

from __future__ import annotations

import pickle

import numpy as np
import pytest

from autopipe.ensemble._ensembler import MAX_CANDIDATES
from autopipe.evaluate import EvaluationResult, Status
from autopipe.genome import Genome
from autopipe.search import SearchHistory
from autopipe.space import build_space

SPACE = build_space("light", "classification")


def _genomes(n: int, seed: int = 0) -> list[Genome]:
    rng = np.random.default_rng(seed)
    out: dict[str, Genome] = {}
    while len(out) < n:
        g = Genome.random(SPACE, rng)
        out.setdefault(g.key, g)
    return list(out.values())


def _result(g: Genome, score: float, oof: np.ndarray | None, kind: str = "proba", **kw) -> EvaluationResult:
    return EvaluationResult(key=g.key, status=Status.OK, score=score, fold_scores=(score,), oof=oof, oof_kind=kind,
                            **kw)


def _kept(history: SearchHistory) -> set[str]:
    return {e.genome.key for e in history if e.result.oof is not None}


def test_large_predictions_of_many_classes_stay_within_the_byte_bound():
    rows, classes = 2_000, 120
    one = rows * classes * 4  # 960 kB of float32 probabilities per result
    history = SearchHistory(max_oof_bytes=3 * one + one // 2)  # room for three
    rng = np.random.default_rng(0)
    scores = {}
    for g in _genomes(40):
        score = float(rng.uniform())
        scores[g.key] = score
        history.add(g, _result(g, score, np.full((rows, classes), 1 / classes, dtype=np.float32)), 0, 0.0)
        assert history.oof_nbytes() <= history.max_oof_bytes
        best = sorted(scores, key=lambda k: -scores[k])[:3]
        assert _kept(history) == set(best)  # the best so far keep theirs
    assert history.oof_nbytes() == 3 * one


def test_at_most_the_candidates_an_ensemble_considers_keep_predictions():
    history = SearchHistory()
    assert history.max_oof_results == MAX_CANDIDATES
    genomes = _genomes(30)
    for i, g in enumerate(genomes):
        history.add(g, _result(g, float(i), np.zeros((50, 3), dtype=np.float32)), 0, 0.0)
    assert _kept(history) == {g.key for g in genomes[-MAX_CANDIDATES:]}
    ranked = [e for e in history.ranked() if e.result.ok]
    assert all(e.result.oof is not None for e in ranked[:MAX_CANDIDATES])


def test_predictions_no_ensemble_can_use_are_dropped_when_recorded():
    a, b, c, d, e, f = _genomes(6)
    history = SearchHistory()
    oof = np.zeros((50, 3), dtype=np.float32)
    nan = oof.copy()
    nan[0, 0] = np.inf  # not a prediction an ensemble can blend
    history.add(a, _result(a, 0.9, oof), 0, 0.0)
    history.add(b, _result(b, 0.99, oof, fidelity=1 / 3), 0, 0.0)  # a subsample: not comparable
    history.add(c, _result(c, 0.8, oof[:, :1], kind="label"), 0, 0.0)  # labels: no ensemble blends them
    history.add(d, _result(d, 0.7, nan), 0, 0.0)
    history.add(e, EvaluationResult.failed(e.key, Status.ERROR, "boom"), 0, 0.0)
    entry = history.add(f, _result(f, 0.6, oof), 0, 0.0)
    assert entry.result.oof is not None
    untested = np.full_like(oof, np.nan)
    untested[40:] = 0.5  # a holdout split tests the last rows only: NaN elsewhere is expected
    g, = _genomes(7)[6:]
    history.add(g, _result(g, 0.5, untested), 0, 0.0)
    assert _kept(history) == {a.key, f.key, g.key}
    history.add_check(a.key, _result(a, 0.9, oof))  # a re-score keeps only its scores
    assert history.checks[a.key].oof is None and history.checked_score(history.get(a.key)) == pytest.approx(0.9)


def test_no_predictions_are_kept_when_the_best_alone_exceeds_the_bound():
    history = SearchHistory(max_oof_bytes=1_000)
    for i, g in enumerate(_genomes(3)):
        entry = history.add(g, _result(g, float(i), np.zeros((100, 10), dtype=np.float32)), 0, 0.0)
        assert entry.result.oof is None
    assert history.oof_nbytes() == 0


def test_copies_and_old_pickles_keep_the_bound():
    history = SearchHistory(max_oof_bytes=2_000, max_oof_results=3)
    for i, g in enumerate(_genomes(5)):
        history.add(g, _result(g, float(i), np.zeros((100, 1), dtype=np.float32), kind="predict"), 0, 0.0)
    copied = history.copy()
    assert (copied.max_oof_bytes, copied.max_oof_results) == (2_000, 3)
    assert _kept(copied) == _kept(history) and len(_kept(history)) == 3
    # a history pickled before max_oof_results existed (a checkpoint) is bounded by the current rules on loading
    del history.max_oof_results
    history.max_oof_bytes = 10**9
    loaded = pickle.loads(pickle.dumps(history))
    assert loaded.max_oof_results == MAX_CANDIDATES and len(_kept(loaded)) == 3
    with pytest.raises(ValueError, match="max_oof_bytes"):
        SearchHistory(max_oof_bytes=-1)
