"""The train step: token classification on a pretrained encoder, full or LoRA/AdaLoRA.

Reads top to bottom: load data, build the model, then the shared loop
(:class:`training.loop.Trainer`, which owns Accelerate, resuming, accumulation, the time budget
and checkpoints) with this model's hooks (:class:`TaggerHooks`: cold start, AdaLoRA's rank
budget, the dev set's tag F0.5).

Run directory (``TrainArgs.output``)::

    base/            the tiny base model (tiny preset only)
    labels.json      the label vocabulary (becomes id2label)
    checkpoints/     Accelerate states every --save-every steps (the last two kept); --resume
    final/           the trained model (full weights, or a PEFT adapter plus quill_train.json)
    train.log, train.json (metrics and history), loss.png, dev_f05.png
"""

from __future__ import annotations

import logging
import math
import random
import shutil
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import torch
from tokenizers import Tokenizer
from torch.utils.data import DataLoader, Sampler

from training.grammar.args import TrainArgs
from training.grammar.from_onnx import import_tagger, is_model_dir
from training.grammar.model import (
    IGNORE,
    Example,
    LabelVocab,
    build_tiny_base,
    encode_rows,
    minilm_dir,
    tokenizer_is_lowercase,
)
from training.loop import Hooks, Trainer, log_parameters, save_model
from training.plots import plot_history
from training.runlog import read_jsonl

log = logging.getLogger(__name__)


# --- data ------------------------------------------------------------------------------------


class LengthBucketSampler(Sampler[list[int]]):
    """Shuffled batches of similar length: pieces are shuffled, then sorted by length within
    windows of 50 batches, so little compute goes to padding while batch order stays random.

    With ``stages`` (the curriculum), each stage's batches come after the previous stage's,
    shuffled within the stage: easy pairs first, realistic ones after. One stage (data without
    stages) is the plain shuffle."""

    def __init__(
        self,
        lengths: Sequence[int],
        batch_size: int,
        seed: int,
        stages: Sequence[int] | None = None,
    ) -> None:
        self.lengths, self.batch_size, self.seed, self.epoch = lengths, batch_size, seed, 0
        self.stages = stages

    def __len__(self) -> int:
        groups = self._groups()
        return sum(math.ceil(len(g) / self.batch_size) for g in groups)

    def _groups(self) -> list[list[int]]:
        if not self.stages:
            return [list(range(len(self.lengths)))]
        by_stage: dict[int, list[int]] = {}
        for k, stage in enumerate(self.stages):
            by_stage.setdefault(stage, []).append(k)
        return [by_stage[s] for s in sorted(by_stage)]

    def __iter__(self) -> Iterator[list[int]]:
        rng = random.Random(self.seed + self.epoch)
        out: list[list[int]] = []
        for order in self._groups():
            rng.shuffle(order)
            window = self.batch_size * 50
            batches: list[list[int]] = []
            for s in range(0, len(order), window):
                part = sorted(order[s : s + window], key=lambda k: self.lengths[k])
                batches.extend(
                    part[i : i + self.batch_size] for i in range(0, len(part), self.batch_size)
                )
            rng.shuffle(batches)
            out.extend(batches)
        return iter(out)


def collate(examples: list[Example], pad_id: int) -> dict[str, torch.Tensor]:
    """Pad to the longest example; padding gets label -100 and attention 0."""
    width = max(len(e.input_ids) for e in examples)
    ids = torch.full((len(examples), width), pad_id, dtype=torch.long)
    labels = torch.full((len(examples), width), IGNORE, dtype=torch.long)
    mask = torch.zeros((len(examples), width), dtype=torch.long)
    for b, e in enumerate(examples):
        n = len(e.input_ids)
        ids[b, :n] = torch.tensor(e.input_ids)
        labels[b, :n] = torch.tensor(e.labels)
        mask[b, :n] = 1
    return {"input_ids": ids, "attention_mask": mask, "labels": labels}


# --- model -----------------------------------------------------------------------------------


def resolve_base(args: TrainArgs, rows: list[dict[str, Any]]) -> Path:
    if args.base_model == "minilm":
        return minilm_dir()
    if args.base_model == "tiny":
        base = args.output / "base"
        if not (base / "config.json").is_file():
            texts = (" ".join(r["tgt"]) for r in rows)
            build_tiny_base(
                base,
                texts,
                hidden=args.tiny_hidden,
                layers=args.tiny_layers,
                vocab_size=args.tiny_vocab,
                seed=args.seed,
            )
        return base
    path = Path(args.base_model)
    if is_model_dir(path):
        # A shipped model directory: its weights are read back from the ONNX file once.
        imported = args.output / "imported"
        if not (imported / "model.safetensors").is_file():
            import_tagger(path, imported)
        return imported
    if not (path / "config.json").is_file():
        raise SystemExit(
            f"--base-model {path}: neither a Hugging Face model directory nor an exported model"
        )
    return path


