"""real-identifier-typos: identifier typos that people made and fixed in public commits.

Input: ``../shared/data/code-typos/srcd-typos-dev.csv`` (columns repository, wrong, correct,
commit, file, line): each row is an identifier as it was written (``getSerlvetName``) and as a
later commit renamed it (``getServletName``). Not every rename is a typo fix (``argv`` ->
``args``), and that is left as it is: the rows are scored as the data set gives them.

How a case is made: the file's extension gives its language (Quill's ``language_for_path``);
rows in a language Quill does not read (C#, Ruby, PHP...) are counted, not scored. The wrong
identifier goes into a small code context of that language, a declaration and a use, chosen
by the identifier's shape: a type (``Title`` case) is declared as a class or struct and
constructed, a constant (``UPPER_CASE``) is defined and read, anything else is a local
variable (or field) assigned and returned. The contexts use only common English words, so
every other flag in them would be a false one (they are counted, as "other flags").

Scoring, per tool: *detected* = a finding that touches the stretch where wrong and correct
differ (widened to the wrong identifier's whole parts, ``snake_case``/``camelCase``) at some
occurrence; *right fix* = applying the tool's first suggestion of every finding on that
occurrence gives the correct identifier (case-insensitive: tools differ in how they case a
suggestion, and the case is not the typo). codespell gives no column: its word is looked up
in the identifier on the finding's line.

Halves: rows are split by a stable hash of the *repository* name (blake2b), so that no
repository's habits leak from one half into the other: the *tuning* half is the one Quill's
engine may be looked at and tuned on, the *check* half is only ever reported.

Beside it, the false flags of Quill's engine (per file, no project vocabulary: the same entry
point as above) per 1,000 lines of fp-code's clean-code samples, since a checker that flags
every unknown part would detect every typo.

Fairness: every tool reads the same case files in one run (Quill's engine in-process per file,
as in ``identifier_typos``; the peers' CLIs on the case directory, CSpell with suggestions).
The peers run on the check half only: the tuning half is there to tune Quill on, and
CSpell's suggestions are most of the suite's time.
"""

from __future__ import annotations

import csv
import hashlib
import json
import time
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path, PurePath

from . import corpora, fp_code, peers
from .common import DATA, WORK, Finding, Table, count_lines, fmt, pct
from .identifier_typos import Span, split_identifier

CSV_PATH = DATA / "code-typos" / "srcd-typos-dev.csv"
HALVES = ("tuning", "check")
TOOLS = ("quill", "typos", "cspell", "codespell")

#: Contexts per language family and identifier shape; ``{name}`` is the wrong identifier.
_PYTHON = {
    "type": 'class {name}:\n    """A record kept for the report."""\n\n\n'
    "def build():\n    return {name}()\n",
    "constant": "{name} = 10\n\n\ndef limit():\n    return {name} + 1\n",
    "other": 'def handle(request):\n    {name} = request.get("value")\n    return {name}\n',
}
_JAVASCRIPT = {
    "type": "class {name} {}\n\nexport function build() {\n  return new {name}();\n}\n",
    "constant": "const {name} = 10;\n\nexport function limit() {\n  return {name} + 1;\n}\n",
    "other": "export function handle(request) {\n  const {name} = request.value;\n"
    "  return {name};\n}\n",
}
_JAVA = {
    "type": "class {name} {\n}\n\npublic class Example {\n    public Object build() {\n"
    "        return new {name}();\n    }\n}\n",
    "constant": "public class Example {\n    private static final int {name} = 10;\n\n"
    "    public int limit() {\n        return {name} + 1;\n    }\n}\n",
    "other": "public class Example {\n    private int {name} = 0;\n\n"
    "    public int read() {\n        return this.{name};\n    }\n}\n",
}
_GO = {
    "type": "package main\n\ntype {name} struct{}\n\nfunc build() *{name} {\n"
    "\treturn &{name}{}\n}\n",
    "constant": "package main\n\nconst {name} = 10\n\nfunc limit() int {\n\treturn {name} + 1\n}\n",
    "other": "package main\n\nfunc handle(request map[string]int) int {\n"
    '\t{name} := request["value"]\n\treturn {name}\n}\n',
}
_C = {
    "type": "struct {name} {\n    int count;\n};\n\nint size(struct {name} *value)\n{\n"
    "    return value->count;\n}\n",
    "constant": "static const int {name} = 10;\n\nint limit(void)\n{\n    return {name} + 1;\n}\n",
    "other": "int handle(int request)\n{\n    int {name} = request;\n    return {name};\n}\n",
}
_CPP = {
    **_C,
    "type": "class {name} {\npublic:\n    int count;\n};\n\n{name} *build()\n{\n"
    "    return new {name}();\n}\n",
}
CONTEXTS: dict[str, dict[str, str]] = {
    "python": _PYTHON,
    "javascript": _JAVASCRIPT,
    "javascriptreact": _JAVASCRIPT,
    "typescript": _JAVASCRIPT,
    "typescriptreact": _JAVASCRIPT,
    "java": _JAVA,
    "go": _GO,
    "c": _C,
    "cpp": _CPP,
}


