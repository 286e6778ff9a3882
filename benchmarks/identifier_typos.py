"""identifier-typos: real misspellings planted into real identifiers of real code.

How a case is made: from a seeded sample of standard-library files (disjoint from fp-code's
sample), take an identifier the file itself defines (a function, class, parameter, variable or
``self.`` attribute; never a builtin, keyword, dunder, imported name or a name that also appears
inside a string literal, where renaming would change behaviour), split it into parts at
``snake_case``/``camelCase``, and pick a part that is an English word W (four letters or more)
for which a typo list has a real misspelling M. The identifier is renamed to carry M *at every
occurrence in the file* (NAME tokens only, so comments and docstrings keep the right word),
the way a typo lives in a real repository once autocompletion has spread it; the result must
still parse. One case per file copy.

Two typo sources, reported separately: (a) crate-ci/typos' ``words.csv``, which Quill ships
as its known-typo list, so that row is optimistic for Quill (and for typos, whose list it
is); (b) codespell's pairs whose misspelling is *not* in ``words.csv``, which no shipped list
of Quill has (Quill's error model did learn edit statistics from codespell pairs, except a
fixed tenth; the cases in that held-out tenth are counted separately).

Per tool: *flagged* = some finding covers the planted part at some occurrence; *fixed
right* = that finding's first suggestion equals W (case-insensitive); *FP/1k lines* = all
other findings, anywhere except on the renamed identifier's occurrences, per 1,000 lines of
the case files. codespell gives no column and does not split identifiers, so it is matched by
line and word (the misspelling alone, or the whole renamed identifier when that is the word).

Fairness: every tool reads the same case files in one run. Quill runs through its engine
in-process per file (what the language server does for an open document) rather than its
CLI, because the CLI learns a project vocabulary across the files it is given and hundreds
of near-identical copies would make that learning meaningless.
"""

from __future__ import annotations

import ast
import builtins
import io
import keyword
import random
import re
import time
import tokenize
from collections import Counter
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path

from . import corpora, fp_code, peers
from .common import WORK, Finding, Table, count_lines, fmt, pct

_PART = re.compile(r"[A-Z]+(?![a-z])|[A-Z]?[a-z]+|\d+")
_BUILTINS = frozenset(dir(builtins))


@dataclass(frozen=True)
class Span:
    """A stretch of one line: 1-based ``line``, 0-based code-point ``[start, end)``."""

    line: int
    start: int
    end: int


@dataclass(frozen=True)
class Case:
    """One planted typo: which identifier became what, and where the planted part is."""

    case_id: str
    source: str
    held_out: bool | None
    origin: str
    identifier: str
    renamed: str
    word: str
    misspelling: str
    part_offset: int
    identifier_spans: tuple[Span, ...]

    @property
    def part_spans(self) -> tuple[Span, ...]:
        """Where the misspelt part lies, at every occurrence."""
        width = len(self.misspelling)
        return tuple(
            Span(s.line, s.start + self.part_offset, s.start + self.part_offset + width)
            for s in self.identifier_spans
        )


def split_identifier(name: str) -> list[tuple[int, int, str]]:
    """Parts of an identifier with their offsets: ``getHTTPResponse_code`` -> get, HTTP,
    Response, code."""
    return [(m.start(), m.end(), m.group()) for m in _PART.finditer(name)]


def rename_identifier(text: str, old: str, new: str) -> tuple[str, list[Span]]:
    """Replace every NAME token ``old`` with ``new``; returns the new text and the spans of
    ``new`` in it. Strings, comments and other tokens are left alone."""
    hits: dict[int, list[int]] = {}
    for tok in tokenize.generate_tokens(io.StringIO(text).readline):
        if tok.type == tokenize.NAME and tok.string == old:
            hits.setdefault(tok.start[0], []).append(tok.start[1])
    lines = text.split("\n")
    spans: list[Span] = []
    delta = len(new) - len(old)
    for row, cols in sorted(hits.items()):
        line = lines[row - 1]
        pieces: list[str] = []
        last = 0
        for k, col in enumerate(sorted(cols)):
            pieces.append(line[last:col])
            pieces.append(new)
            last = col + len(old)
            start = col + k * delta
            spans.append(Span(row, start, start + len(new)))
        pieces.append(line[last:])
        lines[row - 1] = "".join(pieces)
    return "\n".join(lines), spans


