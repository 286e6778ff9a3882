"""lsp: how fast Quill's language server answers an editor, and how much memory it holds.

A minimal LSP client (asyncio, ``Content-Length`` framing, no library between us and the
server) starts ``python -m server`` over stdio the way an editor does, advertises versioned
push diagnostics (no pull), sets ``{"diagnostics": {"debounceMs": 0}}`` so no deliberate
delay is measured, opens no workspace folder (no background vocabulary learning), and:

* opens a 3,000-line Markdown document (Gutenberg prose, with headings, lists and code
  spans) and a 3,000-line Python file (standard-library code), timing ``didOpen`` to the
  first ``publishDiagnostics`` of that version (a cold check of the whole document);
* makes 30 edits to each, every edit replacing one word (incremental ``didChange``, one
  range) and timing until diagnostics for *that* version arrive: median and p90;
* compares with a full check of the same text by a fresh engine in-process (no cache), the
  work the server would do without its per-region cache: the ratio shows what incremental
  checking saves;
* reads the server's ``VmRSS`` from ``/proc/PID/status`` after opening both documents and
  after the edits (the target is under 200 MB).

Edits are chosen with a fixed seed among words of four letters or more inside the
document's prose lines (Markdown) or comments/docstrings and identifiers (Python); each one
swaps two inner letters, so it makes a new misspelling or undoes one.
"""

from __future__ import annotations

import asyncio
import json
import random
import re
import subprocess
import sys
import time
from typing import Any

from . import corpora, lsp_typing
from .common import WORK, Table, child_env, fmt, median, p90, wrap
from .lsp_client import Client, initialize_params, start_server, vm_rss_mb, wait_for_grammar

SEED = "lsp-v1"
DOC_LINES = 3000
EDITS = 30


def markdown_document(lines: int) -> str:
    """Gutenberg paragraphs as Markdown: a heading every few paragraphs, some bullet lists
    and inline code spans, wrapped at ~80 columns, exactly ``lines`` lines."""
    rng = random.Random(SEED + "-md")
    paragraphs: list[str] = []
    for book in sorted(corpora.GUTENBERG.glob("*.txt")):
        for para in re.split(r"\n\s*\n", corpora.gutenberg_body(book)):
            flat = " ".join(para.split())
            if len(flat.split()) >= 12:
                paragraphs.append(flat)
    out: list[str] = ["# A long document", ""]
    section = 0
    while len(out) < lines:
        para = paragraphs[rng.randrange(len(paragraphs))]
        if rng.random() < 0.15:
            section += 1
            out += [f"## Section {section}: {' '.join(para.split()[:4])}", ""]
        if rng.random() < 0.1:
            out += [
                f"- {' '.join(para.split()[i : i + 8])}"
                for i in range(0, min(40, len(para.split())), 8)
            ]
            out.append("")
            continue
        words = para.split()
        if len(words) > 6 and rng.random() < 0.3:
            words[3] = f"`{words[3]}`"
        out += [*wrap(words), ""]
    return "\n".join(out[:lines]) + "\n"


def python_document(lines: int) -> str:
    """Standard-library modules concatenated (seeded order) and cut at ``lines`` lines."""
    files = corpora.sample_lines(corpora.stdlib_files(), SEED + "-py", lines)
    text = "".join(f.text for f in files)
    return "\n".join(text.split("\n")[:lines]) + "\n"


def pick_edits(text: str, language: str, count: int) -> list[tuple[int, int, str, str]]:
    """``count`` (line, column, old word, new word) edits: a word of 4+ letters whose two
    inner letters are swapped, on lines that hold prose/comments (and code, for Python)."""
    rng = random.Random(SEED + language)
    lines = text.split("\n")
    chosen: list[tuple[int, int, str, str]] = []
    candidates = []
    for number, line in enumerate(lines):
        if language == "markdown" and (line.startswith(("#", "-", "```")) or not line.strip()):
            continue
        for m in re.finditer(r"(?<![\w`])[A-Za-z]{4,}(?![\w`])", line):
            candidates.append((number, m.start(), m.group()))
    while len(chosen) < count:
        number, col, word = candidates[rng.randrange(len(candidates))]
        if any(c[0] == number for c in chosen):
            continue
        i = rng.randrange(1, len(word) - 2)
        new = word[:i] + word[i + 1] + word[i] + word[i + 2 :]
        if new == word:
            continue
        chosen.append((number, col, word, new))
    return chosen


