"""The train step: a causal language model on fill-in-the-middle examples of source code.

Reads top to bottom: tokenizer, examples, model, then the shared loop
(:class:`training.loop.Trainer`: Accelerate, resuming, accumulation, the time budget,
checkpoints) with this model's hooks (:class:`CausalLMHooks`: the learning-rate schedule,
tokens per second, the held-out loss).

Examples (Bavarian et al. 2022, "Efficient Training of Language Models to Fill in the Middle"):
each file is cut at line boundaries into pieces of about one context; a share ``--fim-rate`` of
the pieces is split at two points into prefix, middle and suffix and written
``<|fim_prefix|> prefix <|fim_suffix|> suffix <|fim_middle|> middle <|endoftext|>`` (PSM order;
the three parts tokenised separately, exactly as the server builds its prompt), the rest are
plain text followed by ``<|endoftext|>``. Everything is concatenated and cut into sequences of
``--context`` tokens; the loss is next-token cross-entropy on every position.

Where the middle starts matters: split only at random characters, a middle almost always
starts inside a word, and a small model learns that a middle does (asked at the start of a
line, it writes the end of some word). So a share ``--fim-line-start`` of the splits starts the
middle right after a line's indentation, where an editor asks for a whole line; the rest start
at a random character, as when the user has typed part of the line.

Run directory (``CodeTrainArgs.output``)::

    checkpoints/     Accelerate states every --save-every steps (the last two kept); --resume
    final/           the trained model (full weights, or a PEFT adapter) + tokenizer.json +
                     quill_train.json (FIM tokens, context, base model)
    train.log, train.json (metrics and history), loss.png
"""

from __future__ import annotations

import logging
import math
import random
import re
import time
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import torch
from tokenizers import AddedToken, Tokenizer

from training.code.args import CodeTrainArgs
from training.code.data import EOS, FIM_MIDDLE, FIM_PREFIX, FIM_SUFFIX, PAD
from training.loop import Hooks, Trainer, log_parameters, save_model
from training.plots import plot_losses
from training.runlog import read_jsonl

log = logging.getLogger(__name__)

#: A line's first non-blank character (group 1), for FIM middles that start a line.
_LINE_START = re.compile(r"(?:^|\n)[ \t]*([^\s])")


# --- tokenizer and examples ------------------------------------------------------------------


def fim_tokens(tokenizer: Tokenizer) -> dict[str, str]:
    """The sentinel strings this tokenizer has: Quill's own, or a base model's StarCoder-style
    ``<fim_prefix>`` ones (then that model's FIM training is reused)."""
    vocab = tokenizer.get_vocab()
    for names in (
        (FIM_PREFIX, FIM_SUFFIX, FIM_MIDDLE),
        ("<fim_prefix>", "<fim_suffix>", "<fim_middle>"),
    ):
        if all(n in vocab for n in names):
            return dict(zip(("prefix", "suffix", "middle"), names, strict=True))
    return {"prefix": FIM_PREFIX, "suffix": FIM_SUFFIX, "middle": FIM_MIDDLE}


def prepare_tokenizer(path: Path) -> tuple[Tokenizer, dict[str, str], str]:
    """Load ``path`` and add the FIM sentinels and an end-of-text token when it lacks them.
    Returns the tokenizer, the FIM token strings and the end-of-text string."""
    tokenizer = Tokenizer.from_file(str(path))
    fim = fim_tokens(tokenizer)
    vocab = tokenizer.get_vocab()
    eos = next((t for t in (EOS, "</s>", "<eos>") if t in vocab), EOS)
    missing = [t for t in (*fim.values(), eos) if t not in vocab]
    if missing:
        tokenizer.add_special_tokens([AddedToken(t, special=True) for t in missing])
        log.info("added special tokens %s to the base tokenizer", missing)
    return tokenizer, fim, eos


def pieces(text: str, max_chars: int) -> Iterator[str]:
    """``text`` cut at line boundaries into pieces of at most ``max_chars`` (a longer line is
    a piece of its own)."""
    start = 0
    while start < len(text):
        end = start + max_chars
        if end >= len(text):
            yield text[start:]
            return
        cut = text.rfind("\n", start, end)
        end = cut + 1 if cut > start else end
        yield text[start:end]
        start = end


