"""The evaluate step: next-line completion on held-out files, through what the server runs.

A case is a non-blank line of a held-out file: the cursor sits after the line's indentation,
the code before it is the prefix, the code after the line the suffix, and the rest of the line
is the target. A mid-line case puts the cursor at a random point inside the line instead (the
user has typed part of it; the rest is the target), which is where inline completion is asked
most. A neighbours row gives the model other files of the case's folder as open documents.
Each exported model completes the case through :func:`server.engine.completion.complete_text`
over :class:`server.runtime.onnx_lm.OnnxLM` (single-line stop rule, the model's own prompt
budget), exactly the server's path.

Metrics (as in CodeXGLUE's line-level completion): exact match (the suggestion equals the line,
whitespace at the ends ignored) and edit similarity (1 - Levenshtein distance / longer length,
averaged over cases), plus generation speed: generated tokens per second (prompt included in
the time) and the median and 90th-percentile latency of one suggestion.

The floor is a token n-gram model (greedy, backing off to shorter contexts) counted on the
training files with the same tokenizer; it sees the prefix only, up to the end of the
previous line, and its first generated line is the suggestion.
"""

from __future__ import annotations

import logging
import random
import statistics
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from rapidfuzz.distance import Levenshtein

from server.engine.completion import complete_text
from training.code.args import CodeEvaluateArgs
from training.runlog import read_jsonl, write_json

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Case:
    path: str
    text: str
    #: Code-point offset of the cursor (after the line's indentation).
    offset: int
    #: The rest of the line: what a perfect suggestion inserts.
    target: str

    @property
    def line_start(self) -> int:
        return self.text.rfind("\n", 0, self.offset) + 1

    @property
    def document(self) -> str:
        """The file as the model sees it: the target removed, so the code after the cursor
        starts at the end of the line (the model must write the line, not copy it)."""
        end = self.text.find("\n", self.offset)
        return self.text[: self.offset] + (self.text[end:] if end >= 0 else "")


def make_cases(
    files: Sequence[dict[str, str]], n: int, seed: int, mid_line: bool = False
) -> list[Case]:
    """``n`` next-line cases drawn at random (seeded) from the non-blank lines of ``files``
    (the first line of a file is never a case: there is nothing before it). ``mid_line``: the
    cursor at a random point inside lines of two or more characters."""
    candidates: list[tuple[int, int, int, str]] = []
    for k, f in enumerate(files):
        text = f["text"]
        pos = 0
        for i, line in enumerate(text.split("\n")):
            content = line.strip()
            if i > 0 and content and (not mid_line or len(content) >= 2):
                indent = len(line) - len(line.lstrip(" \t"))
                candidates.append((k, pos + indent, i, line[indent:].rstrip()))
            pos += len(line) + 1
    rng = random.Random(seed)
    chosen = rng.sample(candidates, min(n, len(candidates)))
    cases = []
    for k, off, _, target in chosen:
        typed = rng.randint(1, len(target) - 1) if mid_line else 0
        cases.append(Case(files[k]["path"], files[k]["text"], off + typed, target[typed:]))
    return cases


def folder_neighbours(files: Sequence[dict[str, str]], n: int) -> Callable[[Case], list[str]]:
    """For a case: up to ``n`` other files of its folder (by name), as open documents."""
    by_folder: dict[str, list[tuple[str, str]]] = {}
    for f in files:
        by_folder.setdefault(str(Path(f["path"]).parent), []).append((f["path"], f["text"]))

    def neighbours(case: Case) -> list[str]:
        folder = sorted(by_folder.get(str(Path(case.path).parent), []))
        return [text for path, text in folder if path != case.path][:n]

    return neighbours


def edit_similarity(a: str, b: str) -> float:
    return float(Levenshtein.normalized_similarity(a, b))


def score(cases: Sequence[Case], predictions: Sequence[str]) -> dict[str, float]:
    exact = [p.strip() == c.target.strip() for c, p in zip(cases, predictions, strict=True)]
    sims = [
        edit_similarity(p.strip(), c.target.strip())
        for c, p in zip(cases, predictions, strict=True)
    ]
    return {
        "cases": len(cases),
        "exact_match": round(100 * float(np.mean(exact)), 1) if cases else 0.0,
        "edit_similarity": round(float(np.mean(sims)), 3) if cases else 0.0,
    }


