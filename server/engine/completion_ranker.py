"""Which workspace line to suggest, and whether to suggest one at all.

A logistic model over each candidate's features (:data:`server.engine.code_index.FEATURES`)
gives the probability that it is the line the user writes (one set of weights once something is
typed on the line, another at a line start: what makes a whole guessed line right is not what
makes the rest of a typed one right); the best candidate is shown only when that probability
reaches the threshold calibrated for precision on training repositories
(``python -m training code ranker``): a wrong suggestion costs the user more attention than no
suggestion. The weights ship in ``server/engine/data/completion_ranker.json`` with the
repositories and the command that made them.

With a code model, a second stage (:class:`Rescorer`) looks again at the ranker's shortlist:
the model scores each shortlisted line at the cursor (:class:`MiddleScorer`: its log-likelihood
with the code before and after the cursor), and another logistic model over the first stage's
log-odds and those scores picks the line and decides whether to show it. The two stages are
fitted together, for one model, and travel in its directory (``ranker.json``), since a
rescorer fitted to one model's scores means nothing for another's. None ships yet: the model
two CPU cores train ranks no better than the first stage (its scores get weights near zero;
``benchmarks/results/code-completion.md``).
"""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Protocol

from .code_index import FEATURES, Candidate, CodeIndex, Cursor, candidates
from .completion import CompletionContext

SHIPPED = "completion_ranker.json"
#: The ranker fitted with a code model, in that model's directory.
RANKER_FILE = "ranker.json"
#: The feature that tells a line-start candidate (nothing typed yet) from a mid-line one.
_AT_LINE_START = FEATURES.index("at_line_start")
#: Candidates the code model looks at again, at most (the first stage's best).
SHORTLIST = 8

#: The features of a shortlisted candidate once the code model has scored it.
MODEL_FEATURES = (
    "bias",
    "ranker_logit",  # the first stage's log-odds, clipped to [-20, 20]
    "model_mean",  # the model's log-probability of the line per token (its end included)
    "model_gap",  # its log-probability minus the best one on the shortlist (<= 0)
    "model_mean_gap",  # its per-token log-probability minus the best one on the shortlist
    "model_best",  # the model likes it most of the shortlist
    "shortlisted",  # log(1 + lines on the shortlist)
)


@dataclass(frozen=True)
class MiddleScore:
    """The log-probability of a text written at the cursor (and ended there), and its tokens."""

    logprob: float
    tokens: int


class MiddleScorer(Protocol):
    """A code model that scores texts at the cursor (``server.runtime.onnx_lm.OnnxLM``)."""

    def score_middles(
        self, context: CompletionContext, middles: Sequence[str]
    ) -> list[MiddleScore]: ...


def _sigmoid(z: float) -> float:
    return 1.0 / (1.0 + math.exp(-max(-50.0, min(50.0, z))))


def _logit(p: float) -> float:
    p = min(max(p, 1e-9), 1.0 - 1e-9)
    return max(-20.0, min(20.0, math.log(p / (1.0 - p))))


def model_features(
    probs: Sequence[float], scores: Sequence[MiddleScore]
) -> list[tuple[float, ...]]:
    """:data:`MODEL_FEATURES` of each shortlisted candidate, given its first-stage probability
    and the model's score of it."""
    means = [s.logprob / max(1, s.tokens) for s in scores]
    best = max(s.logprob for s in scores)
    best_mean = max(means)
    size = math.log1p(len(probs))
    return [
        (
            1.0,
            _logit(p),
            mean,
            score.logprob - best,
            mean - best_mean,
            1.0 if score.logprob == best else 0.0,
            size,
        )
        for p, score, mean in zip(probs, scores, means, strict=True)
    ]