def fim_split(piece: str, rng: random.Random, line_start: float) -> tuple[int, int]:
    """Where the middle of a FIM example starts and ends (``a <= b``): with probability
    ``line_start`` at a non-blank line's first non-blank character, else at a random character;
    the end is a random character after the start."""
    if rng.random() < line_start:
        starts = [m.start(1) for m in _LINE_START.finditer(piece)]
        if starts:
            a = rng.choice(starts)
            return a, rng.randint(a, len(piece))
    a, b = sorted(rng.sample(range(len(piece) + 1), 2))
    return a, b


def encode_examples(
    texts: Sequence[str],
    tokenizer: Tokenizer,
    fim: dict[str, str],
    eos: str,
    *,
    context: int,
    fim_rate: float,
    seed: int,
    fim_line_start: float = 0.0,
) -> np.ndarray[Any, np.dtype[np.int32]]:
    """One token stream: every piece of every text as a plain or FIM example (see the module
    docstring)."""
    rng = random.Random(seed)
    ids = {k: tokenizer.token_to_id(v) for k, v in fim.items()}
    eos_id = tokenizer.token_to_id(eos)
    sample = "".join(texts[:20])[:200_000]
    chars_per_token = max(1.0, len(sample) / max(1, len(tokenizer.encode(sample).ids)))
    max_chars = int(context * chars_per_token * 0.9)
    plain: list[str] = []
    fim_parts: list[tuple[str, str, str]] = []
    order: list[bool] = []
    for text in texts:
        for piece in pieces(text, max_chars):
            if len(piece) > 2 and rng.random() < fim_rate:
                a, b = fim_split(piece, rng, fim_line_start)
                fim_parts.append((piece[:a], piece[a:b], piece[b:]))
                order.append(True)
            else:
                plain.append(piece)
                order.append(False)
    enc = tokenizer.encode_batch
    plain_ids = iter(e.ids for e in enc(plain, add_special_tokens=False)) if plain else iter([])
    flat = [part for triple in fim_parts for part in triple]
    part_ids = [e.ids for e in enc(flat, add_special_tokens=False)] if flat else []
    stream: list[int] = []
    k = 0
    for is_fim in order:
        if is_fim:
            pre, mid, suf = part_ids[k], part_ids[k + 1], part_ids[k + 2]
            k += 3
            stream += [ids["prefix"], *pre, ids["suffix"], *suf, ids["middle"], *mid, eos_id]
        else:
            stream += [*next(plain_ids), eos_id]
    log.info(
        "%d examples (%d FIM), %d tokens, %.2f characters per token",
        len(order),
        len(fim_parts),
        len(stream),
        chars_per_token,
    )
    return np.asarray(stream, dtype=np.int32)


def blocks(stream: np.ndarray[Any, Any], context: int) -> torch.Tensor:
    """The stream cut into ``[n, context]`` sequences (the tail that does not fill one is
    dropped)."""
    n = len(stream) // context
    return torch.from_numpy(stream[: n * context].astype(np.int64).reshape(n, context))


# --- model -----------------------------------------------------------------------------------


def new_model(args: CodeTrainArgs, vocab_size: int, eos_id: int, pad_id: int) -> Any:
    """A randomly initialised Llama-style (RoPE, SwiGLU, grouped-query attention, tied
    embeddings) or GPT-2 model of the configured size."""
    from transformers import GPT2Config, GPT2LMHeadModel, LlamaConfig, LlamaForCausalLM

    # The end-of-text token also begins a sequence (there is no separate BOS).
    tokens = {"bos_token_id": eos_id, "eos_token_id": eos_id, "pad_token_id": pad_id}
    if args.arch == "gpt2":
        config: Any = GPT2Config(
            vocab_size=vocab_size,
            n_positions=args.context,
            n_embd=args.hidden,
            n_layer=args.layers,
            n_head=args.heads,
            n_inner=args.intermediate,
            **tokens,
        )
        return GPT2LMHeadModel(config)
    if args.arch != "llama":
        raise SystemExit(f"--arch {args.arch}: expected llama or gpt2")
    config = LlamaConfig(
        vocab_size=vocab_size,
        hidden_size=args.hidden,
        intermediate_size=args.intermediate,
        num_hidden_layers=args.layers,
        num_attention_heads=args.heads,
        num_key_value_heads=args.kv_heads,
        max_position_embeddings=args.context,
        tie_word_embeddings=True,
        rope_theta=10000.0,
        **tokens,
    )
    return LlamaForCausalLM(config)