def evaluate_model(
    model_dir: Path,
    cases: Sequence[Case],
    *,
    threads: int,
    max_new_tokens: int,
    fim: bool = True,
    budget: int = 0,
    neighbours: Callable[[Case], list[str]] | None = None,
) -> tuple[dict[str, Any], list[str]]:
    """Scores and speed of one exported model, and its predictions."""
    from server.runtime.onnx_lm import OnnxLM

    before = rss_mb()
    lm = OnnxLM.load(model_dir, device="cpu", threads=threads, verify=False)
    if budget:
        lm.context = min(lm.context, budget + max_new_tokens)
    predictions: list[str] = []
    latencies: list[float] = []
    tokens = 0
    seconds = 0.0
    for case in cases:
        t0 = time.perf_counter()
        suggestion, generation = complete_text(
            lm,
            case.document,
            case.offset,
            max_new_tokens=max_new_tokens,
            multiline=False,
            fim=fim,
            neighbours=neighbours(case) if neighbours else (),
        )
        latencies.append(time.perf_counter() - t0)
        tokens += generation.tokens
        seconds += generation.seconds
        predictions.append(suggestion)
    result: dict[str, Any] = score(cases, predictions)
    result.update(speed(latencies, tokens, seconds))
    result["size_mb"] = round((model_dir / "model.onnx").stat().st_size / 2**20, 1)
    # What loading and running the model added to this process (the server pays the same).
    result["memory_mb"] = round(rss_mb() - before, 1)
    return result, predictions


def speed(latencies: Sequence[float], tokens: int, seconds: float) -> dict[str, float]:
    ordered = sorted(latencies)
    return {
        "tokens_per_second": round(tokens / seconds, 1) if seconds else 0.0,
        "latency_median_ms": round(1000 * statistics.median(ordered), 1) if ordered else 0.0,
        "latency_p90_ms": round(1000 * ordered[int(0.9 * (len(ordered) - 1))], 1)
        if ordered
        else 0.0,
    }


class NGram:
    """Greedy token n-gram model with back-off: the most frequent next token after the longest
    context seen in training (counts held as sorted numpy keys, so millions of tokens fit)."""

    def __init__(self, stream: np.ndarray[Any, Any], order: int, vocab: int) -> None:
        self.vocab = vocab
        # Contexts are packed into int64 keys: vocab ** order must stay below 2 ** 62.
        while order > 1 and vocab**order >= 2**62:
            order -= 1
        self.order = order
        s = stream.astype(np.int64)
        self.tables: list[tuple[int, np.ndarray[Any, Any], np.ndarray[Any, Any]]] = []
        for k in range(order - 1, 0, -1):
            if len(s) <= k:
                continue
            ctx = np.zeros(len(s) - k, dtype=np.int64)
            for j in range(k):
                ctx = ctx * vocab + s[j : len(s) - k + j]
            pairs, counts = np.unique(ctx * vocab + s[k:], return_counts=True)
            c, nxt = pairs // vocab, pairs % vocab
            idx = np.lexsort((-counts, c))
            c, nxt = c[idx], nxt[idx]
            first = np.r_[True, c[1:] != c[:-1]]
            self.tables.append((k, c[first], nxt[first]))
        self.unigram = int(np.bincount(s, minlength=vocab).argmax()) if len(s) else 0

    def next(self, history: Sequence[int]) -> int:
        for k, keys, best in self.tables:
            if len(history) < k:
                continue
            key = 0
            for t in history[-k:]:
                key = key * self.vocab + int(t)
            i = int(np.searchsorted(keys, key))
            if i < len(keys) and keys[i] == key:
                return int(best[i])
        return self.unigram

    def generate(
        self, history: Sequence[int], max_new_tokens: int, done: Callable[[list[int]], bool]
    ) -> list[int]:
        out: list[int] = []
        hist = list(history[-(self.order - 1) :]) if self.order > 1 else []
        for _ in range(max_new_tokens):
            token = self.next(hist)
            out.append(token)
            hist = [*hist, token][-(self.order - 1) :] if self.order > 1 else []
            if done(out):
                break
        return out


def evaluate_ngram(
    data: Path, cases: Sequence[Case], order: int, max_tokens: int, max_new_tokens: int
) -> tuple[dict[str, Any], list[str]]:
    from tokenizers import Tokenizer

    tokenizer = Tokenizer.from_file(str(data / "tokenizer.json"))
    eos = tokenizer.token_to_id("<|endoftext|>")
    stream: list[int] = []
    for f in read_jsonl(data / "train.jsonl"):
        stream += tokenizer.encode(f["text"], add_special_tokens=False).ids
        if eos is not None:
            stream.append(eos)
        if len(stream) >= max_tokens:
            break
    t0 = time.perf_counter()
    model = NGram(np.asarray(stream[:max_tokens]), order, tokenizer.get_vocab_size())
    log.info(
        "n-gram (order %d) on %d tokens in %.1fs",
        model.order,
        len(stream[:max_tokens]),
        time.perf_counter() - t0,
    )
    predictions: list[str] = []
    latencies: list[float] = []
    tokens = 0
    for case in cases:
        t1 = time.perf_counter()
        # Up to the end of the previous line: a prompt cut after indentation would tokenize
        # unlike any training text (whitespace runs merge with the next word). A mid-line
        # cursor keeps what was typed.
        typed = case.text[case.line_start : case.offset]
        prefix = case.text[: max(case.line_start - 1, 0)] + ("\n" + typed if typed.strip() else "")
        history = tokenizer.encode(prefix[-4000:], add_special_tokens=False).ids

        def done(out: list[int]) -> bool:
            return tokenizer.decode(out).lstrip("\n").count("\n") > 0 or (eos in out)

        out = model.generate(history, max_new_tokens + 8, done)
        tokens += len(out)
        text = tokenizer.decode(out)
        line = text[1:] if text.startswith("\n") and not typed.strip() else text
        predictions.append(line.split("\n", 1)[0].strip())
        latencies.append(time.perf_counter() - t1)
    result: dict[str, Any] = score(cases, predictions)
    result.update(speed(latencies, tokens, sum(latencies)))
    return result, predictions


