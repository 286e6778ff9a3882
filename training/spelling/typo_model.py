"""Train the model that tells typos from names in code (``server/engine/typo_model.py``).

Data, all from Debian packages that this script downloads itself (``apt-get download``, no
installation) so anyone can rebuild the model, and none of which the benchmarks check:

* negatives: every word of real code (identifiers, comments, strings) in those packages that
  the dictionaries do not know: ``nchannels``, ``kwonly``, ``flds``. Almost all are names, not
  typos; a few real typos among them only make the model more careful.
* positives: real misspellings from the typos project's list (MIT, shipped with Quill)
  planted into the same code, in place of words of the same kind and case.

The model is a logistic regression over ``typo_model.FEATURES``. Files are split 80/20; the
per-kind thresholds are chosen on the held-out fifth to keep false flags under a budget per
1,000 lines of code, and the metrics are written into the model file.

    python -m training typo-model              # downloads to ~/.cache/quill-train
    python -m training typo-model --cache DIR --max-lines 60000 --seed 0

(``python tools/train_typo_model.py``, the command the model file records, runs the same.)
"""

from __future__ import annotations

import argparse
import csv
import gzip
import hashlib
import io
import json
import math
import random
import subprocess
import sys
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from server.engine.extract import extract_regions, language_for_path
from server.engine.lexicon import Lexicon
from server.engine.spelling import Speller
from server.engine.types import RegionKind, Rule
from server.engine.typo_model import FEATURES, TypoModel
from server.engine.words import split_identifier, tokenize

ROOT = Path(__file__).resolve().parents[2]

#: Debian (bookworm) packages whose sources make the training corpus, by language.
PACKAGES: dict[str, list[str]] = {
    "python": [
        "python3-django",
        "python3-requests",
        "python3-flask",
        "python3-sqlalchemy",
        "python3-twisted",
        "python3-jinja2",
        "python3-click",
    ],
    "javascript": [
        "node-lodash",
        "node-express",
        "node-yargs",
        "node-commander",
        "node-semver",
        "node-glob",
        "node-debug",
        "node-typescript",
    ],
    "go": [
        "golang-github-spf13-cobra-dev",
        "golang-github-gorilla-mux-dev",
        "golang-golang-x-tools-dev",
        "golang-github-sirupsen-logrus-dev",
        "golang-github-stretchr-testify-dev",
    ],
    "rust": [
        "librust-serde-dev",
        "librust-regex-dev",
        "librust-clap-dev",
        "librust-tokio-dev",
        "librust-syn-dev",
    ],
    "c": ["libglib2.0-dev", "libcurl4-openssl-dev", "libsqlite3-dev", "libboost1.74-dev"],
    "shellscript": ["bash-completion"],
}

#: False flags allowed per 1,000 lines of code, by region kind (sums to well under 2).
BUDGETS = {"identifier": 0.5, "comment": 0.35, "string": 0.25}
KIND_GROUP = {
    RegionKind.IDENTIFIER: "identifier",
    RegionKind.COMMENT: "comment",
    RegionKind.DOCSTRING: "comment",
    RegionKind.STRING: "string",
}
CODE_KINDS = frozenset(KIND_GROUP)
MAX_PER_FILE_AND_WORD = 3


@dataclass
class Example:
    word: str
    kind: RegionKind
    label: int
    weight: float
    file: str
    #: How often the word occurs in the file (what a false flag costs in flags per line).
    occurrences: int = 1


@dataclass
class Corpus:
    files: list[tuple[str, Path, str]] = field(default_factory=list)  # (lang, path, package)
    versions: dict[str, str] = field(default_factory=dict)