@dataclass(frozen=True)
class Rescorer:
    """The second stage: weights over :data:`MODEL_FEATURES` and the probability a suggestion
    must reach, once something is typed on the line and at a line start (as the ranker's)."""

    weights: tuple[float, ...]
    threshold: float
    line_start_weights: tuple[float, ...]
    line_start_threshold: float
    #: Shortlisted candidates the model scores.
    shortlist: int = SHORTLIST

    def __post_init__(self) -> None:
        for weights in (self.weights, self.line_start_weights):
            if len(weights) != len(MODEL_FEATURES):
                raise ValueError(
                    f"the rescorer has {len(weights)} weights for {len(MODEL_FEATURES)} "
                    "features: remake it with python -m training code ranker --model DIR"
                )

    def probabilities(
        self, shortlist: Sequence[tuple[Candidate, float]], scores: Sequence[MiddleScore]
    ) -> list[float]:
        rows = model_features([p for _, p in shortlist], scores)
        out = []
        for (candidate, _), x in zip(shortlist, rows, strict=True):
            start = bool(candidate.features[_AT_LINE_START])
            weights = self.line_start_weights if start else self.weights
            out.append(_sigmoid(sum(w * v for w, v in zip(weights, x, strict=True))))
        return out

    def to_dict(self) -> dict[str, object]:
        return {
            "features": list(MODEL_FEATURES),
            "weights": list(self.weights),
            "line_start_weights": list(self.line_start_weights),
            "threshold": self.threshold,
            "line_start_threshold": self.line_start_threshold,
            "shortlist": self.shortlist,
        }

    @classmethod
    def from_dict(cls, data: dict[str, object]) -> Rescorer:
        if data.get("features") != list(MODEL_FEATURES):
            raise ValueError(
                "the rescorer's features are not this Quill's: remake it with "
                "python -m training code ranker --model DIR"
            )
        return cls(
            tuple(float(w) for w in data["weights"]),  # type: ignore[attr-defined]
            float(data["threshold"]),  # type: ignore[arg-type]
            tuple(float(w) for w in data["line_start_weights"]),  # type: ignore[attr-defined]
            float(data["line_start_threshold"]),  # type: ignore[arg-type]
            int(data.get("shortlist", SHORTLIST)),  # type: ignore[call-overload]
        )


@dataclass(frozen=True)
class Ranker:
    """Weights (one per feature) and the probability a suggestion must reach to be shown:
    ``weights`` and ``threshold`` once something is typed on the line,
    ``line_start_weights`` and ``line_start_threshold`` before (a whole line guessed from
    nothing is a different bet, fitted and calibrated on its own; without line-start weights
    the mid-line ones serve both)."""

    weights: tuple[float, ...]
    threshold: float
    line_start_threshold: float
    line_start_weights: tuple[float, ...] | None = None
    #: The second stage, for the code model it was fitted with (None: the first stage decides).
    rescorer: Rescorer | None = None

    def __post_init__(self) -> None:
        for weights in (self.weights, self.line_start_weights):
            if weights is not None and len(weights) != len(FEATURES):
                raise ValueError(
                    f"the ranker has {len(weights)} weights for {len(FEATURES)} features: "
                    "it was made for another version of Quill (python -m training code ranker)"
                )

    def weights_for(self, candidate: Candidate) -> tuple[float, ...]:
        if self.line_start_weights is not None and candidate.features[_AT_LINE_START]:
            return self.line_start_weights
        return self.weights

    def probability(self, candidate: Candidate) -> float:
        weights = self.weights_for(candidate)
        return _sigmoid(sum(w * x for w, x in zip(weights, candidate.features, strict=True)))

    def threshold_for(self, cursor: Cursor) -> float:
        return self.threshold if cursor.typed else self.line_start_threshold

    def shortlist(self, cands: Sequence[Candidate]) -> list[tuple[Candidate, float]]:
        """The candidates the decision is among, best first with their probabilities: the
        rescorer's shortlist, or the single best one without a rescorer."""
        scored = sorted(
            ((c, self.probability(c)) for c in cands),
            key=lambda cp: (cp[1], cp[0].line),
            reverse=True,  # ties: the greater line first
        )
        return scored[: self.rescorer.shortlist if self.rescorer else 1]

    def choose(
        self,
        shortlist: Sequence[tuple[Candidate, float]],
        scores: Sequence[MiddleScore] | None = None,
    ) -> tuple[Candidate, float, float] | None:
        """The line to suggest, its probability and the threshold it must reach: by the
        rescorer over the model's ``scores`` of the shortlist, or by the first stage when there
        are no scores (no model, or no rescorer)."""
        if not shortlist:
            return None
        best, p = shortlist[0]
        start = bool(best.features[_AT_LINE_START])
        if scores is None or self.rescorer is None:
            return best, p, self.line_start_threshold if start else self.threshold
        probs = self.rescorer.probabilities(shortlist, scores)
        k = max(range(len(probs)), key=lambda i: (probs[i], -i))
        r = self.rescorer
        return shortlist[k][0], probs[k], r.line_start_threshold if start else r.threshold

    def to_json(self, **extra: object) -> str:
        body: dict[str, object] = {"features": list(FEATURES), "weights": list(self.weights)}
        if self.line_start_weights is not None:
            body["line_start_weights"] = list(self.line_start_weights)
        if self.rescorer is not None:
            body["rescorer"] = self.rescorer.to_dict()
        thresholds = {
            "threshold": self.threshold,
            "line_start_threshold": self.line_start_threshold,
        }
        return json.dumps({**body, **thresholds, **extra}, indent=1)

    @classmethod
    def from_json(cls, text: str) -> Ranker:
        data = json.loads(text)
        if data.get("features") != list(FEATURES):
            raise ValueError(
                "the ranker's features are not this Quill's: remake it with "
                "python -m training code ranker"
            )
        line_start = data.get("line_start_weights")
        rescorer = data.get("rescorer")
        return cls(
            tuple(float(w) for w in data["weights"]),
            float(data["threshold"]),
            float(data["line_start_threshold"]),
            tuple(float(w) for w in line_start) if line_start is not None else None,
            Rescorer.from_dict(rescorer) if rescorer is not None else None,
        )

    @classmethod
    def load(cls, path: Path | None = None) -> Ranker:
        """The ranker at ``path``, or the one shipped with Quill."""
        if path is not None:
            return cls.from_json(path.read_text(encoding="utf-8"))
        shipped = resources.files("server.engine") / "data" / SHIPPED
        return cls.from_json(shipped.read_text(encoding="utf-8"))


