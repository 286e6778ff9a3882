"""PNG charts of the recorded results, drawn from ``benchmarks/results/*.json``.

One chart per question a reader asks: how many false flags on clean code, how many planted
identifier typos are caught and fixed, how good are the suggestions in running text and for
isolated words, how fast is each tool. Every chart shows every tool of its table, on the
same inputs, so no tool is left out of a picture it would look bad in.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from .common import BENCH

PLOTS = BENCH / "plots"


def _number(cell: Any) -> float | None:
    text = str(cell).strip().rstrip("%×x").split(" ")[0].replace(",", "")
    try:
        return float(text)
    except ValueError:
        return None


def _table(suite: dict[str, Any], title_start: str) -> dict[str, Any] | None:
    for table in suite.get("tables", []):
        if str(table["title"]).startswith(title_start):
            return table  # type: ignore[no-any-return]
    return None


def _column(table: dict[str, Any], name: str) -> list[tuple[str, float]]:
    columns = [str(c) for c in table["columns"]]
    if name not in columns:
        return []
    index = columns.index(name)
    out = []
    for row in table["rows"]:
        value = _number(row[index]) if index < len(row) else None
        if value is not None:
            out.append((str(row[0]), value))
    return out


def _bars(
    path: Path,
    title: str,
    series: dict[str, list[tuple[str, float]]],
    ylabel: str,
    log: bool = False,
    skip_missing: bool = False,
) -> Path:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    tools: list[str] = []
    for values in series.values():
        for tool, _ in values:
            if tool not in tools:
                tools.append(tool)
    width = 0.8 / max(1, len(series))
    fig, ax = plt.subplots(figsize=(max(6.0, 1.1 * len(tools) + 2), 4.2), dpi=110)
    for i, (label, values) in enumerate(series.items()):
        lookup = dict(values)
        xs = [t + i * width - 0.4 + width / 2 for t in range(len(tools))]
        if skip_missing:  # a value a tool does not have is no bar, rather than a 0
            xs = [x for x, tool in zip(xs, tools, strict=True) if tool in lookup]
            ys = [lookup[tool] for tool in tools if tool in lookup]
        else:
            ys = [lookup.get(tool, 0.0) for tool in tools]
        bars = ax.bar(xs, ys, width, label=label)
        ax.bar_label(bars, labels=[f"{y:g}" for y in ys], fontsize=7, padding=2)
    ax.set_xticks(range(len(tools)), tools, rotation=20, ha="right", fontsize=8)
    ax.set_ylabel(ylabel)
    ax.set_title(title, fontsize=10)
    if log:
        ax.set_yscale("log")
    if len(series) > 1:
        ax.legend(fontsize=8)
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path)
    plt.close(fig)
    return path


def draw(results: Path) -> list[Path]:
    """Draw every chart whose data exists; returns the files written."""
    suites = {
        p.stem: json.loads(p.read_text(encoding="utf-8")) for p in sorted(results.glob("*.json"))
    }
    written: list[Path] = []
    if "fp-code" in suites:
        # The first table of each corpus is the one with every tool's totals.
        python = _table(suites["fp-code"], "fp-code Python")
        other = _table(suites["fp-code"], "fp-code other languages")
        series = {}
        if python:
            series["Python stdlib"] = _column(python, "flags / 1k lines")
        if other:
            series["JS, C, C++"] = _column(other, "flags / 1k lines")
        if series:
            written.append(
                _bars(
                    PLOTS / "fp-code.png",
                    "False flags on clean code (lower is better)",
                    series,
                    "flags per 1,000 lines (log)",
                    log=True,
                )
            )
    if "identifier-typos" in suites:
        series = {}
        for prefix, label in (
            ("identifier-typos (a)", "(a) listed"),
            ("identifier-typos (b) codespell-only", "(b) held out"),
        ):
            table = _table(suites["identifier-typos"], prefix)
            if table:
                series[f"{label}: fixed right"] = _column(table, "fixed right (1st suggestion)")
        if series:
            written.append(
                _bars(
                    PLOTS / "identifier-typos.png",
                    "Typos planted in identifiers: fixed by the 1st suggestion (higher is better)",
                    series,
                    "% of cases",
                )
            )
    if "running-text" in suites:
        table = _table(suites["running-text"], "running-text (b) codespell-only")
        if table:
            written.append(
                _bars(
                    PLOTS / "running-text.png",
                    "Misspellings in running text (held-out list): first suggestion right",
                    {"top-1": _column(table, "top-1")},
                    "% of sentences",
                )
            )
    if "isolated" in suites:
        table = _table(suites["isolated"], "isolated: norvig")
        if table:
            written.append(
                _bars(
                    PLOTS / "isolated.png",
                    "Norvig's isolated misspellings: first suggestion right",
                    {"top-1": _column(table, "top-1")},
                    "% of words",
                )
            )
    if "speed" in suites:
        series = {}
        for prefix, label in (("speed, prose", "prose"), ("speed, code", "code")):
            table = _table(suites["speed"], prefix)
            if table:
                series[label] = _column(table, "median wall s")
        if series:
            written.append(
                _bars(
                    PLOTS / "speed.png",
                    "Wall time on the same inputs (lower is better)",
                    series,
                    "seconds (log)",
                    log=True,
                )
            )
    if "grammar" in suites:
        written += _grammar_charts(suites["grammar"])
    if "load" in suites and suites["load"].get("raw", {}).get("samples"):
        written.append(_load_chart(suites["load"]))
    if suites.get("lsp", {}).get("raw", {}).get("typing"):
        written.append(_typing_chart(suites["lsp"]["raw"]["typing"]))
    if suites.get("completion", {}).get("precision_coverage"):
        written.append(_completion_chart(suites["completion"]))
    return written


def _save(fig: Any, name: str) -> Path:
    """Write ``fig`` to ``plots/name`` and close it."""
    import matplotlib.pyplot as plt

    fig.tight_layout()
    path = PLOTS / name
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path)
    plt.close(fig)
    return path


def _completion_chart(suite: dict[str, Any]) -> Path:
    """Precision among shown suggestions against coverage as the ranker's threshold falls
    (the line), the shipped threshold (the star) and every other row of the benchmark (dots)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    curve = suite["precision_coverage"]
    fig, ax = plt.subplots(figsize=(7, 4.6), dpi=110)
    ax.plot(
        [c[1] for c in curve],
        [c[2] for c in curve],
        color="tab:blue",
        label="ranker, both thresholds shifted together",
    )
    table = suite["tables"][0]
    for row in table["rows"]:
        coverage, precision = _number(row[3]), _number(row[2])
        if coverage is None or precision is None or "rest is one identifier" in str(row[0]):
            continue  # Jedi's subset is compared in the table, not on this curve
        marker = "*" if row[0] == "full system" else "o"
        ax.scatter([coverage], [precision], marker=marker, s=140 if marker == "*" else 40, zorder=3)
        ax.annotate(
            str(row[0]),
            (coverage, precision),
            fontsize=7,
            xytext=(4, 4),
            textcoords="offset points",
        )
    ax.axhline(50, color="grey", linestyle=":", linewidth=1)
    ax.set_xlabel("coverage: cases with a suggestion (%)")
    ax.set_ylabel("precision among suggestions shown (%)")
    ax.set_xlim(0, 100)
    ax.set_ylim(0, 100)
    ax.set_title(f"Completion on unseen repositories: {table['title'].split(':')[0]}", fontsize=9)
    ax.legend(fontsize=8, loc="upper right")
    return _save(fig, "completion.png")


