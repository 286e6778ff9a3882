"""Spelling in learners' sentences: is the first suggestion the word the annotators wrote?

JFLEG dev (``../shared/data/gec/jfleg-dev``: 754 learner sentences, each corrected by four
annotators; a development set, read in place, never copied) holds real misspellings in real
context (``becouse u dont know``, ``siences and tecnologies``). For every word a speller flags,
each reference is aligned to the source sentence (word tokens, :class:`difflib.SequenceMatcher`)
and the flag is judged against what the annotators did with that word:

* *first right*: the first suggestion is the word some reference has in its place (a one-word
  replacement, or one of the words of a longer replacement: ``alot`` -> ``a lot``);
* *top-5*: the same for any of the first five suggestions;
* *corrected by a reference*: some annotator changed the word at all (the rest of the flags
  are words every annotator kept: names, rare but correct words).

"first right" over all flags is the share of a speller's corrections that match an annotator
(what the issue calls precision); over the flags a reference corrects, it says how well the
suggestions are ranked. Quill is run through its engine, sentence by sentence, with the words
around each misspelling ranking its suggestions and without (the channel's order alone), so the
two rows differ only in that; Hunspell and Aspell read the same sentences, one per line.
"""

from __future__ import annotations

import difflib
import re
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path

from . import peers
from .common import ROOT, WORK, Finding, Table, pct

JFLEG = ROOT.parent / "shared" / "data" / "gec" / "jfleg-dev"
_TOKEN = re.compile(r"[A-Za-z]+(?:['’][A-Za-z]+)*|\S")

#: One word token: (start, end, text).
Token = tuple[int, int, str]


def tokens(line: str) -> list[Token]:
    return [(m.start(), m.end(), m.group()) for m in _TOKEN.finditer(line)]


def aligned(source: Sequence[Token], reference: Sequence[Token]) -> list[tuple[str, ...] | None]:
    """For each source token, the reference's words in its place: ``None`` when the reference
    keeps the token, ``()`` when it deletes it (or rewrites it past recognition), else the
    words that replace it (any of them, or all together, may be the right correction)."""
    a = [t[2].lower() for t in source]
    b = [t[2].lower() for t in reference]
    out: list[tuple[str, ...] | None] = [None] * len(a)
    matcher = difflib.SequenceMatcher(None, a, b, autojunk=False)
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            continue
        if op == "delete":
            for i in range(i1, i2):
                out[i] = ()
        elif op == "replace":
            if i2 - i1 == j2 - j1:
                for k in range(i2 - i1):
                    out[i1 + k] = (b[j1 + k],)
            elif i2 - i1 == 1:
                out[i1] = tuple(b[j1:j2])  # one word became several: alot -> a lot
            else:
                # Several words became several others: each takes the reference word most
                # like it, and the word after that (dont -> do n't), when one is alike.
                for i in range(i1, i2):
                    ratio, j = max(
                        (difflib.SequenceMatcher(None, a[i], b[k]).ratio(), -k)
                        for k in range(j1, j2)
                    )
                    out[i] = tuple(b[-j : min(-j + 2, j2)]) if ratio >= 0.5 else ()
    return out


@dataclass
class Score:
    flags: int = 0
    corrected: int = 0
    first: int = 0
    top5: int = 0


def judge(
    findings: Sequence[Finding], sources: Sequence[str], references: Sequence[Sequence[str]]
) -> Score:
    """Score findings (1-based lines of ``sources``) against the references of each line."""
    score = Score()
    cache: dict[int, tuple[list[Token], list[list[tuple[str, ...] | None]]]] = {}
    for finding in findings:
        index = finding.line - 1
        if finding.col_start is None or not 0 <= index < len(sources):
            continue
        if index not in cache:
            src = tokens(sources[index])
            cache[index] = (src, [aligned(src, tokens(refs[index])) for refs in references])
        src, alignments = cache[index]
        position = next(
            (
                i
                for i, (s, e, _) in enumerate(src)
                if finding.col_end is not None and s < finding.col_end and finding.col_start < e
            ),
            None,
        )
        if position is None:
            continue
        score.flags += 1
        places = [al[position] for al in alignments]
        if any(p for p in places):
            score.corrected += 1
        wanted = {w for p in places if p for w in (*p, _joined(p), _joined(p[:1]))}
        suggestions = [s.lower() for s in finding.suggestions]
        score.first += bool(suggestions[:1]) and suggestions[0] in wanted
        score.top5 += any(s in wanted for s in suggestions[:5])
    return score