def download(cache: Path) -> Corpus:
    """Download and unpack the packages (once; cached)."""
    corpus = Corpus()
    debs = cache / "debs"
    debs.mkdir(parents=True, exist_ok=True)
    for lang, packages in PACKAGES.items():
        for package in packages:
            found = sorted(debs.glob(f"{package}_*.deb"))
            if not found:
                subprocess.run(
                    ["apt-get", "download", package], cwd=debs, check=True, capture_output=True
                )
                found = sorted(debs.glob(f"{package}_*.deb"))
            deb = found[-1]
            corpus.versions[package] = deb.name.split("_")[1].replace("%3a", ":")
            tree = cache / "src" / package
            if not tree.exists():
                tree.mkdir(parents=True)
                subprocess.run(["dpkg-deb", "-x", str(deb), str(tree)], check=True)
            for path in sorted(tree.rglob("*")):
                if path.is_file() and not path.is_symlink():
                    guessed = language_for_path(path)
                    if guessed is not None and guessed not in (
                        "plaintext",
                        "markdown",
                        "restructuredtext",
                        "latex",
                    ):
                        corpus.files.append((lang, path, package))
    return corpus


def sample_files(corpus: Corpus, max_lines: int, seed: int) -> list[tuple[str, Path, str]]:
    """Up to ``max_lines`` lines per language, files in a seeded random order."""
    rng = random.Random(seed)
    by_lang: dict[str, list[tuple[str, Path, str]]] = defaultdict(list)
    for item in corpus.files:
        by_lang[item[0]].append(item)
    chosen = []
    for lang in sorted(by_lang):
        items = by_lang[lang]
        rng.shuffle(items)
        lines = 0
        for item in items:
            try:
                text = item[1].read_text(encoding="utf-8")
            except (UnicodeDecodeError, OSError):
                continue
            if len(text) > 400_000 or text.count("\n") < 5:
                continue
            chosen.append(item)
            lines += text.count("\n")
            if lines >= max_lines:
                break
    return chosen


def build_code_words(files: list[tuple[str, Path, str]], lexicon: Lexicon) -> dict[str, int]:
    """How common each known word is in the identifiers of real code, as frequency buckets
    (``round(-10 log10 P)``, the lexicon's scale). Only words the lexicon knows are kept, so
    a typo that many files repeat never becomes a "common word"."""
    counts: Counter[str] = Counter()
    for _lang, path, _package in files:
        try:
            text = path.read_text(encoding="utf-8")
        except (UnicodeDecodeError, OSError):
            continue
        per_file: Counter[str] = Counter()
        for region in extract_regions(text, language_for_path(path) or "plaintext"):
            if region.kind is RegionKind.IDENTIFIER:
                for _, part in split_identifier(text[region.start : region.end]):
                    if len(part) >= 2 and part.isalpha():
                        per_file[part.lower()] += 1
        for word, n in per_file.items():
            counts[word] += min(n, 10)  # one file's favourite name must not dominate
    total = sum(counts.values()) or 1
    buckets: dict[str, int] = {}
    for word, n in counts.items():
        if n < 5 or not (lexicon.knows(word, "en") or lexicon.knows(word.capitalize(), "en")):
            continue
        buckets[word] = max(1, round(-10 * math.log10(n / total)))
    return buckets


def write_code_words(buckets: dict[str, int], path: Path) -> None:
    lines = [f"{w}\t{b}" for w, b in sorted(buckets.items(), key=lambda item: (item[1], item[0]))]
    path.write_bytes(gzip.compress(("\n".join(lines) + "\n").encode("utf-8"), mtime=0))


def reverse_typos(path: Path) -> dict[str, list[str]]:
    """correct word -> its listed misspellings (typos' words.csv: typo,correction...)."""
    out: dict[str, list[str]] = defaultdict(list)
    raw = path.read_bytes()
    if path.suffix == ".gz":
        raw = gzip.decompress(raw)
    for row in csv.reader(io.StringIO(raw.decode("utf-8"))):
        if len(row) >= 2 and row[0].isalpha() and len(row[0]) >= 4:
            out[row[1].lower()].append(row[0].lower())
    return out


def _case_like(original: str, word: str) -> str:
    if original.isupper():
        return word.upper()
    if original[:1].isupper():
        return word[:1].upper() + word[1:]
    return word