_FULL_CHECK = """
import json, statistics, sys, time
from server.engine.checker import Checker, CheckOptions
from server.engine.lexicon import Lexicon
text = open(sys.argv[1], encoding="utf-8").read()
lexicon = Lexicon.shipped()
times = []
for _ in range(int(sys.argv[3])):
    checker = Checker(CheckOptions(dialect="en-US"), lexicon=lexicon)
    started = time.perf_counter()
    checker.check(text, sys.argv[2])
    times.append(time.perf_counter() - started)
print(json.dumps(statistics.median(times)))
"""


def full_check_seconds(text: str, language: str, repeats: int = 3) -> float:
    """A cold check by a fresh engine (new ``Checker``, so no region cache; the lexicon is
    loaded once, outside the timing), in a fresh interpreter so nothing this process holds
    slows it: what a server without incremental checking would do on every edit."""
    path = WORK / f"lsp-full-check.{language}"
    path.write_text(text, encoding="utf-8")
    proc = subprocess.run(
        [sys.executable, "-c", _FULL_CHECK, str(path), language, str(repeats)],
        capture_output=True,
        text=True,
        env=child_env(),
        cwd=WORK,
        check=True,
    )
    return float(json.loads(proc.stdout.strip().splitlines()[-1]))


async def drive(
    docs: dict[str, tuple[str, str]], edits: int, grammar: bool = True
) -> dict[str, Any]:
    proc = await start_server()
    client = Client(proc)
    result: dict[str, Any] = {"pid": proc.pid}
    try:
        t0 = time.perf_counter()
        await client.request(
            "initialize",
            initialize_params({"diagnostics": {"debounceMs": 0}, "grammar": {"enabled": grammar}}),
        )
        await client.notify("initialized", {})
        result["initialize_s"] = time.perf_counter() - t0
        if grammar:
            result["grammar_status"] = await wait_for_grammar(client)
            result["grammar_ready_s"] = time.perf_counter() - t0
        result["rss_after_start_mb"] = vm_rss_mb(proc.pid)
        for name, (language, text) in docs.items():
            uri = (WORK / f"lsp-{name}").as_uri()
            sent = time.perf_counter()
            await client.notify(
                "textDocument/didOpen",
                {"textDocument": {"uri": uri, "languageId": language, "version": 1, "text": text}},
            )
            arrived = await client.diagnostics_at(uri, 1)
            result.setdefault("open_s", {})[name] = arrived - sent
        result["rss_after_open_mb"] = vm_rss_mb(proc.pid)
        for name, (language, text) in docs.items():
            uri = (WORK / f"lsp-{name}").as_uri()
            lines = text.split("\n")
            times: list[float] = []
            for k, (number, col, old, new) in enumerate(pick_edits(text, language, edits)):
                version = k + 2
                line = lines[number]
                start16 = len(line[:col].encode("utf-16-le")) // 2
                end16 = start16 + len(old.encode("utf-16-le")) // 2
                lines[number] = line[:col] + new + line[col + len(old) :]
                sent = time.perf_counter()
                await client.notify(
                    "textDocument/didChange",
                    {
                        "textDocument": {"uri": uri, "version": version},
                        "contentChanges": [
                            {
                                "range": {
                                    "start": {"line": number, "character": start16},
                                    "end": {"line": number, "character": end16},
                                },
                                "text": new,
                            }
                        ],
                    },
                )
                arrived = await client.diagnostics_at(uri, version)
                times.append(arrived - sent)
            result.setdefault("edit_s", {})[name] = times
        result["rss_after_edits_mb"] = vm_rss_mb(proc.pid)
    finally:
        await client.close()
    return result


