"""Which workspace line to suggest, and whether to suggest one at all.

A logistic model over each candidate's features (:data:`server.engine.code_index.FEATURES`)
gives the probability that it is the line the user writes (one set of weights once something is
typed on the line, another at a line start: what makes a whole guessed line right is not what
makes the rest of a typed one right); the best candidate is shown only when that probability
reaches the threshold calibrated for precision on training repositories
(``python -m training code ranker``): a wrong suggestion costs the user more attention than no
suggestion. The weights ship in ``server/engine/data/completion_ranker.json`` with the
repositories and the command that made them.
"""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from .code_index import FEATURES, Candidate, CodeIndex, Cursor, candidates

SHIPPED = "completion_ranker.json"
#: The feature that tells a line-start candidate (nothing typed yet) from a mid-line one.
_AT_LINE_START = FEATURES.index("at_line_start")


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
        z = sum(w * x for w, x in zip(weights, candidate.features, strict=True))
        return 1.0 / (1.0 + math.exp(-max(-50.0, min(50.0, z))))

    def threshold_for(self, cursor: Cursor) -> float:
        return self.threshold if cursor.typed else self.line_start_threshold

    def best(self, cands: Sequence[Candidate]) -> tuple[Candidate, float] | None:
        """The most probable candidate and its probability (None: no candidates)."""
        scored = [(self.probability(c), c) for c in cands]
        if not scored:
            return None
        p, c = max(scored, key=lambda pc: (pc[0], pc[1].line))
        return c, p

    def to_json(self, **extra: object) -> str:
        body: dict[str, object] = {"features": list(FEATURES), "weights": list(self.weights)}
        if self.line_start_weights is not None:
            body["line_start_weights"] = list(self.line_start_weights)
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
        return cls(
            tuple(float(w) for w in data["weights"]),
            float(data["threshold"]),
            float(data["line_start_threshold"]),
            tuple(float(w) for w in line_start) if line_start is not None else None,
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


def suggest_from_workspace(
    index: CodeIndex, cursor: Cursor, ranker: Ranker, threshold: float | None = None
) -> WorkspaceSuggestion | None:
    """The workspace's suggestion at ``cursor``, or None when the ranker is unsure (below
    ``threshold``, by default the ranker's own for this kind of cursor)."""
    found = ranker.best(candidates(index, cursor))
    if found is None:
        return None
    best, p = found
    if p < (ranker.threshold_for(cursor) if threshold is None else threshold):
        return None
    return WorkspaceSuggestion(best.text, best.line, p)