def defined_identifiers(text: str) -> set[str]:
    """Names this file defines and may rename without changing what it means."""
    tree = ast.parse(text)
    defined: set[str] = set()
    imported: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            defined.add(node.name)
        elif isinstance(node, ast.arg):
            defined.add(node.arg)
        elif isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
            defined.add(node.id)
        elif (
            isinstance(node, ast.Attribute)
            and isinstance(node.ctx, ast.Store)
            and isinstance(node.value, ast.Name)
            and node.value.id in ("self", "cls")
        ):
            defined.add(node.attr)
        elif isinstance(node, ast.Import | ast.ImportFrom):
            for alias in node.names:
                imported.add((alias.asname or alias.name).split(".")[0])
    in_strings: set[str] = set()
    for tok in tokenize.generate_tokens(io.StringIO(text).readline):
        if tok.type == tokenize.STRING:
            in_strings.update(re.findall(r"[A-Za-z_][A-Za-z0-9_]*", tok.string))
    return {
        name
        for name in defined - imported - in_strings - _BUILTINS
        if not keyword.iskeyword(name)
        and not keyword.issoftkeyword(name)
        and not (name.startswith("__") and name.endswith("__"))
        and name not in ("self", "cls")
    }


@dataclass(frozen=True)
class Candidate:
    identifier: str
    part_start: int
    part: str
    word: str


def candidates(text: str, source: corpora.TypoSource, min_len: int = 4) -> list[Candidate]:
    """Every (identifier, part) of ``text`` whose part is a word ``source`` can misspell."""
    found: list[Candidate] = []
    for name in sorted(defined_identifiers(text)):
        for start, _end, part in split_identifier(name):
            if len(part) >= min_len and part.isalpha() and source.misspellings(part):
                found.append(Candidate(name, start, part, part.lower()))
    return found


def plant(text: str, cand: Candidate, misspelling: str) -> tuple[str, str, list[Span]] | None:
    """Rename ``cand.identifier`` so its part carries ``misspelling`` (in the part's case);
    None when the new name would collide with a word of the file or not parse."""
    typo = corpora.match_case(cand.part, misspelling)
    renamed = (
        cand.identifier[: cand.part_start]
        + typo
        + cand.identifier[cand.part_start + len(cand.part) :]
    )
    if not renamed.isidentifier() or keyword.iskeyword(renamed):
        return None
    if re.search(rf"(?<![A-Za-z0-9_]){re.escape(renamed)}(?![A-Za-z0-9_])", text):
        return None
    new_text, spans = rename_identifier(text, cand.identifier, renamed)
    if not spans:
        return None
    try:
        ast.parse(new_text)
    except SyntaxError:
        return None
    return new_text, renamed, spans