def run(quick: bool) -> dict[str, Any]:
    started = time.perf_counter()
    lines = 600 if quick else DOC_LINES
    edits = 10 if quick else EDITS
    docs = {
        "document.md": ("markdown", markdown_document(lines)),
        "module.py": ("python", python_document(lines)),
    }
    runs = {grammar: asyncio.run(drive(docs, edits, grammar)) for grammar in (True, False)}
    measured = runs[True]
    table = Table(
        f"lsp: Quill's server over stdio, {lines}-line documents, {edits} one-word edits each",
        [
            "document",
            "grammar",
            "didOpen -> diagnostics (s)",
            "edit -> diagnostics median (ms)",
            "p90 (ms)",
            "full check, fresh engine (ms)",
            "edit / full check",
        ],
    )
    raw: dict[str, Any] = {"measured": measured, "spelling_only": runs[False], "full_check_s": {}}
    for name, (language, text) in docs.items():
        full = full_check_seconds(text, language)
        raw["full_check_s"][name] = full
        for grammar, result in runs.items():
            edits_s = result["edit_s"][name]
            med = median(edits_s)
            table.rows.append(
                [
                    f"{name} ({len(text.encode()) // 1024} KiB)",
                    result.get("grammar_status", "on") if grammar else "off",
                    fmt(result["open_s"][name], 3),
                    fmt(1000 * med, 1),
                    fmt(1000 * p90(edits_s), 1),
                    fmt(1000 * full, 0) if not grammar else "",
                    f"{med / full:.3f}" if full and not grammar else "",
                ]
            )
    rss_open = measured["rss_after_open_mb"]
    rss_edits = measured["rss_after_edits_mb"]
    table.notes += [
        f"server RSS (VmRSS): {fmt(measured['rss_after_start_mb'], 0)} MB after initialize, "
        f"{fmt(rss_open, 0)} MB after opening both documents, {fmt(rss_edits, 0)} MB after the "
        f"edits (target < 200 MB: {'met' if max(rss_open, rss_edits) < 200 else 'NOT met'}).",
        f"initialize round trip: {fmt(measured['initialize_s'], 3)} s (server process start "
        "to initialize result, includes imports).",
        "didOpen includes the server's first check of the document (the lexicon loads at "
        "start-up or on first use, whichever the server does). With grammar on, the first "
        "publication carries spelling and the first sentences' grammar; the rest of the "
        "document's grammar follows in a second publication (not timed here).",
        "With grammar on, the client waits for the model to load before opening documents "
        f"(ready {fmt(measured.get('grammar_ready_s', float('nan')), 2)} s after start); an "
        "edit re-runs the grammar model on the edited sentence only (per-sentence cache). "
        "The full-check column is the spelling engine alone.",
        "Timings are client-side wall time: send -> publishDiagnostics for that version.",
    ]
    typing_tables, raw["typing"] = lsp_typing.run(quick)
    return {
        "suite": "lsp",
        "tables": [table.as_dict(), *(t.as_dict() for t in typing_tables)],
        "raw": raw,
        "seconds": time.perf_counter() - started,
        "summary": [
            "lsp: one-word edit -> diagnostics median "
            + ", ".join(
                f"{row[0].split(' ')[0]} {row[3]} ms (p90 {row[4]}, grammar "
                f"{'on' if row[1].startswith('grammar model') else 'off'})"
                for row in table.rows
            )
            + f"; server RSS {fmt(max(rss_open, rss_edits), 0)} MB",
            "lsp typing (3,000 lines of learner prose, background grammar running): "
            + ", ".join(
                f"{row[0]} {row[1]} grammar {row[2]} {row[4]} ms (p90 {row[5]})"
                for row in typing_tables[0].rows
            ),
        ],
    }
