"""The train step: token classification on a pretrained encoder, full or LoRA/AdaLoRA.

Reads top to bottom like nanoGPT's train.py: set up, load data, build the model, then one
loop. Hugging Face Accelerate picks the device (CUDA when present, else CPU) and, launched with
``accelerate launch -m training train ...``, spreads the same code over several GPUs or
machines (data parallel; gradients are averaged by Accelerate).

Run directory (``TrainArgs.output``)::

    base/            the tiny base model (tiny preset only)
    labels.json      the label vocabulary (becomes id2label)
    checkpoints/     Accelerate states every --save-every steps (the last two kept); --resume
    final/           the trained model (full weights, or a PEFT adapter plus quill_train.json)
    train.log, train.json (metrics and history), loss.png, dev_f05.png
"""

from __future__ import annotations

import json
import logging
import math
import os
import random
import shutil
import time
from collections.abc import Iterator, Sequence
from dataclasses import asdict
from pathlib import Path
from typing import Any

import torch
from tokenizers import Tokenizer
from torch.utils.data import DataLoader, Sampler
from tqdm import tqdm

from training.grammar.args import TrainArgs
from training.grammar.data.build import read_jsonl
from training.grammar.model import (
    IGNORE,
    Example,
    LabelVocab,
    build_tiny_base,
    encode_rows,
    minilm_dir,
    tokenizer_is_lowercase,
)
from training.plots import plot_history
from training.runlog import hardware, write_json

log = logging.getLogger(__name__)


# --- data ------------------------------------------------------------------------------------


class LengthBucketSampler(Sampler[list[int]]):
    """Shuffled batches of similar length: pieces are shuffled, then sorted by length within
    windows of 50 batches, so little compute goes to padding while batch order stays random."""

    def __init__(self, lengths: Sequence[int], batch_size: int, seed: int) -> None:
        self.lengths, self.batch_size, self.seed, self.epoch = lengths, batch_size, seed, 0

    def __len__(self) -> int:
        return math.ceil(len(self.lengths) / self.batch_size)

    def __iter__(self) -> Iterator[list[int]]:
        rng = random.Random(self.seed + self.epoch)
        order = list(range(len(self.lengths)))
        rng.shuffle(order)
        window = self.batch_size * 50
        batches: list[list[int]] = []
        for s in range(0, len(order), window):
            part = sorted(order[s : s + window], key=lambda k: self.lengths[k])
            batches.extend(
                part[i : i + self.batch_size] for i in range(0, len(part), self.batch_size)
            )
        rng.shuffle(batches)
        return iter(batches)


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
    if not (path / "config.json").is_file():
        raise SystemExit(f"--base-model {path}: not a Hugging Face model directory")
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


def count_parameters(model: torch.nn.Module) -> tuple[int, int]:
    total = sum(p.numel() for p in model.parameters())
    trainable = sum(p.numel() for p in model.parameters() if p.requires_grad)
    return trainable, total


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


# --- checkpoints -----------------------------------------------------------------------------


def latest_checkpoint(out: Path) -> Path | None:
    ckpts = sorted((out / "checkpoints").glob("step-*"), key=lambda p: int(p.name.split("-")[1]))
    return ckpts[-1] if ckpts else None


def save_final(
    model: torch.nn.Module,
    out: Path,
    base: Path,
    vocab: LabelVocab,
    args: TrainArgs,
    lowercase: bool,
) -> Path:
    """Save the trained model (full weights or a PEFT adapter) and what export needs."""
    final = out / "final"
    if final.exists():
        shutil.rmtree(final)
    model.save_pretrained(final)  # type: ignore[operator]
    shutil.copy(base / "tokenizer.json", final / "tokenizer.json")
    write_json(
        final / "quill_train.json",
        {
            "base_model": str(base),
            "lora": args.lora_r > 0,
            "lowercase": lowercase,
            "max_length": args.max_length,
            "labels": vocab.labels,
        },
    )
    return final


# --- main ------------------------------------------------------------------------------------