@dataclass(frozen=True)
class Row:
    """One fixed identifier typo of the data set."""

    repository: str
    wrong: str
    correct: str
    file: str

    @property
    def half(self) -> str:
        return half_of(self.repository)


def half_of(repository: str) -> str:
    """``tuning`` or ``check``, from a stable hash of the repository name."""
    digest = hashlib.blake2b(repository.encode("utf-8"), digest_size=8).digest()
    return HALVES[digest[0] & 1]


def read_rows(path: Path) -> list[Row]:
    with path.open(encoding="utf-8", newline="") as handle:
        return [
            Row(r["repository"], r["wrong"], r["correct"], r["file"])
            for r in csv.DictReader(handle)
            if r["wrong"] and r["correct"] and r["wrong"].isidentifier()
        ]


def language_of(file: str) -> str | None:
    """Quill's language for ``file`` when Quill reads code in it and a context exists."""
    from server.engine.extract import language_for_path

    language = language_for_path(file)
    return language if language in CONTEXTS else None


def shape(name: str) -> str:
    """``type``, ``constant`` or ``other``: which context an identifier goes in."""
    letters = name.strip("_")
    if letters.isupper() and any(c.isalpha() for c in letters):
        return "constant"
    if letters[:1].isupper():
        return "type"
    return "other"


@dataclass(frozen=True)
class Case:
    """One row in its context: where the wrong identifier stands, and what differs."""

    case_id: str
    row: Row
    language: str
    path: str
    text: str
    spans: tuple[Span, ...]
    #: The stretch of ``row.wrong`` that a detection must touch (whole parts).
    diff: tuple[int, int]


def differing(wrong: str, correct: str) -> tuple[int, int]:
    """The stretch of ``wrong`` where it differs from ``correct`` (case-insensitively),
    widened to the identifier parts it touches; an insertion point touches its neighbours."""
    a, b = wrong.lower(), correct.lower()
    start = 0
    while start < min(len(a), len(b)) and a[start] == b[start]:
        start += 1
    end_a, end_b = len(a), len(b)
    while end_a > start and end_b > start and a[end_a - 1] == b[end_b - 1]:
        end_a -= 1
        end_b -= 1
    lo, hi = (start, end_a) if end_a > start else (max(0, start - 1), min(len(a), start + 1))
    for part_start, part_end, _ in split_identifier(wrong):
        if part_start < hi and lo < part_end:
            lo, hi = min(lo, part_start), max(hi, part_end)
    return lo, hi


def make_case(case_id: str, row: Row, language: str) -> Case:
    template = CONTEXTS[language][shape(row.wrong)]
    pieces = template.split("{name}")
    text = row.wrong.join(pieces)
    spans: list[Span] = []
    offset = 0
    for piece in pieces[:-1]:
        offset += len(piece)
        line = text.count("\n", 0, offset) + 1
        col = offset - (text.rfind("\n", 0, offset) + 1)
        spans.append(Span(line, col, col + len(row.wrong)))
        offset += len(row.wrong)
    suffix = PurePath(row.file).suffix.lower()
    return Case(
        case_id,
        row,
        language,
        f"{case_id}{suffix}",
        text,
        tuple(spans),
        differing(row.wrong, row.correct),
    )


