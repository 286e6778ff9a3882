"""``python -m training all``: data -> train -> export -> evaluate from a preset.

Layout of ``--output``::

    data/      the data step (skipped with --data DIR, or when data/train.jsonl exists)
    train/     the train step (skipped when train/final exists: delete it to retrain)
    model/     the exported model (also copied to --ship DIR)
    before/    the base model before fine-tuning, exported the same way (the "before" row)
    eval/      metrics.json and table.md on the evaluation set
    all.json   every step's record

Steps whose output exists are not rerun, so an interrupted run continues where it stopped
(training itself resumes from its last checkpoint).
"""

from __future__ import annotations

import dataclasses
import json
import logging
from pathlib import Path
from typing import Any

from training.args import args_for
from training.export import ship
from training.grammar.args import (
    AllArgs,
    DataArgs,
    EvaluateArgs,
    ExportArgs,
    TrainArgs,
    TuneArgs,
)
from training.grammar.presets import preset
from training.runlog import write_json

log = logging.getLogger(__name__)

JFLEG = Path(__file__).resolve().parents[3] / "shared" / "data" / "gec" / "jfleg-dev"


def eval_files(args: AllArgs) -> tuple[Path, list[Path]] | None:
    if args.eval_source is not None:
        return args.eval_source, list(args.eval_reference)
    if (JFLEG / "dev.src").is_file():
        return JFLEG / "dev.src", sorted(JFLEG.glob("dev.ref*"))
    return None


def run(args: AllArgs) -> dict[str, Any]:
    p = preset(args.preset)
    out = args.output
    out.mkdir(parents=True, exist_ok=True)
    record: dict[str, Any] = {"preset": args.preset}

    data_dir = args.data or out / "data"
    if args.data is None and not (data_dir / "train.jsonl").is_file():
        from training.grammar.data.build import run as run_data

        record["data"] = run_data(args_for(DataArgs, p.get("data", {}), output=data_dir))
    overrides = {
        k: v
        for k, v in (
            ("threads", args.threads),
            ("max_minutes", args.max_minutes),
            ("base_model", args.base_model),
        )
        if v
    }
    train_args: TrainArgs = args_for(
        TrainArgs,
        {**p.get("train", {}), **overrides},
        data=data_dir,
        output=out / "train",
        resume=True,
    )
    from training.grammar.train import run as run_train

    if not (out / "train" / "final").is_dir():
        record["train"] = {k: v for k, v in run_train(train_args).items() if k != "history"}
    elif (out / "train" / "train.json").is_file():  # trained before: keep its record
        done = json.loads((out / "train" / "train.json").read_text("utf-8"))
        record["train"] = {k: v for k, v in done.items() if k != "history"}
    from training.grammar.export import run as run_export

    export_args: ExportArgs = args_for(
        ExportArgs, p.get("export", {}), run=out / "train", output=out / "model", name=args.preset
    )
    record["export"] = run_export(export_args)

    rows: list[tuple[str, Path]] = []
    if args.before:
        before_train = dataclasses.replace(
            train_args, output=out / "before", max_train=2000, resume=False
        )
        if not (out / "before" / "final").is_dir():
            run_train(before_train, steps_override=0)
        before_export = dataclasses.replace(
            export_args, run=out / "before", output=out / "before-model", quantize="no", tune=False
        )
        run_export(before_export)
        rows.append(("before fine-tuning", out / "before-model"))
    rows.append((args.preset, out / "model"))

    files = eval_files(args)
    if files is not None:
        from training.grammar.evaluate import run as run_eval

        source, refs = files
        if args.tune_limit:
            from training.grammar.tune import run as run_tune

            record["tune"] = run_tune(
                TuneArgs(
                    model=out / "model",
                    source=source,
                    reference=refs,
                    limit=args.tune_limit,
                    output=out / "tune",
                )
            )["chosen"]
        eval_args = EvaluateArgs(
            model=[m for _, m in rows],
            name=[n for n, _ in rows],
            source=source,
            reference=refs,
            limit=args.eval_limit,
            output=out / "eval",
        )
        record["evaluation"] = run_eval(eval_args)
        update_card(out / "model", out / "eval" / "metrics.json", source)
    else:
        log.warning("no evaluation set (no --eval-source and no ../shared/data/gec/jfleg-dev)")
    if args.ship is not None:
        ship(out / "model", args.ship)
    write_json(out / "all.json", record)
    return record


def update_card(model_dir: Path, metrics_path: Path, source: Path, extra_rows: str = "") -> None:
    """Put the evaluation table into ``card.md`` and refresh the manifest."""
    from training.export import repo_relative, write_manifest
    from training.grammar.evaluate import markdown_table

    metrics = json.loads(metrics_path.read_text("utf-8"))
    table = markdown_table(list(metrics.items()), extra=("sentences_per_second",))
    text = (
        f"Span P/R/F0.5 (ERRANT edits, best of the references per sentence) on "
        f"`{repo_relative(source)}` "
        f"({len(source.read_text('utf-8').splitlines())} sentences), through the exported model "
        "and the engine's `GrammarCorrector`.\n\n"
        + table
        + ("\n\n" + extra_rows if extra_rows else "")
    )
    card_path = model_dir / "card.md"
    card = card_path.read_text("utf-8")
    marker = "## What a GPU would change"
    head, _, tail = card.partition(marker)
    if "## Evaluation" in head:
        head = head.split("## Evaluation")[0]
    card_path.write_text(
        head.rstrip() + "\n\n## Evaluation\n\n" + text + "\n\n" + marker + tail, "utf-8"
    )
    write_manifest(model_dir)
