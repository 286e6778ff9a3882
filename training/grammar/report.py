"""``python -m training report``: full fine-tuning beside LoRA beside the model before training.

Each ``--run`` is the output directory of ``python -m training all`` (its ``all.json`` holds
the train, export and evaluation records). The table has, per row: how the encoder was
trained, trainable parameters, training time and steps, model size, and span P/R/F0.5 (ERRANT)
overall and by error type on the evaluation set. The "before fine-tuning" row is the first
run's evaluation of its base model with an untrained head: what the rules alone (sentence-start
capitals, "i" -> "I") and an untrained tagger score.

Written to ``OUTPUT.md`` and ``OUTPUT.json``, and into the ``## Evaluation`` section of
``--card`` (the shipped model's card), whose manifest is then refreshed.
"""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import Any

from training.grammar.evaluate import TABLE_TYPES
from training.runlog import write_json

log = logging.getLogger(__name__)


def _row(name: str, mode: str, record: dict[str, Any], metrics: dict[str, Any]) -> dict[str, Any]:
    train = record.get("train", {})
    export = record.get("export", {})
    precision = export.get("precision")
    size = export.get(f"size_{precision}_mb") if precision else None
    return {
        "name": name,
        "mode": mode,
        "trainable_parameters": train.get("trainable_parameters"),
        "total_parameters": train.get("total_parameters"),
        "train_minutes": round(train["train_seconds"] / 60, 1)
        if "train_seconds" in train
        else None,
        "steps": train.get("steps"),
        "precision": precision,
        "size_mb": size,
        "P": metrics["precision"],
        "R": metrics["recall"],
        "F0.5": metrics["f05"],
        "sentences_per_second": metrics.get("sentences_per_second"),
        "types": {t: metrics["types"][t]["f05"] for t in TABLE_TYPES if t in metrics["types"]},
    }


def reevaluate(run: Path, first: bool) -> None:
    """Score the run's exported model (and, for the first run, the base model) again with the
    engine as it is now (decoding rules change; the weights do not), into ``all.json``."""
    from training.grammar.args import EvaluateArgs
    from training.grammar.evaluate import run as run_evaluate
    from training.grammar.pipeline import eval_files

    record = json.loads((run / "all.json").read_text("utf-8"))
    files = eval_files(argparse_free_all_args())
    if files is None:
        raise SystemExit("no evaluation set to re-evaluate on (../shared/data/gec/jfleg-dev)")
    source, refs = files
    models = [(record.get("preset", run.name), run / "model")]
    if first and (run / "before-model").is_dir():
        models.insert(0, ("before fine-tuning", run / "before-model"))
    metrics = run_evaluate(
        EvaluateArgs(
            model=[m for _, m in models],
            name=[n for n, _ in models],
            source=source,
            reference=refs,
            output=run / "eval",
        )
    )
    record["evaluation"] = metrics
    write_json(run / "all.json", record)


def argparse_free_all_args() -> Any:
    """Default ``all`` arguments (for the default evaluation set)."""
    from training.grammar.args import AllArgs

    return AllArgs()


def collect(runs: list[Path], again: bool = False) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    for k, run in enumerate(runs):
        if again:
            reevaluate(run, first=k == 0)
        record = json.loads((run / "all.json").read_text("utf-8"))
        evaluation = record.get("evaluation") or {}
        if not evaluation:
            raise SystemExit(f"{run}/all.json has no evaluation (was the evaluation set found?)")
        preset = record.get("preset", run.name)
        mode = record.get("train", {}).get("mode", "?")
        if k == 0 and "before fine-tuning" in evaluation:
            rows.append(_row("before fine-tuning", "none", {}, evaluation["before fine-tuning"]))
        if preset not in evaluation:
            raise SystemExit(f"{run}/all.json: no evaluation of {preset!r}")
        rows.append(_row(preset, mode, record, evaluation[preset]))
    return rows


def _shown(path: Path) -> str:
    """A run directory as the record shows it: relative to the working directory when inside
    it, else its name (paths of one machine mean nothing on another)."""
    try:
        return str(path.resolve().relative_to(Path.cwd()))
    except ValueError:
        return path.name


def _fmt(v: Any, digits: int = 1) -> str:
    if v is None:
        return "-"
    if isinstance(v, int):
        return f"{v:,}"
    if isinstance(v, float):
        return f"{v:,.{digits}f}"
    return str(v)


def markdown(rows: list[dict[str, Any]], source: str) -> str:
    head = [
        "model",
        "training",
        "trainable params",
        "minutes",
        "steps",
        "size (MB)",
        "P",
        "R",
        "F0.5",
        *(f"F0.5 {t}" for t in TABLE_TYPES),
    ]
    lines = [
        f"Span precision, recall and F0.5 (ERRANT edits, best reference per sentence) on "
        f"{source}, through the exported ONNX model and the engine's `GrammarCorrector` (what "
        "ships). Training on 2 CPU cores.",
        "",
        "| " + " | ".join(head) + " |",
        "|" + "---|" * len(head),
    ]
    for r in rows:
        cells = [
            r["name"],
            r["mode"],
            _fmt(r["trainable_parameters"]),
            _fmt(r["train_minutes"]),
            _fmt(r["steps"]),
            _fmt(r["size_mb"]),
            _fmt(r["P"]),
            _fmt(r["R"]),
            f"**{_fmt(r['F0.5'])}**",
            *(_fmt(r["types"].get(t)) for t in TABLE_TYPES),
        ]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def update_card(card: Path, table: str, commands: list[str] | None = None) -> None:
    """Replace the card's ``## Evaluation`` section with ``table`` (and ``commands``, the ones
    that remake the model and this table); refresh the manifest."""
    from training.export import write_manifest

    text = card.read_text("utf-8")
    marker = "## What a GPU would change"
    head, _, tail = text.partition(marker)
    head = head.split("## Evaluation")[0].split("## Reproduce")[0].rstrip()
    section = f"## Evaluation\n\n{table}\n\n"
    if commands:
        section += "## Reproduce\n\n```sh\n" + "\n".join(commands) + "\n```\n\n"
    card.write_text(f"{head}\n\n{section}{marker}{tail}", "utf-8")
    write_manifest(card.parent)


def run(
    runs: list[Path],
    output: Path,
    card: Path | None,
    source: str,
    commands: list[str] | None = None,
    again: bool = False,
) -> list[dict[str, Any]]:
    rows = collect(runs, again)
    table = markdown(rows, source)
    output.parent.mkdir(parents=True, exist_ok=True)
    output.with_suffix(".md").write_text(table + "\n", "utf-8")
    write_json(
        output.with_suffix(".json"),
        {"source": source, "runs": [_shown(r) for r in runs], "rows": rows},
    )
    if card is not None:
        update_card(card, table, commands)
    log.info("report: %d rows -> %s", len(rows), output.with_suffix(".md"))
    return rows
