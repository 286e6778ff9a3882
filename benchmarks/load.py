"""load: Quill's language server under sustained editing, grammar and completion on.

The question is not how fast one check is (``lsp`` measures that) but whether the server keeps
up, and stays bounded, when an editor keeps it busy: 200 open documents, 50 edits a second
for 60 seconds, and inline-completion requests at the edit point, with the shipped grammar
model and a code model loaded. The driver is the ``lsp`` suite's client
(:class:`benchmarks.lsp_client.Client`: the real ``python -m server`` over stdio, versioned push
diagnostics, ``debounceMs`` 0 so no deliberate delay is measured and no edit is coalesced
with another). It:

* opens ``--docs`` documents generated from ``--seed``: half Markdown prose (Gutenberg
  sentences in paragraphs, headings and lists, with planted misspellings and grammar errors
  in about one sentence in eight), half Python (windows of standard-library modules),
  20-400 lines each; it waits for every document's first diagnostics;
* loads the code model with one completion (so its load time is not a request's latency);
* sends ``--rate`` ``didChange`` a second for ``--seconds``, as typing does: mostly one
  character typed at the document's cursor (words, sometimes misspelt, then a space), some
  backspaces, a jump to a random place now and then, and a multi-line paste in about one edit
  in twenty-five; each in a random document;
* sends ``--completion-rate`` ``textDocument/inlineCompletion`` requests a second at the
  point of the latest edit of a Python document, without waiting for the previous one;
* every second reads the server's ``VmRSS`` from ``/proc/PID/status`` and asks
  ``quill.status`` for its check queue and event-loop stalls (``server/lsp/health.py``: an
  asyncio task in the server that sleeps 50 ms and counts wake-ups more than 100 ms late);
* after the last edit, waits for every document's diagnostics of its final version.

Measured: edit -> *fresh* diagnostics, i.e. from sending version ``v`` to the first
``publishDiagnostics`` of the document at ``v`` or later (an edit followed by another one
before its check finished is answered by the newer version's diagnostics, which is what the
user sees; how many were superseded this way is counted); completion round trips; RSS at
start, peak and end and its slope over the last 30 s of editing (a leak shows as a steady
slope); the queue's length over time; stalls.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import os
import random
import re
import shutil
import subprocess
import sys
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from server.engine import checker as checker_module
from server.engine.grammar import document as document_module

from . import corpora
from .common import ROOT, WORK, Table, child_env, fmt
from .lsp_client import Client, initialize_params, start_server, vm_rss_mb, wait_for_grammar

SEED = "load-v1"
#: Where the tiny code model is built when no code model is given and none is shipped.
TINY_CODE_DIR = WORK / "load-code-tiny"
SHIPPED_CODE_MODEL = ROOT / "models" / "code-small"
#: RSS growth over the last this many seconds of editing is reported as a slope.
SLOPE_WINDOW_S = 30.0
#: Typed words come from the document itself (its prose words or its identifiers), so slips of
#: the finger rarely repeat across files: a misspelling typed into three files would become the
#: project's vocabulary, and every such change has the server check all documents again.
_TYPED_WORD = re.compile(r"(?<![\w`])[A-Za-z][a-z]{2,}(?![\w`])")
_TYPED_NAME = re.compile(r"\b[A-Za-z_][A-Za-z0-9_]{2,}\b")


@dataclass
class LoadOptions:
    """One load run's parameters (the command-line options of ``python -m benchmarks load``)."""

    docs: int = 200
    rate: float = 50.0
    seconds: float = 60.0
    completion_rate: float = 2.0
    grammar: bool = True
    completion: bool = True
    #: Code model directory; None: models/code-small, else the tiny model built on demand.
    code_model: str | None = None
    seed: str = SEED
    #: After the last edit, wait at most this long for every document's final diagnostics.
    settle_s: float = 120.0
    #: Where the server's stderr goes (None: discarded).
    server_log: str | None = None


# -- documents -----------------------------------------------------------------------------------
_SENTENCES: list[str] = []


def _prose_sentences() -> list[str]:
    """Gutenberg sentences, or (on a machine without ``../shared/data``) sentences of the
    standard library's docstrings, so the driver runs anywhere the tests run."""
    if not _SENTENCES:
        found = corpora.gutenberg_sentences() if corpora.GUTENBERG.is_dir() else []
        if not found:
            for source in corpora.stdlib_files()[:400]:
                for doc in re.findall(r'"""(.*?)"""', source.text, flags=re.S):
                    flat = " ".join(doc.split())
                    for sentence in re.split(r"(?<=[.!?])\s+(?=[A-Z])", flat):
                        words = sentence.split()
                        if 6 <= len(words) <= 40 and sentence[-1:] in ".!?":
                            found.append(sentence)
        _SENTENCES.extend(found)
    return _SENTENCES


def _plant_error(sentence: str, rng: random.Random) -> str:
    """One mistake in ``sentence``: two inner letters of a word swapped (a misspelling), a
    word doubled, or ``a``/``an`` and ``is``/``are`` confused (grammar)."""
    words = sentence.split(" ")
    kind = rng.random()
    if kind < 0.5:
        long = [i for i, w in enumerate(words) if len(w) >= 5 and w.isalpha()]
        if long:
            i = rng.choice(long)
            w = words[i]
            j = rng.randrange(1, len(w) - 2)
            words[i] = w[:j] + w[j + 1] + w[j] + w[j + 2 :]
            return " ".join(words)
    swaps = {"a": "an", "an": "a", "is": "are", "are": "is", "was": "were", "were": "was"}
    spots = [i for i, w in enumerate(words) if w in swaps]
    if kind < 0.8 and spots:
        i = rng.choice(spots)
        words[i] = swaps[words[i]]
        return " ".join(words)
    i = rng.randrange(len(words))
    words.insert(i, words[i].lower().strip(".,;:!?"))
    return " ".join(words)


