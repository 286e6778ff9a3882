"""The data step: source files -> de-duplicated train / held-out split -> byte-level BPE.

Files are split by file, never by line, so the held-out files are code the model has never
seen (not even other parts of the same file). De-duplication is by content after normalising
line ends and trailing whitespace: the standard library ships some modules twice (vendored
copies, test fixtures), and a duplicate across the split would leak held-out code.

Output (``CodeDataArgs.output``)::

    train.jsonl     {"path", "text"} per training file
    heldout.jsonl   the same for the held-out files
    tokenizer.json  byte-level BPE with the special tokens below (or --tokenizer's copy)
    stats.json      counts, sizes, arguments, and the corpus inventory (every package with
                    its version and file count, :func:`inventory`); data.log
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import logging
import platform
import random
import site
import sysconfig
import time
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any

from server.workspace.text_files import UndecodableFile, read_text
from server.workspace.walk import iter_files
from training.code.args import CodeDataArgs
from training.runlog import write_json, write_jsonl

log = logging.getLogger(__name__)

#: Special tokens of a tokenizer Quill trains (ids 0-4, in this order). The FIM sentinels
#: follow the StarCoder/Qwen naming; ``<|endoftext|>`` ends every file and every FIM example.
EOS = "<|endoftext|>"
FIM_PREFIX = "<|fim_prefix|>"
FIM_SUFFIX = "<|fim_suffix|>"
FIM_MIDDLE = "<|fim_middle|>"
PAD = "<|pad|>"
SPECIAL_TOKENS = (EOS, FIM_PREFIX, FIM_SUFFIX, FIM_MIDDLE, PAD)


def default_roots(site_packages: bool) -> list[Path]:
    """The running interpreter's standard library (and, if asked, its site-packages)."""
    roots = [Path(sysconfig.get_paths()["stdlib"])]
    if site_packages:
        roots += [Path(p) for p in site.getsitepackages() if Path(p).is_dir()]
    return roots


STDLIB = "standard library"


def inventory(paths: Iterable[str], roots: Sequence[Path]) -> list[dict[str, Any]]:
    """What a corpus is made of, so anyone can check what a model saw: files per package,
    each ``{"source", "package", "version", "files"}``. The standard library's top-level
    packages (its single modules as one entry) carry the interpreter's version; a
    site-packages folder its distribution's name and version; a ``--corpus`` folder its
    name."""
    stdlib = Path(sysconfig.get_paths()["stdlib"]).resolve()
    distributions = importlib.metadata.packages_distributions()
    counts: Counter[tuple[str, str, str]] = Counter()
    for raw in paths:
        path = Path(raw).resolve()
        parts = path.parts
        if "site-packages" in parts:
            top = parts[parts.index("site-packages") + 1].removesuffix(".py")
            names = distributions.get(top, [top])
            try:
                version = importlib.metadata.version(names[0])
            except importlib.metadata.PackageNotFoundError:
                version = "?"
            counts["site-packages", names[0], version] += 1
        elif path.is_relative_to(stdlib):
            inner = path.relative_to(stdlib).parts
            package = inner[0] if len(inner) > 1 else "(single modules)"
            counts[STDLIB, package, platform.python_version()] += 1
        else:
            root = next((r for r in roots if path.is_relative_to(r.resolve())), path.parent)
            counts["corpus", root.name, ""] += 1
    return [
        {"source": source, "package": package, "version": version, "files": n}
        for (source, package, version), n in sorted(counts.items())
    ]


def _normalised(text: str) -> str:
    return "\n".join(line.rstrip() for line in text.replace("\r\n", "\n").split("\n"))


def collect(
    roots: Iterable[Path], extensions: tuple[str, ...], max_bytes: int, *, default: bool
) -> Iterator[tuple[Path, str]]:
    """``(path, text)`` of each readable source file under ``roots``. A user's folders are
    walked with ``.gitignore`` respected (:func:`server.workspace.walk.iter_files`); the
    interpreter's own (``default``) are not, since a tool may keep them in an ignored folder of
    its own repository (pyenv ignores ``versions/``), and site-packages is skipped inside the
    standard library unless it was named as a root itself."""
    for root in roots:
        files = iter_files([root], known_languages_only=False, respect_gitignore=not default)
        for path in files:
            if not path.name.endswith(extensions) or not path.is_file():
                continue
            if default and "site-packages" in path.parts and "site-packages" not in root.parts:
                continue
            try:
                text = read_text(path, max_bytes)
            except (UndecodableFile, OSError):
                continue
            if text.strip():
                yield path, _normalised(text)