def collect(
    files: list[tuple[str, Path, str]],
    speller: Speller,
    lexicon: Lexicon,
    typo_pairs: dict[str, list[str]],
    seed: int,
) -> tuple[list[Example], dict[str, int]]:
    """Negatives (unknown words of the code) and planted positives, with lines per file."""
    rng = random.Random(seed + 1)
    examples: list[Example] = []
    lines: dict[str, int] = {}
    for index, (_lang, path, package) in enumerate(files):
        text = path.read_text(encoding="utf-8")
        key = f"{package}/{path.name}#{index}"
        lines[key] = text.count("\n") + 1
        language = language_for_path(path) or "plaintext"
        seen: Counter[tuple[str, RegionKind]] = Counter()
        plantable = []
        for region in extract_regions(text, language):
            if region.kind not in CODE_KINDS:
                continue
            for token in tokenize(text, region):
                word = token.text
                if not word.isalpha() or len(word) < 4:
                    continue
                verdict = speller.judge(word, token.kind, token.whole)
                if verdict is not None and verdict.rule is Rule.UNKNOWN_WORD:
                    seen[(word, token.kind)] += 1
                elif verdict is None and lexicon.knows(word) and word.lower() in typo_pairs:
                    plantable.append((word, token.kind))
        for (word, kind), count in seen.items():
            examples.append(
                Example(word, kind, 0, float(min(count, MAX_PER_FILE_AND_WORD)), key, count)
            )
        rng.shuffle(plantable)
        for word, kind in plantable[:8]:
            typo = rng.choice(typo_pairs[word.lower()])
            planted = _case_like(word, typo)
            if lexicon.knows(planted):
                continue
            examples.append(Example(planted, kind, 1, 1.0, key))
        if (index + 1) % 200 == 0:
            print(f"  {index + 1}/{len(files)} files, {len(examples)} examples", file=sys.stderr)
    return examples, lines


def featurise(examples: list[Example], model: TypoModel) -> np.ndarray:
    cache: dict[tuple[str, RegionKind], list[float]] = {}
    rows = []
    started = time.time()
    for i, ex in enumerate(examples):
        k = (ex.word, ex.kind)
        if k not in cache:
            cache[k] = model.features(ex.word, ex.kind)
        rows.append(cache[k])
        if (i + 1) % 5000 == 0:
            print(
                f"  features {i + 1}/{len(examples)} ({time.time() - started:.0f}s)",
                file=sys.stderr,
            )
    return np.array(rows, dtype=np.float64)