def build_model(
    base: Path, vocab: LabelVocab, args: TrainArgs, total_steps: int
) -> torch.nn.Module:
    """The classifier on ``base``; wrapped in a PEFT adapter when ``--lora-r`` is set."""
    from transformers import AutoModelForTokenClassification

    torch.manual_seed(args.seed)
    model = AutoModelForTokenClassification.from_pretrained(
        base,
        num_labels=len(vocab.labels),
        id2label=dict(enumerate(vocab.labels)),
        label2id=vocab.index,
    )
    if args.lora_r <= 0:
        return model
    from peft import AdaLoraConfig, LoraConfig, TaskType, get_peft_model

    targets = [t.strip() for t in args.lora_target_modules.split(",") if t.strip()]
    config: Any
    if args.adalora:
        config = AdaLoraConfig(
            task_type=TaskType.TOKEN_CLS,
            init_r=args.lora_r * 2,
            target_r=args.lora_r,
            lora_alpha=args.lora_alpha,
            lora_dropout=args.lora_dropout,
            target_modules=targets,
            total_step=max(total_steps, 10),
            tinit=max(1, total_steps // 10),
            tfinal=max(1, total_steps // 5),
        )
    else:
        config = LoraConfig(
            task_type=TaskType.TOKEN_CLS,
            r=args.lora_r,
            lora_alpha=args.lora_alpha,
            lora_dropout=args.lora_dropout,
            target_modules=targets,
        )
    return get_peft_model(model, config)


def _is_head(name: str) -> bool:
    return "classifier" in name


def set_encoder_frozen(model: torch.nn.Module, frozen: bool, lora: bool) -> None:
    """Cold start: train only the head while it is random (GECToR freezes the encoder for
    its first epochs so the random head's gradients do not wreck pretrained weights)."""
    for name, p in model.named_parameters():
        if _is_head(name):
            continue
        if lora:
            if "lora_" in name:
                p.requires_grad = not frozen
        else:
            p.requires_grad = not frozen


# --- evaluation ------------------------------------------------------------------------------


@torch.no_grad()
def tag_f05(
    model: torch.nn.Module, loader: DataLoader[Any], keep_id: int, device: Any
) -> dict[str, float]:
    """Tag-level P/R/F0.5 on non-``$KEEP`` labels (cheap; the real span F0.5 is ``evaluate``)."""
    model.eval()
    tp = fp = fn = 0
    for batch in loader:
        batch = {k: v.to(device) for k, v in batch.items()}
        logits = model(input_ids=batch["input_ids"], attention_mask=batch["attention_mask"]).logits
        pred = logits.argmax(-1)
        gold = batch["labels"]
        mask = gold != IGNORE
        p, g = pred[mask], gold[mask]
        tp += int(((p == g) & (g != keep_id)).sum())
        fp += int(((p != g) & (p != keep_id)).sum())
        fn += int(((p != g) & (g != keep_id)).sum())
    model.train()
    prec = tp / (tp + fp) if tp + fp else 0.0
    rec = tp / (tp + fn) if tp + fn else 0.0
    f05 = 1.25 * prec * rec / (0.25 * prec + rec) if prec + rec else 0.0
    return {"precision": 100 * prec, "recall": 100 * rec, "f05": 100 * f05}


# --- main ------------------------------------------------------------------------------------


class TaggerHooks(Hooks):
    """The tagger's part of the loop: the length-bucket sampler's epoch, GECToR's cold start
    (encoder frozen for ``--cold-steps``), AdaLoRA's rank reallocation, and tag F0.5 on dev."""

    def __init__(
        self,
        args: TrainArgs,
        trainer: Trainer,
        sampler: LengthBucketSampler,
        dev: DataLoader[Any],
        keep_id: int,
    ) -> None:
        self.args = args
        self.trainer = trainer
        self.sampler = sampler
        self.dev = dev
        self.keep_id = keep_id
        self.lora = args.lora_r > 0

    def started(self, model: Any, step: int) -> None:
        set_encoder_frozen(model, step < self.args.cold_steps, self.lora)

    def epoch_started(self, epoch: int) -> None:
        self.sampler.epoch = epoch

    def after_optimizer_step(self, model: Any, step: int) -> None:
        if self.args.adalora:
            self.trainer.accelerator.unwrap_model(model).base_model.update_and_allocate(step)
        if step == self.args.cold_steps:
            set_encoder_frozen(model, False, self.lora)

    def evaluate(self, model: Any, step: int, history: dict[str, list[dict[str, Any]]]) -> None:
        scores = self.scores(model)
        history["dev"].append({"step": step, **scores})
        log.info(
            "step %d: dev tag P %.1f R %.1f F0.5 %.1f",
            step,
            scores["precision"],
            scores["recall"],
            scores["f05"],
        )

    def scores(self, model: Any) -> dict[str, float]:
        return tag_f05(model, self.dev, self.keep_id, self.trainer.accelerator.device)


def run(args: TrainArgs, *, steps_override: int | None = None) -> dict[str, Any]:
    """Train and return the run's metrics (also written to ``train.json``).

    ``steps_override=0`` saves the untrained model (the "before" row) through the same code.
    """
    from transformers import get_linear_schedule_with_warmup

    trainer = Trainer(args)
    out = args.output
    rows = read_jsonl(args.data / "train.jsonl", args.max_train)
    dev_rows = read_jsonl(args.data / "dev.jsonl")
    base = resolve_base(args, rows)
    tokenizer = Tokenizer.from_file(str(base / "tokenizer.json"))
    lowercase = tokenizer_is_lowercase(base / "tokenizer.json")
    labels_path = out / "labels.json"
    inherited = LabelVocab.of_tagger(base)
    if args.resume and labels_path.is_file():
        vocab = LabelVocab.load(labels_path)
    elif inherited is not None:
        vocab = inherited
        vocab.save(labels_path)
    else:
        vocab = LabelVocab.build(rows, lowercase, args.label_vocab, args.min_label_count)
        vocab.save(labels_path)
    log.info(
        "%d train / %d dev pairs, %d labels, base %s (lowercase=%s)",
        len(rows),
        len(dev_rows),
        len(vocab.labels),
        base,
        lowercase,
    )
    examples = encode_rows(rows, tokenizer, vocab, args.max_length, lowercase)
    dev_examples = encode_rows(dev_rows, tokenizer, vocab, args.max_length, lowercase)
    pad_id = tokenizer.token_to_id("[PAD]")

    stages = [int(r.get("stage", 1)) for r in rows] if args.curriculum else None
    sampler = LengthBucketSampler(
        [len(e.input_ids) for e in examples], args.batch_size, args.seed, stages
    )
    # Each DataLoader iterator draws a seed from its generator, by default torch's global one,
    # which also drives dropout: a resumed run starts one more iterator than an uninterrupted
    # one, so with the global generator its dropout masks (and weights) would drift apart.
    train_dl: DataLoader[Any] = DataLoader(
        examples,
        batch_sampler=sampler,
        collate_fn=lambda b: collate(b, pad_id),  # type: ignore[arg-type]
        generator=torch.Generator().manual_seed(args.seed),
    )
    dev_dl: DataLoader[Any] = DataLoader(
        dev_examples,
        batch_size=64,
        collate_fn=lambda b: collate(b, pad_id),  # type: ignore[arg-type]
        generator=torch.Generator().manual_seed(args.seed),
    )
    steps_per_epoch = trainer.steps_per_epoch(len(train_dl))
    total_steps = trainer.planned_steps(steps_per_epoch)
    if steps_override is not None:
        total_steps = steps_override

    model = build_model(base, vocab, args, total_steps)
    lora = args.lora_r > 0
    parameters = log_parameters(model)
    head = [p for n, p in model.named_parameters() if p.requires_grad and _is_head(n)]
    body = [p for n, p in model.named_parameters() if p.requires_grad and not _is_head(n)]
    optimizer = torch.optim.AdamW(
        [{"params": body, "lr": args.lr}, {"params": head, "lr": args.head_lr}],
        weight_decay=args.weight_decay,
    )
    scheduler = get_linear_schedule_with_warmup(
        optimizer, int(args.warmup * total_steps), max(total_steps, 1)
    )
    model, optimizer, train_dl, dev_dl, scheduler = trainer.accelerator.prepare(
        model, optimizer, train_dl, dev_dl, scheduler
    )

    hooks = TaggerHooks(args, trainer, sampler, dev_dl, vocab.index["$KEEP"])
    result = trainer.fit(
        hooks,
        model,
        optimizer,
        train_dl,
        total_steps=total_steps,
        steps_per_epoch=steps_per_epoch,
        history={"loss": [], "dev": []},
        scheduler=scheduler,
    )
    final_scores = hooks.scores(model)
    if total_steps:
        result.history["dev"].append({"step": result.step, **final_scores})
    info = {
        "base_model": str(base),
        "lora": lora,
        "lowercase": lowercase,
        "max_length": args.max_length,
        "labels": vocab.labels,
    }
    final = trainer.save_final(model, lambda m: save_final(m, out, base, info))
    metrics = trainer.record(
        result,
        total_steps,
        parameters,
        final,
        train_pairs=len(rows),
        dev_pairs=len(dev_rows),
        labels=len(vocab.labels),
        dev_tag=final_scores,
        mode="adalora" if args.adalora and lora else "lora" if lora else "full",
        base_model=str(base),
    )
    trainer.write_record(metrics, plot_history)
    return metrics


def save_final(model: torch.nn.Module, out: Path, base: Path, info: dict[str, Any]) -> Path:
    """The trained model (full weights or a PEFT adapter), its tokenizer and what export
    needs (:func:`training.loop.save_model`)."""
    final = save_model(model, out, info)
    shutil.copy(base / "tokenizer.json", final / "tokenizer.json")
    return final