def _typing_chart(runs: list[dict[str, Any]]) -> Path:
    """Keystroke -> diagnostics per layout and client: every edit (dots), the median (bar),
    grammar off and on side by side, with the targets (dashed)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(9, 4.5), dpi=110)
    labels: list[str] = []
    for k, run in enumerate(runs):
        ms = [1000 * s for s in run["edit_s"]]
        colour = "tab:orange" if run["grammar"] else "tab:blue"
        ax.bar(k, sorted(ms)[len(ms) // 2], color=colour, alpha=0.6)
        ax.scatter([k] * len(ms), ms, s=6, color="black", alpha=0.5, zorder=3)
        labels.append(
            f"{run['layout']}\n{run['mode']}\ngrammar {'on' if run['grammar'] else 'off'}"
        )
    for target, colour in ((50, "tab:blue"), (100, "tab:orange")):
        ax.axhline(target, color=colour, linestyle="--", linewidth=1)
    ax.set_xticks(range(len(runs)), labels, fontsize=7)
    ax.set_ylabel("didChange -> diagnostics holding the edit (ms)")
    ax.set_title(
        "Typing into 3,000 lines of learner prose while background grammar runs "
        "(bars: median; dashed: targets)",
        fontsize=9,
    )
    return _save(fig, "typing.png")


def _load_chart(suite: dict[str, Any]) -> Path:
    """The load run over time: server RSS and documents with a check pending (top); every
    edit's latency to fresh diagnostics and every completion's round trip (bottom)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    raw = suite["raw"]
    samples = raw["samples"]
    fig, (top, bottom) = plt.subplots(2, 1, figsize=(9, 6.5), dpi=110, sharex=True)
    times = [s["t"] for s in samples]
    rss = [s["rss_mb"] for s in samples]
    top.plot(times, rss, color="tab:blue", label="server RSS (MB)")
    top.set_ylabel("server RSS (MB)", color="tab:blue")
    top.set_ylim(0, 1.15 * max((r for r in rss if r == r), default=1.0))
    queue = top.twinx()
    queue.plot(
        times,
        [s["pending"] if s["pending"] is not None else float("nan") for s in samples],
        color="tab:orange",
        label="documents with a check pending",
    )
    queue.set_ylabel("documents with a check pending", color="tab:orange")
    queue.set_ylim(bottom=0)
    top.set_title(f"{suite['tables'][0]['title'].removeprefix('load: ')}", fontsize=9)
    edits = raw.get("edit_latency", [])
    bottom.scatter(
        [e[0] for e in edits],
        [1000 * e[1] for e in edits],
        s=3,
        alpha=0.5,
        label="edit -> fresh diagnostics",
    )
    done = [c for c in raw.get("completions", []) if "s" in c]
    bottom.scatter(
        [c["t"] for c in done],
        [1000 * c["s"] for c in done],
        s=9,
        marker="x",
        color="tab:red",
        label="inlineCompletion",
    )
    bottom.set_yscale("log")
    bottom.set_ylabel("latency (ms, log)")
    bottom.set_xlabel("seconds since the server was started")
    for ax in (top, bottom):
        for key in ("edit_start_t", "edit_end_t"):
            if key in raw:
                ax.axvline(raw[key], color="grey", linestyle=":", linewidth=1)
    bottom.legend(fontsize=8, loc="upper left")
    return _save(fig, "load.png")