def markdown_table(rows: Sequence[tuple[str, dict[str, Any]]]) -> str:
    lines = [
        "| model | exact match % | edit similarity | tokens/s | median latency ms | p90 ms "
        "| memory MB | cases |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for name, m in rows:
        memory = f"{m['memory_mb']:.0f}" if "memory_mb" in m else "-"
        lines.append(
            f"| {name} | {m['exact_match']:.1f} | {m['edit_similarity']:.3f} | "
            f"{m['tokens_per_second']:.0f} | {m['latency_median_ms']:.1f} | "
            f"{m['latency_p90_ms']:.1f} | {memory} | {m['cases']} |"
        )
    return "\n".join(lines)


def corpus_files(roots: Sequence[Path], extensions: str) -> list[dict[str, str]]:
    from training.code.data import collect

    ends = tuple(e.strip() for e in extensions.split(",") if e.strip())
    return [{"path": str(p), "text": t} for p, t in collect(roots, ends, 300_000, default=False)]


def rss_mb() -> float:
    """Resident memory of this process (Linux; 0 elsewhere)."""
    try:
        with open("/proc/self/status", encoding="ascii") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def run(args: CodeEvaluateArgs) -> dict[str, Any]:
    if args.corpus:
        files = corpus_files(args.corpus, args.extensions)
        where = ", ".join(str(c) for c in args.corpus)
    else:
        files = read_jsonl(args.data / "heldout.jsonl")
        where = "held-out files"
    cases = make_cases(files, args.samples, args.seed)
    log.info("%d next-line cases from %d files (%s)", len(cases), len(files), where)
    names = list(args.name) + [m.name for m in args.model[len(args.name) :]]
    rows: list[tuple[str, dict[str, Any]]] = []
    examples: dict[str, list[dict[str, str]]] = {}
    mid_cases = (
        make_cases(files, args.samples, args.seed + 1, mid_line=True) if args.mid_line else []
    )
    common: dict[str, Any] = {
        "threads": args.threads,
        "max_new_tokens": args.max_new_tokens,
        "budget": args.context_tokens,
    }
    neighbours = folder_neighbours(files, args.neighbours) if args.neighbours else None
    for name, model_dir in zip(names, args.model, strict=True):
        metrics, predictions = evaluate_model(model_dir, cases, fim=args.fim, **common)
        log.info("%s: %s", name, metrics)
        rows.append((name, metrics))
        examples[name] = [
            {"path": c.path, "target": c.target, "prediction": p}
            for c, p in zip(cases[:20], predictions[:20], strict=True)
        ]
        if args.prefix_only and args.fim:
            metrics, _ = evaluate_model(model_dir, cases, fim=False, **common)
            log.info("%s (prefix only): %s", name, metrics)
            rows.append((f"{name}, prefix only", metrics))
        if neighbours is not None:
            metrics, _ = evaluate_model(
                model_dir, cases, fim=args.fim, neighbours=neighbours, **common
            )
            log.info("%s (with open files): %s", name, metrics)
            rows.append((f"{name}, {args.neighbours} files of the folder open", metrics))
        if mid_cases:
            metrics, predictions = evaluate_model(model_dir, mid_cases, fim=args.fim, **common)
            log.info("%s (mid-line): %s", name, metrics)
            rows.append((f"{name}, cursor mid-line", metrics))
            examples[f"{name}, cursor mid-line"] = [
                {"path": c.path, "target": c.target, "prediction": p}
                for c, p in zip(mid_cases[:20], predictions[:20], strict=True)
            ]
    if args.ngram:
        for label, chosen in (("", cases), (", cursor mid-line", mid_cases)):
            if not chosen:
                continue
            metrics, predictions = evaluate_ngram(
                args.data, chosen, args.ngram, args.ngram_train_tokens, args.max_new_tokens
            )
            log.info("n-gram%s: %s", label, metrics)
            rows.append((f"{args.ngram}-gram floor{label}", metrics))
            examples[f"ngram{label}"] = [
                {"path": c.path, "target": c.target, "prediction": p}
                for c, p in zip(chosen[:20], predictions[:20], strict=True)
            ]
    args.output.mkdir(parents=True, exist_ok=True)
    result = {name: m for name, m in rows}
    write_json(args.output / "metrics.json", result)
    write_json(args.output / "examples.json", examples)
    table = markdown_table(rows)
    (args.output / "table.md").write_text(table + "\n", "utf-8")
    log.info("\n%s", table)
    return {"metrics": result, "markdown": table, "cases": len(cases), "source": where}
