"""Fast span scoring without a parser, for tuning and the int8 quality gate.

ERRANT (``training.grammar.evaluate``) is the reported metric, but it parses every sentence with
spaCy, which is too slow to run inside a grid search over decoding thresholds. Here an edit is a
changed token span found by ``difflib`` between the source and a correction, ``(start, end,
replacement)``; precision/recall/F0.5 count exact matches between hypothesis and reference
edits. Without ERRANT's merging rules the numbers differ from ERRANT's, but they move together,
which is all tuning and the int8 comparison need.
"""

from __future__ import annotations

import difflib
from collections.abc import Sequence

Edit = tuple[int, int, str]


def edits(source: Sequence[str], target: Sequence[str]) -> set[Edit]:
    matcher = difflib.SequenceMatcher(None, list(source), list(target), autojunk=False)
    return {
        (i1, i2, " ".join(target[j1:j2]))
        for op, i1, i2, j1, j2 in matcher.get_opcodes()
        if op != "equal"
    }


def f_beta(tp: int, fp: int, fn: int, beta: float = 0.5) -> tuple[float, float, float]:
    """``(precision, recall, F_beta)`` in percent; precision is 100 when nothing was proposed
    and nothing was to find (ERRANT's convention)."""
    p = tp / (tp + fp) if tp + fp else 1.0
    r = tp / (tp + fn) if tp + fn else 1.0
    b2 = beta * beta
    f = (1 + b2) * p * r / (b2 * p + r) if p + r else 0.0
    return 100 * p, 100 * r, 100 * f


def corpus_f05(
    sources: Sequence[Sequence[str]],
    hypotheses: Sequence[Sequence[str]],
    references: Sequence[Sequence[str]],
) -> dict[str, float]:
    tp = fp = fn = 0
    for src, hyp, ref in zip(sources, hypotheses, references, strict=True):
        h, g = edits(src, hyp), edits(src, ref)
        tp += len(h & g)
        fp += len(h - g)
        fn += len(g - h)
    p, r, f = f_beta(tp, fp, fn)
    return {"precision": p, "recall": r, "f05": f, "tp": tp, "fp": fp, "fn": fn}