def _wrap(text: str, width: int = 80) -> list[str]:
    lines: list[str] = []
    line = ""
    for word in text.split():
        if line and len(line) + len(word) + 1 > width:
            lines.append(line)
            line = word
        else:
            line = f"{line} {word}" if line else word
    if line:
        lines.append(line)
    return lines


def markdown_document(lines: int, rng: random.Random) -> str:
    """Prose in Markdown, exactly ``lines`` lines: a title, sections, paragraphs of 2-5
    sentences wrapped at 80 columns, some bullet lists and code spans, and a planted mistake
    in about one sentence in eight."""
    sentences = _prose_sentences()
    out = [f"# Notes {rng.randrange(1000)}", ""]
    while len(out) < lines:
        roll = rng.random()
        if roll < 0.1:
            out += [f"## {' '.join(rng.choice(sentences).split()[:4]).rstrip('.,;:')}", ""]
        chosen = [rng.choice(sentences) for _ in range(rng.randint(2, 5))]
        chosen = [_plant_error(s, rng) if rng.random() < 0.125 else s for s in chosen]
        if roll > 0.9:
            out += [f"- {s}" for s in chosen] + [""]
            continue
        if rng.random() < 0.2:
            words = chosen[0].split(" ")
            if len(words) > 4:
                words[2] = f"`{words[2]}`"
                chosen[0] = " ".join(words)
        out += [*_wrap(" ".join(chosen)), ""]
    return "\n".join(out[:lines]) + "\n"


def python_document(lines: int, rng: random.Random, files: list[corpora.SourceFile]) -> str:
    """``lines`` consecutive lines of standard-library modules, from a random start."""
    out: list[str] = []
    while len(out) < lines:
        source = files[rng.randrange(len(files))].text.split("\n")
        start = rng.randrange(max(1, len(source) - (lines - len(out))))
        out += source[start : start + lines - len(out)]
    return "\n".join(out[:lines]) + "\n"


def documents(count: int, seed: str) -> list[tuple[str, str, str]]:
    """``count`` (name, languageId, text), alternately Markdown and Python, 20-400 lines,
    the same for the same seed."""
    rng = random.Random(seed)
    files = [f for f in corpora.stdlib_files() if f.lines >= 40]
    docs = []
    for k in range(count):
        lines = rng.randint(20, 400)
        if k % 2 == 0:
            docs.append((f"notes-{k:03d}.md", "markdown", markdown_document(lines, rng)))
        else:
            docs.append((f"module_{k:03d}.py", "python", python_document(lines, rng, files)))
    return docs


