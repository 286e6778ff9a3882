"""speed: wall time of each tool's CLI on 2 MiB of prose and on ~100,000 lines of code.

Inputs, both deterministic: the prose file is paragraphs of the Python standard library's
docstrings (extracted with ``ast``, sorted file order; without the test directories they come
to about 1.7 MiB) topped up with paragraphs of the Gutenberg books to 2 MiB; the code tree is a
seeded sample of standard-library files (its own seed) copied into a temporary directory.

Each tool is started fresh for every run, so start-up counts (that is what a user or a CI job
pays); the table gives the median of the runs and its ratio to Quill's median. One thread
everywhere a tool allows choosing (typos ``--threads 1``, Harper ``--no-parallel``) and the
runs are sequential, since the machine has two shared cores. Options are the ones the other
suites use: Quill always computes suggestions (it has no switch to skip them), typos and
codespell print their list's corrections, CSpell runs without suggestions (with them it is
~20x slower), Harper always computes them. Harper only reads comments and docstrings of
Python files, so on the code tree it checks much less text than the others. The peak RSS of
each tool (``wait4``) is reported; Quill's is the number to watch.
"""

from __future__ import annotations

import functools
import time
from collections.abc import Callable
from pathlib import Path

from . import corpora, peers
from .common import WORK, Table, fmt, median, ratio

CODE_SEED = "speed-code-v1"


def _timed(
    runs: int, make: Callable[[], peers.ToolRun], budget_s: float
) -> tuple[list[peers.ToolRun], str]:
    """Up to ``runs`` runs; stops early (and says so) when one run exceeds ``budget_s``."""
    done: list[peers.ToolRun] = []
    note = ""
    for _ in range(runs):
        result = make()
        done.append(result)
        if not result.ok:
            break
        if result.seconds > budget_s and len(done) < runs:
            note = f"{len(done)} run(s) only: one run took {result.seconds:.0f} s"
            break
    return done, note


def run(quick: bool, runs: int = 3) -> dict[str, object]:
    started = time.perf_counter()
    work = WORK / "speed"
    work.mkdir(parents=True, exist_ok=True)
    prose_bytes = 256 * 1024 if quick else 2 * 1024 * 1024
    code_lines = 10_000 if quick else 100_000
    runs = 1 if quick else runs
    prose = work / "prose.txt"
    prose_text, prose_origin = corpora.prose_corpus(prose_bytes)
    prose.write_text(prose_text, encoding="utf-8")
    code_files = corpora.sample_lines(corpora.stdlib_files(), CODE_SEED, code_lines)
    code_dir = work / "code"
    corpora.write_corpus(code_files, code_dir)
    code_py = sorted(code_dir.rglob("*.py"))
    n_lines = sum(f.lines for f in code_files)
    size_mib = prose.stat().st_size / 1024 / 1024

    inputs: dict[str, tuple[str, list[Path]]] = {
        "prose": (f"prose: {size_mib:.2f} MiB in one .txt file ({prose_origin})", [prose]),
        "code": (f"code: {len(code_files)} stdlib files, {n_lines:,} lines", [code_dir]),
    }
    tools: dict[str, Callable[[list[Path]], peers.ToolRun]] = {
        "quill": peers.run_quill_cli,
        "typos": peers.run_typos,
        "codespell": peers.run_codespell,
        "cspell": lambda p: peers.run_cspell(p, suggestions=False),
        "harper": lambda p: peers.run_harper(p),
    }
    tables: list[Table] = []
    raw: dict[str, dict[str, object]] = {}
    summary: list[str] = []
    for key, (title, paths) in inputs.items():
        table = Table(
            f"speed, {title}",
            ["tool", "median wall s", "runs (s)", "× Quill", "findings", "peak RSS MiB", "note"],
        )
        results: dict[str, list[peers.ToolRun]] = {}
        notes: dict[str, str] = {}
        for tool, make in tools.items():
            targets = code_py if (tool == "harper" and key == "code") else paths
            budget = 120 if quick else 600
            results[tool], notes[tool] = _timed(runs, functools.partial(make, targets), budget)
        quill_ok = [r for r in results["quill"] if r.ok]
        quill_median = median([r.seconds for r in quill_ok]) if quill_ok else float("nan")
        for tool, done in results.items():
            ok = [r for r in done if r.ok]
            if not ok:
                table.rows.append(
                    [tool, f"**{done[-1].error if done else 'not run'}**", "", "", "", "", ""]
                )
                continue
            times = [r.seconds for r in ok]
            med = median(times)
            note = notes[tool]
            if tool == "harper" and key == "code":
                note = (
                    note + "; " if note else ""
                ) + "Harper reads only comments/docstrings of .py"
            if tool == "cspell":
                note = (note + "; " if note else "") + "no suggestions"
            table.rows.append(
                [
                    tool,
                    fmt(med, 2),
                    ", ".join(fmt(t, 2) for t in times),
                    ratio(med, quill_median),
                    str(len(ok[-1].findings)),
                    fmt(max(r.max_rss_kb for r in ok) / 1024, 0),
                    note,
                ]
            )
            raw.setdefault(key, {})[tool] = {
                "seconds": times,
                "max_rss_kb": [r.max_rss_kb for r in ok],
                "findings": len(ok[-1].findings),
                "command": ok[-1].command,
            }
        table.notes.append("× Quill = tool median / Quill median (above 1: slower than Quill).")
        tables.append(table)
        quill_rss = max((r.max_rss_kb for r in quill_ok), default=0) / 1024
        summary.append(
            f"speed {key}: Quill {fmt(quill_median)} s (peak RSS {quill_rss:.0f} MiB); "
            + ", ".join(
                f"{row[0]} {row[1]} s" for row in table.rows[1:] if not row[1].startswith("**")
            )
        )
    return {
        "suite": "speed",
        "tables": [t.as_dict() for t in tables],
        "raw": raw,
        "inputs": {
            "prose_bytes": prose.stat().st_size,
            "code_files": len(code_files),
            "code_lines": n_lines,
        },
        "seconds": time.perf_counter() - started,
        "summary": summary,
    }
