#!/usr/bin/env python3
"""Isolated-misspelling benchmark: Quill's speller against Hunspell and Aspell.

Reads misspellings in Norvig's format (``right: wrong1 wrong2 ...``), by default the
development set ``../shared/data/spelling/norvig-spell-testset1.txt`` (relative to the
repository root; never copy it into the repository), and reports for each speller:

* detection: the share of misspellings the speller does not accept as words;
* top-1 / top-5: the share whose intended word is the first / among the first five
  suggestions (a misspelling the speller accepts counts as a miss);
* ms/word: Quill's median time per ``suggest`` call; for the peers, the mean over one batch
  run through their ``-a`` pipe (start-up included, so it is an upper bound).

``--heldout N`` adds a second table on N codespell misspellings from the fixed held-out tenth
that ``python -m training lexicon`` never learns from (chosen deterministically, their corrections
common words). Quill is reported twice: as shipped, and without the known-typo list, which
measures the error model alone (the lists overlap with every public test set).

``--far`` adds the far misspellings poor spellers write (children's and adults' handwriting,
as in the Birkbeck and Holbrook corpora: ``becuz``, ``nollij``, ``pairokeel``), which a one- or
two-letter search never reaches: the rows of the main set at OSA distance 2 or more from the
word, and every held-out codespell pair at distance 3 or more (the whole held-out tenth, not
only the ``--heldout`` sample; Quill's error model never learnt from them).

A missing peer is reported as missing, never dropped. ``--json FILE`` writes the numbers too.
Install the peers with ``apt-get install -y hunspell hunspell-en-us aspell aspell-en``.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import shutil
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from types import ModuleType

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from rapidfuzz.distance import OSA  # noqa: E402

from server.engine.lexicon import Lexicon  # noqa: E402
from server.engine.suggest import Suggester, Tuning  # noqa: E402

DEFAULT_SET = ROOT.parent / "shared" / "data" / "spelling" / "norvig-spell-testset1.txt"
DEFAULT_CODESPELL = ROOT.parent / "shared" / "data" / "typo-lists" / "codespell-dictionary.txt"

Pair = tuple[str, str]  # (misspelling, intended word)


@dataclass
class Result:
    """One speller's numbers on one set (``missing`` says why a peer has none)."""

    name: str
    words: int = 0
    detected: int = 0
    top1: int = 0
    top5: int = 0
    ms_per_word: float = 0.0
    timing: str = ""
    missing: str = ""
    misses: list[tuple[str, str, list[str]]] = field(default_factory=list)

    def row(self) -> str:
        if self.missing:
            return f"| {self.name} | missing: {self.missing} | | | | |"
        n = max(self.words, 1)
        return (
            f"| {self.name} | {self.words} | {100 * self.detected / n:.1f}% | "
            f"{100 * self.top1 / n:.1f}% | {100 * self.top5 / n:.1f}% | "
            f"{self.ms_per_word:.2f} ({self.timing}) |"
        )


def load_norvig(path: Path) -> list[Pair]:
    pairs: list[Pair] = []
    for line in path.read_text(encoding="utf-8").splitlines():
        right, sep, wrongs = line.partition(":")
        if sep:
            pairs.extend((wrong, right.strip()) for wrong in wrongs.split())
    return pairs


def _load_build_script() -> ModuleType:
    """The lexicon's builder (``training/spelling/lexicon.py``), for its held-out split."""
    from training.spelling import lexicon

    return lexicon


def heldout_codespell(path: Path, lexicon: Lexicon, count: int, dialect: str) -> list[Pair]:
    """``count`` held-out codespell pairs: plain lower-case, correction a common word of the
    dialect, the typo not a word. Deterministic: ordered by a salted hash of the typo."""
    held_out: Callable[[str], bool] = _load_build_script().held_out
    pairs: list[Pair] = []
    for line in path.read_text(encoding="utf-8").splitlines():
        typo, sep, fixes = line.partition("->")
        if not sep or "," in fixes:
            continue
        right = fixes.strip()
        if not (typo.isalpha() and typo.islower() and right.isalpha() and right.islower()):
            continue
        if len(typo) < 3 or not held_out(typo) or lexicon.knows(typo, dialect):
            continue
        if not lexicon.knows(right, dialect) or lexicon.bucket(right) > 60:
            continue
        pairs.append((typo, right))

    def order(pair: Pair) -> bytes:
        return hashlib.blake2b(b"heldout-sample:" + pair[0].encode(), digest_size=8).digest()

    return sorted(pairs, key=order)[:count]


def far(pairs: Sequence[Pair], distance: int) -> list[Pair]:
    """The pairs whose misspelling is at least ``distance`` OSA edits from the word (case
    ignored): the errors of poor spellers rather than slips of the fingers."""
    return [(w, r) for w, r in pairs if OSA.distance(w.lower(), r.lower()) >= distance]


def score(result: Result, pairs: Sequence[Pair], answers: Sequence[tuple[bool, list[str]]]) -> None:
    for (wrong, right), (detected, suggestions) in zip(pairs, answers, strict=True):
        result.words += 1
        lowered = [s.lower() for s in suggestions] if detected else []
        result.detected += detected
        if lowered[:1] == [right.lower()]:
            result.top1 += 1
        if right.lower() in lowered[:5]:
            result.top5 += 1
        else:
            result.misses.append((wrong, right, suggestions[:5]))