@dataclass(frozen=True)
class WorkspaceSuggestion:
    """What to insert at the cursor, the whole line it completes, and how sure the ranker is."""

    text: str
    line: str
    probability: float


def decide(
    ranker: Ranker,
    shortlist: Sequence[tuple[Candidate, float]],
    scores: Sequence[MiddleScore] | None = None,
    threshold: float | None = None,
) -> WorkspaceSuggestion | None:
    """The suggestion among ``shortlist`` (:meth:`Ranker.shortlist`), or None when the ranker
    is unsure (below ``threshold``, by default the ranker's own for this kind of cursor)."""
    return _shown(ranker.choose(shortlist, scores), threshold)


def _shown(
    found: tuple[Candidate, float, float] | None, threshold: float | None
) -> WorkspaceSuggestion | None:
    """The suggestion ``found`` when its probability reaches ``threshold`` (default: its own)."""
    if found is None:
        return None
    best, p, own = found
    if p < (own if threshold is None else threshold):
        return None
    return WorkspaceSuggestion(best.text, best.line, p)


def rank_workspace(
    index: CodeIndex,
    cursor: Cursor,
    ranker: Ranker,
    scorer: MiddleScorer | None = None,
    context: CompletionContext | None = None,
) -> tuple[Candidate, float, float] | None:
    """The workspace's best line at ``cursor``, its probability and the threshold it must
    reach (:meth:`Ranker.choose`): re-scored by ``scorer`` (the code model, given the
    ``context`` around the cursor) when the ranker has a rescorer."""
    shortlist = ranker.shortlist(candidates(index, cursor))
    return ranker.choose(shortlist, model_scores(ranker, shortlist, scorer, context))


def model_scores(
    ranker: Ranker,
    shortlist: Sequence[tuple[Candidate, float]],
    scorer: MiddleScorer | None,
    context: CompletionContext | None,
) -> list[MiddleScore] | None:
    """The code model's scores of the shortlisted lines at the cursor, or None where there is
    nothing to score, no model, or no rescorer to use the scores."""
    if not shortlist or scorer is None or context is None or ranker.rescorer is None:
        return None
    return scorer.score_middles(context, [c.text for c, _ in shortlist])


def suggest_from_workspace(
    index: CodeIndex,
    cursor: Cursor,
    ranker: Ranker,
    threshold: float | None = None,
    scorer: MiddleScorer | None = None,
    context: CompletionContext | None = None,
) -> WorkspaceSuggestion | None:
    """The workspace's suggestion at ``cursor`` (:func:`rank_workspace`), or None when the
    ranker is unsure (below ``threshold``, by default the ranker's own)."""
    return _shown(rank_workspace(index, cursor, ranker, scorer, context), threshold)
