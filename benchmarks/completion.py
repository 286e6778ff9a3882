"""completion: code completion from the workspace, on repositories nothing was tuned on.

How a case is made (:mod:`training.code.workspace_cases`, shared with the ranker's fitting): a
non-trivial line (8+ characters, not a comment) of a real repository is removed from the file
on disk; the editor's copy has the cursor on it, after the indentation (*next line*) or after a
typed start cut at a word boundary (*mid-line*). The workspace is the rest of the repository.
The repositories are installed packages that neither the ranker (``python -m training code
ranker``: accelerate, optimum, huggingface_hub, hypothesis, anyio, rich, fsspec, packaging)
nor any code model was fitted on.

Rows: the full system (workspace candidates, the ranker's shortlist re-scored by the shipped
code model with the ranker fitted with it, silence below its threshold); the same with only
the file itself as the workspace; the full system without the code model (the shipped first
stage alone); retrieval alone (the first stage's best candidate, never silent); the no-model
rule (the line that most often follows the previous line, or the most frequent line starting
as typed); a workspace n-gram floor (greedy 4-gram over the workspace's tokens); the code model
alone (greedy to the end of the line from the file alone, never silent); and Jedi on the
mid-line cases whose rest is one identifier (its first completion).

*exact* counts every case (silence is a miss); *precision* is among the suggestions shown;
*coverage* is the share of cases with a suggestion; *edit sim.* is the mean normalised
Levenshtein similarity of suggestion and truth (silence scores 0). Latency is the full system's
per request (candidates and ranking) in this process; memory is the index's, by tracemalloc.
"""

from __future__ import annotations

import asyncio
import importlib.metadata
import importlib.util
import re
import statistics
import time
import tracemalloc
from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from rapidfuzz.distance import Levenshtein

from server.engine.code_index import CodeIndex, Cursor, cursor_at, following
from server.engine.completion import context_at
from server.engine.completion_ranker import MiddleScorer, Ranker, rank_workspace
from server.runtime.code_model import CodeModel
from training.code.workspace_cases import (
    RepoFile,
    WorkspaceCase,
    index_of,
    make_cases,
    repo_files,
    run_cases,
)

from .common import WORK, Table

#: The benchmark's repositories: installed packages the ranker never saw.
REPOS = ("click", "jinja2", "httpx", "pygls")
#: A large package for the index's build time and memory per 100,000 lines.
BIG_REPO = "networkx"
_TOKEN = re.compile(r"\w+|[^\w\s]|[ \t]+")
_IDENT = re.compile(r"[A-Za-z_]\w*")

Prediction = str | None


def package_dir(name: str) -> Path | None:
    spec = importlib.util.find_spec(name)
    if spec is None or not spec.submodule_search_locations:
        return None
    return Path(next(iter(spec.submodule_search_locations)))


def version(name: str) -> str:
    try:
        return importlib.metadata.version(name)
    except importlib.metadata.PackageNotFoundError:
        return "?"


def no_model_rule(index: CodeIndex, cursor: Cursor) -> Prediction:
    """The line that most often follows the previous line (among those starting as typed), or
    else the most frequent line starting as typed."""
    typed = cursor.typed
    prev = cursor.previous(1)
    if prev:
        after: Counter[str] = Counter()
        for (_, text), n in following(index.follows, prev[-1][1]).items():
            if text.startswith(typed) and text != typed:
                after[text] += n
        if after:
            return max(after.items(), key=lambda kv: (kv[1], kv[0]))[0][len(typed) :]
    if typed:
        started = index.starting_with(typed)
        if started:
            return max(started, key=lambda t: (index.counts[t], t))[len(typed) :]
    return None