def fit(
    x: np.ndarray,
    y: np.ndarray,
    w: np.ndarray,
    l2: float = 1e-3,
    steps: int = 3000,
    lr: float = 0.5,
) -> tuple[np.ndarray, float]:
    """Weighted logistic regression by full-batch gradient descent (standardised inputs)."""
    pos = w[y == 1].sum()
    neg = w[y == 0].sum()
    balanced = np.where(y == 1, w * (neg / pos), w)
    balanced = balanced / balanced.mean()
    coef = np.zeros(x.shape[1])
    bias = 0.0
    for _ in range(steps):
        z = np.clip(x @ coef + bias, -30, 30)
        p = 1 / (1 + np.exp(-z))
        g = (p - y) * balanced
        coef -= lr * (x.T @ g / len(y) + l2 * coef)
        bias -= lr * g.mean()
    return coef, bias


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m training typo-model", description=__doc__.split("\n\n")[0]
    )
    parser.add_argument("--cache", type=Path, default=Path.home() / ".cache" / "quill-train")
    parser.add_argument(
        "--typos",
        type=Path,
        default=ROOT / "tools" / "data" / "typos-words.csv.gz",
        help="the typos project's words.csv (crate-ci/typos, MIT; vendored)",
    )
    parser.add_argument("--max-lines", type=int, default=50_000, help="lines per language")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument(
        "--code-words",
        type=Path,
        default=ROOT / "server" / "engine" / "data" / "code_words.tsv.gz",
        help="where to write how common words are in code",
    )
    parser.add_argument(
        "--output", type=Path, default=ROOT / "server" / "engine" / "data" / "typo_model.json"
    )
    options = sys.argv[1:] if argv is None else argv
    args = parser.parse_args(options)

    started = time.time()
    print("downloading the corpus...", file=sys.stderr)
    corpus = download(args.cache)
    files = sample_files(corpus, args.max_lines, args.seed)
    print(f"{len(files)} files", file=sys.stderr)
    lexicon = Lexicon.shipped()
    # Step 1: how common words are in code (a prior for corrections in code), from a larger
    # sample of the same corpus.
    word_files = sample_files(corpus, args.max_lines * 4, args.seed + 7)
    code_words = build_code_words(word_files, lexicon)
    write_code_words(code_words, args.code_words)
    print(f"{len(code_words)} code words from {len(word_files)} files", file=sys.stderr)
    # Step 2: the model, whose typo features use that prior.
    speller = Speller(lexicon, use_typo_model=False)
    examples, lines = collect(files, speller, lexicon, reverse_typos(args.typos), args.seed)
    model = TypoModel(lexicon, speller.code_suggester, None)
    x = featurise(examples, model)
    y = np.array([e.label for e in examples], dtype=np.float64)
    w = np.array([e.weight for e in examples], dtype=np.float64)
    occ = np.array([e.occurrences for e in examples], dtype=np.float64)
    held = np.array([int(hashlib.sha1(e.file.encode()).hexdigest(), 16) % 5 == 0 for e in examples])
    means = x[~held].mean(axis=0)
    scales = x[~held].std(axis=0)
    scales[scales == 0] = 1.0
    xs = (x - means) / scales
    coef, bias = fit(xs[~held], y[~held], w[~held])

    prob = 1 / (1 + np.exp(-np.clip(xs @ coef + bias, -30, 30)))
    held_lines = sum(
        n for k, n in lines.items() if int(hashlib.sha1(k.encode()).hexdigest(), 16) % 5 == 0
    )
    thresholds: dict[str, float] = {}
    metrics: dict[str, dict[str, float]] = {}
    for group in BUDGETS:
        mask = held & np.array([KIND_GROUP[e.kind] == group for e in examples])
        neg = mask & (y == 0)
        pos = mask & (y == 1)
        budget = BUDGETS[group] * held_lines / 1000
        candidates = sorted(set(np.round(prob[mask], 4)) | {1.0})
        chosen = 1.0
        for t in candidates:
            if float(occ[neg & (prob >= t)].sum()) <= budget:
                chosen = float(t)
                break
        for kind, kind_group in KIND_GROUP.items():
            if kind_group == group:
                thresholds[kind.value] = chosen
        flagged_neg = float(occ[neg & (prob >= chosen)].sum())
        metrics[group] = {
            "threshold": chosen,
            "false_flags_per_1000_lines": round(flagged_neg / held_lines * 1000, 3),
            "unknown_words_per_1000_lines": round(float(occ[neg].sum()) / held_lines * 1000, 3),
            "typo_recall": round(float((prob[pos] >= chosen).mean()) if pos.any() else 0.0, 3),
            "typos_held_out": int(pos.sum()),
        }
    thresholds["default"] = thresholds["comment"]
    out = {
        "features": list(FEATURES),
        "means": [round(float(v), 6) for v in means],
        "scales": [round(float(v), 6) for v in scales],
        "weights": [round(float(v), 6) for v in coef],
        "bias": round(float(bias), 6),
        "thresholds": thresholds,
        "metadata": {
            "command": "python tools/train_typo_model.py " + " ".join(options),
            "seed": args.seed,
            "code_words": len(code_words),
            "packages": corpus.versions,
            "files": len(files),
            "lines": sum(lines.values()),
            "held_out_lines": held_lines,
            "examples": {"negative": int((y == 0).sum()), "positive": int((y == 1).sum())},
            "budgets_per_1000_lines": BUDGETS,
            "held_out_metrics": metrics,
            "seconds": round(time.time() - started),
        },
    }
    args.output.write_text(json.dumps(out, indent=1) + "\n", encoding="utf-8")
    print(json.dumps(out["metadata"]["held_out_metrics"], indent=1))
    print(dict(zip(FEATURES, out["weights"], strict=True)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
