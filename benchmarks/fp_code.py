"""fp-code: false positives on clean, real code (flags per 1,000 lines).

Inputs (see :mod:`benchmarks.corpora` for what is excluded and why): a seeded sample of about
100,000 lines of this machine's Python standard library, and a second corpus of the other
languages the machine has (npm's JavaScript, C headers, LLVM's C++ headers), so the number is
not Python-only. The code is published, reviewed and widely read, so every flag is counted as
a false positive; the standard library does contain a few real typos, which makes every
tool's number a slight overestimate (the typos that typos, a high-precision list, finds are
listed so a reader can see how few there are).

Tools, all on the same copied files in one run:

* Quill's CLI on the whole corpus, as users run ``quill check`` (it learns the corpus's
  vocabulary: an unknown word used in 3+ files is accepted), and Quill's engine per file
  without that learning, to show what the learning hides;
* typos, CSpell (caps lifted, default dictionaries per file type, no suggestions) and
  codespell.

Each finding is put in a category by the Quill region (``extract_regions``) it starts in:
identifier, comment+docstring, string, or outside every Quill region (words Quill never
looks at, such as keywords of an import path). The 30 words Quill flags most are listed with
whether typos or CSpell also flag them anywhere in the corpus.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Sequence
from pathlib import Path

from . import corpora, peers
from .common import WORK, Finding, Table, fmt

PY_SEED = "fp-code-v1"
PY_LINES, PY_LINES_QUICK = 100_000, 8_000
OTHER_LINES = {"javascript": 20_000, "c": 20_000, "cpp": 15_000}
OTHER_LINES_QUICK = {"javascript": 2_000, "c": 2_000, "cpp": 2_000}
CATEGORIES = ("identifier", "comment+docstring", "string", "outside")


def python_sample(
    files: Sequence[corpora.SourceFile], quick: bool = False
) -> list[corpora.SourceFile]:
    """The fp-code Python sample; the quick one is a prefix of the same shuffle."""
    return corpora.sample_lines(files, PY_SEED, PY_LINES_QUICK if quick else PY_LINES)


def other_sample(quick: bool) -> list[corpora.SourceFile]:
    targets = OTHER_LINES_QUICK if quick else OTHER_LINES
    chosen: list[corpora.SourceFile] = []
    for language, files in corpora.other_language_files().items():
        chosen += corpora.sample_lines(files, f"fp-code-{language}-v1", targets.get(language, 0))
    return chosen


def _category(kind: str) -> str:
    if kind in ("comment", "docstring"):
        return "comment+docstring"
    if kind in ("identifier", "string"):
        return kind
    return "outside"


def _language(path: str) -> str:
    from server.engine.extract import language_for_path

    return language_for_path(path) or "plaintext"


def categorise(findings: Sequence[Finding], texts: dict[str, str]) -> list[str]:
    """The category of every finding (by the Quill region its first character lies in)."""
    by_file: dict[str, list[int]] = {}
    for i, f in enumerate(findings):
        by_file.setdefault(f.path, []).append(i)
    out = ["outside"] * len(findings)
    for i, f in enumerate(findings):
        if f.col_start is None:
            out[i] = "no column"
    for path, indices in by_file.items():
        text = texts.get(path)
        if text is None:
            continue
        kinds = peers.region_kind_of(text, _language(path), [findings[i] for i in indices])
        for i, kind in zip(indices, kinds, strict=True):
            if findings[i].col_start is not None:
                out[i] = _category(kind)
    return out


def _resolve(findings: Sequence[Finding]) -> list[Finding]:
    """Findings with absolute, resolved paths (tools echo paths in their own way)."""
    return [
        Finding(
            str(Path(f.path).resolve()),
            f.line,
            f.col_start,
            f.col_end,
            f.text,
            f.suggestions,
            f.rule,
        )
        for f in findings
    ]


def evaluate(name: str, files: Sequence[corpora.SourceFile], dest: Path) -> dict[str, object]:
    """Run every tool on one corpus and tabulate."""
    paths = corpora.write_corpus(files, dest)
    texts = {str(p.resolve()): s.text for p, s in zip(paths, files, strict=True)}
    lines = sum(s.lines for s in files)
    source = peers.FileTexts(texts)

    runs: dict[str, peers.ToolRun] = {}
    runs["quill (CLI)"] = peers.run_quill_cli([dest])
    engine = peers.ToolRun("quill-engine", command="Checker.check per file, no vocabulary")
    t0 = time.perf_counter()
    for path, text in texts.items():
        engine.findings.extend(f for f, _ in peers.quill_engine_check(path, text))
    engine.seconds = time.perf_counter() - t0
    runs["quill (engine, no vocabulary)"] = engine
    runs["typos"] = peers.run_typos([dest], source)
    runs["cspell"] = peers.run_cspell([dest], suggestions=False, texts=source)
    runs["codespell"] = peers.run_codespell([dest])

    table = Table(
        f"fp-code {name}: {len(files)} files, {lines:,} lines",
        [
            "tool",
            "flags",
            "flags / 1k lines",
            "identifier",
            "comment+docstring",
            "string",
            "outside Quill's regions",
            "seconds",
        ],
    )
    per_language = Table(
        f"fp-code {name}: flags / 1k lines by language",
        ["tool", *sorted({_language(str(p)) for p in paths})],
    )
    lang_lines: Counter[str] = Counter()
    for p, s in zip(paths, files, strict=True):
        lang_lines[_language(str(p))] += s.lines
    words: dict[str, Counter[str]] = {}
    categories_of: dict[str, list[str]] = {}
    resolved: dict[str, list[Finding]] = {}
    for tool, run in runs.items():
        if not run.ok:
            table.rows.append([tool, f"**{run.error}**", "", "", "", "", "", ""])
            per_language.rows.append([tool, *(["n/a"] * (len(per_language.columns) - 1))])
            continue
        found = _resolve(run.findings)
        resolved[tool] = found
        cats = categorise(found, texts)
        categories_of[tool] = cats
        counts = Counter(cats)
        per_k = 1000 / lines if lines else float("nan")
        no_column = counts["no column"] == len(found) and found
        table.rows.append(
            [
                tool,
                str(len(found)),
                fmt(len(found) * per_k),
                *("n/a (no column)" if no_column else fmt(counts[c] * per_k) for c in CATEGORIES),
                fmt(run.seconds, 1),
            ]
        )
        by_lang = Counter(_language(f.path) for f in found)
        per_language.rows.append(
            [
                tool,
                *(
                    fmt(1000 * by_lang[lang] / lang_lines[lang]) if lang_lines[lang] else "n/a"
                    for lang in per_language.columns[1:]
                ),
            ]
        )
        words[tool] = Counter(f.text.lower() for f in found)
    table.notes.append(
        "Categories are Quill's regions (extract_regions) the finding starts in, for every "
        "tool; 'outside' = text Quill never checks (code tokens, import paths...)."
    )
    per_language.notes.append(
        "lines per language: " + ", ".join(f"{k} {v:,}" for k, v in sorted(lang_lines.items()))
    )

    top = Table(
        f"fp-code {name}: the 30 words Quill (CLI) flags most",
        [
            "word",
            "flags",
            "main category",
            "Quill's 1st suggestion",
            "typos flags it",
            "CSpell flags it",
        ],
    )
    quill_key = "quill (CLI)" if "quill (CLI)" in resolved else "quill (engine, no vocabulary)"
    if quill_key in resolved:
        first_sug: dict[str, str] = {}
        cat_by_word: dict[str, Counter[str]] = {}
        for f, cat in zip(resolved[quill_key], categories_of[quill_key], strict=True):
            key = f.text.lower()
            first_sug.setdefault(key, f.suggestions[0] if f.suggestions else "")
            cat_by_word.setdefault(key, Counter())[cat] += 1
        for word, n in words[quill_key].most_common(30):
            top.rows.append(
                [
                    f"`{word}`",
                    str(n),
                    cat_by_word[word].most_common(1)[0][0],
                    first_sug.get(word, "") or "-",
                    ("yes" if words.get("typos", Counter())[word] else "no")
                    if "typos" in words
                    else "n/a",
                    ("yes" if words.get("cspell", Counter())[word] else "no")
                    if "cspell" in words
                    else "n/a",
                ]
            )
    notes: list[str] = []
    if "typos" in resolved:
        sample = sorted(
            {f"{f.text}->{f.suggestions[0] if f.suggestions else '?'}" for f in resolved["typos"]}
        )
        notes.append(
            f"typos' findings here ({len(resolved['typos'])}, {len(sample)} distinct) are the "
            "closest thing to the real typos of this code: "
            + ", ".join(sample[:40])
            + (" ..." if len(sample) > 40 else "")
        )
    if "typos" in resolved and quill_key in words:
        typos_words = {f.text.lower() for f in resolved["typos"]}
        also = sorted(w for w in typos_words if words[quill_key][w])
        missed = sorted(typos_words - set(also))
        notes.append(
            f"Of typos' {len(typos_words)} distinct words, Quill also flags {len(also)}; "
            f"it does not flag: {', '.join(missed[:40]) or 'none'}"
        )
    top.notes += notes
    return {
        "tables": [table, per_language, top],
        "commands": {t: r.command for t, r in runs.items()},
        "top_words": {t: c.most_common(50) for t, c in words.items()},
        "lines": lines,
        "rates": {row[0]: row[2] for row in table.rows},
    }


def run(quick: bool) -> dict[str, object]:
    started = time.perf_counter()
    work = WORK / "fp-code"
    py_files = python_sample(corpora.stdlib_files(), quick)
    other = other_sample(quick)
    results = {
        "python": evaluate("Python stdlib sample", py_files, work / "python"),
        "other": evaluate("other languages (JS, C, C++)", other, work / "other"),
    }
    tables: list[Table] = []
    for r in results.values():
        tables.extend(r["tables"])  # type: ignore[arg-type]
    py_rates = results["python"]["rates"]
    other_rates = results["other"]["rates"]
    assert isinstance(py_rates, dict) and isinstance(other_rates, dict)
    summary = [
        "fp-code flags per 1k lines, Python / other languages: "
        + ", ".join(
            f"{tool} {py_rates.get(tool, 'n/a')} / {other_rates.get(tool, 'n/a')}"
            for tool in py_rates
        )
    ]
    return {
        "suite": "fp-code",
        "tables": [t.as_dict() for t in tables],
        "commands": {k: v["commands"] for k, v in results.items()},
        "top_words": {k: v["top_words"] for k, v in results.items()},
        "files": {"python": [f.relative for f in py_files], "other": [f.relative for f in other]},
        "seconds": time.perf_counter() - started,
        "summary": summary,
    }