class NGramFloor:
    """Greedy 4-gram over the workspace's tokens (words, punctuation, runs of spaces), backing
    off to shorter contexts, writing to the end of the line."""

    def __init__(self, files: Sequence[RepoFile], order: int = 4) -> None:
        self.order = order
        self.table: dict[tuple[str, ...], Counter[str]] = {}
        for f in files:
            self.add(f.text)

    def add(self, text: str) -> None:
        tokens = ["\n"]
        for line in text.split("\n"):
            tokens += [*_TOKEN.findall(line.strip()), "\n"]
        for i in range(1, len(tokens)):
            for n in range(1, self.order):
                if i - n < 0:
                    break
                key = tuple(tokens[i - n : i])
                self.table.setdefault(key, Counter())[tokens[i]] += 1

    def complete(self, cursor: Cursor, limit: int = 40) -> Prediction:
        context = ["\n"]
        for _, text in cursor.previous(self.order):
            context += [*_TOKEN.findall(text), "\n"]
        context += _TOKEN.findall(cursor.typed)
        out: list[str] = []
        for _ in range(limit):
            nxt = None
            for n in range(self.order - 1, 0, -1):
                counter = self.table.get(tuple(context[-n:]))
                if counter:
                    nxt = counter.most_common(1)[0][0]
                    break
            if nxt is None or nxt == "\n":
                break
            out.append(nxt)
            context.append(nxt)
        return "".join(out) or None


def jedi_complete(root: Path, case: WorkspaceCase) -> list[str]:
    """Jedi's completions at the case's cursor, in its order (what each inserts)."""
    import jedi

    before = case.editor_text[: case.offset]
    line = before.count("\n") + 1
    column = case.offset - (before.rfind("\n") + 1)
    script = jedi.Script(case.editor_text, path=root / case.file, project=jedi.Project(root))
    return [c.complete for c in script.complete(line, column)]


def score(cases: Sequence[WorkspaceCase], predictions: Sequence[Prediction]) -> dict[str, float]:
    shown = [(c, p) for c, p in zip(cases, predictions, strict=True) if p]
    right = sum(1 for c, p in shown if p is not None and p.rstrip() == c.target)
    sims = [
        Levenshtein.normalized_similarity(p.rstrip(), c.target) if p else 0.0
        for c, p in zip(cases, predictions, strict=True)
    ]
    n = len(cases)
    return {
        "cases": n,
        "exact": 100 * right / n if n else 0.0,
        "precision": 100 * right / len(shown) if shown else float("nan"),
        "coverage": 100 * len(shown) / n if n else 0.0,
        "edit_similarity": statistics.fmean(sims) if sims else 0.0,
    }


def index_footprint(files: Sequence[RepoFile]) -> dict[str, float]:
    """Build time and traced memory of the index of ``files``, per 100,000 lines."""
    lines = sum(f.text.count("\n") + 1 for f in files)
    t0 = time.perf_counter()
    index_of(files)
    seconds = time.perf_counter() - t0
    tracemalloc.start()
    kept = index_of(files)
    size, _ = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    del kept
    return {
        "files": len(files),
        "lines": lines,
        "seconds": seconds,
        "mb": size / 2**20,
        "seconds_per_100k_lines": seconds * 100_000 / lines,
        "mb_per_100k_lines": size / 2**20 * 100_000 / lines,
    }


def code_model_for_benchmark() -> tuple[CodeModel, str] | None:
    """The code model the "model alone" row runs (and, with its own ranker, the full system
    ranks with): the shipped ``models/code-small`` when there is one, else the tiny model
    ``python -m benchmarks load`` builds with the training pipeline (``--preset tiny``); None
    (no row) when neither exists."""
    from server.runtime.code_model import load_code_model, resolve

    from .load import TINY_CODE_DIR

    for where, label in (
        (resolve(None), "the shipped code model"),
        (TINY_CODE_DIR / "model", "the training pipeline's tiny code model (no model ships)"),
    ):
        if where.is_dir():
            model = load_code_model(str(where), "cpu", 2)
            if model.generator is not None:
                return model, label
    return None


def model_alone(generator: Any, cases: Sequence[WorkspaceCase]) -> list[Prediction]:
    """What the code model writes at each case's cursor, from the file alone (greedy, to the
    end of the line), as ``quill complete`` does."""
    from server.engine.completion import complete_text

    out: list[Prediction] = []
    for case in cases:
        text, _ = complete_text(generator, case.editor_text, case.offset, max_new_tokens=48)
        out.append(text or None)
    return out