def make_cases(
    files: Sequence[corpora.SourceFile],
    sources: dict[str, corpora.TypoSource],
    per_source: int,
    seed: str,
    max_per_file: int = 3,
) -> list[tuple[Case, str]]:
    """``per_source`` cases for each source, spread over the files (one per file per round,
    at most ``max_per_file`` per file) and over the words (least-used word first, none used
    more than ``per_source // 50`` times, at least twice)."""
    max_uses = max(2, per_source // 50)
    rng = random.Random(seed)
    parsed: list[tuple[corpora.SourceFile, set[str]]] = []
    for source_file in files:
        try:
            defined_identifiers(source_file.text)
        except (SyntaxError, tokenize.TokenError, IndentationError):
            continue
        parsed.append((source_file, set()))
    cases: list[tuple[Case, str]] = []
    for key, source in sources.items():
        used_words: Counter[str] = Counter()
        taken: Counter[str] = Counter()
        done = 0
        for _round in range(max_per_file):
            for source_file, used_identifiers in parsed:
                if done >= per_source:
                    break
                if taken[source_file.relative] >= max_per_file:
                    continue
                options = [
                    c
                    for c in candidates(source_file.text, source)
                    if c.identifier not in used_identifiers and used_words[c.word] < max_uses
                ]
                if not options:
                    continue
                least = min(used_words[c.word] for c in options)
                options = [c for c in options if used_words[c.word] == least]
                cand = rng.choice(options)
                misspelling = rng.choice(source.misspellings(cand.word))
                planted = plant(source_file.text, cand, misspelling)
                if planted is None:
                    continue
                new_text, renamed, spans = planted
                used_identifiers.add(cand.identifier)
                used_words[cand.word] += 1
                taken[source_file.relative] += 1
                done += 1
                case = Case(
                    case_id=f"{key}{done:04d}",
                    source=source.name,
                    held_out=corpora.held_out_tenth(misspelling),
                    origin=source_file.relative,
                    identifier=cand.identifier,
                    renamed=renamed,
                    word=cand.part,
                    misspelling=corpora.match_case(cand.part, misspelling),
                    part_offset=cand.part_start,
                    identifier_spans=tuple(spans),
                )
                cases.append((case, new_text))
    return cases


# -- scoring ----------------------------------------------------------------------------------
@dataclass
class Score:
    cases: int = 0
    flagged: int = 0
    fixed: int = 0
    fp: int = 0
    lines: int = 0


def score_case(case: Case, findings: Sequence[Finding]) -> tuple[bool, bool, int, str]:
    """(flagged, fixed right, false positives elsewhere, first suggestion) for one case."""
    parts = case.part_spans
    ident_lines = {s.line for s in case.identifier_spans}
    words = {case.misspelling.lower(), case.renamed.lower()}
    hit: Finding | None = None
    fp = 0
    for finding in findings:
        if finding.col_start is None:  # codespell: line and word
            on_planted = finding.line in ident_lines and finding.text.lower() in words
            covers = on_planted
        else:
            covers = any(finding.overlaps(s.line, s.start, s.end) for s in parts)
            on_planted = any(
                finding.overlaps(s.line, s.start, s.end) for s in case.identifier_spans
            )
        if covers:
            if hit is None:
                hit = finding
        elif not on_planted:
            fp += 1
    first = hit.suggestions[0] if hit is not None and hit.suggestions else ""
    fixed = hit is not None and first.lower() == case.word.lower()
    return hit is not None, fixed, fp, first


def _listed_but_missed(details: Sequence[dict[str, object]]) -> list[str]:
    """Cases Quill did not flag although the misspelling is in the known-typo list it ships
    (asked through ``Lexicon.known_typo``; empty if that API is not there)."""
    try:
        from server.engine.lexicon import Lexicon

        lexicon = Lexicon.shipped()
        known = lexicon.known_typo
    except (ImportError, AttributeError):
        return []
    missed: list[str] = []
    for record in details:
        tools = record["tools"]
        assert isinstance(tools, dict)
        if tools.get("quill", {}).get("flagged"):
            continue
        misspelling = str(record["misspelling"])
        if known(misspelling.lower()) or known(misspelling):
            missed.append(f"{record['renamed']} ({misspelling})")
    return missed


def run(quick: bool, seed: str = "identifier-typos-v1") -> dict[str, object]:
    per_source = 30 if quick else 300
    work = WORK / "identifier-typos"
    started = time.perf_counter()
    files = corpora.stdlib_files()
    taken = {f.relative for f in fp_code.python_sample(files, quick)}
    # Files up to 1,500 lines: each case is a whole copy, and CSpell's suggestions on the
    # rest of a long module would dominate the run without adding cases.
    pool = [f for f in corpora.sample_lines(files, seed, 10**9, exclude=taken) if f.lines <= 1500]
    typo_a, typo_b = corpora.load_typo_sources(min_len=4)
    cases = make_cases(pool, {"a": typo_a, "b": typo_b}, per_source, seed, max_per_file=2)
    case_dir = work / "cases"
    corpora.write_corpus(
        [
            corpora.SourceFile(Path(c.origin), f"{c.case_id}_{c.origin.replace('/', '__')}", text)
            for c, text in cases
        ],
        case_dir,
    )
    paths = {c.case_id: case_dir / f"{c.case_id}_{c.origin.replace('/', '__')}" for c, _ in cases}
    lines = {c.case_id: count_lines(text) for c, text in cases}
    texts = peers.FileTexts({str(paths[c.case_id]): text for c, text in cases})

    runs: dict[str, peers.ToolRun] = {}
    quill = peers.ToolRun(
        "quill", command="Checker(CheckOptions(dialect='en-US')).check(text, 'python') per file"
    )
    t0 = time.perf_counter()
    for case, text in cases:
        quill.findings.extend(
            f for f, _kind in peers.quill_engine_check(str(paths[case.case_id]), text, "python")
        )
    quill.seconds = time.perf_counter() - t0
    runs["quill"] = quill
    runs["typos"] = peers.run_typos([case_dir], texts)
    runs["cspell"] = peers.run_cspell([case_dir], suggestions=True, texts=texts)
    runs["codespell"] = peers.run_codespell([case_dir])

    by_tool_file: dict[str, dict[str, list[Finding]]] = {}
    for tool, tool_run in runs.items():
        grouped: dict[str, list[Finding]] = {}
        for finding in tool_run.findings:
            grouped.setdefault(str(Path(finding.path).resolve()), []).append(finding)
        by_tool_file[tool] = grouped

    groups = {
        "a": "(a) typos-words.csv",
        "b": "(b) codespell-only",
        "b-held": "(b) in Quill's held-out tenth",
    }
    scores: dict[str, dict[str, Score]] = {g: {t: Score() for t in runs} for g in groups}
    details: list[dict[str, object]] = []
    for case, _text in cases:
        group_keys = [case.case_id[0]] + (
            ["b-held"] if case.case_id[0] == "b" and case.held_out else []
        )
        record: dict[str, object] = {**asdict(case), "tools": {}}
        for tool, tool_run in runs.items():
            if not tool_run.ok:
                continue
            found = by_tool_file[tool].get(str(paths[case.case_id].resolve()), [])
            flagged, fixed, fp, first = score_case(case, found)
            for g in group_keys:
                s = scores[g][tool]
                s.cases += 1
                s.flagged += flagged
                s.fixed += fixed
                s.fp += fp
                s.lines += lines[case.case_id]
            record["tools"][tool] = {"flagged": flagged, "fixed": fixed, "first": first, "fp": fp}  # type: ignore[index]
        details.append(record)

    tables: list[Table] = []
    counts = Counter(c.case_id[0] for c, _ in cases)
    for g, title in groups.items():
        n_cases = sum(
            1
            for c, _ in cases
            if (c.case_id[0] == g) or (g == "b-held" and c.case_id[0] == "b" and c.held_out)
        )
        distinct = len(
            {
                c.misspelling.lower()
                for c, _ in cases
                if (c.case_id[0] == g) or (g == "b-held" and c.case_id[0] == "b" and c.held_out)
            }
        )
        table = Table(
            f"identifier-typos {title}: {n_cases} cases, {distinct} distinct misspellings",
            [
                "tool",
                "cases",
                "flagged",
                "fixed right (1st suggestion)",
                "FP / 1k lines (rest)",
                "seconds (all cases)",
            ],
        )
        for tool, tool_run in runs.items():
            if not tool_run.ok:
                table.rows.append([tool, f"**{tool_run.error}**", "", "", "", ""])
                continue
            s = scores[g][tool]
            table.rows.append(
                [
                    tool,
                    str(s.cases),
                    pct(s.flagged, s.cases),
                    pct(s.fixed, s.cases),
                    fmt(1000 * s.fp / s.lines if s.lines else float("nan")),
                    fmt(tool_run.seconds, 1),
                ]
            )
        tables.append(table)
    tables[0].notes += [
        "Quill ships typos-words.csv as its known-typo list: row (a) is optimistic for Quill "
        "(and for typos, whose list it is).",
        "(b) misspellings are in no list Quill ships; Quill's error model learnt edit "
        "statistics from codespell pairs except a fixed tenth, shown as the third table.",
        "Quill = engine in-process per file (no project vocabulary); peers = their CLIs on the "
        "case directory in one run. CSpell with suggestions (needed for 'fixed right').",
        "codespell does not split identifiers: it can only flag an identifier that is the "
        "misspelling as a whole.",
    ]

    disagreements: dict[str, list[str]] = {}
    for record in details:
        tools = record["tools"]
        assert isinstance(tools, dict)
        q = tools.get("quill", {})
        for peer in ("typos", "cspell"):
            p = tools.get(peer)
            if p and p["flagged"] and not q.get("flagged"):
                disagreements.setdefault(f"{peer} flags, Quill misses", []).append(
                    f"{record['renamed']} ({record['word']}) in {record['origin']}"
                )
            if p and q.get("flagged") and not p["flagged"]:
                disagreements.setdefault(f"Quill flags, {peer} misses", []).append(
                    f"{record['renamed']} ({record['word']})"
                )
        if q.get("flagged") and not q.get("fixed"):
            disagreements.setdefault("Quill flags but 1st suggestion wrong", []).append(
                f"{record['misspelling']} -> {q.get('first')!r} (want {record['word']})"
            )
    listed_misses = _listed_but_missed(details)
    if listed_misses:
        disagreements["Quill misses although its own known-typo list has the misspelling"] = (
            listed_misses
        )
    for key, items in disagreements.items():
        tables[-1].notes.append(f"{key}: {len(items)} cases, e.g. " + "; ".join(items[:8]))

    return {
        "suite": "identifier-typos",
        "tables": [t.as_dict() for t in tables],
        "commands": {t: r.command for t, r in runs.items()},
        "case_counts": dict(counts),
        "cases": details,
        "seconds": time.perf_counter() - started,
        "summary": [
            f"identifier-typos (b, held out from Quill's lists): Quill flags "
            f"{pct(scores['b']['quill'].flagged, scores['b']['quill'].cases)}, fixes "
            f"{pct(scores['b']['quill'].fixed, scores['b']['quill'].cases)}; "
            + ", ".join(
                f"{t} {pct(scores['b'][t].flagged, scores['b'][t].cases)}/"
                f"{pct(scores['b'][t].fixed, scores['b'][t].cases)}"
                for t, r in runs.items()
                if t != "quill" and r.ok
            )
            + " (flagged/fixed)",
        ],
    }