def run(args: TrainArgs, *, steps_override: int | None = None) -> dict[str, Any]:
    """Train and return the run's metrics (also written to ``train.json``).

    ``steps_override=0`` saves the untrained model (the "before" row) through the same code.
    """
    from accelerate import Accelerator
    from accelerate.utils import set_seed
    from transformers import get_linear_schedule_with_warmup

    torch.set_num_threads(args.threads or os.cpu_count() or 1)
    out = args.output
    out.mkdir(parents=True, exist_ok=True)
    accelerator = Accelerator(cpu=args.cpu, gradient_accumulation_steps=args.grad_accum)
    set_seed(args.seed)
    t_start = time.time()

    rows = read_jsonl(args.data / "train.jsonl", args.max_train)
    dev_rows = read_jsonl(args.data / "dev.jsonl")
    base = resolve_base(args, rows)
    tokenizer = Tokenizer.from_file(str(base / "tokenizer.json"))
    lowercase = tokenizer_is_lowercase(base / "tokenizer.json")
    labels_path = out / "labels.json"
    if args.resume and labels_path.is_file():
        vocab = LabelVocab.load(labels_path)
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

    sampler = LengthBucketSampler([len(e.input_ids) for e in examples], args.batch_size, args.seed)
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
    steps_per_epoch = math.ceil(len(train_dl) / args.grad_accum)
    total_steps = args.max_steps or math.ceil(steps_per_epoch * args.epochs)
    if steps_override is not None:
        total_steps = steps_override

    model = build_model(base, vocab, args, total_steps)
    lora = args.lora_r > 0
    trainable, total = count_parameters(model)
    log.info("parameters: %d trainable of %d (%.1f%%)", trainable, total, 100 * trainable / total)
    head = [p for n, p in model.named_parameters() if p.requires_grad and _is_head(n)]
    body = [p for n, p in model.named_parameters() if p.requires_grad and not _is_head(n)]
    optimizer = torch.optim.AdamW(
        [{"params": body, "lr": args.lr}, {"params": head, "lr": args.head_lr}],
        weight_decay=args.weight_decay,
    )
    scheduler = get_linear_schedule_with_warmup(
        optimizer, int(args.warmup * total_steps), max(total_steps, 1)
    )
    model, optimizer, train_dl, dev_dl, scheduler = accelerator.prepare(
        model, optimizer, train_dl, dev_dl, scheduler
    )

    step, history = 0, {"loss": [], "dev": []}
    state_file = out / "trainer_state.json"
    ckpt = latest_checkpoint(out) if args.resume else None
    if ckpt is not None:
        accelerator.load_state(str(ckpt))
        saved = json.loads(state_file.read_text("utf-8"))
        step, history = saved["step"], saved["history"]
        log.info("resumed from %s at step %d", ckpt, step)

    keep_id = vocab.index["$KEEP"]
    set_encoder_frozen(model, step < args.cold_steps, lora)
    model.train()
    bar = tqdm(total=total_steps, initial=step, desc="train", unit="step", mininterval=5.0)
    running, seen = 0.0, 0
    stopped_early = False
    epoch = step // max(steps_per_epoch, 1)
    while step < total_steps:
        sampler.epoch = epoch
        skip = (
            (step % steps_per_epoch) * args.grad_accum
            if epoch == step // max(steps_per_epoch, 1)
            else 0
        )
        loader = accelerator.skip_first_batches(train_dl, skip) if skip else train_dl
        for batch in loader:
            with accelerator.accumulate(model):
                loss = model(**batch).loss
                accelerator.backward(loss)
                if accelerator.sync_gradients:
                    accelerator.clip_grad_norm_(model.parameters(), 1.0)
                optimizer.step()
                scheduler.step()
                optimizer.zero_grad()
            running += float(loss.detach())
            seen += 1
            if not accelerator.sync_gradients:
                continue
            step += 1
            bar.update(1)
            if args.adalora:
                accelerator.unwrap_model(model).base_model.update_and_allocate(step)
            if step == args.cold_steps:
                set_encoder_frozen(model, False, lora)
            if step % args.log_every == 0:
                history["loss"].append({"step": step, "loss": running / seen})
                bar.set_postfix(loss=f"{running / seen:.3f}")
                running, seen = 0.0, 0
            if step % args.eval_every == 0:
                scores = tag_f05(model, dev_dl, keep_id, accelerator.device)
                history["dev"].append({"step": step, **scores})
                log.info(
                    "step %d: dev tag P %.1f R %.1f F0.5 %.1f",
                    step,
                    scores["precision"],
                    scores["recall"],
                    scores["f05"],
                )
            if step % args.save_every == 0:
                _checkpoint(accelerator, out, step, history)
            if args.max_minutes and (time.time() - t_start) / 60 > args.max_minutes:
                log.warning(
                    "time budget of %.0f minutes reached at step %d", args.max_minutes, step
                )
                stopped_early = True
            if step >= total_steps or stopped_early:
                break
        epoch += 1
        if stopped_early:
            break
    bar.close()
    final_scores = tag_f05(model, dev_dl, keep_id, accelerator.device)
    if total_steps:
        history["dev"].append({"step": step, **final_scores})
    elapsed = time.time() - t_start
    unwrapped = accelerator.unwrap_model(model)
    final = (
        save_final(unwrapped, out, base, vocab, args, lowercase)
        if accelerator.is_main_process
        else out / "final"
    )
    metrics = {
        "steps": step,
        "planned_steps": total_steps,
        "stopped_early": stopped_early,
        "train_pairs": len(rows),
        "dev_pairs": len(dev_rows),
        "labels": len(vocab.labels),
        "trainable_parameters": trainable,
        "total_parameters": total,
        "train_seconds": round(elapsed, 1),
        "dev_tag": final_scores,
        "mode": "adalora" if args.adalora and lora else "lora" if lora else "full",
        "base_model": str(base),
        "hardware": hardware(),
        "args": asdict(args),
        "history": history,
        "final": str(final),
    }
    if accelerator.is_main_process:
        write_json(out / "train.json", metrics)
        plot_history(history, out)
    return metrics


def _checkpoint(accelerator: Any, out: Path, step: int, history: dict[str, Any]) -> None:
    path = out / "checkpoints" / f"step-{step}"
    accelerator.save_state(str(path))
    if accelerator.is_main_process:
        write_json(out / "trainer_state.json", {"step": step, "history": history})
        for old in sorted(
            (out / "checkpoints").glob("step-*"), key=lambda p: int(p.name.split("-")[1])
        )[:-2]:
            shutil.rmtree(old, ignore_errors=True)