def evaluate_repo(
    root: Path,
    ranker: Ranker,
    per_kind: int,
    seed: int,
    with_jedi: bool,
    model: CodeModel | None = None,
) -> dict[str, Any]:
    """Every row on ``per_kind`` cases of each kind of the repository ``root``: the full system
    ranks with the model's own ranker and scores when the model ranks Python (else with
    ``ranker``, the shipped first stage alone, which "retrieval alone" always uses)."""
    ranks = model is not None and model.ranks("python")
    full_ranker = model.ranker if ranks and model is not None and model.ranker else ranker
    scorer = model.scorer if ranks and model is not None else None
    files = repo_files(root)
    index = index_of(files)
    ngram = NGramFloor(files)
    out: dict[str, Any] = {"files": len(files), "kinds": {}}
    for kind in ("next", "mid"):
        cases = make_cases(root.name, files, per_kind, kind, seed)
        latencies: list[float] = []

        def full(
            idx: CodeIndex,
            cursor: Cursor,
            case: WorkspaceCase,
            latencies: list[float] | None = latencies,
            ranker: Ranker = full_ranker,
            scorer: MiddleScorer | None = scorer,
        ) -> tuple[float, str] | None:
            """(probability minus the threshold it must reach, text) of the best candidate:
            shown when the margin is not negative."""
            t0 = time.perf_counter()
            context = context_at(case.editor_text, case.offset) if scorer else None
            found = rank_workspace(idx, cursor, ranker, scorer, context)
            if latencies is not None:
                latencies.append(time.perf_counter() - t0)
            return (found[1] - found[2], found[0].text) if found else None

        def first_stage(idx: CodeIndex, cursor: Cursor, case: WorkspaceCase) -> Any:
            return full(idx, cursor, case, None, ranker, None)

        ranked = run_cases(files, cases, full, index=index)
        alone = run_cases(files, cases, full, workspace=False)
        retrieval = run_cases(files, cases, first_stage, index=index) if scorer else ranked
        rule = run_cases(files, cases, lambda i, c, _: no_model_rule(i, c), index=index)
        floor = [ngram.complete(c) for c in _cursors(cases)]

        def shown(results: list[Any]) -> list[Prediction]:
            return [r[1] if r and r[0] >= 0 else None for r in results]

        rows = {
            "full system": score(cases, shown(ranked)),
            "full system, only the file (no workspace)": score(cases, shown(alone)),
        }
        if scorer:
            rows["full system without the code model"] = score(cases, shown(retrieval))
        rows |= {
            "retrieval alone (never silent)": score(
                cases, [r[1] if r else None for r in retrieval]
            ),
            "no-model rule": score(cases, rule),  # type: ignore[arg-type]
            "workspace 4-gram floor": score(cases, floor),
        }
        if model is not None and model.generator is not None:
            writes = model_alone(model.generator, cases)
            rows["code model alone (never silent)"] = score(cases, writes)
        if with_jedi and kind == "mid":
            one = [c for c in cases if _IDENT.fullmatch(c.target)]
            mine = [
                r for c, r in zip(cases, shown(ranked), strict=True) if _IDENT.fullmatch(c.target)
            ]
            lists = [jedi_complete(root, c) for c in one]
            rows["Jedi (rest is one identifier)"] = score(one, [j[0] if j else None for j in lists])
            out["jedi_truth_listed"] = out.get("jedi_truth_listed", 0) + sum(
                c.target in j for c, j in zip(one, lists, strict=True)
            )
            out["jedi_cases"] = out.get("jedi_cases", 0) + len(one)
            rows["full system (rest is one identifier)"] = score(one, mine)
        curve = sorted(
            ((r[0], r[1] == c.target) for c, r in zip(cases, ranked, strict=True) if r),
            key=lambda pr: -pr[0],
        )
        out["kinds"][kind] = {
            "rows": rows,
            "latency_ms": [1000 * x for x in latencies],
            "curve": [(p, bool(ok)) for p, ok in curve],
            "cases": len(cases),
        }
    return out


def _cursors(cases: Sequence[WorkspaceCase]) -> list[Cursor]:
    return [cursor_at(c.editor_text, c.offset, c.file) for c in cases]


