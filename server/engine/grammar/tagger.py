"""What the grammar corrector needs from a model, and a deterministic stand-in for tests.

The engine never imports a model runtime (``tests/test_layers.py`` holds it to that): a
:class:`Tagger` is anything that labels tokens with edit tags and probabilities.
``server.runtime.onnx_tagger.OnnxTagger`` is the shipped one; :class:`FakeTagger` answers from a
table so engine tests need no model.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Protocol, runtime_checkable

from server.engine.grammar.tags import KEEP, START


@dataclass(frozen=True, slots=True)
class TagResult:
    """A tagger's answer for one sentence."""

    #: For every input token (``$START`` first), its most likely labels with probabilities,
    #: best first. A token may list only ``($KEEP, p)``.
    tokens: tuple[tuple[tuple[str, float], ...], ...]
    #: Probability that the sentence has an error at all (GECToR's detection head), or None
    #: when the tagger has no such estimate.
    incorrect: float | None = None


@runtime_checkable
class Tagger(Protocol):
    """Labels tokenised sentences with edit tags (see ``server.engine.grammar.tags``)."""

    @property
    def cased(self) -> bool:
        """False for a model that sees lower-cased text: the corrector then ignores case tags
        (the model cannot know the case it would change) and gives replacement words the case
        of the word they replace; capitalisation is left to rules."""
        ...

    def tag(self, batch: Sequence[Sequence[str]]) -> list[TagResult]:
        """Tags for each sentence; every sentence starts with ``$START``."""
        ...


class FakeTagger:
    """A deterministic tagger for tests, answering from a table.

    ``rules`` maps a lower-case pattern to ``(label, probability)``. A pattern is a token
    (``"go"``) or a token in context with the tagged one in brackets (``"he [go]"``,
    ``"[a] apple"``); context wins. ``$START`` is a token like any other. Every token without
    a rule gets ``$KEEP`` with probability 1.
    """

    def __init__(
        self,
        rules: Mapping[str, tuple[str, float]] | None = None,
        *,
        cased: bool = True,
        incorrect: float | None = None,
    ) -> None:
        self.rules = dict(rules or {})
        self.cased = cased
        self._incorrect = incorrect
        #: Every batch it was asked to tag, for assertions.
        self.calls: list[list[list[str]]] = []

    def tag(self, batch: Sequence[Sequence[str]]) -> list[TagResult]:
        self.calls.append([list(s) for s in batch])
        out: list[TagResult] = []
        for sentence in batch:
            if not sentence or sentence[0] != START:
                raise ValueError("every sentence must start with $START")
            tokens: list[tuple[tuple[str, float], ...]] = []
            worst = 0.0
            low = [t if t == START else t.lower() for t in sentence]
            for k, key in enumerate(low):
                before = f"{low[k - 1]} [{key}]" if k else ""
                after = f"[{key}] {low[k + 1]}" if k + 1 < len(low) else ""
                rule = self.rules.get(before) or self.rules.get(after)
                rule = rule or self.rules.get(key) or self.rules.get(f"[{key}]")
                if rule is None:
                    tokens.append(((KEEP, 1.0),))
                    continue
                label, p = rule
                worst = max(worst, p)
                tokens.append(((label, p), (KEEP, 1.0 - p)))
            incorrect = self._incorrect if self._incorrect is not None else worst
            out.append(TagResult(tuple(tokens), incorrect))
        return out