def split_files(
    files: list[tuple[str, str]], fraction: float, cap: int, seed: int
) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    """Held-out files chosen by a seeded shuffle: ``(train, heldout)``."""
    order = list(range(len(files)))
    random.Random(seed).shuffle(order)
    n = max(1, round(len(files) * fraction)) if len(files) > 1 else 0
    if cap:
        n = min(n, cap)
    held = set(order[:n])
    train = [f for i, f in enumerate(files) if i not in held]
    return train, [files[i] for i in sorted(held)]


def train_tokenizer(texts: Iterable[str], vocab_size: int, out: Path) -> Path:
    """A byte-level BPE (GPT-2's byte alphabet: every string round-trips, no unknown token)."""
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers

    tok = Tokenizer(models.BPE())
    # add_prefix_space=False: a prompt cut anywhere encodes the same way as in training.
    tok.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    tok.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(
        vocab_size=vocab_size,
        special_tokens=list(SPECIAL_TOKENS),
        initial_alphabet=pre_tokenizers.ByteLevel.alphabet(),
        min_frequency=2,
        show_progress=False,
    )
    tok.train_from_iterator(texts, trainer=trainer)
    tok.save(str(out))
    return out


def run(args: CodeDataArgs) -> dict[str, Any]:
    t0 = time.time()
    out = args.output
    out.mkdir(parents=True, exist_ok=True)
    roots = list(args.corpus) or default_roots(args.site_packages)
    extensions = tuple(e.strip() for e in args.extensions.split(",") if e.strip())
    seen: set[str] = set()
    files: list[tuple[str, str]] = []
    duplicates = 0
    for path, text in collect(roots, extensions, args.max_file_bytes, default=not args.corpus):
        digest = hashlib.sha256(text.encode("utf-8")).hexdigest()
        if digest in seen:
            duplicates += 1
            continue
        seen.add(digest)
        files.append((str(path), text))
    if not files:
        raise SystemExit(
            f"no {', '.join(extensions)} files under {', '.join(map(str, roots))}"
            + (
                " (a --corpus folder is read with .gitignore respected: is it ignored?)"
                if args.corpus
                else ""
            )
        )
    if args.max_files and len(files) > args.max_files:
        rng = random.Random(args.seed)
        files = sorted(rng.sample(files, args.max_files))
    train, heldout = split_files(files, args.heldout_fraction, args.max_heldout_files, args.seed)
    write_jsonl(out / "train.jsonl", ({"path": p, "text": t} for p, t in train))
    write_jsonl(out / "heldout.jsonl", ({"path": p, "text": t} for p, t in heldout))
    if args.tokenizer is not None:
        (out / "tokenizer.json").write_bytes(Path(args.tokenizer).read_bytes())
    else:
        train_tokenizer((t for _, t in train), args.vocab_size, out / "tokenizer.json")
    stats = {
        "args": args,
        "roots": [str(r) for r in roots],
        "files": len(files),
        "duplicates_dropped": duplicates,
        "train_files": len(train),
        "heldout_files": len(heldout),
        "train_mb": round(sum(len(t) for _, t in train) / 1e6, 2),
        "heldout_mb": round(sum(len(t) for _, t in heldout) / 1e6, 2),
        "corpus": inventory((p for p, _ in train), roots),
        "seconds": round(time.time() - t0, 1),
    }
    write_json(out / "stats.json", stats)
    log.info(
        "%d files (%d duplicates dropped): %d train (%.1f MB), %d held out, tokenizer in %.0fs",
        len(files),
        duplicates,
        len(train),
        stats["train_mb"],
        len(heldout),
        stats["seconds"],
    )
    return stats
