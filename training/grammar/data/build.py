"""The data step: clean sentences + synthetic errors (+ real pairs) -> aligned edit tags.

Output (``DataArgs.output``):

``train.jsonl`` / ``dev.jsonl``  one pair per line: ``{"src": [...], "tgt": [...], "tags": [...]}``
                                 where ``tags`` has one tag per token of ``["$START", *src]``
                                 (``server.engine.grammar.tags.align``)
``stats.json``                   counts by error kind and tag family, corpus sizes, arguments

The dev set is split off *before* noising, by clean sentence, so no sentence appears in both.
"""

from __future__ import annotations

import json
import logging
import random
from collections import Counter
from dataclasses import asdict, replace
from pathlib import Path
from typing import Any

from tqdm import tqdm

from server.engine.grammar.tags import START, align
from training.grammar.args import DataArgs
from training.grammar.data import parallel
from training.grammar.data.corpus import load_sentences
from training.grammar.data.noise import DEFAULT_WEIGHTS, Noiser
from training.grammar.data.spelling_noise import VENDORED_TYPOS, load_typo_lists
from training.runlog import write_jsonl

log = logging.getLogger(__name__)


def parse_weights(spec: str) -> dict[str, float]:
    weights = dict(DEFAULT_WEIGHTS)
    for part in filter(None, (p.strip() for p in spec.split(","))):
        kind, _, value = part.partition("=")
        if kind not in weights:
            raise ValueError(f"unknown error kind {kind!r}; known: {', '.join(weights)}")
        weights[kind] = float(value)
    return weights


def tag_family(tag: str) -> str:
    """``$REPLACE_x`` -> ``$REPLACE``; transforms keep their name (for the statistics)."""
    for prefix in ("$REPLACE_", "$APPEND_"):
        if tag.startswith(prefix):
            return prefix[:-1]
    return tag


def make_pair(src: list[str], tgt: list[str], stage: int = 1) -> dict[str, Any]:
    """One training pair; ``stage`` 0 is the curriculum's easy part (``DataArgs.easy_share``)."""
    return {"src": src, "tgt": tgt, "tags": align([START, *src], [START, *tgt]), "stage": stage}


#: Most errors put in one sentence (real essays' sentences with errors have one to five).
MAX_ERRORS = 5


def _n_errors(rng: random.Random, mean: float) -> int:
    # 1 + a geometric tail with the requested mean, capped at MAX_ERRORS.
    p = 1.0 / max(1.0, mean)
    n = 1
    while n < MAX_ERRORS and rng.random() > p:
        n += 1
    return n


def noisy_pairs(
    sentences: list[list[str]], noiser: Noiser, args: DataArgs, copies: int, desc: str
) -> tuple[list[dict[str, Any]], Counter[str]]:
    """``copies`` noisy versions of each sentence. The first ``args.easy_share`` of the
    sentences make the curriculum's easy stage: one error each, marked ``stage`` 0; the rest
    carry as many errors as real writers' sentences (``args.errors_per_sentence`` on average)."""
    rng = noiser.rng
    pairs: list[dict[str, Any]] = []
    kinds: Counter[str] = Counter()
    n_easy = round(len(sentences) * args.easy_share)
    for i, tgt in enumerate(tqdm(sentences, desc=desc, unit="sent", mininterval=2.0)):
        stage = 0 if i < n_easy else 1
        for _ in range(copies):
            if rng.random() < args.clean_fraction:
                pairs.append(make_pair(tgt, tgt, stage))
                kinds["clean"] += 1
                continue
            n = 1 if stage == 0 else _n_errors(rng, args.errors_per_sentence)
            src, made = noiser.corrupt(tgt, n)
            kinds.update(made)
            pairs.append(make_pair(src, tgt, stage))
    return pairs, kinds


def run(args: DataArgs) -> dict[str, Any]:
    """Build the data set; returns the statistics also written to ``stats.json``."""
    args.output.mkdir(parents=True, exist_ok=True)
    rng = random.Random(args.seed)
    sentences = load_sentences(
        list(args.corpus),
        include_stdlib=not args.no_stdlib,
        site_sentences=args.site_sentences,
        min_words=args.min_words,
        max_words=args.max_words,
        limit=args.max_sentences or None,
        seed=args.seed,
    )
    n_dev = min(args.dev_sentences, len(sentences) // 10)
    dev_clean, train_clean = sentences[:n_dev], sentences[n_dev:]
    typos = load_typo_lists([VENDORED_TYPOS, *args.typo_list])
    noiser = Noiser(rng, typos, parse_weights(args.weights))
    train, kinds = noisy_pairs(train_clean, noiser, args, args.copies, "noise (train)")
    dev, _ = noisy_pairs(dev_clean, noiser, replace(args, easy_share=0.0), 1, "noise (dev)")
    real = 0
    for spec in args.parallel:
        src_file, _, tgt_file = spec.partition(":")
        for src, tgt in tqdm(parallel.read_lines(Path(src_file), Path(tgt_file)), desc=spec):
            train.append(make_pair(src, tgt))
            real += 1
    for m2 in args.m2:
        for src, tgt in tqdm(parallel.read_m2(m2), desc=str(m2)):
            train.append(make_pair(src, tgt))
            real += 1
    rng.shuffle(train)
    write_jsonl(args.output / "train.jsonl", train)
    write_jsonl(args.output / "dev.jsonl", dev)
    families = Counter(tag_family(t) for row in train for t in row["tags"])
    stats = {
        "clean_sentences": len(sentences),
        "train_pairs": len(train),
        "dev_pairs": len(dev),
        "real_pairs": real,
        "error_kinds": dict(kinds.most_common()),
        "tag_families": dict(families.most_common()),
        "args": {k: str(v) if isinstance(v, Path) else v for k, v in asdict(args).items()},
    }
    stats["args"] = json.loads(json.dumps(stats["args"], default=str))
    (args.output / "stats.json").write_text(json.dumps(stats, indent=2) + "\n", "utf-8")
    log.info("data: %d train pairs (%d real), %d dev pairs", len(train), real, len(dev))
    return stats