def build_model(args: CodeTrainArgs, tokenizer: Tokenizer, eos: str) -> Any:
    """The model to train: new, or ``--base-model`` (LoRA adapters when ``--lora-r``, a
    trained soft prompt when ``--prompt-tokens``)."""
    from transformers import AutoModelForCausalLM

    torch.manual_seed(args.seed)
    eos_id = tokenizer.token_to_id(eos)
    pad_id = tokenizer.token_to_id(PAD)
    if not args.base_model:
        if args.lora_r:
            log.warning("--lora-r is ignored without --base-model (a new model trains in full)")
        return new_model(
            args, tokenizer.get_vocab_size(), eos_id, eos_id if pad_id is None else pad_id
        )
    model = AutoModelForCausalLM.from_pretrained(args.base_model, dtype=torch.float32)
    if tokenizer.get_vocab_size() > model.get_input_embeddings().weight.shape[0]:
        model.resize_token_embeddings(tokenizer.get_vocab_size())
    if args.lora_r and args.prompt_tokens:
        raise SystemExit("--lora-r and --prompt-tokens: choose one way to fine-tune")
    if args.prompt_tokens:
        from peft import PromptTuningConfig, PromptTuningInit, get_peft_model

        return get_peft_model(
            model,
            PromptTuningConfig(
                task_type="CAUSAL_LM",
                num_virtual_tokens=args.prompt_tokens,
                prompt_tuning_init=PromptTuningInit.RANDOM,
            ),
        )
    if args.lora_r:
        from peft import LoraConfig, get_peft_model

        names = {n.rsplit(".", 1)[-1] for n, _ in model.named_modules()}
        targets = [t for t in args.lora_target_modules.split(",") if t in names]
        if not targets:
            raise SystemExit(f"--lora-target-modules: none of them is in {args.base_model}")
        model = get_peft_model(
            model,
            LoraConfig(
                r=args.lora_r,
                lora_alpha=args.lora_alpha,
                lora_dropout=args.lora_dropout,
                target_modules=targets,
                task_type="CAUSAL_LM",
            ),
        )
    return model


@torch.no_grad()
def heldout_loss(model: torch.nn.Module, data: torch.Tensor, batch_size: int, device: Any) -> float:
    """Mean next-token loss on held-out sequences (perplexity is its exponential)."""
    model.eval()
    losses = []
    for s in range(0, len(data), batch_size):
        batch = data[s : s + batch_size].to(device)
        losses.append(float(model(input_ids=batch, labels=batch).loss))
    model.train()
    return float(np.mean(losses)) if losses else float("nan")


def save_final(model: Any, out: Path, tokenizer: Tokenizer, info: dict[str, Any]) -> Path:
    """The trained model, its tokenizer (with the sentinels added) and what export needs."""
    final = save_model(model, out, info)
    tokenizer.save(str(final / "tokenizer.json"))
    return final


# --- the loop --------------------------------------------------------------------------------


class CausalLMHooks(Hooks):
    """The causal LM's part of the loop: its loss on a block of tokens, nanoGPT's learning-rate
    schedule (set before every optimizer step), tokens per second, and the held-out loss."""

    def __init__(self, args: CodeTrainArgs, trainer: Trainer, dev: torch.Tensor, total: int):
        self.args = args
        self.trainer = trainer
        self.dev = dev
        self.total_steps = total
        self.tokens = 0
        self.loop_started = time.time()

    def loss(self, model: Any, batch: Any) -> torch.Tensor:
        self.tokens += batch.numel()
        return model(input_ids=batch, labels=batch).loss  # type: ignore[no-any-return]

    def started(self, model: Any, step: int) -> None:
        self.loop_started = time.time()

    def lr_at(self, step: int) -> float:
        """Linear warm-up, then cosine decay to a tenth of the peak (nanoGPT's schedule), over
        the run's progress: its steps, or its time budget when that ends it sooner, so a run
        stopped by --max-minutes has still annealed instead of stopping at the peak rate."""
        args = self.args
        progress = step / max(self.total_steps, 1)
        if args.max_minutes:
            progress = max(progress, self.trainer.minutes() / args.max_minutes)
        progress = min(progress, 1.0)
        if progress < args.warmup:
            return args.lr * (progress / args.warmup + 1e-3)
        decay = (progress - args.warmup) / max(1e-9, 1 - args.warmup)
        return args.lr * (0.1 + 0.9 * 0.5 * (1 + math.cos(math.pi * decay)))

    def before_optimizer_step(self, optimizer: Any, step: int) -> None:
        for group in optimizer.param_groups:
            group["lr"] = self.lr_at(step)

    def progress(self, step: int, loss: float) -> dict[str, Any]:
        rate = self.tokens / max(time.time() - self.loop_started, 1e-9)
        log.info("step %d/%d: loss %.3f, %.0f tokens/s", step, self.total_steps, loss, rate)
        return {"tokens_per_second": round(rate)}

    def evaluate(self, model: Any, step: int, history: dict[str, list[dict[str, Any]]]) -> None:
        dev_loss = self.heldout(model)
        history["heldout"].append({"step": step, "loss": dev_loss})
        log.info(
            "step %d: held-out loss %.3f (perplexity %.1f)", step, dev_loss, math.exp(dev_loss)
        )

    def heldout(self, model: Any) -> float:
        return heldout_loss(model, self.dev, self.args.batch_size, self.trainer.accelerator.device)


