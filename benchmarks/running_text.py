"""running-text: one real misspelling planted into each of ~1,000 real sentences.

Sentences come from the public-domain books in ``../shared/data/text/gutenberg`` (licence
header and footer stripped, ordinary sentences of 6-40 words only), sampled with a fixed
seed. Into each sentence one word of three letters or more is replaced by a real misspelling
of it, in the word's own case: half the sentences from crate-ci/typos' ``words.csv``
(which Quill ships: optimistic for Quill and for typos), half from codespell's pairs that are
not in ``words.csv`` (in no list Quill ships; a few are in the tenth Quill's error model never
learnt from, counted apart). A misspelling that is itself an English word (SCOWL size 70) is
never planted: that is a grammar problem, not a spelling one.

Every tool reads the same file, one sentence per line, and its findings are mapped back by
line: *detected* = a finding covers the planted word; *top-1* / *top-5* = the intended word
is the first / among the first five suggestions of that finding (case-insensitive; a missed
word counts as wrong); *false flags* = every other finding, per 1,000 clean words of the
file. codespell has no column: its finding counts as the planted one when its word is the
misspelling. Harper's grammar and style lints are left out (only ``Spelling``/``Typo`` kinds),
so it is compared as a spell-checker. Quill runs as its CLI on the file.

A last table takes real misspellings in real context: learners' sentences of JFLEG dev, each
flag judged by what four annotators wrote in its place (``learner_spelling.py``), with Quill's
suggestions ranked with and without their neighbouring words.
"""

from __future__ import annotations

import random
import re
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import asdict, dataclass

from . import corpora, learner_spelling, peers
from .common import WORK, Finding, Table, fmt, pct

SEED = "running-text-v1"
_WORD = re.compile(r"(?<![\w’'\-])[A-Za-z]+(?![\w’'\-])")
_ANY_WORD = re.compile(r"[A-Za-z]+(?:['’][A-Za-z]+)*")


@dataclass(frozen=True)
class Planted:
    """The misspelling planted on one line: ``[start, end)`` code points of the new line."""

    line: int
    source: str
    held_out: bool | None
    word: str
    misspelling: str
    start: int
    end: int


def plant_sentence(
    sentence: str,
    source: corpora.TypoSource,
    rng: random.Random,
    used: Counter[str],
    max_uses: int = 1_000_000,
) -> tuple[str, str, str, int] | None:
    """(new sentence, intended word, misspelling, offset) or None when no word of the
    sentence has a misspelling in ``source``. Prefers the least-used intended word, and never
    uses one more than ``max_uses`` times, so a few frequent words (``the``) do not
    dominate."""
    options = [
        m
        for m in _WORD.finditer(sentence)
        if len(m.group()) >= 3
        and used[m.group().lower()] < max_uses
        and source.misspellings(m.group())
    ]
    if not options:
        return None
    least = min(used[m.group().lower()] for m in options)
    options = [m for m in options if used[m.group().lower()] == least]
    match = rng.choice(options)
    word = match.group()
    typo = corpora.match_case(word, rng.choice(source.misspellings(word)))
    new = sentence[: match.start()] + typo + sentence[match.end() :]
    return new, word, typo, match.start()