def precision_coverage(
    curves: Sequence[Sequence[tuple[float, bool]]], cases: int
) -> list[tuple[float, float, float]]:
    """(margin, coverage %, precision %) as the margin over the shipped thresholds falls
    through every score (margin 0: what ships)."""
    merged = sorted((pr for curve in curves for pr in curve), key=lambda pr: -pr[0])
    out, right = [], 0
    for k, (p, ok) in enumerate(merged, 1):
        right += ok
        out.append((p, 100 * k / cases, 100 * right / k))
    return out


async def _serve(folder: Path) -> tuple[Any, float]:
    """A server over stdio with ``folder`` as its workspace (grammar off, inline completion),
    initialised; and when it was started (``perf_counter``)."""
    from .lsp_client import Client, initialize_params, start_server

    client = Client(await start_server())
    params = initialize_params({"grammar": {"enabled": False}}, inline_completion=True)
    params["workspaceFolders"] = [{"uri": folder.as_uri(), "name": folder.name}]
    started = time.perf_counter()
    await client.request("initialize", params)
    await client.notify("initialized", {})
    return client, started


async def _status(client: Any) -> dict[str, Any]:
    status: dict[str, Any] = await client.request(
        "workspace/executeCommand", {"command": "quill.status"}
    )
    return status


async def _server_latency(root: Path, per_kind: int, seed: int) -> dict[str, Any]:
    """Round trips of ``textDocument/inlineCompletion`` through the real server over stdio,
    with ``root`` copied in as the workspace folder: requests start as soon as the server is
    initialised, so the first ones run while the index is still being built."""
    import shutil

    from .lsp_client import CACHE_HOME

    folder = WORK / "completion-workspace" / root.name
    shutil.rmtree(folder, ignore_errors=True)
    shutil.rmtree(CACHE_HOME / "quill" / "completion-index", ignore_errors=True)  # built cold
    shutil.copytree(root, folder, ignore=shutil.ignore_patterns("__pycache__"))
    files = repo_files(folder)
    cases = [
        c for kind in ("next", "mid") for c in make_cases(root.name, files, per_kind, kind, seed)
    ]
    client, started = await _serve(folder)
    opened: list[tuple[float, bool]] = []
    typed: list[float] = []
    building = True
    ready_after = None

    async def inline(uri: str, line: int, character: int) -> float:
        t0 = time.perf_counter()
        await client.request(
            "textDocument/inlineCompletion",
            {
                "textDocument": {"uri": uri},
                "position": {"line": line, "character": character},
                "context": {"triggerKind": 1},
            },
        )
        return time.perf_counter() - t0

    for k, case in enumerate(cases):
        uri = (folder / case.file).as_uri()
        before = case.editor_text[: case.offset]
        line = before.count("\n")
        character = len(before[before.rfind("\n") + 1 :].encode("utf-16-le")) // 2
        doc = {"uri": uri, "languageId": "python", "version": 1, "text": case.editor_text}
        await client.notify("textDocument/didOpen", {"textDocument": doc})
        # The first request on a newly opened file (its spelling check still running).
        opened.append((await inline(uri, line, character), building))
        # A keystroke: the file's diagnostics are in, the user types at the end of the file.
        await client.diagnostics_at(uri, 1)
        end = case.editor_text.split("\n")
        where = {"line": len(end) - 1, "character": len(end[-1].encode("utf-16-le")) // 2}
        await client.notify(
            "textDocument/didChange",
            {
                "textDocument": {"uri": uri, "version": 2},
                "contentChanges": [{"range": {"start": where, "end": where}, "text": "#"}],
            },
        )
        typed.append(await inline(uri, line, character))
        await client.notify("textDocument/didClose", {"textDocument": {"uri": uri}})
        if building and k % 5 == 0:
            status = await _status(client)
            building = status["completionIndex"] != "ready"
            if not building:
                ready_after = time.perf_counter() - started
    status = await _status(client)
    while status["completionIndexSnapshot"] != "saved":
        await asyncio.sleep(0.1)
        status = await _status(client)
    await client.close()
    restarted_after, restarted = await _ready_after_restart(folder)
    return {
        "restart_ready_after_s": restarted_after,
        "restart_snapshot": restarted,
        "opened_ms": [1000 * t for t, _ in opened],
        "during_build_ms": [1000 * t for t, b in opened if b],
        "typed_ms": [1000 * t for t in typed],
        "index_ready_after_s": ready_after,
        "index_lines": status["completionIndexLines"],
        "index_files": status["completionIndexFiles"],
    }


async def _ready_after_restart(folder: Path) -> tuple[float, str]:
    """Seconds from start-up until the index of ``folder`` is ready again, for a server that
    finds the snapshot its predecessor saved (the files unchanged), and what it said of it."""
    client, started = await _serve(folder)
    while True:
        status = await _status(client)
        if status["completionIndex"] == "ready":
            break
        await asyncio.sleep(0.02)
    after = time.perf_counter() - started
    await client.close()
    return after, status["completionIndexSnapshot"]


def server_latency(root: Path, per_kind: int, seed: int) -> dict[str, Any]:
    return asyncio.run(_server_latency(root, per_kind, seed))


def run(quick: bool, seed: int = 0) -> dict[str, object]:
    started = time.perf_counter()
    per_kind = 40 if quick else 300
    ranker = Ranker.load()
    with_jedi = importlib.util.find_spec("jedi") is not None
    repos = {name: package_dir(name) for name in REPOS}
    model = code_model_for_benchmark()
    results = {
        name: evaluate_repo(root, ranker, per_kind, seed, with_jedi, model[0] if model else None)
        for name, root in repos.items()
        if root is not None
    }
    columns = ["row", "exact %", "precision %", "coverage %", "edit sim.", "cases"]
    tables: list[Table] = []
    totals: dict[str, dict[str, list[float]]] = {}
    for kind, label in (("next", "next line"), ("mid", "mid-line")):
        table = Table(f"completion, {label}: all repositories", columns)
        merged: dict[str, list[dict[str, float]]] = {}
        for res in results.values():
            for row, m in res["kinds"][kind]["rows"].items():
                merged.setdefault(row, []).append(m)
        for row, ms in merged.items():
            n = sum(m["cases"] for m in ms)
            shown = sum(m["coverage"] * m["cases"] / 100 for m in ms)
            right = sum(m["exact"] * m["cases"] / 100 for m in ms)
            sim = sum(m["edit_similarity"] * m["cases"] for m in ms) / n if n else 0.0
            table.rows.append(
                [
                    row,
                    f"{100 * right / n:.1f}" if n else "n/a",
                    f"{100 * right / shown:.1f}" if shown else "n/a",
                    f"{100 * shown / n:.1f}" if n else "n/a",
                    f"{sim:.3f}",
                    str(n),
                ]
            )
            agg = totals.setdefault(row, {"n": [], "shown": [], "right": [], "sim": []})
            agg["n"].append(n)
            agg["shown"].append(shown)
            agg["right"].append(right)
            agg["sim"].append(sim * n)
        tables.append(table)
    both = Table("completion, both kinds: all repositories", columns)
    for row, agg in totals.items():
        n, shown, right = sum(agg["n"]), sum(agg["shown"]), sum(agg["right"])
        both.rows.append(
            [
                row,
                f"{100 * right / n:.1f}",
                f"{100 * right / shown:.1f}" if shown else "n/a",
                f"{100 * shown / n:.1f}",
                f"{sum(agg['sim']) / n:.3f}",
                str(n),
            ]
        )
    tables.insert(0, both)
    per_repo = Table(
        "completion, full system by repository", ["repository", "version", "files", *columns[1:]]
    )
    for name, res in results.items():
        for kind in ("next", "mid"):
            m = res["kinds"][kind]["rows"]["full system"]
            per_repo.rows.append(
                [
                    f"{name} ({kind})",
                    version(name),
                    str(res["files"]),
                    f"{m['exact']:.1f}",
                    f"{m['precision']:.1f}",
                    f"{m['coverage']:.1f}",
                    f"{m['edit_similarity']:.3f}",
                    str(m["cases"]),
                ]
            )
    tables.append(per_repo)
    latencies = sorted(
        x for r in results.values() for k in r["kinds"].values() for x in k["latency_ms"]
    )
    big = package_dir(BIG_REPO)
    footprint = index_footprint(repo_files(big)) if big is not None and not quick else None
    speed = Table("completion: latency and index", ["measure", "value"])
    if latencies:
        speed.rows.append(["latency p50 (ms)", f"{statistics.median(latencies):.1f}"])
        speed.rows.append(
            ["latency p99 (ms)", f"{latencies[int(0.99 * (len(latencies) - 1))]:.1f}"]
        )
    if footprint:
        speed.rows += [
            [
                f"index of {BIG_REPO} {version(BIG_REPO)}: files, lines",
                f"{footprint['files']}, {footprint['lines']}",
            ],
            [
                "index build, seconds per 100,000 lines",
                f"{footprint['seconds_per_100k_lines']:.2f}",
            ],
            ["index memory, MB per 100,000 lines", f"{footprint['mb_per_100k_lines']:.1f}"],
        ]
    listed = sum(r.get("jedi_truth_listed", 0) for r in results.values())
    jedi_cases = sum(r.get("jedi_cases", 0) for r in results.values())
    if jedi_cases:
        tables[0].notes.append(
            f"Jedi lists its completions alphabetically, leaving the choice to the user: the "
            f"right identifier is somewhere in its list in {listed} of {jedi_cases} cases "
            f"({100 * listed / jedi_cases:.0f}%); the table scores its first."
        )
    tables[0].notes.append(
        f"Code model alone: {model[1]}, greedy to the end of the line from the file alone."
        if model
        else "No code model alone row: none is shipped and none was built "
        "(python -m benchmarks load builds the pipeline's tiny one)."
    )
    served = server_latency(big, 20 if quick else 150, seed) if big is not None else None
    if served:

        def p50_p99(values: list[float]) -> str:
            ordered = sorted(values)
            if not ordered:
                return "n/a"
            return (
                f"{statistics.median(ordered):.1f} / {ordered[int(0.99 * (len(ordered) - 1))]:.1f}"
            )

        speed.rows += [
            [
                f"through the server, after a keystroke ({len(served['typed_ms'])} requests): "
                "p50 / p99 (ms)",
                p50_p99(served["typed_ms"]),
            ],
            [
                "through the server, first request on a file just opened: p50 / p99 (ms)",
                p50_p99(served["opened_ms"]),
            ],
            [
                f"of those, while the index was being built ({len(served['during_build_ms'])}): "
                "p50 / p99 (ms)",
                p50_p99(served["during_build_ms"]),
            ],
            [
                "index ready after start-up (s), files, lines",
                f"{served['index_ready_after_s'] or 0:.1f}, {served['index_files']}, "
                f"{served['index_lines']:,}",
            ],
            [
                "index ready after a restart that finds the saved index (s)",
                f"{served['restart_ready_after_s']:.2f} ({served['restart_snapshot']})",
            ],
        ]
    speed.notes.append(
        "In-process latency: candidates and ranking per request, over every case above. "
        f"Through the server: {BIG_REPO} copied in as the workspace folder; per case its file "
        "is opened as the editor has it and asked at once (its spelling check running beside), "
        "then, once its diagnostics are in, a character is typed and it is asked again; "
        "requests start as soon as the server is initialised, while the index builds."
    )
    tables.append(speed)
    n_cases = sum(r["kinds"][k]["cases"] for r in results.values() for k in r["kinds"])
    curve = precision_coverage(
        [r["kinds"][k]["curve"] for r in results.values() for k in r["kinds"]], n_cases
    )
    full = next(r for r in both.rows if r[0] == "full system")
    return {
        "suite": "completion",
        "tables": [t.as_dict() for t in tables],
        "thresholds": {"mid-line": ranker.threshold, "line start": ranker.line_start_threshold},
        "precision_coverage": curve[:: max(1, len(curve) // 200)],
        "versions": {name: version(name) for name in results} | {"jedi": version("jedi")},
        "seconds": time.perf_counter() - started,
        "summary": [
            f"completion (workspace candidates, ranked, silent when unsure) on "
            f"{', '.join(results)}: exact {full[1]}% of all cases, precision {full[2]}% at "
            f"coverage {full[3]}%"
        ],
    }