def make_cases(rows: Iterable[Row]) -> tuple[list[Case], Counter[str]]:
    """Cases for the rows in languages Quill reads, and the count of the others by suffix."""
    cases: list[Case] = []
    skipped: Counter[str] = Counter()
    for row in rows:
        language = language_of(row.file)
        if language is None:
            skipped[PurePath(row.file).suffix.lower() or "(none)"] += 1
            continue
        cases.append(make_case(f"c{len(cases):05d}", row, language))
    return cases, skipped


# -- scoring ----------------------------------------------------------------------------------
def _within(finding: Finding, span: Span, wrong: str) -> tuple[int, int] | None:
    """Where ``finding`` lies inside the identifier at ``span`` (identifier-relative)."""
    if finding.line != span.line:
        return None
    if finding.col_start is None or finding.col_end is None:
        at = wrong.lower().find(finding.text.lower())
        return (at, at + len(finding.text)) if at >= 0 and finding.text else None
    if not finding.overlaps(span.line, span.start, span.end):
        return None
    return max(0, finding.col_start - span.start), min(len(wrong), finding.col_end - span.start)


def apply_fixes(wrong: str, fixes: Sequence[tuple[int, int, str]]) -> str:
    """``wrong`` with each ``(start, end, replacement)`` applied (non-overlapping ones, the
    first of any that overlap)."""
    out, last = [], 0
    for start, end, replacement in sorted(fixes):
        if start < last:
            continue
        out += [wrong[last:start], replacement]
        last = end
    return "".join([*out, wrong[last:]])


@dataclass(frozen=True)
class Verdict:
    detected: bool
    fixed: bool
    fix: str
    other_flags: int


def score(case: Case, findings: Sequence[Finding]) -> Verdict:
    """What one tool's findings on ``case``'s file amount to."""
    wrong, correct = case.row.wrong, case.row.correct
    lo, hi = case.diff
    detected = fixed = False
    best_fix = ""
    used: set[int] = set()
    for span in case.spans:
        edits: list[tuple[int, int, str]] = []
        for index, finding in enumerate(findings):
            where = _within(finding, span, wrong)
            if where is None:
                continue
            used.add(index)
            start, end = where
            if start < hi and lo < end:
                detected = True
            if finding.suggestions:
                edits.append((start, end, finding.suggestions[0]))
        if edits:
            fix = apply_fixes(wrong, edits)
            best_fix = best_fix or fix
            if fix.lower() == correct.lower():
                fixed, best_fix = True, fix
    return Verdict(detected, fixed and detected, best_fix, len(findings) - len(used))


# -- clean code ------------------------------------------------------------------------------
#: Misspellings that the clean-code samples really hold, read by hand (word -> meant): a
#: flag on one of them is a right one, and the false-flag rate leaves it out.
MISSPELLINGS_IN_CLEAN_CODE = (
    Path(__file__).resolve().parent / "data" / "clean-code-misspellings.tsv"
)


def misspellings_in_clean_code(path: Path = MISSPELLINGS_IN_CLEAN_CODE) -> dict[str, str]:
    """The hand-read list of real misspellings in fp-code's samples (lower case)."""
    out: dict[str, str] = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            word, _, meant = line.partition("\t")
            out[word.strip().lower()] = meant.strip()
    return out


def clean_code_rate(quick: bool) -> dict[str, float | int]:
    """Quill's engine flags per 1,000 lines of fp-code's two samples (no vocabulary), and
    the false ones among them: flags on words that are not misspellings the code holds."""
    samples = {
        "python": fp_code.python_sample(corpora.stdlib_files(), quick),
        "other": fp_code.other_sample(quick),
    }
    real = misspellings_in_clean_code()
    out: dict[str, float | int] = {}
    total_flags = total_false = total_lines = 0
    for name, files in samples.items():
        words = [
            finding.text.lower()
            for f in files
            for finding, _ in peers.quill_engine_check(str(f.relative), f.text)
        ]
        flags, false = len(words), sum(w not in real for w in words)
        lines = sum(f.lines for f in files)
        out[f"{name}_flags"], out[f"{name}_lines"] = flags, lines
        out[name] = 1000 * flags / lines if lines else float("nan")
        out[f"{name}_false"] = 1000 * false / lines if lines else float("nan")
        total_flags += flags
        total_false += false
        total_lines += lines
    out["all"] = 1000 * total_flags / total_lines if total_lines else float("nan")
    out["all_false"] = 1000 * total_false / total_lines if total_lines else float("nan")
    return out