def _joined(words: Sequence[str]) -> str:
    """A replacement's words as one phrase, contractions closed up (``should n't`` ->
    ``shouldn't``, as the references are tokenized and suggestions are not)."""
    return re.sub(r" (?=n't\b|'(?:s|re|ve|ll|d|m)\b)", "", " ".join(words))


def quill_findings(lines: Sequence[str], context: bool) -> list[Finding]:
    """Quill's spelling findings, one check per sentence (plain text), with or without the
    neighbours ranking the suggestions."""
    from server.engine.checker import Checker

    checker = Checker()
    if not context:
        checker.speller.pairs = None  # the channel's order alone
    found: list[Finding] = []
    for number, line in enumerate(lines, 1):
        for issue in checker.check(line, "plaintext").issues:
            if issue.category.value == "spelling":
                found.append(
                    Finding("jfleg", number, issue.start, issue.end, issue.text, issue.suggestions)
                )
    return found


def load(directory: Path = JFLEG) -> tuple[list[str], list[list[str]]]:
    def read(name: str) -> list[str]:
        return (directory / name).read_text(encoding="utf-8").splitlines()

    return read("dev.src"), [read(f"dev.ref{k}") for k in range(4)]


def run(quick: bool) -> tuple[Table, dict[str, dict[str, int]]]:
    """The learner-sentence table and its raw numbers."""
    table = Table(
        "running-text: learner sentences (JFLEG dev), spelling flags judged by 4 references",
        ["speller", "flags", "corrected by a reference", "first right", "top-5", "seconds"],
    )
    if not (JFLEG / "dev.src").is_file():
        table.rows.append(["all", f"**missing: {JFLEG}**", "", "", "", ""])
        return table, {}
    sources, references = load()
    if quick:
        sources, references = sources[:200], [r[:200] for r in references]
    work = WORK / "learner-spelling"
    work.mkdir(parents=True, exist_ok=True)
    path = work / "sentences.txt"
    path.write_text("".join(f"{line}\n" for line in sources), encoding="utf-8")
    runs: list[tuple[str, Callable[[], list[Finding] | str]]] = [
        ("Quill", lambda: quill_findings(sources, context=True)),
        ("Quill, channel order (no context)", lambda: quill_findings(sources, context=False)),
    ]
    for tool in ("hunspell", "aspell"):

        def ispell(tool: str = tool) -> list[Finding] | str:
            result = peers.run_ispell(tool, path)
            return result.error or result.findings

        runs.append((tool.capitalize(), ispell))
    raw: dict[str, dict[str, int]] = {}
    for name, produce in runs:
        started = time.perf_counter()
        findings = produce()
        seconds = time.perf_counter() - started
        if isinstance(findings, str):
            table.rows.append([name, f"**{findings}**", "", "", "", ""])
            continue
        s = judge(findings, sources, references)
        raw[name] = asdict(s)
        table.rows.append(
            [
                name,
                str(s.flags),
                pct(s.corrected, s.flags),
                f"{pct(s.first, s.flags)} (of corrected: {pct(s.first, s.corrected)})",
                pct(s.top5, s.flags),
                f"{seconds:.1f}",
            ]
        )
    table.notes += [
        f"{len(sources)} sentences of ../shared/data/gec/jfleg-dev (development set, read in "
        "place); each flag aligned to dev.ref0-3 with difflib over word tokens.",
        "first right = the first suggestion is a word some reference has in the flagged "
        "word's place, over all flags (and over the flags some reference corrects).",
        "Quill: the engine on each sentence as plain text; the second row turns off only the "
        "ranking by neighbouring words (server/engine/context.py).",
    ]
    return table, raw
