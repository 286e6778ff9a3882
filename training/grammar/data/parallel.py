"""Real parallel data: M2 files and source/target line files, as token pairs.

So that users can train on their own corpora (Lang-8, NUCLE, W&I+LOCNESS under their own
licences) with the same pipeline. Texts are tokenised by the engine's tokenizer, exactly as
the corrector will tokenise them at run time.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from server.engine.grammar.sentences import tokenize

Pair = tuple[list[str], list[str]]


def _tok(line: str) -> list[str]:
    return [w.text for w in tokenize(line.strip())]


def read_lines(source: Path, target: Path) -> Iterator[Pair]:
    """Pairs from two files with one sentence per line (line *n* of each is a pair)."""
    with source.open(encoding="utf-8") as fs, target.open(encoding="utf-8") as ft:
        for src, tgt in zip(fs, ft, strict=True):
            if src.strip() and tgt.strip():
                yield _tok(src), _tok(tgt)


def m2_blocks(path: Path) -> Iterator[tuple[list[str], list[tuple[int, int, str, str, int]]]]:
    """``(source tokens, edits)`` per sentence of an M2 file; an edit is
    ``(start, end, type, correction, annotator)`` over the already-tokenised source."""
    source: list[str] | None = None
    edits: list[tuple[int, int, str, str, int]] = []
    with path.open(encoding="utf-8") as f:
        for line in [*f, "\n"]:
            line = line.rstrip("\n")
            if line.startswith("S "):
                source, edits = line[2:].split(), []
            elif line.startswith("A ") and source is not None:
                span, etype, corr, _req, _none, ann = line[2:].split("|||")
                a, b = (int(x) for x in span.split())
                edits.append((a, b, etype, corr, int(ann)))
            elif not line.strip() and source is not None:
                yield source, edits
                source = None


def apply_m2(
    source: list[str], edits: list[tuple[int, int, str, str, int]], annotator: int
) -> list[str]:
    """The corrected tokens for one annotator (``noop`` and ``UNK`` edits change nothing)."""
    out = list(source)
    chosen = [e for e in edits if e[4] == annotator and e[2] not in ("noop", "UNK")]
    for a, b, _t, corr, _ann in sorted(chosen, key=lambda e: (e[0], e[1]), reverse=True):
        if a < 0:
            continue
        out[a:b] = corr.split() if corr and corr != "-NONE-" else []
    return out


def read_m2(path: Path) -> Iterator[Pair]:
    """One pair per sentence and annotator of an M2 file."""
    for source, edits in m2_blocks(path):
        annotators = sorted({e[4] for e in edits}) or [0]
        for ann in annotators:
            yield source, apply_m2(source, edits, ann)