# -- the suite ---------------------------------------------------------------------------------
def run_tools(cases: Sequence[Case], case_dir: Path) -> dict[str, peers.ToolRun]:
    """Quill's engine on every case (per file, in-process); the peers' CLIs on the cases of
    the check half only, written under ``case_dir``."""
    quill = peers.ToolRun("quill", command="Checker(CheckOptions(dialect='en-US')).check per file")
    started = time.perf_counter()
    for case in cases:
        quill.findings.extend(
            f for f, _ in peers.quill_engine_check(case.path, case.text, case.language)
        )
    quill.seconds = time.perf_counter() - started
    checked = [c for c in cases if c.row.half == "check"]
    corpora.write_corpus(
        [corpora.SourceFile(Path(c.path), c.path, c.text) for c in checked], case_dir
    )
    case_dir.mkdir(parents=True, exist_ok=True)  # a check half may be empty (a tiny CSV)
    texts = peers.FileTexts({str(case_dir / c.path): c.text for c in checked})
    return {
        "quill": quill,
        "typos": peers.run_typos([case_dir], texts),
        "cspell": peers.run_cspell([case_dir], suggestions=True, texts=texts),
        "codespell": peers.run_codespell([case_dir]),
    }


def scored(tool: str, half: str) -> bool:
    """Whether ``tool`` is scored on ``half``: Quill on both, the peers on the check half only
    (the tuning half is Quill's to tune on)."""
    return tool == "quill" or half == "check"


def evaluate(
    cases: Sequence[Case], runs: dict[str, peers.ToolRun]
) -> dict[str, dict[str, Verdict]]:
    """Each case's verdict per tool that ran (case id -> tool -> verdict)."""
    grouped: dict[str, dict[str, list[Finding]]] = {}
    for tool, tool_run in runs.items():
        for finding in tool_run.findings:
            grouped.setdefault(tool, {}).setdefault(Path(finding.path).name, []).append(finding)
    return {
        case.case_id: {
            tool: score(case, grouped.get(tool, {}).get(case.path, []))
            for tool, tool_run in runs.items()
            if tool_run.ok and scored(tool, case.row.half)
        }
        for case in cases
    }


def half_table(
    half: str,
    cases: Sequence[Case],
    verdicts: dict[str, dict[str, Verdict]],
    runs: dict[str, peers.ToolRun],
) -> Table:
    """Detected / right fix per language (and all) for one half."""
    chosen = [c for c in cases if c.row.half == half]
    languages = sorted(Counter(c.language for c in chosen).items(), key=lambda kv: -kv[1])
    table = Table(
        f"real-identifier-typos, {half} half: {len(chosen)} cases from "
        f"{len({c.row.repository for c in chosen})} repositories; detected / right fix",
        ["language", "cases", *runs],
    )
    groups = [("all", chosen)] + [
        (lang, [c for c in chosen if c.language == lang]) for lang, _ in languages
    ]
    for name, group in groups:
        row = [name, str(len(group))]
        for tool, tool_run in runs.items():
            if not tool_run.ok:
                row.append(f"**{tool_run.error}**")
                continue
            if not scored(tool, half):
                row.append("-")
                continue
            found = [verdicts[c.case_id][tool] for c in group]
            row.append(
                f"{pct(sum(v.detected for v in found), len(found))} / "
                f"{pct(sum(v.fixed for v in found), len(found))}"
            )
        table.rows.append(row)
    return table


