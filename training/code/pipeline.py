"""``python -m training code all``: data -> train -> export -> evaluate from a preset.

Layout of ``--output``::

    data/      the data step (skipped with --data DIR, or when data/train.jsonl exists)
    train/     the train step (skipped when train/final exists: delete it to retrain)
    model/     the exported model (also copied to --ship DIR)
    before/, before-model/  with --base-model: the base model untrained, exported the same way
    eval/      metrics.json, table.md and examples.json on the held-out files
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
from training.code.args import (
    CodeAllArgs,
    CodeDataArgs,
    CodeEvaluateArgs,
    CodeExportArgs,
    CodeTrainArgs,
)
from training.code.presets import preset
from training.export import ship
from training.runlog import write_json

log = logging.getLogger(__name__)


def run(args: CodeAllArgs) -> dict[str, Any]:
    p = preset(args.preset)
    out = args.output
    out.mkdir(parents=True, exist_ok=True)
    record: dict[str, Any] = {"preset": args.preset}

    data_dir = args.data or out / "data"
    if args.data is None and not (data_dir / "train.jsonl").is_file():
        from training.code.data import run as run_data

        data_values = dict(p.get("data", {}))
        if args.corpus:
            data_values["corpus"] = list(args.corpus)
        record["data"] = run_data(args_for(CodeDataArgs, data_values, output=data_dir))

    train_values = dict(p.get("train", {}))
    for key in ("threads", "max_minutes", "base_model"):
        if getattr(args, key):
            train_values[key] = getattr(args, key)
    if args.lora_r >= 0:
        train_values["lora_r"] = args.lora_r
    if args.prompt_tokens >= 0:
        train_values["prompt_tokens"] = args.prompt_tokens
    train_args: CodeTrainArgs = args_for(
        CodeTrainArgs, train_values, data=data_dir, output=out / "train", resume=True
    )
    if not (out / "train" / "final").is_dir():
        from training.code.train import run as run_train

        record["train"] = {k: v for k, v in run_train(train_args).items() if k != "history"}

    from training.code import export

    export_args: CodeExportArgs = args_for(
        CodeExportArgs,
        p.get("export", {}),
        run=out / "train",
        output=out / "model",
        name=args.preset if args.ship is None else args.ship.name,
    )
    record["export"] = export.run(export_args)

    rows: list[tuple[str, Path]] = []
    if train_args.base_model and args.before:
        from training.code.train import run as run_train

        before = dataclasses.replace(
            train_args,
            output=out / "before",
            resume=False,
            max_train_files=20,
            lora_r=0,
            prompt_tokens=0,
        )
        if not (out / "before" / "final").is_dir():
            run_train(before, steps_override=0)
        export.run(
            dataclasses.replace(
                export_args,
                run=out / "before",
                output=out / "before-model",
                quantize="no",
                name="before fine-tuning",
            )
        )
        rows.append(("before fine-tuning", out / "before-model"))
    rows.append((export_args.name, out / "model"))

    if args.evaluate:
        from training.code.evaluate import run as run_eval

        eval_values = dict(p.get("evaluate", {}))
        if args.eval_samples:
            eval_values["samples"] = args.eval_samples
        eval_args: CodeEvaluateArgs = args_for(
            CodeEvaluateArgs,
            eval_values,
            model=[m for _, m in rows],
            name=[n for n, _ in rows],
            data=data_dir,
            output=out / "eval",
        )
        evaluations = [run_eval(eval_args)]
        record["evaluation"] = evaluations[0]["metrics"]
        if args.eval_corpus:
            other = dataclasses.replace(
                eval_args, corpus=list(args.eval_corpus), output=out / "eval-unseen"
            )
            evaluations.append(run_eval(other))
            record["evaluation_unseen"] = evaluations[1]["metrics"]
        update_card(out / "model", out / "train", export_args, evaluations)
    if args.ship is not None:
        ship(out / "model", args.ship)
    write_json(out / "all.json", record)
    return record


def update_card(
    model_dir: Path,
    run_dir: Path,
    export_args: CodeExportArgs,
    evaluations: list[dict[str, Any]],
) -> None:
    """Rewrite ``card.md`` with the evaluation tables and refresh the manifest."""
    from training.card import card_info
    from training.code.export import write_card
    from training.export import write_manifest

    train = json.loads((run_dir / "train.json").read_text("utf-8"))
    record = json.loads((run_dir / "export.json").read_text("utf-8"))
    text = (
        "Next-line completion: the cursor after a line's indentation (rows saying mid-line: "
        "at a random point inside the line, the rest of the line the target, as while typing), "
        "the suggestion through "
        "the server's own path (`server.engine.completion.complete_text`, single-line stop "
        "rule, the code after the cursor in the prompt unless the row says prefix only; rows "
        "saying files of the folder open give the model up to 3 other files of the case's "
        "folder as open documents, which fill prompt room the file leaves unused). Exact "
        "match ignores whitespace at the ends; edit similarity is 1 - Levenshtein distance / "
        "longer length. Speed on this machine, one request at a time; memory is what loading "
        "and running the model added to the process. The n-gram floor is counted on the "
        "training files and sees the prefix only."
    )
    for evaluation in evaluations:
        text += (
            f"\n\n{evaluation['cases']} lines from {evaluation['source']} (never seen in "
            "training):\n\n" + evaluation["markdown"]
        )
    write_card(model_dir, card_info(export_args, record, train), evaluation=text)
    write_manifest(model_dir)