def make_lines(count: int, seed: str = SEED) -> tuple[list[str], list[Planted]]:
    sentences = corpora.gutenberg_sentences()
    rng = random.Random(seed)
    order = list(range(len(sentences)))
    rng.shuffle(order)
    typo_a, typo_b = corpora.load_typo_sources(min_len=3)
    sources = {"a": typo_a, "b": typo_b}
    wanted = {"a": count // 2, "b": count - count // 2}
    used = {"a": Counter[str](), "b": Counter[str]()}
    max_uses = max(2, count // 200)
    lines: list[str] = []
    planted: list[Planted] = []
    for i in order:
        if not any(wanted.values()):
            break
        key = "a" if wanted["a"] >= wanted["b"] and wanted["a"] else "b"
        result = plant_sentence(sentences[i], sources[key], rng, used[key], max_uses)
        if result is None:
            other = "b" if key == "a" else "a"
            if not wanted[other]:
                continue
            key = other
            result = plant_sentence(sentences[i], sources[key], rng, used[key], max_uses)
            if result is None:
                continue
        new, word, typo, offset = result
        used[key][word.lower()] += 1
        wanted[key] -= 1
        lines.append(new)
        planted.append(
            Planted(
                len(lines),
                key,
                corpora.held_out_tenth(typo),
                word,
                typo,
                offset,
                offset + len(typo),
            )
        )
    return lines, planted


@dataclass
class Score:
    n: int = 0
    detected: int = 0
    top1: int = 0
    top5: int = 0


def score(
    planted: Sequence[Planted], findings: Sequence[Finding], lines: Sequence[str]
) -> tuple[dict[str, Score], list[Finding], int, list[dict[str, object]]]:
    """Scores per source group, the false flags, the number of clean words, and what happened
    on each line."""
    by_line: dict[int, list[Finding]] = {}
    for f in findings:
        by_line.setdefault(f.line, []).append(f)
    groups: dict[str, Score] = {"a": Score(), "b": Score(), "b-held": Score()}
    false_flags: list[Finding] = []
    clean_words = 0
    outcomes: list[dict[str, object]] = []
    for p in planted:
        clean_words += len(_ANY_WORD.findall(lines[p.line - 1])) - 1
        hit: Finding | None = None
        for f in by_line.get(p.line, []):
            covers = (
                f.text.lower() == p.misspelling.lower()
                if f.col_start is None
                else f.overlaps(p.line, p.start, p.end)
            )
            if covers and hit is None:
                hit = f
            elif not covers:
                false_flags.append(f)
        suggestions = [s.lower() for s in hit.suggestions] if hit else []
        keys = [p.source] + (["b-held"] if p.source == "b" and p.held_out else [])
        for key in keys:
            s = groups[key]
            s.n += 1
            s.detected += hit is not None
            s.top1 += suggestions[:1] == [p.word.lower()]
            s.top5 += p.word.lower() in suggestions[:5]
        outcomes.append(
            {"detected": hit is not None, "suggestions": list(hit.suggestions[:5]) if hit else []}
        )
    return groups, false_flags, clean_words, outcomes


def run(quick: bool) -> dict[str, object]:
    started = time.perf_counter()
    count = 100 if quick else 1000
    lines, planted = make_lines(count)
    work = WORK / "running-text"
    work.mkdir(parents=True, exist_ok=True)
    path = work / "sentences.txt"
    path.write_text("".join(f"{line}\n" for line in lines), encoding="utf-8")
    texts = peers.FileTexts({str(path): path.read_text(encoding="utf-8")})

    runs: dict[str, peers.ToolRun] = {
        "quill": peers.run_quill_cli([path]),
        "hunspell": peers.run_ispell("hunspell", path),
        "aspell": peers.run_ispell("aspell", path),
        "typos": peers.run_typos([path], texts),
        "codespell": peers.run_codespell([path]),
        "harper": peers.run_harper([path], texts),
        "cspell": peers.run_cspell([path], suggestions=True, texts=texts),
    }
    groups = {
        "a": "(a) typos-words.csv",
        "b": "(b) codespell-only",
        "b-held": "(b) in Quill's held-out tenth",
    }
    tables = {
        g: Table(
            f"running-text {title}",
            [
                "tool",
                "sentences",
                "detected",
                "top-1",
                "top-5",
                "false flags / 1k clean words",
                "seconds",
            ],
        )
        for g, title in groups.items()
    }
    per_tool: dict[str, object] = {}
    summary_bits: list[str] = []
    false_words: dict[str, list[tuple[str, int]]] = {}
    quill_rules: dict[str, int] = {}
    for tool, run_ in runs.items():
        if not run_.ok:
            for table in tables.values():
                table.rows.append([tool, f"**{run_.error}**", "", "", "", "", ""])
            continue
        scores, false_flags, clean, outcomes = score(planted, run_.findings, lines)
        fp_rate = 1000 * len(false_flags) / clean if clean else float("nan")
        for g, table in tables.items():
            s = scores[g]
            table.rows.append(
                [
                    tool,
                    str(s.n),
                    pct(s.detected, s.n),
                    pct(s.top1, s.n),
                    pct(s.top5, s.n),
                    fmt(fp_rate),
                    fmt(run_.seconds, 1),
                ]
            )
        false_words[tool] = Counter(f.text for f in false_flags).most_common(25)
        rules = Counter(f.rule for f in false_flags if f.rule)
        if tool == "quill":
            quill_rules = dict(rules)
        per_tool[tool] = {
            "scores": {g: asdict(s) for g, s in scores.items()},
            "false_flags": len(false_flags),
            "false_flags_by_rule": dict(rules),
            "clean_words": clean,
            "outcomes": outcomes,
            "command": run_.command,
        }
        b = scores["b"]
        summary_bits.append(f"{tool} {pct(b.detected, b.n)}/{pct(b.top1, b.n)}/{fmt(fp_rate)}")
    tables["a"].notes += [
        "One file, one sentence per line; every tool run once on it. Quill = its CLI.",
        "Harper: only lints of kind Spelling/Typo count (grammar and style lints are left out).",
        "CSpell skips words under 4 letters by default (kept: that is what its users get).",
        "codespell and typos only know their lists: they flag nothing else, by design.",
    ]
    tables["b-held"].notes.append(
        "A subset of (b): misspellings in the tenth that tools/build_lexicon.py never learns "
        "from; small, so read it with its n."
    )
    if false_words:
        tables["b-held"].notes += [
            f"most frequent false flags, {tool}: " + ", ".join(f"{w} ({n})" for w, n in items[:12])
            for tool, items in false_words.items()
        ]
    if quill_rules:
        tables["b-held"].notes.append(
            "Quill's false flags by rule: "
            + ", ".join(f"{rule} {n}" for rule, n in sorted(quill_rules.items()))
            + " (spelling.dialect = a British spelling in en-US text: the books are British)."
        )
    if false_words.get("hunspell") and any(w == "’" for w, _ in false_words["hunspell"]):
        tables["b-held"].notes.append(
            "Hunspell reports the typographic apostrophe ’ itself as an unknown word in its "
            "pipe mode (counted: that is what its users see)."
        )
    # Disagreements on detection, Quill vs Hunspell (the classic dictionary speller).
    if "quill" in per_tool and "hunspell" in per_tool:
        q = per_tool["quill"]["outcomes"]  # type: ignore[index]
        h = per_tool["hunspell"]["outcomes"]  # type: ignore[index]
        missed = [
            f"{p.misspelling} ({p.word})"
            for p, qo, ho in zip(planted, q, h, strict=True)
            if ho["detected"] and not qo["detected"]
        ]
        tables["b-held"].notes.append(
            f"Hunspell detects but Quill misses: {len(missed)}, e.g. " + ", ".join(missed[:20])
        )
    learners, learner_raw = learner_spelling.run(quick)
    learner_summary = [
        f"{name} {pct(int(r['first']), int(r['flags']))}"
        for name, r in learner_raw.items()
        if isinstance(r, dict) and r.get("flags")
    ]
    return {
        "suite": "running-text",
        "tables": [*(t.as_dict() for t in tables.values()), learners.as_dict()],
        "learners": learner_raw,
        "commands": {t: r.command for t, r in runs.items()},
        "planted": [asdict(p) for p in planted],
        "tools": per_tool,
        "false_words": false_words,
        "seconds": time.perf_counter() - started,
        "summary": [
            "running-text (b) detected/top-1/false flags per 1k words: " + ", ".join(summary_bits),
            "learner sentences (JFLEG dev), first suggestion right among flags: "
            + ", ".join(learner_summary),
        ],
    }