def run_quill(name: str, pairs: Sequence[Pair], suggester: Suggester, dialect: str) -> Result:
    result = Result(name)
    lexicon = suggester.lexicon
    answers: list[tuple[bool, list[str]]] = []
    times: list[float] = []
    suggester.suggest("warmup")
    for wrong, _ in pairs:
        detected = not lexicon.knows(wrong, dialect)
        started = time.perf_counter()
        suggestions = suggester.suggest(wrong, limit=5)
        times.append(time.perf_counter() - started)
        answers.append((detected, suggestions))
    score(result, pairs, answers)
    result.ms_per_word = 1000 * statistics.median(times) if times else 0.0
    result.timing = "median"
    return result


def run_pipe(name: str, command: list[str], pairs: Sequence[Pair]) -> Result:
    """Ask an ispell-compatible speller through its ``-a`` pipe protocol."""
    result = Result(name)
    if shutil.which(command[0]) is None:
        result.missing = f"`{command[0]}` not installed"
        return result
    lines = ["!"] + [f"^{wrong}" for wrong, _ in pairs]
    started = time.perf_counter()
    try:
        proc = subprocess.run(
            command,
            input="\n".join(lines) + "\n",
            capture_output=True,
            text=True,
            encoding="utf-8",
            timeout=600,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired) as error:
        result.missing = f"failed: {error}"
        return result
    elapsed = time.perf_counter() - started
    if proc.returncode != 0:
        result.missing = f"exit {proc.returncode}: {proc.stderr.strip()[:120]}"
        return result
    answers = parse_pipe(proc.stdout, len(pairs))
    if answers is None:
        result.missing = f"unexpected output: {proc.stdout[:120]!r}"
        return result
    score(result, pairs, answers)
    result.ms_per_word = 1000 * elapsed / max(len(pairs), 1)
    result.timing = "batch mean"
    return result


def parse_pipe(output: str, count: int) -> list[tuple[bool, list[str]]] | None:
    """Parse ``-a`` output: after the banner, one block per input line ending in a blank line.

    In terse mode (``!``) a correct word prints nothing; ``& WORD N OFFSET: s1, s2`` is a
    misspelling with suggestions and ``# WORD OFFSET`` one without.
    """
    lines = output.split("\n")
    if lines and lines[0].startswith("@(#)"):
        lines = lines[1:]
    answers: list[tuple[bool, list[str]]] = []
    current: tuple[bool, list[str]] = (False, [])
    for line in lines:
        if line == "":
            answers.append(current)
            current = (False, [])
            if len(answers) == count:
                break
            continue
        if line.startswith("&"):
            _, _, tail = line.partition(": ")
            current = (True, [s.strip() for s in tail.split(", ") if s.strip()])
        elif line.startswith("#"):
            current = (True, [])
    return answers if len(answers) == count else None


def evaluate(
    title: str,
    pairs: Sequence[Pair],
    lexicon: Lexicon,
    dialect: str,
    tuning: Tuning,
    peers: bool,
) -> list[Result]:
    results = [
        run_quill("Quill", pairs, Suggester(lexicon, dialect, tuning=tuning), dialect),
        run_quill(
            "Quill (no typo list)",
            pairs,
            Suggester(lexicon, dialect, tuning=tuning, use_known_typos=False),
            dialect,
        ),
    ]
    if peers:
        locale = dialect.replace("-", "_")
        results.append(run_pipe("Hunspell", ["hunspell", "-a", "-d", locale], pairs))
        results.append(run_pipe("Aspell", ["aspell", "-a", f"--lang={locale}"], pairs))
    print(f"\n### {title} ({len(pairs)} misspellings, {dialect})\n")
    print("| speller | words | detection | top-1 | top-5 | ms/word |")
    print("|---|---|---|---|---|---|")
    for result in results:
        print(result.row())
    return results


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("testset", nargs="?", type=Path, default=DEFAULT_SET)
    parser.add_argument("--dialect", default="en-US")
    parser.add_argument(
        "--heldout",
        type=int,
        default=0,
        metavar="N",
        help="also evaluate N held-out codespell misspellings",
    )
    parser.add_argument(
        "--far",
        action="store_true",
        help="also evaluate far misspellings: the set's rows at distance >= 2 and held-out "
        "codespell pairs at distance >= 3",
    )
    parser.add_argument("--codespell", type=Path, default=DEFAULT_CODESPELL)
    parser.add_argument("--no-peers", action="store_true", help="skip Hunspell and Aspell")
    parser.add_argument("--json", type=Path, help="also write the results as JSON")
    parser.add_argument("--show-misses", action="store_true", help="list Quill's misses")
    parser.add_argument("--prior-weight", type=float, help="override Tuning.prior_weight")
    args = parser.parse_args(argv)

    lexicon = Lexicon.shipped()
    tuning = Tuning()
    if args.prior_weight is not None:
        tuning = Tuning(**{**asdict(tuning), "prior_weight": args.prior_weight})
    report: dict[str, list[dict[str, object]]] = {}
    main_set = load_norvig(args.testset)
    sets: list[tuple[str, list[Pair]]] = [(args.testset.name, main_set)]
    if args.far:
        sets.append((f"{args.testset.name}, far misspellings (distance >= 2)", far(main_set, 2)))
        everything = heldout_codespell(args.codespell, lexicon, 1_000_000, args.dialect)
        sets.append(("held-out codespell, far misspellings (distance >= 3)", far(everything, 3)))
    if args.heldout:
        sets.append(
            (
                "held-out codespell sample",
                heldout_codespell(args.codespell, lexicon, args.heldout, args.dialect),
            )
        )
    for title, pairs in sets:
        results = evaluate(title, pairs, lexicon, args.dialect, tuning, not args.no_peers)
        report[title] = [{k: v for k, v in asdict(r).items() if k != "misses"} for r in results]
        if args.show_misses:
            for wrong, right, got in results[1].misses:
                print(f"  miss {wrong} -> {right}: {got}", file=sys.stderr)
    if args.json:
        args.json.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
