"""The tune step: decoding thresholds chosen on real learner sentences, for precision.

The export step tunes ``keep_bias`` and ``min_error_probability`` on synthetic dev pairs, and
synthetic errors reward boldness: every sentence there has an error the model was trained to
see. Real writers' sentences do not, and a grammar checker that is wrong one time in three is
switched off. This step searches the same decoding settings on real learner sentences (a
*development* part: ``--limit`` sentences from the start of the set, the rest left for the
evaluation) and keeps the setting with the best ERRANT span F0.5 among those whose precision is
at least ``--min-precision``; when none reaches it, the most precise one.

The choice goes into the model's ``config.json`` (the server's decoding defaults), the card gets
a section with the whole grid, and the manifest is rewritten.

``python -m training tune --model DIR --source SRC --reference REF... --limit N``
"""

from __future__ import annotations

import itertools
import json
import logging
import re
from pathlib import Path
from typing import Any

from tqdm import tqdm

from server.engine.grammar.decode import GrammarCorrector, GrammarOptions
from server.runtime.onnx_tagger import OnnxTagger
from training.export import write_manifest
from training.grammar.args import TuneArgs
from training.grammar.evaluate import Dataset, Scorer, correct_all, load_dataset, score
from training.runlog import write_json

log = logging.getLogger(__name__)

#: The decoding settings searched (GECToR's "additional confidence" and "minimum error
#: probability", and the per-tag probability floor). The grid reaches far enough towards
#: caution (keep_bias 0.5, min_confidence 0.7) that a model whose errors are many can still
#: be held to the precision asked for, at the cost of recall.
GRID: dict[str, tuple[float, ...]] = {
    "keep_bias": (0.0, 0.1, 0.2, 0.3, 0.4, 0.5),
    "min_error_probability": (0.0, 0.5),
    "min_confidence": (0.3, 0.4, 0.5, 0.6, 0.7),
}

CARD_SECTION = "## Decoding, tuned on real learner sentences"


def settings_grid() -> list[dict[str, float]]:
    names = list(GRID)
    return [dict(zip(names, values, strict=True)) for values in itertools.product(*GRID.values())]


def choose(results: list[dict[str, Any]], min_precision: float) -> dict[str, Any]:
    """The best F0.5 among results with precision >= ``min_precision`` (ties: the more precise,
    then the earlier); the most precise result if none qualifies."""
    good = [r for r in results if r["precision"] >= min_precision]
    if good:
        return max(good, key=lambda r: (r["f05"], r["precision"], -results.index(r)))
    return max(results, key=lambda r: (r["precision"], r["f05"], -results.index(r)))


def search(tagger: OnnxTagger, data: Dataset, scorer: Scorer) -> list[dict[str, Any]]:
    """Span P/R/F0.5 of every setting of :data:`GRID` on ``data``."""
    results = []
    base = dict(tagger.decoding)
    for settings in tqdm(settings_grid(), desc="tune decoding", unit="setting"):
        options = GrammarOptions(**{**base, **settings})
        hyps, _ = correct_all(GrammarCorrector(tagger, options), data.sources)
        m = score(scorer, data, hyps)
        results.append({"settings": settings, **{k: m[k] for k in ("precision", "recall", "f05")}})
    return results


def card_section(results: list[dict[str, Any]], best: dict[str, Any], args: TuneArgs) -> str:
    rows = sorted(results, key=lambda r: -r["f05"])[:8]
    lines = [
        CARD_SECTION,
        "",
        f"Chosen: `{json.dumps(best['settings'])}` (span P {best['precision']:.1f}, "
        f"R {best['recall']:.1f}, F0.5 {best['f05']:.1f} on the tuning sentences): "
        + (
            f"the best F0.5 with precision >= {args.min_precision:g}"
            if best["precision"] >= args.min_precision
            else f"no setting reached precision {args.min_precision:g}, so the most precise"
        )
        + ", searched over "
        f"{len(results)} settings on {_part(args)} of "
        f"`{_name(args)}`"
        + ("; the sentences after them are left for the evaluation." if args.limit else "."),
        "",
        "| keep_bias | min_error_probability | min_confidence | P | R | F0.5 |",
        "|---|---|---|---|---|---|",
    ]
    for r in rows:
        s = r["settings"]
        lines.append(
            f"| {s['keep_bias']:g} | {s['min_error_probability']:g} | {s['min_confidence']:g} "
            f"| {r['precision']:.1f} | {r['recall']:.1f} | {r['f05']:.1f} |"
        )
    return "\n".join(lines) + "\n"


def _part(args: TuneArgs) -> str:
    if not args.limit:
        return f"every sentence after the first {args.skip}" if args.skip else "every sentence"
    return f"sentences {args.skip + 1}-{args.skip + args.limit}"


def _name(args: TuneArgs) -> str:
    path = args.m2 or args.source
    return f"{path.parent.name}/{path.name}" if path else "?"


def replace_section(card: str, section: str) -> str:
    """``card`` with its tuning section replaced by ``section`` (appended when absent)."""
    pattern = re.compile(re.escape(CARD_SECTION) + r".*?(?=\n## |\Z)", re.S)
    if pattern.search(card):
        return pattern.sub(lambda _m: section.rstrip("\n") + "\n", card, count=1)
    return card.rstrip("\n") + "\n\n" + section


def write_decoding(model_dir: Path, settings: dict[str, float], tuned_on: dict[str, Any]) -> None:
    """Put ``settings`` into the model's decoding defaults (``config.json``'s quill section),
    with the sentences they were chosen on (so a benchmark can score the others apart)."""
    path = model_dir / "config.json"
    config = json.loads(path.read_text("utf-8"))
    config["quill"]["decoding"] = {**config["quill"].get("decoding", {}), **settings}
    config["quill"]["decoding_tuned_on"] = tuned_on
    path.write_text(json.dumps(config, indent=2, ensure_ascii=False) + "\n", "utf-8")


def run(args: TuneArgs, scorer: Scorer | None = None) -> dict[str, Any]:
    data = load_dataset(args)
    scorer = scorer or Scorer()
    tagger = OnnxTagger.load(args.model, device="cpu", threads=args.threads)
    results = search(tagger, data, scorer)
    best = choose(results, args.min_precision)
    log.info(
        "chosen %s: P %.1f R %.1f F0.5 %.1f",
        best["settings"],
        best["precision"],
        best["recall"],
        best["f05"],
    )
    tuned_on = {"set": _name(args), "skip": args.skip, "limit": args.limit}
    write_decoding(args.model, best["settings"], tuned_on)
    card = args.model / "card.md"
    text = card.read_text("utf-8") if card.is_file() else ""
    card.write_text(replace_section(text, card_section(results, best, args)), "utf-8")
    write_manifest(args.model)
    record = {"chosen": best, "results": results, "sentences": len(data.sources)}
    args.output.mkdir(parents=True, exist_ok=True)
    write_json(args.output / "tune.json", record)
    return record