def run(args: CodeTrainArgs, *, steps_override: int | None = None) -> dict[str, Any]:
    """Train and return the run's metrics (also written to ``train.json``).

    ``steps_override=0`` saves the base model untrained (the "before" row) through the same
    code: same tokenizer, same FIM tokens, same files."""
    from torch.utils.data import DataLoader

    trainer = Trainer(args)
    out = args.output
    tok_path = (
        Path(args.base_model) / "tokenizer.json"
        if args.base_model
        else args.data / "tokenizer.json"
    )
    if not tok_path.is_file():
        raise SystemExit(f"{tok_path}: no tokenizer.json")
    tokenizer, fim, eos = prepare_tokenizer(tok_path)
    files = read_jsonl(args.data / "train.jsonl", args.max_train_files)
    held = read_jsonl(args.data / "heldout.jsonl")
    enc = {
        "context": args.context,
        "fim_rate": args.fim_rate,
        "fim_line_start": args.fim_line_start,
    }
    train = blocks(
        encode_examples([f["text"] for f in files], tokenizer, fim, eos, **enc, seed=args.seed),
        args.context,
    )
    dev = blocks(
        encode_examples([f["text"] for f in held], tokenizer, fim, eos, **enc, seed=args.seed + 1),
        args.context,
    )[:64]
    log.info(
        "%d training sequences, %d held-out sequences of %d tokens",
        len(train),
        len(dev),
        args.context,
    )

    loader: DataLoader[torch.Tensor] = DataLoader(
        train,
        batch_size=args.batch_size,
        shuffle=True,
        generator=torch.Generator().manual_seed(args.seed),  # type: ignore[arg-type]
    )
    steps_per_epoch = trainer.steps_per_epoch(len(loader))
    total_steps = trainer.planned_steps(steps_per_epoch, at_least=1)
    if steps_override is not None:
        total_steps = steps_override

    model = build_model(args, tokenizer, eos)
    parameters = log_parameters(model)
    optimizer = torch.optim.AdamW(
        [p for p in model.parameters() if p.requires_grad],
        lr=args.lr,
        weight_decay=args.weight_decay,
        betas=(0.9, 0.95),
    )
    model, optimizer, loader = trainer.accelerator.prepare(model, optimizer, loader)

    hooks = CausalLMHooks(args, trainer, dev, total_steps)
    result = trainer.fit(
        hooks,
        model,
        optimizer,
        loader,
        total_steps=total_steps,
        steps_per_epoch=steps_per_epoch,
        history={"loss": [], "heldout": []},
    )
    dev_loss = hooks.heldout(model)
    result.history["heldout"].append({"step": result.step, "loss": dev_loss})
    lora = bool(args.base_model and args.lora_r)
    prompt = args.prompt_tokens if args.base_model else 0
    info = {
        "base_model": str(Path(args.base_model).resolve()) if args.base_model else "",
        "lora": lora,
        "prompt_tokens": prompt,
        "fim": fim,
        "eos": eos,
        "context": args.context,
    }
    final = trainer.save_final(model, lambda m: save_final(m, out, tokenizer, info))
    step = result.step
    metrics = trainer.record(
        result,
        total_steps,
        parameters,
        final,
        epochs_done=round(step / max(steps_per_epoch, 1), 3),
        train_files=len(files),
        train_tokens=int(train.numel()),
        tokens_seen=int(step * args.batch_size * args.grad_accum * args.context),
        heldout_loss=dev_loss,
        heldout_perplexity=math.exp(dev_loss) if dev_loss < 50 else float("inf"),
        mode="lora"
        if lora
        else "prompt tuning"
        if prompt
        else "full"
        if args.base_model
        else "from scratch",
        base_model=args.base_model or f"new {args.arch}",
    )
    trainer.write_record(metrics, plot_losses)
    return metrics
