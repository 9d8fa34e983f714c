"""``ReinforceStrategy``: a controller samples pipelines token by token, trained by policy gradient."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np

from ..evaluate import EvaluationResult
from ..genome import Genome
from ..space import Categorical, Distribution, FloatDistribution, IntDistribution, Role
from ._base import BaseStrategy, SearchContext

_NONE = "none"
_BINS = 5  # values offered for a numeric hyperparameter


def _grid(dist: Distribution) -> list[Any]:
    """The values a token can choose for a hyperparameter."""
    if isinstance(dist, Categorical):
        return list(dist.choices)
    lo, hi = float(dist.low), float(dist.high)  # type: ignore[attr-defined]
    if isinstance(dist, IntDistribution):
        span = dist.high - dist.low + 1
        if span <= _BINS:
            return list(range(dist.low, dist.high + 1))
        points = np.geomspace(lo, hi, _BINS) if dist.log else np.linspace(lo, hi, _BINS)
        return sorted({int(round(p)) for p in points})
    assert isinstance(dist, FloatDistribution)
    points = np.geomspace(lo, hi, _BINS) if dist.log else np.linspace(lo, hi, _BINS)
    return [float(f"{p:.4g}") for p in points]


class _Vocabulary:
    """The decisions of a pipeline sequence and their choices, for one search space."""

    def __init__(self, space: Any, max_steps: int) -> None:
        self.models = list(space.models)
        self.steps = [op for op in space if op.role in (Role.TRANSFORMER, Role.SELECTOR)]
        self.max_steps = max_steps
        self.heads: dict[str, list[Any]] = {
            "model": [op.name for op in self.models],
            "step": [_NONE, *(op.name for op in self.steps)],
        }
        for op in [*self.models, *self.steps]:
            for param, dist in op.params.items():
                if dist.size > 1:
                    self.heads[f"{op.name}.{param}"] = _grid(dist)
        self.offsets: dict[str, int] = {}
        total = 1  # token 0 starts every sequence
        for head, choices in self.heads.items():
            self.offsets[head] = total
            total += len(choices)
        self.n_tokens = total


class ReinforceStrategy(BaseStrategy):
    """Reinforcement learning: a controller that writes pipelines token by token (REINFORCE).

    A pipeline is written as a sequence of decisions: the model, then up to
    ``max_steps`` preprocessing steps (or ``"none"``), then a value for each
    searched hyperparameter of the chosen operators (numbers from
    ``5`` evenly spaced values, on a log scale where their distribution is).
    The controller is a recurrent network (a GRU cell over the embeddings of
    the tokens chosen so far, one output head per kind of decision) when
    PyTorch is installed, else a factorized policy (independent logits per
    decision). After each batch it takes a policy-gradient step that raises
    the log-probability of the sequences whose validation score beats a
    moving-average baseline and lowers that of the others, with an entropy
    bonus that keeps it exploring (after Zoph & Le, 2017, "Neural
    architecture search with reinforcement learning").

    Sampling draws from the controller's probabilities with the search's
    numpy random generator, so the search is reproducible for a seed.

    Parameters
    ----------
    max_steps : int, default=2
        Preprocessing step slots before the model.
    learning_rate : float, default=0.05
        Adam's step size (the factorized policy: plain gradient ascent).
    baseline_decay : float, default=0.8
        Weight of the old baseline in its moving average.
    entropy_weight : float, default=0.01
        Weight of the entropy bonus.
    hidden_size : int, default=32
        Size of the GRU's state (PyTorch controller).

    Attributes
    ----------
    baseline_ : float or None
        The moving average of the rewards.
    uses_torch_ : bool
        Whether the controller is the PyTorch GRU.
    """

    def __init__(self, max_steps: int = 2, learning_rate: float = 0.05, baseline_decay: float = 0.8,
                 entropy_weight: float = 0.01, hidden_size: int = 32) -> None:
        self.max_steps = max_steps
        self.learning_rate = learning_rate
        self.baseline_decay = baseline_decay
        self.entropy_weight = entropy_weight
        self.hidden_size = hidden_size

    # --------------------------------------------------------------- setup
    def setup(self, context: SearchContext) -> None:
        """Build the vocabulary and a fresh controller."""
        super().setup(context)
        self.vocab_ = _Vocabulary(context.space, self.max_steps)
        self.pending_ = list(context.initial)
        self.baseline_: float | None = None
        self.sequences_: dict[str, list[tuple[str, int]]] = {}
        try:
            import torch  # noqa: F401
        except ImportError:
            self.uses_torch_ = False
            self.logits_ = {head: np.zeros(len(choices)) for head, choices in self.vocab_.heads.items()}
        else:
            self.uses_torch_ = True
            self._build_torch(int(context.rng.integers(2**31 - 1)))

    def _build_torch(self, seed: int) -> None:
        import torch

        generator = torch.Generator().manual_seed(seed)
        h = self.hidden_size
        with torch.random.fork_rng(devices=[]):
            torch.manual_seed(int(torch.randint(0, 2**31 - 1, (1,), generator=generator)))
            self.net_ = torch.nn.ModuleDict({
                "embed": torch.nn.Embedding(self.vocab_.n_tokens, h),
                "cell": torch.nn.GRUCell(h, h),
                **{_safe(head): torch.nn.Linear(h, len(c)) for head, c in self.vocab_.heads.items()},
            })
        self.optimizer_ = torch.optim.Adam(self.net_.parameters(), lr=self.learning_rate)

    # ------------------------------------------------------------ sampling
    def _sample(self) -> tuple[Genome, list[tuple[str, int]]]:
        """One pipeline and its decisions ``(head, choice index)``."""
        rng = self.context_.rng
        decisions: list[tuple[str, int]] = []
        state = self._start()

        def choose(head: str) -> Any:
            nonlocal state
            probs, next_state = self._step(state, decisions, head)
            i = int(rng.choice(len(probs), p=probs))
            decisions.append((head, i))
            state = next_state
            return self.vocab_.heads[head][i]

        vocab = self.vocab_
        model = self.context_.space[choose("model")]
        chain = []
        if not model.input_only:
            for _ in range(vocab.max_steps):
                name = choose("step")
                if name == _NONE or (self.context_.space[name].input_only and chain):
                    break
                chain.append(self.context_.space[name])
        plan = []
        for op in [*chain, model]:
            params = {p: choose(f"{op.name}.{p}") for p, d in op.params.items() if d.size > 1}
            plan.append((op.name, params))
        return Genome.from_steps(self.context_.space, plan), decisions

    def _start(self) -> Any:
        if not self.uses_torch_:
            return None
        import torch

        return torch.zeros(1, self.hidden_size)

    def _step(self, state: Any, decisions: list[tuple[str, int]], head: str) -> tuple[np.ndarray, Any]:
        """The probabilities of ``head``'s choices after ``decisions``, and the controller's next state."""
        if not self.uses_torch_:
            return _softmax(self.logits_[head]), None
        import torch

        with torch.no_grad():
            token = self._token(decisions[-1] if decisions else None)
            state = self.net_["cell"](self.net_["embed"](torch.tensor([token])), state)
            logits = self.net_[_safe(head)](state)[0]
            probs = torch.softmax(logits.double(), dim=0).numpy()
        return probs / probs.sum(), state

    def _token(self, decision: tuple[str, int] | None) -> int:
        return 0 if decision is None else self.vocab_.offsets[decision[0]] + decision[1]

    # ---------------------------------------------------------- ask / tell
    def ask(self, n: int) -> list[Genome]:
        """Initial pipelines first, then ``n`` sampled ones not evaluated before."""
        taken: set[str] = set()
        out = self._initial(n, taken)
        for _ in range(20 * n):
            if len(out) == n:
                break
            genome, decisions = self._sample()
            if self._is_new(genome, taken):
                self.sequences_[genome.key] = decisions
                out.append(genome)
                taken.add(genome.key)
        # the controller keeps writing pipelines seen before: fall back to random ones
        return self._fill(out, n, taken, self._fresh_random)

    def tell(self, genomes: Sequence[Genome], results: Sequence[EvaluationResult]) -> None:
        """One policy-gradient step on the batch's sampled pipelines (failures score as the batch's worst)."""
        batch = []
        ok = [r.score for r in results if r.ok and math.isfinite(r.score)]
        floor = min(ok) if ok else 0.0
        for genome, result in zip(genomes, results):
            decisions = self.sequences_.pop(genome.key, None)
            if decisions is not None:
                reward = result.score if result.ok and math.isfinite(result.score) else floor
                batch.append((decisions, reward))
        if not batch:
            return
        rewards = np.array([r for _, r in batch])
        if self.baseline_ is None:
            self.baseline_ = float(rewards.mean())
        advantages = rewards - self.baseline_
        if self.uses_torch_:
            self._update_torch([d for d, _ in batch], advantages)
        else:
            self._update_numpy([d for d, _ in batch], advantages)
        self.baseline_ = self.baseline_decay * self.baseline_ + (1 - self.baseline_decay) * float(rewards.mean())

    def _update_numpy(self, sequences: list[list[tuple[str, int]]], advantages: np.ndarray) -> None:
        grads = {head: np.zeros_like(v) for head, v in self.logits_.items()}
        for decisions, advantage in zip(sequences, advantages):
            for head, i in decisions:
                p = _softmax(self.logits_[head])
                onehot = np.zeros_like(p)
                onehot[i] = 1.0
                # d log p_i / d logits = onehot - p; d entropy / d logits = -p * (log p + H)
                entropy_grad = -p * (np.log(p + 1e-12) + float(-(p * np.log(p + 1e-12)).sum()))
                grads[head] += advantage * (onehot - p) + self.entropy_weight * entropy_grad
        for head in self.logits_:
            self.logits_[head] += self.learning_rate * grads[head] / len(sequences)

    def _update_torch(self, sequences: list[list[tuple[str, int]]], advantages: np.ndarray) -> None:
        import torch

        loss = torch.zeros(())
        for decisions, advantage in zip(sequences, advantages):
            state = torch.zeros(1, self.hidden_size)
            previous: tuple[str, int] | None = None
            log_prob = torch.zeros(())
            entropy = torch.zeros(())
            for head, i in decisions:
                state = self.net_["cell"](self.net_["embed"](torch.tensor([self._token(previous)])), state)
                log_probs = torch.log_softmax(self.net_[_safe(head)](state)[0], dim=0)
                log_prob = log_prob + log_probs[i]
                entropy = entropy - (log_probs.exp() * log_probs).sum()
                previous = (head, i)
            loss = loss - float(advantage) * log_prob - self.entropy_weight * entropy
        self.optimizer_.zero_grad()
        (loss / len(sequences)).backward()
        self.optimizer_.step()


def _softmax(logits: np.ndarray) -> np.ndarray:
    z = np.exp(logits - logits.max())
    return z / z.sum()


def _safe(head: str) -> str:
    """A ModuleDict key for a head name (no dots)."""
    return "head_" + head.replace(".", "__")