def _grammar_charts(suite: dict[str, Any]) -> list[Path]:
    """F0.5, P and R by tool on the first GEC set (published figures of other systems, on
    other test sets, have F0.5 only and say so in their names), and F0.5 by ERRANT error
    type for every measured tool."""
    written: list[Path] = []
    tables = [t for t in suite.get("tables", []) if str(t["title"]).startswith("grammar ")]
    quality = next((t for t in tables if "span P/R/F0.5" in str(t["title"])), None)
    if quality:
        name = str(quality["title"]).split(":")[0].removeprefix("grammar ")
        series = {c: _column(quality, c) for c in ("F0.5", "P", "R")}
        series["P"] = [(t, v) for t, v in series["P"] if t != "no edits"]
        scored = {t for t, _ in series["F0.5"]}
        absent = [str(r[0]) for r in quality["rows"] if str(r[0]) not in scored]
        if series["F0.5"]:
            written.append(
                _bars(
                    PLOTS / "grammar.png",
                    f"Grammar correction on {name}: ERRANT span F0.5, P, R (higher is better)"
                    + (f"\nnot measured (see RESULTS.md): {', '.join(absent)}" if absent else ""),
                    series,
                    "%",
                    skip_missing=True,
                )
            )
    per_type = next((t for t in tables if "by ERRANT error type" in str(t["title"])), None)
    if per_type:
        name = str(per_type["title"]).split(":")[0].removeprefix("grammar ")
        types = [str(c) for c in per_type["columns"][1:]]
        by_tool: dict[str, list[tuple[str, float]]] = {}
        for row in per_type["rows"]:
            tool = str(row[0])
            if tool.startswith("edits in"):
                continue
            values = [(t, _number(row[1 + k])) for k, t in enumerate(types) if 1 + k < len(row)]
            kept = [(t, v) for t, v in values if v is not None]
            if kept:
                by_tool[tool] = kept
        if by_tool:
            written.append(
                _bars(
                    PLOTS / "grammar-types.png",
                    f"Grammar correction on {name}: F0.5 by ERRANT error type",
                    by_tool,
                    "F0.5 (%)",
                    skip_missing=True,
                )
            )
    return written
