"""isolated: Quill's speller on isolated misspellings, against Hunspell and Aspell.

A thin wrapper: ``benchmarks/isolated_misspellings.py`` (owned and documented by its author)
does the measuring; this module calls its ``main`` with ``--json``, keeps its printed tables
and turns the JSON into tables for RESULTS.md, so the numbers land next to the other suites
from the same run on the same machine. The development set is read from ``../shared`` and
never copied into the repository.
"""

from __future__ import annotations

import contextlib
import io
import json
import time
from typing import Any

from .common import WORK, Table, fmt, pct


def run(quick: bool) -> dict[str, Any]:
    started = time.perf_counter()
    WORK.mkdir(parents=True, exist_ok=True)
    out = WORK / "isolated.json"
    heldout = 100 if quick else 500
    argv = ["--json", str(out), "--heldout", str(heldout), "--far"]
    printed = io.StringIO()
    error = ""
    try:
        from . import isolated_misspellings

        with contextlib.redirect_stdout(printed):
            status = isolated_misspellings.main(argv)
        if status:
            error = f"isolated_misspellings.main returned {status}"
    except Exception as exc:  # the module is someone else's; report, never crash the harness
        error = f"{type(exc).__name__}: {exc}"
    tables: list[Table] = []
    data: dict[str, Any] = {}
    if not error and out.exists():
        data = json.loads(out.read_text(encoding="utf-8"))
        for title, results in data.items():
            table = Table(
                f"isolated: {title}", ["speller", "words", "detection", "top-1", "top-5", "ms/word"]
            )
            for r in results:
                if r.get("missing"):
                    table.rows.append([r["name"], f"**missing: {r['missing']}**", "", "", "", ""])
                    continue
                n = r["words"]
                table.rows.append(
                    [
                        r["name"],
                        str(n),
                        pct(r["detected"], n),
                        pct(r["top1"], n),
                        pct(r["top5"], n),
                        f"{fmt(r['ms_per_word'])} ({r.get('timing', '')})",
                    ]
                )
            tables.append(table)
        if tables:
            tables[0].notes.append(
                "Measured by benchmarks/isolated_misspellings.py (called as a module: main(["
                + ", ".join(repr(a) for a in argv)
                + "])). Peers' ms/word include their start-up."
            )
    else:
        table = Table("isolated", ["speller", "result"])
        table.rows.append(["all", f"**failed: {error or 'no JSON written'}**"])
        tables.append(table)
    summary = []
    for title, results in data.items():
        bits = [
            f"{r['name']} {pct(r['top1'], r['words'])}" for r in results if not r.get("missing")
        ]
        summary.append(f"isolated top-1 on {title}: " + ", ".join(bits))
    return {
        "suite": "isolated",
        "argv": argv,
        "tables": [t.as_dict() for t in tables],
        "printed": printed.getvalue(),
        "raw": data,
        "error": error,
        "seconds": time.perf_counter() - started,
        "summary": summary,
    }
