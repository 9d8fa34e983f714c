"""The leaderboard is made from plain records: a search history, its entries, or records of the same shape."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from autopipe.evaluate import EvaluationResult, Status
from autopipe.genome import Genome
from autopipe.report import make_leaderboard
from autopipe.search import SearchHistory
from autopipe.space import build_space

SPACE = build_space("light", "classification")


@dataclass(frozen=True)
class Record:
    genome: Genome
    result: EvaluationResult
    generation: int
    elapsed: float


def _history() -> SearchHistory:
    history = SearchHistory()
    plans = [["GaussianNB"], ["StandardScaler", "GaussianNB"], ["LogisticRegression"], ["MinMaxScaler", "GaussianNB"]]
    for i, (steps, score) in enumerate(zip(plans, [0.7, 0.9, 0.9, 0.8])):
        g = Genome.from_steps(SPACE, steps)
        history.add(g, EvaluationResult(key=g.key, status=Status.OK, score=score, fold_scores=(score, score)), 0, i)
    failed = Genome.from_steps(SPACE, ["PCA", "GaussianNB"])
    history.add(failed, EvaluationResult(key=failed.key, status=Status.ERROR, error="ValueError: boom"), 1, 9.0)
    return history


def test_records_rank_as_the_history_does():
    history = _history()
    board = make_leaderboard(history)
    assert list(board["pipeline"]) == [e.genome.key for e in history.ranked(fidelity=None)]
    assert list(board["rank"].astype(object)) == [1, 2, 3, 4, pd.NA]
    # the entries alone, or records of the same shape, make the same leaderboard
    pd.testing.assert_frame_equal(make_leaderboard(list(history)), board)
    records = [Record(e.genome, e.result, e.generation, e.elapsed) for e in history]
    pd.testing.assert_frame_equal(make_leaderboard(records), board)


def test_re_scored_candidates_come_first_with_their_checks():
    history = _history()
    last_ok = history.ranked()[3]
    check = EvaluationResult(key=last_ok.genome.key, status=Status.OK, score=0.95, fold_scores=(0.95, 0.95))
    history.add_check(last_ok.genome.key, check)
    board = make_leaderboard(history)
    assert list(board["pipeline"]) == [e.genome.key for e in history.ranked(fidelity=None)]
    assert board["pipeline"][0] == last_ok.genome.key and board["check_score"][0] == 0.95
    assert board["check_score"][1:].isna().all()
    # plain records take the re-scores as an argument
    pd.testing.assert_frame_equal(make_leaderboard(list(history), checks=history.checks), board)
    assert make_leaderboard(list(history))["check_score"].isna().all()


def test_the_ensemble_row_is_first_when_used():
    row = {"pipeline": "Ensemble(2)", "score": 0.99, "status": "ensemble", "note": "the final model", "used": True}
    board = make_leaderboard(_history(), ensemble=row)
    assert board["status"][0] == "ensemble" and len(board) == 6
    assert make_leaderboard(_history(), ensemble={**row, "used": False})["status"].iloc[-1] == "ensemble"