def run(quick: bool, csv_path: Path = CSV_PATH, clean_code: bool = True) -> dict[str, object]:
    started = time.perf_counter()
    rows = read_rows(csv_path)
    if quick:
        rows = rows[::10]
    cases, skipped = make_cases(rows)
    runs = run_tools(cases, WORK / "real-identifier-typos" / "cases")
    verdicts = evaluate(cases, runs)
    tables = [half_table(half, cases, verdicts, runs) for half in HALVES]
    totals: dict[str, dict[str, dict[str, int]]] = {}
    for half in HALVES:
        for tool, tool_run in runs.items():
            if not tool_run.ok or not scored(tool, half):
                continue
            found = [verdicts[c.case_id][tool] for c in cases if c.row.half == half]
            totals.setdefault(half, {})[tool] = {
                "cases": len(found),
                "detected": sum(v.detected for v in found),
                "fixed": sum(v.fixed for v in found),
                "other_flags": sum(v.other_flags for v in found),
            }
    lines = sum(count_lines(c.text) for c in cases if c.row.half == "check") or 1
    tables[0].notes += [
        f"{len(rows)} rows read, {len(cases)} in a language Quill reads; not scored: "
        + ", ".join(f"{suffix} {n}" for suffix, n in skipped.most_common()),
        "detected = a finding touches the stretch where wrong and correct differ (widened to "
        "whole identifier parts); right fix = every finding's first suggestion applied to "
        "the identifier gives the correct one (case-insensitive).",
        "Quill = engine in-process per file (no project vocabulary); peers = their CLIs on the "
        "check half's case directory in one run, CSpell with suggestions (the tuning half is "
        "for tuning Quill: peers are compared on the check half only). codespell does not "
        "split identifiers.",
        "other flags in the check half's contexts (per 1,000 lines): "
        + ", ".join(
            f"{tool} {fmt(1000 * totals['check'][tool]['other_flags'] / lines)}"
            for tool in runs
            if tool in totals.get("check", {})
        ),
    ]
    clean = clean_code_rate(quick) if clean_code else {}
    if clean:
        tables[-1].notes.append(
            "Quill's engine on clean code (fp-code's samples, per file, no vocabulary): "
            f"{fmt(float(clean['all']))} flags per 1,000 lines (Python "
            f"{fmt(float(clean['python']))} on {int(clean['python_lines']):,} lines, other "
            f"languages {fmt(float(clean['other']))} on {int(clean['other_lines']):,} lines); "
            f"false flags {fmt(float(clean['all_false']))} per 1,000 lines (Python "
            f"{fmt(float(clean['python_false']))}, other {fmt(float(clean['other_false']))}): "
            "the flags on misspellings the samples really hold, read by hand "
            "(benchmarks/data/clean-code-misspellings.tsv), left out; "
            "target of issue 18: right fix >= 60% at <= 1.2 false flags."
        )
    tuning_q = totals.get("tuning", {}).get("quill", {})
    check_q = totals.get("check", {}).get("quill", {})
    summary = (
        "real-identifier-typos (detected / right fix), tuning half: Quill "
        f"{pct(tuning_q.get('detected', 0), tuning_q.get('cases', 0))} / "
        f"{pct(tuning_q.get('fixed', 0), tuning_q.get('cases', 0))}; check half: Quill "
        f"{pct(check_q.get('detected', 0), check_q.get('cases', 0))} / "
        f"{pct(check_q.get('fixed', 0), check_q.get('cases', 0))}, "
        + ", ".join(
            f"{tool} {pct(totals['check'][tool]['detected'], totals['check'][tool]['cases'])}"
            f" / {pct(totals['check'][tool]['fixed'], totals['check'][tool]['cases'])}"
            for tool in runs
            if tool != "quill" and runs[tool].ok and "check" in totals
        )
    )
    if clean:
        summary += (
            f"; Quill on clean code {fmt(float(clean['all']))} flags / 1k lines "
            f"({fmt(float(clean['all_false']))} false)"
        )
    return {
        "suite": "real-identifier-typos",
        "tables": [t.as_dict() for t in tables],
        "commands": {t: r.command for t, r in runs.items()},
        "totals": totals,
        "clean_code": clean,
        "skipped": dict(skipped),
        "details": str(write_details(cases, verdicts)),
        "seconds": time.perf_counter() - started,
        "summary": [summary],
    }


def write_details(cases: Sequence[Case], verdicts: dict[str, dict[str, Verdict]]) -> Path:
    """Every case's verdicts as JSON lines under ``WORK`` (not in the repository: the rows
    are the data set's)."""
    path = WORK / "real-identifier-typos" / "details.jsonl"
    path.parent.mkdir(parents=True, exist_ok=True)
    records = [
        {
            "id": c.case_id,
            "half": c.row.half,
            "language": c.language,
            "repository": c.row.repository,
            "wrong": c.row.wrong,
            "correct": c.row.correct,
            "tools": {
                tool: [v.detected, v.fixed, v.fix] for tool, v in verdicts[c.case_id].items()
            },
        }
        for c in cases
    ]
    path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    return path
