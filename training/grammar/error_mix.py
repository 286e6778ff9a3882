"""The error-mix step: ERRANT error types of real corrections beside those of the synthetic data.

A tagger learns the errors it is shown. If the synthetic data is mostly misspellings and article
slips while real writers mostly miss commas and tenses, the model's recall on real text stays
low however long it trains (the shipped model's DET recall was 1.5% on real essays against an
F0.5 of 24.7 on JFLEG). This step types both sides' edits with the same ERRANT annotator the
evaluation uses, so the noise weights (:data:`training.grammar.data.noise.DEFAULT_WEIGHTS`) can
be set against the real mix, and the table records how close they came.

``python -m training error-mix --data DATA --source SRC --reference REF`` writes
``error-mix.md`` and ``error-mix.json`` to ``--output``.
"""

from __future__ import annotations

import json
import logging
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tqdm import tqdm

from training.grammar.args import ErrorMixArgs
from training.grammar.evaluate import Scorer, load_dataset, type_name
from training.runlog import read_jsonl, write_json

log = logging.getLogger(__name__)


@dataclass
class Mix:
    """Edit counts by ERRANT type (operation dropped) over some sentence pairs."""

    types: Counter[str]
    sentences: int
    with_edits: int

    @property
    def edits(self) -> int:
        return sum(self.types.values())

    def share(self, etype: str) -> float:
        """Percentage of all edits that have type ``etype``."""
        return 100.0 * self.types[etype] / self.edits if self.edits else 0.0


def measure(scorer: Scorer, pairs: Iterable[tuple[str, str]], desc: str = "errant") -> Mix:
    """Type every edit from source to target of each pair."""
    types: Counter[str] = Counter()
    n = with_edits = 0
    for src, tgt in tqdm(list(pairs), desc=desc, unit="sent", mininterval=5.0):
        edits = scorer.edits(src, tgt)
        n += 1
        with_edits += bool(edits)
        types.update(type_name(etype) for _, etype in edits)
    return Mix(types, n, with_edits)


def synthetic_pairs(data: Path, limit: int) -> list[tuple[str, str]]:
    """The first ``limit`` training pairs of a data directory, as space-joined sentences."""
    rows = read_jsonl(data / "train.jsonl", limit)
    return [(" ".join(r["src"]), " ".join(r["tgt"])) for r in rows]


def table(real: Mix, synthetic: dict[str, Mix], top: int = 20) -> str:
    """Markdown: the real mix's most frequent types, each with its share in every synthetic
    data set and the gap (the last set's share minus the real one)."""
    names = list(synthetic)
    head = ["ERRANT type", "real %", *(f"{n} %" for n in names), f"{names[-1]} - real"]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for etype, _ in real.types.most_common(top):
        r = real.share(etype)
        shares = [synthetic[n].share(etype) for n in names]
        cells = [etype, f"{r:.1f}", *(f"{x:.1f}" for x in shares), f"{shares[-1] - r:+.1f}"]
        lines.append("| " + " | ".join(cells) + " |")
    lines.append("")
    for name, mix in (("real", real), *synthetic.items()):
        per = mix.edits / mix.with_edits if mix.with_edits else 0.0
        lines.append(
            f"- {name}: {mix.sentences:,} sentences, {mix.with_edits:,} with edits, "
            f"{mix.edits:,} edits ({per:.2f} per sentence with edits)"
        )
    return "\n".join(lines)


def run(args: ErrorMixArgs, scorer: Scorer | None = None) -> dict[str, Any]:
    scorer = scorer or Scorer()
    data = load_dataset(args)
    real_pairs = [(s, r[i]) for i, s in enumerate(data.sources) for r in data.references[:1]]
    real = measure(scorer, real_pairs, "errant (real)")
    names = list(args.name) + [d.name for d in args.data[len(args.name) :]]
    synthetic = {
        name: measure(scorer, synthetic_pairs(d, args.pairs), f"errant ({name})")
        for name, d in zip(names, args.data, strict=True)
    }
    args.output.mkdir(parents=True, exist_ok=True)
    result: dict[str, Any] = {
        name: {"types": dict(mix.types), "sentences": mix.sentences, "with_edits": mix.with_edits}
        for name, mix in (("real", real), *synthetic.items())
    }
    result["args"] = json.loads(json.dumps(vars(args), default=str))
    write_json(args.output / "error-mix.json", result)
    text = table(real, synthetic)
    (args.output / "error-mix.md").write_text(text + "\n", "utf-8")
    print(text)  # the table is the command's result
    return result