# -- editing -------------------------------------------------------------------------------------
def position(text: str, offset: int) -> dict[str, int]:
    """The LSP position (UTF-16 columns) of a code-point offset of ``text``."""
    line_start = text.rfind("\n", 0, offset) + 1
    line = text.count("\n", 0, offset)
    return {"line": line, "character": len(text[line_start:offset].encode("utf-16-le")) // 2}


@dataclass
class OpenDoc:
    """The client's copy of one document, and where its user is typing."""

    uri: str
    language: str
    text: str
    version: int = 1
    cursor: int = 0
    typing: str = ""


class Typist:
    """Makes the edits: realistic keystrokes at a cursor, sometimes elsewhere, sometimes a
    paste. Deterministic for a seed; keeps the client's copy of every document in step."""

    def __init__(self, docs: list[OpenDoc], seed: str):
        self.docs = docs
        self.rng = random.Random(seed + "-edits")
        for doc in docs:
            doc.cursor = self._random_spot(doc)

    def _random_spot(self, doc: OpenDoc) -> int:
        """The end of a random non-empty line (where one types most), or a random column."""
        starts = [m.end() for m in re.finditer(r"\n", doc.text)]
        line = self.rng.randrange(len(starts)) if starts else 0
        begin = starts[line - 1] if line else 0
        end = doc.text.find("\n", begin)
        end = len(doc.text) if end < 0 else end
        return end if self.rng.random() < 0.6 else self.rng.randint(begin, end)

    def _word(self, doc: OpenDoc) -> str:
        """A word of the document near a random place (a name, in Python)."""
        pattern = _TYPED_NAME if doc.language == "python" else _TYPED_WORD
        at = self.rng.randrange(max(1, len(doc.text)))
        found = pattern.search(doc.text, at) or pattern.search(doc.text)
        return found.group() if found else "the"

    def _next_chars(self, doc: OpenDoc) -> str:
        if not doc.typing:
            word = self._word(doc)
            if self.rng.random() < 0.15 and len(word) > 3:  # a slip of the finger
                j = self.rng.randrange(1, len(word) - 1)
                word = word[:j] + word[j + 1] + word[j] + word[j + 2 :]
            doc.typing = (" " if doc.language == "markdown" else "") + word
        char, doc.typing = doc.typing[0], doc.typing[1:]
        return char

    def edit(self) -> tuple[OpenDoc, dict[str, Any]]:
        """Pick a document, change its copy, return it and the ``contentChanges`` entry."""
        doc = self.docs[self.rng.randrange(len(self.docs))]
        if self.rng.random() < 0.05:
            doc.cursor = self._random_spot(doc)
            doc.typing = ""
        roll = self.rng.random()
        start = end = doc.cursor
        if roll < 0.04:  # a paste: lines of another document of the same language
            others = [d for d in self.docs if d.language == doc.language and d is not doc]
            source = (self.rng.choice(others) if others else doc).text.split("\n")
            first = self.rng.randrange(max(1, len(source) - 12))
            new = "\n".join(source[first : first + self.rng.randint(2, 12)]) + "\n"
            start = end = doc.text.rfind("\n", 0, doc.cursor) + 1  # at a line start
        elif roll < 0.2 and doc.cursor > 0 and doc.text[doc.cursor - 1] != "\n":
            new, start = "", doc.cursor - 1  # backspace
        else:
            new = self._next_chars(doc)
        change: dict[str, Any] = {
            "range": {"start": position(doc.text, start), "end": position(doc.text, end)},
            "text": new,
        }
        doc.text = doc.text[:start] + new + doc.text[end:]
        doc.cursor = start + len(new)
        doc.version += 1
        return doc, change


# -- statistics ----------------------------------------------------------------------------------
def percentile(values: list[float], q: float) -> float:
    """The ``q``-th percentile (nearest rank) of ``values``; NaN when there are none."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q / 100 * (len(ordered) - 1))))]


def summary_ms(values_s: list[float]) -> dict[str, float]:
    """Count and p50/p90/p99/max of durations in seconds, in milliseconds."""
    ms = [1000 * v for v in values_s]
    return {
        "count": len(ms),
        "p50": percentile(ms, 50),
        "p90": percentile(ms, 90),
        "p99": percentile(ms, 99),
        "max": max(ms) if ms else float("nan"),
    }


def slope_per_minute(points: list[tuple[float, float]]) -> float:
    """Least-squares slope of (seconds, value) points, per minute (NaN with < 3 points)."""
    if len(points) < 3:
        return float("nan")
    n = len(points)
    mx = sum(p[0] for p in points) / n
    my = sum(p[1] for p in points) / n
    sxx = sum((p[0] - mx) ** 2 for p in points)
    if sxx == 0:
        return float("nan")
    return 60 * sum((p[0] - mx) * (p[1] - my) for p in points) / sxx


def fresh_latencies(
    edits: list[tuple[str, int, float]], published: dict[tuple[str, int | None], float]
) -> tuple[list[tuple[float, float, bool]], int]:
    """For every edit (uri, version, sent), when diagnostics of that version or a later one
    first arrived: ``(sent, latency, own version published)``; and how many edits got none."""
    by_uri: dict[str, list[tuple[int, float]]] = {}
    for (uri, version), arrived in published.items():
        if version is not None:
            by_uri.setdefault(uri, []).append((version, arrived))
    earliest_from: dict[str, list[tuple[int, float]]] = {}
    for uri, pairs in by_uri.items():
        pairs.sort(reverse=True)
        best = float("inf")
        suffix: list[tuple[int, float]] = []
        for version, arrived in pairs:  # newest first: earliest arrival at this version or later
            best = min(best, arrived)
            suffix.append((version, best))
        earliest_from[uri] = suffix[::-1]  # oldest first
    out: list[tuple[float, float, bool]] = []
    missing = 0
    for uri, version, sent in edits:
        first = next((a for v, a in earliest_from.get(uri, []) if v >= version), None)
        if first is None:
            missing += 1
            continue
        out.append((sent, first - sent, (uri, version) in published))
    return out, missing


# -- the code model ------------------------------------------------------------------------------
def code_model(given: str | None) -> tuple[Path, str]:
    """The code model directory to load and how it was chosen: ``--code-model``, the shipped
    ``models/code-small``, or the tiny model of ``python -m training code all --preset
    tiny`` (what the tests build), built once into ``$QUILL_BENCH_WORK``."""
    if given:
        return Path(given).resolve(), "given with --code-model"
    if (SHIPPED_CODE_MODEL / "model.onnx").exists():
        return SHIPPED_CODE_MODEL, "shipped (models/code-small)"
    model = TINY_CODE_DIR / "model"
    if not (model / "model.onnx").exists():
        print(f"[load] building the tiny code model into {TINY_CODE_DIR} ...", file=sys.stderr)
        shutil.rmtree(TINY_CODE_DIR, ignore_errors=True)
        proc = subprocess.run(
            [
                *(sys.executable, "-m", "training", "code", "all", "--preset", "tiny"),
                *("--output", str(TINY_CODE_DIR), "--threads", "1"),
            ],
            cwd=ROOT,
            env=child_env({"HF_HUB_OFFLINE": "1"}),
            capture_output=True,
            text=True,
            check=False,
        )
        if not (model / "model.onnx").exists():
            raise RuntimeError(f"building the tiny code model failed: {proc.stderr[-2000:]}")
    return model, "tiny (python -m training code all --preset tiny), built for this run"


def describe_model(path: Path) -> str:
    """The model card's title, e.g. ``code-small: code completion model``."""
    card = path / "card.md"
    if card.exists():
        first = card.read_text(encoding="utf-8").split("\n", 1)[0]
        return first.lstrip("# ").strip()
    return path.name


# -- the run -------------------------------------------------------------------------------------
async def _status(client: Client) -> tuple[dict[str, Any], float]:
    sent = time.perf_counter()
    result = await client.request(
        "workspace/executeCommand", {"command": "quill.status", "arguments": []}, timeout=60
    )
    return (result or {}), time.perf_counter() - sent


async def drive(options: LoadOptions, model: Path | None) -> dict[str, Any]:
    """Run the load against a fresh server; returns the raw measurements."""
    WORK.mkdir(parents=True, exist_ok=True)
    texts = documents(options.docs, options.seed)
    log = open(options.server_log, "wb") if options.server_log else None  # noqa: SIM115
    proc = await start_server(log)
    client = Client(proc)
    raw: dict[str, Any] = {"pid": proc.pid, "samples": [], "completions": []}
    start = time.perf_counter()

    def clock() -> float:
        return round(time.perf_counter() - start, 3)

    init_options: dict[str, Any] = {
        "diagnostics": {"debounceMs": 0},
        "grammar": {"enabled": options.grammar},
        "completion": {"enabled": options.completion},
        # No workspace folder: the background vocabulary scan would be load of its own.
        "spelling": {"learnProjectWords": True},
    }
    if model is not None:
        init_options["models"] = {"code": str(model)}
    sampler: asyncio.Future[None] | None = None
    try:
        await client.request("initialize", initialize_params(init_options, inline_completion=True))
        await client.notify("initialized", {})
        if options.grammar:
            raw["grammar_status"] = await wait_for_grammar(client)
        raw["rss_start_mb"] = vm_rss_mb(proc.pid)
        edits: list[tuple[str, int, float]] = []

        async def sample(stop: asyncio.Event) -> None:
            while not stop.is_set():
                rss = vm_rss_mb(proc.pid)
                t = clock()
                try:
                    status, round_trip = await _status(client)
                except asyncio.TimeoutError:
                    status, round_trip = {}, float("nan")
                queue = status.get("checkQueue", {})
                loop = status.get("eventLoop", {})
                raw["samples"].append(
                    {
                        "t": t,
                        "rss_mb": round(rss, 1),
                        "pending": queue.get("pending"),
                        "worker_queue": queue.get("workerQueue"),
                        "stalls": loop.get("stalls"),
                        "max_lag_ms": loop.get("maxLagMs"),
                        "status_ms": round(1000 * round_trip, 1),
                        "edits": len(edits),
                        "published": len(client.published),
                        "project_words": status.get("projectWords"),
                        "caches": status.get("caches", {}),
                    }
                )
                with_timeout = asyncio.ensure_future(stop.wait())
                await asyncio.wait({with_timeout}, timeout=max(0.0, 1.0 - (clock() - t)))
                with_timeout.cancel()

        # Sampled from before the documents open: their checks are load too.
        stop = asyncio.Event()
        sampler = asyncio.ensure_future(sample(stop))
        docs: list[OpenDoc] = []
        opened = time.perf_counter()
        for name, language, text in texts:
            doc = OpenDoc((WORK / "load" / name).as_uri(), language, text)
            docs.append(doc)
            await client.notify(
                "textDocument/didOpen",
                {
                    "textDocument": {
                        "uri": doc.uri,
                        "languageId": language,
                        "version": 1,
                        "text": text,
                    }
                },
            )
        for doc in docs:
            await client.diagnostics_at(doc.uri, 1, timeout=1800)
        raw["open_s"] = time.perf_counter() - opened
        raw["rss_after_open_mb"] = vm_rss_mb(proc.pid)
        python_docs = [d for d in docs if d.language == "python"]
        if options.completion and python_docs:
            warm = python_docs[0]
            sent = time.perf_counter()
            await client.request(
                "textDocument/inlineCompletion",
                {
                    "textDocument": {"uri": warm.uri},
                    "position": position(warm.text, warm.cursor),
                    "context": {"triggerKind": 2},
                },
                timeout=600,
            )
            raw["completion_warmup_s"] = time.perf_counter() - sent
        status, _ = await _status(client)
        raw["status_before"] = status
        raw["completion_status"] = status.get("completion")

        typist = Typist(docs, options.seed)
        pending: set[asyncio.Task[None]] = set()
        last_python: list[OpenDoc] = []

        async def complete(doc: OpenDoc) -> None:
            at = position(doc.text, doc.cursor)
            sent = time.perf_counter()
            record: dict[str, Any] = {"t": clock(), "uri": doc.uri, "version": doc.version}
            try:
                result = await client.request(
                    "textDocument/inlineCompletion",
                    {
                        "textDocument": {"uri": doc.uri},
                        "position": at,
                        "context": {"triggerKind": 2},
                    },
                    timeout=120,
                )
                record["s"] = time.perf_counter() - sent
                items = (result or {}).get("items", []) if isinstance(result, dict) else result
                record["items"] = len(items or [])
            except (asyncio.TimeoutError, ConnectionError) as exc:
                record["error"] = type(exc).__name__
            raw["completions"].append(record)

        raw["edit_start_t"] = clock()
        began = time.perf_counter()
        total = int(options.rate * options.seconds)
        next_completion = 0.0
        late = 0
        for k in range(total):
            due = began + k / options.rate
            wait = due - time.perf_counter()
            if wait > 0:
                await asyncio.sleep(wait)
            elif wait < -0.05:
                late += 1
            doc, change = typist.edit()
            sent = time.perf_counter()
            await client.notify(
                "textDocument/didChange",
                {
                    "textDocument": {"uri": doc.uri, "version": doc.version},
                    "contentChanges": [change],
                },
            )
            edits.append((doc.uri, doc.version, sent))
            if doc.language == "python":
                last_python[:] = [doc]
            if (
                options.completion
                and options.completion_rate > 0
                and last_python
                and sent - began >= next_completion
            ):
                next_completion += 1 / options.completion_rate
                task = asyncio.ensure_future(complete(last_python[0]))
                pending.add(task)
                task.add_done_callback(pending.discard)
        raw["edit_seconds"] = time.perf_counter() - began
        raw["edit_end_t"] = clock()
        raw["late_edits"] = late
        raw["edits_sent"] = len(edits)
        raw["rss_edits_end_mb"] = vm_rss_mb(proc.pid)
        raw["status_edits_end"], _ = await _status(client)
        settled = time.perf_counter()
        missing_final = []
        for doc in docs:
            remaining = options.settle_s - (time.perf_counter() - settled)
            try:
                await client.diagnostics_at(doc.uri, doc.version, timeout=max(0.1, remaining))
            except TimeoutError:
                missing_final.append(doc.uri)
        raw["settle_s"] = time.perf_counter() - settled
        raw["final_versions_missing"] = missing_final
        if pending:
            await asyncio.wait(pending, timeout=130)
        # A check whose diagnostics are out may still be finishing (its task still counted as
        # pending): the state after settling is taken once the queue is empty, however long a
        # slow machine takes to get there.
        drained = time.perf_counter()
        raw["status_after"], _ = await _status(client)
        while raw["status_after"].get("checkQueue", {}).get("pending") and (
            time.perf_counter() - drained < options.settle_s
        ):
            await asyncio.sleep(0.05)
            raw["status_after"], _ = await _status(client)
        raw["drain_s"] = time.perf_counter() - drained
        stop.set()
        await sampler
        raw["rss_end_mb"] = vm_rss_mb(proc.pid)
        latencies, no_fresh = fresh_latencies(edits, client.published)
        raw["edit_latency"] = [
            [round(s - start, 3), round(lat, 4), own] for s, lat, own in latencies
        ]
        raw["edits_without_fresh_diagnostics"] = no_fresh
        raw["languages"] = {d.uri: d.language for d in docs}
        raw["edited_docs"] = len({uri for uri, _, _ in edits})
        raw["doc_lines"] = [t.count("\n") for _, _, t in texts]
    finally:
        if sampler is not None and not sampler.done():
            sampler.cancel()
        await client.close()
        if log is not None:
            log.close()
    return raw


def analyse(raw: dict[str, Any]) -> dict[str, Any]:
    """The numbers a reader wants from the raw measurements."""
    latencies = raw.get("edit_latency", [])
    edit_all = [lat for _, lat, _ in latencies]
    own = [lat for _, lat, o in latencies if o]
    completions = [c["s"] for c in raw.get("completions", []) if "s" in c]
    samples = raw.get("samples", [])
    editing = [s for s in samples if raw["edit_start_t"] <= s["t"] <= raw["edit_end_t"]]
    window = [s for s in editing if s["t"] >= raw["edit_end_t"] - SLOPE_WINDOW_S]
    rss = [s["rss_mb"] for s in samples if s["rss_mb"] == s["rss_mb"]]
    pending = [s["pending"] for s in editing if s["pending"] is not None]
    worker = [s["worker_queue"] for s in editing if s["worker_queue"] is not None]
    after = raw.get("status_after", {})
    loop = after.get("eventLoop", {})

    def stalls_at(key: str) -> int:
        return int(raw.get(key, {}).get("eventLoop", {}).get("stalls") or 0)

    queue = after.get("checkQueue", {})
    return {
        "edit_to_fresh_diagnostics_ms": summary_ms(edit_all),
        "edit_to_own_version_ms": summary_ms(own),
        "edits_superseded": len(edit_all) - len(own),
        "edits_without_fresh_diagnostics": raw.get("edits_without_fresh_diagnostics", 0),
        "final_versions_missing": len(raw.get("final_versions_missing", [])),
        "completion_ms": summary_ms(completions),
        "completions_sent": len(raw.get("completions", [])),
        "completions_with_items": sum(1 for c in raw.get("completions", []) if c.get("items")),
        "completion_errors": sum(1 for c in raw.get("completions", []) if "error" in c),
        "status_round_trip_ms": summary_ms(
            [s["status_ms"] / 1000 for s in editing if s["status_ms"] == s["status_ms"]]
        ),
        "rss_mb": {
            "start": raw.get("rss_start_mb"),
            "after_open": raw.get("rss_after_open_mb"),
            "peak": max(rss) if rss else float("nan"),
            "end_of_edits": raw.get("rss_edits_end_mb"),
            "end": raw.get("rss_end_mb"),
            "slope_last_30s_mb_per_min": slope_per_minute([(s["t"], s["rss_mb"]) for s in window]),
        },
        "pending_checks": {
            "start": pending[0] if pending else None,
            "max_sampled": max(pending) if pending else None,
            "max_seen": queue.get("pendingMax"),
            "end_of_edits": pending[-1] if pending else None,
            "after_settle": queue.get("pending"),
            "slope_last_30s_per_min": slope_per_minute(
                [(s["t"], s["pending"]) for s in window if s["pending"] is not None]
            ),
        },
        "worker_queue": {
            "max_sampled": max(worker) if worker else None,
            "max_seen": queue.get("workerQueueMax"),
        },
        "publications": {
            "sent": after.get("diagnosticsPublished"),
            "unchanged_not_sent": after.get("diagnosticsUnchanged"),
        },
        "gc": after.get("gc", {}),
        "caches": {
            "edit_start": raw.get("status_before", {}).get("caches", {}),
            "end": after.get("caches", {}),
            "chars_slope_last_30s_per_min": slope_per_minute(
                [
                    (
                        s["t"],
                        s["caches"].get("regionChars", 0) + s["caches"].get("sentenceChars", 0),
                    )
                    for s in window
                    if s.get("caches")
                ]
            ),
        },
        "stalls": {
            "count": loop.get("stalls"),
            "opening": stalls_at("status_before"),
            "editing": stalls_at("status_edits_end") - stalls_at("status_before"),
            "settling": stalls_at("status_after") - stalls_at("status_edits_end"),
            "max_lag_ms_before_edits": raw.get("status_before", {})
            .get("eventLoop", {})
            .get("maxLagMs"),
            "max_lag_ms": loop.get("maxLagMs"),
            "stalled_ms": loop.get("stalledMs"),
            "stalled_cpu_ms": loop.get("stalledCpuMs"),
            "recent": loop.get("recentStalls", []),
            "ticks": loop.get("ticks"),
        },
        "achieved_edit_rate": raw["edits_sent"] / raw["edit_seconds"]
        if raw.get("edit_seconds")
        else float("nan"),
        "late_edits": raw.get("late_edits", 0),
        "project_words": {
            "edit_start": raw.get("status_before", {}).get("projectWords"),
            "end": after.get("projectWords"),
            "changes_sampled": sum(
                1
                for a, b in itertools.pairwise(editing)
                if a.get("project_words") != b.get("project_words")
            ),
        },
    }


def slow_edits_note(raw: dict[str, Any], slow_s: float = 10.0) -> str:
    """What the slowest edits have in common: how many were superseded, i.e. their document
    was edited again before its check finished, so their latency is to a newer version's
    diagnostics (a check waiting for the worker keeps its place and reads the newest text)."""
    slow = [own for _, latency, own in raw.get("edit_latency", []) if latency > slow_s]
    superseded = sum(1 for own in slow if not own)
    return (
        f"Of the {len(slow)} edits that waited more than {slow_s:g} s for fresh diagnostics, "
        f"{superseded} had been superseded: their document was edited again before its check "
        "finished (the worker, about 20 checks/s with grammar, is slower than 50 edits/s)."
    )


def _cache_cell(sizes: dict[str, int]) -> str:
    if not sizes:
        return "n/a"
    return (
        f"{sizes.get('regions', 0):,} ({sizes.get('regionChars', 0) // 1000:,}) + "
        f"{sizes.get('sentences', 0):,} ({sizes.get('sentenceChars', 0) // 1000:,})"
    )


def cpu_snapshot() -> dict[int, tuple[float, str]]:
    """CPU seconds used so far (user + system) and the command line of every process."""
    ticks = os.sysconf("SC_CLK_TCK")
    out: dict[int, tuple[float, str]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            fields = stat[stat.rindex(")") + 2 :].split()
            cmd = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except (OSError, ValueError):
            continue
        out[int(entry.name)] = ((int(fields[11]) + int(fields[12])) / ticks, cmd.strip())
    return out


def other_cpu(
    before: dict[int, tuple[float, str]], after: dict[int, tuple[float, str]], mine: set[int]
) -> tuple[float, list[tuple[float, str]]]:
    """CPU seconds that processes other than ``mine`` used between two snapshots (processes
    that started meanwhile count from zero), and the three that used most."""
    used = []
    for pid, (seconds, cmd) in after.items():
        if pid in mine:
            continue
        spent = seconds - before.get(pid, (0.0, cmd))[0]
        if spent > 0:
            used.append((spent, cmd[:100] or f"pid {pid}"))
    used.sort(reverse=True)
    return sum(u for u, _ in used), used[:3]


def run(quick: bool, options: LoadOptions | None = None) -> dict[str, Any]:
    """The suite: drive the load, analyse, and describe it as tables."""
    options = options or LoadOptions()
    if quick:
        options.docs, options.rate, options.seconds = min(options.docs, 20), 10.0, 10.0
    started = time.perf_counter()
    model, model_how = (None, "completion off")
    if options.completion:
        model, model_how = code_model(options.code_model)
    load_before = os.getloadavg()
    cpu_before, wall_before = cpu_snapshot(), time.perf_counter()
    raw = asyncio.run(drive(options, model))
    cpu_after, wall = cpu_snapshot(), time.perf_counter() - wall_before
    load_after = os.getloadavg()
    others, top = other_cpu(cpu_before, cpu_after, {os.getpid(), raw["pid"]})
    capacity = wall * (os.cpu_count() or 1)
    # Shared: other processes used more than a tenth of the machine while the load ran.
    shared = others > 0.1 * capacity
    result = analyse(raw)
    result["other_processes_cpu"] = {
        "seconds": others,
        "share_of_machine": others / capacity if capacity else float("nan"),
        "top": [[round(u, 1), cmd] for u, cmd in top],
    }
    md = sum(1 for v in raw["languages"].values() if v == "markdown")
    lines = raw["doc_lines"]
    title = (
        f"load: {options.docs} open documents ({md} Markdown, {options.docs - md} Python, "
        f"{min(lines)}-{max(lines)} lines, {sum(lines):,} in all), {options.rate:g} edits/s for "
        f"{options.seconds:g} s, completion {options.completion_rate:g}/s"
    )
    latency = Table(title, ["what", "count", "p50 ms", "p90 ms", "p99 ms", "max ms"])
    for label, key in (
        ("edit -> fresh diagnostics (that version or newer)", "edit_to_fresh_diagnostics_ms"),
        ("edit -> diagnostics of that very version", "edit_to_own_version_ms"),
        ("inlineCompletion round trip", "completion_ms"),
        ("quill.status round trip (sampled 1/s)", "status_round_trip_ms"),
    ):
        s = result[key]
        latency.rows.append(
            [
                label,
                str(s["count"]),
                fmt(s["p50"], 0),
                fmt(s["p90"], 0),
                fmt(s["p99"], 0),
                fmt(s["max"], 0),
            ]
        )
    rss = result["rss_mb"]
    pend = result["pending_checks"]
    stalls = result["stalls"]
    health = Table(
        "load: memory, check queue and event loop",
        ["measure", "start", "peak / max", "end", "slope, last 30 s of edits"],
        [
            [
                "server RSS (MB)",
                f"{fmt(rss['start'], 0)} (after open {fmt(rss['after_open'], 0)})",
                fmt(rss["peak"], 0),
                f"{fmt(rss['end_of_edits'], 0)} (after settling {fmt(rss['end'], 0)})",
                f"{fmt(rss['slope_last_30s_mb_per_min'], 1)} MB/min",
            ],
            [
                "documents with a check pending",
                str(pend["start"]),
                f"{pend['max_sampled']} sampled, {pend['max_seen']} seen",
                f"{pend['end_of_edits']} (after settling {pend['after_settle']})",
                f"{fmt(pend['slope_last_30s_per_min'], 1)} / min",
            ],
            [
                "jobs waiting for the checker thread",
                "",
                f"{result['worker_queue']['max_sampled']} sampled 1/s, "
                f"{result['worker_queue']['max_seen']} sampled every 50 ms",
                "",
                "",
            ],
            [
                "checker caches: regions + grammar sentences (entries, thousand chars)",
                _cache_cell(result["caches"]["edit_start"]),
                f"bounds {checker_module.CACHE_SIZE:,} + {document_module.CACHE_SIZE:,} "
                f"entries, {checker_module.CACHE_CHARS // 1000:,} + "
                f"{document_module.CACHE_CHARS // 1000:,} thousand chars",
                _cache_cell(result["caches"]["end"]),
                f"{fmt(result['caches']['chars_slope_last_30s_per_min'] / 1000, 0)} thousand "
                "chars / min",
            ],
            [
                "event-loop stalls > 100 ms",
                f"{stalls['opening']} while opening (max lag "
                f"{fmt(stalls['max_lag_ms_before_edits'] or 0, 0)} ms)",
                f"{stalls['count']} in all, max lag {fmt(stalls['max_lag_ms'] or 0, 0)} ms",
                f"{stalls['editing']} while editing, {stalls['settling']} after",
                f"{fmt(stalls['stalled_ms'] or 0, 0)} ms stalled in all, the loop's thread on "
                f"CPU for {fmt(stalls['stalled_cpu_ms'] or 0, 0)} ms of it",
            ],
        ],
    )
    latency.notes += [
        f"Grammar: {raw.get('grammar_status', 'off')}. Completion: {model_how}: "
        f"{describe_model(model) if model else 'none'} ({raw.get('completion_status', '')}).",
        f"Opening the {options.docs} documents took {fmt(raw['open_s'], 1)} s to the last "
        "first publication (spelling and each document's first 24 sentences of grammar; the "
        "rest of the grammar continues in the background, stepping aside for edits); the "
        "edits started after that. Warm-up completion (model load) "
        f"{fmt(raw.get('completion_warmup_s', float('nan')), 2)} s, not counted.",
        f"Edits sent: {raw['edits_sent']} in {fmt(raw['edit_seconds'], 1)} s "
        f"({fmt(result['achieved_edit_rate'], 1)}/s; {result['late_edits']} sent > 50 ms late), "
        f"into {raw['edited_docs']} documents; {result['edits_superseded']} were superseded by "
        "a newer edit of the same document before their check finished (their latency is to "
        f"the newer version's diagnostics); {result['edits_without_fresh_diagnostics']} got "
        f"no diagnostics at all; {result['final_versions_missing']} documents lacked "
        f"diagnostics of their final version after {fmt(options.settle_s, 0)} s "
        f"(waiting for them took {fmt(raw['settle_s'], 1)} s after the last edit).",
        f"Completions: {result['completions_sent']} sent, {result['completions_with_items']} "
        f"with a suggestion, {result['completion_errors']} errors or timeouts. A request "
        "superseded by a newer one for the same document is answered at once with no item.",
        "Client-side wall time from sending to the first matching message; diagnostics "
        "debounce 0 ms (the server's default, 250 ms, would add that to every edit and merge "
        "bursts into one check).",
        slow_edits_note(raw),
    ]
    pubs = result["publications"]
    collections = result["gc"]
    health.notes += [
        "RSS is VmRSS of the server process from /proc/PID/status, once a second; the slope "
        "is a least-squares fit over the last 30 s of editing (steady growth would show as "
        "a positive slope).",
        "The queue and stalls come from quill.status (server/lsp/health.py): 'pending' is the "
        "number of documents whose check is scheduled, waiting for the worker thread, running, "
        "or finishing its background grammar (at most one per open document); stalls are "
        "wake-ups of a 50 ms asyncio timer in the server more than 100 ms late.",
        f"Project vocabulary (unknown words flagged in 3+ files, accepted): "
        f"{result['project_words']['edit_start']} words when the edits started, "
        f"{result['project_words']['end']} at the end, changed in "
        f"{result['project_words']['changes_sampled']} of the 1-s samples while editing (each "
        "change has every open document checked again; the server sends only the publications "
        f"that differ from what the client has: {pubs.get('sent')} sent, "
        f"{pubs.get('unchanged_not_sent')} unchanged and not sent, over the whole run).",
        "Garbage collections over the whole run (server/lsp/collector.py: full passes only "
        "when idle, or every 10 minutes under load): by generation "
        f"{collections.get('collections')}, longest pause (ms) "
        f"{collections.get('maxPauseMs')}; full passes at idle "
        f"{collections.get('fullAtIdle')}, forced {collections.get('fullForced')}, automatic "
        f"{collections.get('fullAutomatic')}; {collections.get('frozenObjects')} objects frozen "
        "after start-up.",
        f"Load average (1 min) {load_before[0]:.2f} before, {load_after[0]:.2f} after. "
        + (
            "**The machine was shared** during this run: other processes used "
            if shared
            else "Other processes used "
        )
        + f"{others:.0f} CPU-seconds of the {capacity:.0f} the machine had in those "
        f"{wall:.0f} s ({100 * others / capacity:.0f}%)"
        + (
            "; most: " + "; ".join(f"{cmd} ({u:.0f} s)" for u, cmd in top) + "."
            if shared and top
            else "."
        ),
    ]
    if stalls.get("recent"):
        health.notes.append(
            "Latest stalls (s since the server started: ms late / ms of CPU the loop's thread "
            "used meanwhile; CPU close to the lag means the loop itself was busy, little CPU "
            "that it waited for the GIL or a core): "
            + ", ".join(
                f"{s['atS']}: {s['lagMs']}/{s.get('cpuMs', '?')}" for s in stalls["recent"][-10:]
            )
        )
    e = result["edit_to_fresh_diagnostics_ms"]
    c = result["completion_ms"]
    return {
        "suite": "load",
        "tables": [latency.as_dict(), health.as_dict()],
        "options": asdict(options),
        "code_model": {
            "path": str(model) if model else None,
            "how": model_how,
            "name": describe_model(model) if model else None,
        },
        "machine_shared": shared,
        "result": result,
        "raw": raw,
        "seconds": time.perf_counter() - started,
        "summary": [
            f"load ({options.docs} docs, {options.rate:g} edits/s, {options.seconds:g} s, "
            f"grammar {'on' if options.grammar else 'off'}, completion "
            f"{'on' if options.completion else 'off'}): edit -> fresh diagnostics p50 "
            f"{fmt(e['p50'], 0)} ms, p99 {fmt(e['p99'], 0)} ms, max {fmt(e['max'], 0)} ms; "
            f"completion p50 {fmt(c['p50'], 0)} ms, p99 {fmt(c['p99'], 0)} ms; RSS "
            f"{fmt(rss['start'], 0)} -> peak {fmt(rss['peak'], 0)} MB (slope "
            f"{fmt(rss['slope_last_30s_mb_per_min'], 1)} MB/min); queue max "
            f"{pend['max_seen']}; stalls > 100 ms: {stalls['count']} (max "
            f"{fmt(stalls['max_lag_ms'] or 0, 0)} ms)" + (" (machine shared)" if shared else "")
        ],
    }


def main(argv: list[str] | None = None) -> int:
    """Run the load on its own and print the result as JSON (the suite runner writes files)."""
    import argparse

    parser = argparse.ArgumentParser(prog="python -m benchmarks.load")
    parser.add_argument("--docs", type=int, default=LoadOptions.docs)
    parser.add_argument("--rate", type=float, default=LoadOptions.rate)
    parser.add_argument("--seconds", type=float, default=LoadOptions.seconds)
    parser.add_argument("--completion-rate", type=float, default=LoadOptions.completion_rate)
    parser.add_argument("--code-model")
    parser.add_argument("--no-grammar", action="store_true")
    parser.add_argument("--no-completion", action="store_true")
    parser.add_argument("--server-log")
    args = parser.parse_args(argv)
    options = LoadOptions(
        docs=args.docs,
        rate=args.rate,
        seconds=args.seconds,
        completion_rate=args.completion_rate,
        code_model=args.code_model,
        grammar=not args.no_grammar,
        completion=not args.no_completion,
        server_log=args.server_log,
    )
    data = run(False, options)
    print(json.dumps({k: v for k, v in data.items() if k != "raw"}, indent=1, default=str))
    return 0


if __name__ == "__main__":
    sys.exit(main())
