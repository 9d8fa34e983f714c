"""Asynchronous successive halving: a candidate goes on to more rows once it ranks in the top of its rung."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from ..evaluate import EvaluationResult

#: How much a fit's time grows with its rows: slightly faster than linear.
ROWS_EXPONENT = 1.1


def predicted_seconds(result: EvaluationResult, fidelity: float) -> float:
    """Seconds the evaluation of ``result``'s candidate would take at ``fidelity``.

    Its fits grow with the training rows (a little faster than linearly);
    its scoring does not, since every fidelity scores the same validation rows.
    """
    growth = (fidelity / max(result.fidelity, 1e-9)) ** ROWS_EXPONENT
    return result.fit_time * growth + result.score_time


@dataclass
class _Rung:
    fidelity: float
    results: int = 0
    scored: list[tuple[float, str, EvaluationResult]] = field(default_factory=list)
    done: set[str] = field(default_factory=set)  # promoted, or judged too slow for the next rung


class AsyncHalving:
    """The rungs of asynchronous successive halving (ASHA) and its promotion rule.

    A rung holds the results of the candidates evaluated at its fidelity.
    Whenever a worker frees, :meth:`promotion` offers the best candidate not
    yet promoted that ranks in the top ``1 / eta`` of its rung's results so
    far (highest rung first); no worker waits for a rung to fill. A
    candidate whose predicted time at the next rung does not fit is never
    promoted.

    Parameters
    ----------
    fidelities : sequence of float
        The rungs, lowest first, the last one 1.0.
    eta : int, default=3
        One candidate in ``eta`` goes on to the next rung.
    """

    def __init__(self, fidelities: Sequence[float], eta: int = 3) -> None:
        self.fidelities = tuple(fidelities)
        self.eta = eta
        self._rungs = {f: _Rung(f) for f in self.fidelities[:-1]}

    @property
    def lowest(self) -> float:
        """The fidelity new candidates start at."""
        return self.fidelities[0]

    def record(self, key: str, result: EvaluationResult) -> None:
        """Count a result at its rung (results on all rows end there)."""
        rung = self._rungs.get(result.fidelity)
        if rung is None:
            return
        rung.results += 1
        if result.ok:
            rung.scored.append((result.score, key, result))

    def promotion(self, fits: Callable[[EvaluationResult, float], bool]) -> tuple[str, float] | None:
        """The candidate to evaluate next on more rows and that fidelity, or None.

        ``fits(result, next_fidelity)`` says whether its evaluation at the
        next rung fits the time left.
        """
        for level in range(len(self.fidelities) - 2, -1, -1):
            rung = self._rungs[self.fidelities[level]]
            n_top = rung.results // self.eta
            if not n_top:
                continue
            nxt = self.fidelities[level + 1]
            for _, key, result in sorted(rung.scored, key=lambda item: -item[0])[:n_top]:
                if key in rung.done:
                    continue
                rung.done.add(key)
                if fits(result, nxt):
                    return key, nxt
        return None
