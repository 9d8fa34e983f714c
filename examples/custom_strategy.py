"""
A custom search strategy
========================

A small local search written against the ask/tell protocol. A strategy
proposes candidate pipelines (``ask``) and hears how they did (``tell``); it
never fits anything. This one keeps no population of its own: it
reads the search history it is given at ``setup`` and proposes mutations of the
best pipelines found so far (random pipelines until one has succeeded).

The example checks the strategy with ``autopipe.testing.check_strategy`` (the
conformance suite every strategy must pass), then searches with it.

**Data:** scikit-learn's wine data set (178 wines, 13 numeric measurements,
three cultivars), shipped with scikit-learn; a quarter of the rows is held
out.

**Budget:** ``AUTOPIPE_BUDGET`` seconds (60 by default; 8 in the
documentation build), two worker processes.

Run with ``python examples/custom_strategy.py``.
"""

import os

from sklearn.datasets import load_wine
from sklearn.model_selection import train_test_split

from autopipe import AutoClassifier
from autopipe.genome import Genome
from autopipe.search import BaseStrategy
from autopipe.testing import check_strategy


# %%
# The strategy: ``setup`` keeps the starting pipelines, ``ask`` mutates the
# best ones found so far.
class MutateBestStrategy(BaseStrategy):
    """Mutations of the ``n_parents`` best pipelines so far; random ones before any succeeds.

    Parameters
    ----------
    n_parents : int, default=3
        How many of the best pipelines are mutated.
    """

    def __init__(self, n_parents=3):
        self.n_parents = n_parents

    def setup(self, context):
        # BaseStrategy.setup stores the context as self.context_: the search
        # space, a random generator and the history of evaluated candidates.
        super().setup(context)
        # Pipelines the caller wants evaluated first (strong defaults).
        self.pending_ = list(context.initial)

    def ask(self, n):
        history, rng = self.context_.history, self.context_.rng
        batch, keys = [], set()

        def offer(genome):
            # Never propose a pipeline twice: not one evaluated before, not one
            # already in this batch. Equal keys mean equal pipelines.
            if genome.key not in history and genome.key not in keys:
                batch.append(genome)
                keys.add(genome.key)

        while self.pending_ and len(batch) < n:
            offer(self.pending_.pop(0))
        parents = [e.genome for e in history.ranked() if e.result.ok][: self.n_parents]
        for _ in range(50 * n):  # a small space may run out of new pipelines
            if len(batch) >= n:
                break
            if parents:
                offer(parents[int(rng.integers(len(parents)))].mutate(rng))
            else:
                offer(Genome.random(self.context_.space, rng))
        return batch

    # tell() is inherited from BaseStrategy and learns nothing: every result is
    # already in the history that ask() reads.


# %%
# The conformance suite, then a search with the strategy:
check_strategy(MutateBestStrategy)  # raises AssertionError naming what does not hold
print("MutateBestStrategy passes autopipe.testing.check_strategy.")

budget = float(os.environ.get("AUTOPIPE_BUDGET", "60"))
X, y = load_wine(return_X_y=True, as_frame=True)
X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.25, random_state=0, stratify=y)

clf = AutoClassifier(strategy=MutateBestStrategy(n_parents=3), time_budget=budget, n_jobs=2, random_state=0)
clf.fit(X_train, y_train)

lb = clf.leaderboard_
print(f"\nEvaluated {len(clf.history_)} pipelines in {clf.fit_time_:.1f} s (budget {budget:.0f} s).")
print(lb[["rank", "pipeline", "score", "complexity", "generation"]].head().to_string(max_colwidth=80))
print(f"\nHeld-out accuracy: {clf.score(X_test, y_test):.3f}")
