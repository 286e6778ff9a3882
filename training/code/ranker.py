"""``python -m training code ranker``: learn which workspace line to suggest, and when to stay
silent (:mod:`server.engine.completion_ranker` applies what this writes).

Cases come from real repositories the way the benchmark makes them
(:mod:`training.code.workspace_cases`), but from other repositories: every candidate the index
offers is one row of features, labelled 1 when it is the line the author wrote. A logistic
regression (Newton's method, L2 penalty: a handful of features and tens of thousands of rows
need nothing more), one for line starts and one for mid-line cursors, gives each candidate a
probability; the threshold is the lowest probability of the best candidate at which precision
among the suggestions shown, on these repositories, still reaches the target. The metrics say
how often the right line was among the candidates at all (by kind, and which sources proposed
it) and at which rank the fitted ranker put it: the ceiling that candidates set on ranking.

With ``--model DIR`` the second stage is fitted on the same cases: the code model scores each
case's shortlist (the first stage's best :data:`~server.engine.completion_ranker.SHORTLIST`
lines) at the cursor, a logistic regression per kind over
:data:`~server.engine.completion_ranker.MODEL_FEATURES` learns which shortlisted line is the
one written, and its threshold is calibrated the same way. The result belongs to that model:
``--ship DIR/ranker.json`` puts it in the model's directory and rewrites its manifest.
"""

from __future__ import annotations

import logging
import sys
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from tqdm import tqdm

from server.engine.code_index import FEATURES, candidates
from server.engine.completion import CompletionContext, context_at
from server.engine.completion_ranker import (
    MODEL_FEATURES,
    SHORTLIST,
    MiddleScorer,
    Ranker,
    Rescorer,
    model_features,
)
from training.code.args import CodeRankerArgs
from training.code.workspace_cases import make_cases, repo_files, run_cases
from training.export import write_manifest
from training.runlog import write_json

log = logging.getLogger(__name__)
RECALL = "recall_and_rank_on_training_repositories"

#: Packages of the training environment the shipped ranker learns from; the benchmark's
#: repositories (benchmarks/completion.py) are none of these.
DEFAULT_REPOS = (
    "accelerate",
    "optimum",
    "huggingface_hub",
    "hypothesis",
    "anyio",
    "rich",
    "fsspec",
    "packaging",
)


def site_packages_repos(names: tuple[str, ...] = DEFAULT_REPOS) -> list[Path]:
    """The installed packages ``names`` (folders in this interpreter's site-packages)."""
    import importlib.util

    out = []
    for name in names:
        spec = importlib.util.find_spec(name)
        if spec is not None and spec.submodule_search_locations:
            out.append(Path(next(iter(spec.submodule_search_locations))))
    return out


@dataclass
class Rows:
    """Every candidate of every case: features, labels (1: the line written), and per case the
    (start, end) of its candidate rows and its kind (``next``: nothing typed on the line;
    ``mid``). With ``keep_context``: each candidate's text and each case's context, for the
    code model."""

    x: np.ndarray
    y: np.ndarray
    spans: list[tuple[int, int, str]]
    texts: list[str] = field(default_factory=list)
    contexts: list[CompletionContext] = field(default_factory=list)


def collect_rows(
    repos: list[Path],
    per_kind: int,
    seed: int,
    sources: Counter[str] | None = None,
    keep_context: bool = False,
) -> Rows:
    """The :class:`Rows` of ``per_kind`` cases of each kind per repository. ``sources``
    counts, by ``kind/source``, the cases whose right line that source proposed."""
    rows: list[tuple[float, ...]] = []
    labels: list[int] = []
    spans: list[tuple[int, int, str]] = []
    texts: list[str] = []
    contexts: list[CompletionContext] = []
    for root in tqdm(repos, desc="repositories", unit="repo", file=sys.stderr):
        files = repo_files(root)
        for kind in ("next", "mid"):
            cases = make_cases(root.name, files, per_kind, kind, seed)

            def add(index: Any, cursor: Any, case: Any, kind: str = kind) -> None:
                start = len(rows)
                for c in candidates(index, cursor):
                    rows.append(c.features)
                    labels.append(int(c.text.rstrip() == case.target))
                    if labels[-1] and sources is not None:
                        sources.update(f"{kind}/{source}" for source in c.sources)
                    if keep_context:
                        texts.append(c.text)
                spans.append((start, len(rows), kind))
                if keep_context:
                    contexts.append(context_at(case.editor_text, case.offset))

            run_cases(files, cases, add)
    return Rows(
        np.array(rows, dtype=np.float64).reshape(-1, len(FEATURES)),
        np.array(labels, dtype=np.float64),
        spans,
        texts,
        contexts,
    )


def fit_logistic(x: np.ndarray, y: np.ndarray, l2: float, steps: int = 50) -> np.ndarray:
    """Weights of an L2-penalised logistic regression (the bias, column 0, unpenalised)."""
    w = np.zeros(x.shape[1])
    penalty = np.full(x.shape[1], l2)
    penalty[0] = 0.0
    for _ in range(steps):
        p = 1.0 / (1.0 + np.exp(-np.clip(x @ w, -50, 50)))
        grad = x.T @ (p - y) + penalty * w
        hess = (x * (p * (1 - p))[:, None]).T @ x + np.diag(penalty + 1e-9)
        step = np.linalg.solve(hess, grad)
        w -= step
        if np.max(np.abs(step)) < 1e-8:
            break
    return w


def calibrate(
    best: list[tuple[float, bool]], cases: int, precision: float
) -> tuple[float, dict[str, float]]:
    """The lowest threshold on the best candidate's probability at which the suggestions shown
    are right at least ``precision`` of the time; with the coverage and exact match it gives."""
    ranked = sorted(best, key=lambda pr: -pr[0])
    threshold, right, chosen = 1.0, 0, (0, 0)
    for k, (p, ok) in enumerate(ranked, 1):
        right += ok
        if right / k >= precision:
            threshold, chosen = p, (k, right)
    shown, right = chosen
    return threshold, {
        "shown": shown,
        "precision": round(100 * right / shown, 1) if shown else 0.0,
        "coverage": round(100 * shown / cases, 1) if cases else 0.0,
        "exact_match": round(100 * right / cases, 1) if cases else 0.0,
    }


def rescorer_rows(
    rows: Rows, probs: np.ndarray, scorer: MiddleScorer, shortlist: int = SHORTLIST
) -> Rows:
    """The second stage's rows: each case's shortlist (its ``shortlist`` most probable
    candidates by the first stage, best first) with :data:`MODEL_FEATURES` from the model's
    scores; spans, labels and kinds as the first stage's."""
    x: list[tuple[float, ...]] = []
    y: list[float] = []
    spans: list[tuple[int, int, str]] = []
    for (start, end, kind), context in tqdm(
        list(zip(rows.spans, rows.contexts, strict=True)),
        desc="code model scores",
        unit="case",
        file=sys.stderr,
    ):
        first = len(x)
        if end > start:
            order = sorted(range(start, end), key=lambda i: (-probs[i], i))[:shortlist]
            scores = scorer.score_middles(context, [rows.texts[i] for i in order])
            x += model_features([float(probs[i]) for i in order], scores)
            y += [float(rows.y[i]) for i in order]
        spans.append((first, len(x), kind))
    return Rows(np.array(x, dtype=np.float64).reshape(-1, len(MODEL_FEATURES)), np.array(y), spans)


def fit_by_kind(rows: Rows, kinds: dict[str, np.ndarray], l2: float) -> dict[str, np.ndarray]:
    """Weights per kind (a kind without a single candidate, as in tiny repositories, takes the
    other kind's)."""
    fitted = {k: fit_logistic(rows.x[r], rows.y[r], l2) for k, r in kinds.items() if r.any()}
    return {k: fitted.get(k, fitted.get("mid" if k == "next" else "next")) for k in kinds}


def probabilities(rows: Rows, kinds: dict[str, np.ndarray], weights: dict[str, np.ndarray]) -> Any:
    probs = np.zeros(len(rows.y))
    for kind, r in kinds.items():
        probs[r] = 1.0 / (1.0 + np.exp(-np.clip(rows.x[r] @ weights[kind], -50, 50)))
    return probs


def calibrate_kinds(
    rows: Rows, probs: np.ndarray, precision: float
) -> tuple[dict[str, float], dict[str, dict[str, float]]]:
    """Per kind, the threshold on the best candidate's probability for ``precision`` and what
    it gives on these cases (:func:`calibrate`)."""
    best: dict[str, list[tuple[float, bool]]] = {"next": [], "mid": []}
    for start, end, kind in rows.spans:
        if end > start:
            k = start + int(np.argmax(probs[start:end]))
            best[kind].append((float(probs[k]), bool(rows.y[k])))
    thresholds: dict[str, float] = {}
    at: dict[str, dict[str, float]] = {}
    for kind, found in best.items():
        cases = sum(1 for span in rows.spans if span[2] == kind)
        thresholds[kind], at[kind] = calibrate(found, cases, precision)
    return thresholds, at


def line_start_rows(rows: Rows, column: int) -> dict[str, np.ndarray]:
    at_start = rows.x[:, column] > 0
    return {"next": at_start, "mid": ~at_start}


def fit_rescorer(
    rows: Rows, probs: np.ndarray, args: CodeRankerArgs
) -> tuple[Rescorer, dict[str, Any]]:
    """The second stage for the code model ``args.model``, and what it gives on these cases."""
    from server.runtime.onnx_lm import OnnxLM

    assert args.model is not None
    lm = OnnxLM.load(args.model, device="cpu", threads=args.threads)
    second = rescorer_rows(rows, probs, lm)
    # A shortlisted row is a line-start row when its case is a next-line case.
    kinds = {k: np.zeros(len(second.y), dtype=bool) for k in ("next", "mid")}
    for start, end, kind in second.spans:
        kinds[kind][start:end] = True
    weights = fit_by_kind(second, kinds, args.l2)
    probs2 = probabilities(second, kinds, weights)
    thresholds, at = calibrate_kinds(second, probs2, args.precision)
    rescorer = Rescorer(
        tuple(float(v) for v in weights["mid"]),
        thresholds["mid"],
        tuple(float(v) for v in weights["next"]),
        thresholds["next"],
    )
    recall = recall_table(second.spans, probs2, second.y, Counter())
    ranks = {kind: row["rank_1"] for kind, row in recall.items()}
    return rescorer, {
        "model": str(args.model),
        "shortlist": SHORTLIST,
        "weights": dict(zip(MODEL_FEATURES, rescorer.weights, strict=True)),
        "line_start_weights": dict(zip(MODEL_FEATURES, rescorer.line_start_weights, strict=True)),
        "thresholds": {"mid-line": rescorer.threshold, "line start": rescorer.line_start_threshold},
        "at_threshold_on_training_repositories": at,
        "right_line_first_with_the_model": ranks,
    }


def rank_of_right_line(probs: np.ndarray, y: np.ndarray, start: int, end: int) -> int | None:
    """Where the right line (if among the candidates) ranks by probability, 1 for the best."""
    if end <= start or not y[start:end].any():
        return None
    right = start + int(np.argmax(y[start:end]))
    return 1 + int(np.sum(probs[start:end] > probs[right]))


def recall_table(
    spans: list[tuple[int, int, str]],
    probs: np.ndarray,
    y: np.ndarray,
    sources: Counter[str],
) -> dict[str, dict[str, float]]:
    """Per kind, in % of its cases: the right line among the candidates (the oracle), at rank
    1, 2, 3 and lower, and proposed by each source."""
    out: dict[str, dict[str, float]] = {}
    for kind in ("next", "mid"):
        ranks = [rank_of_right_line(probs, y, s, e) for s, e, k in spans if k == kind]
        n = len(ranks)
        if not n:
            continue
        row = {
            "cases": n,
            "among_candidates": 100 * sum(r is not None for r in ranks) / n,
            "rank_1": 100 * sum(r == 1 for r in ranks) / n,
            "rank_2": 100 * sum(r == 2 for r in ranks) / n,
            "rank_3": 100 * sum(r == 3 for r in ranks) / n,
            "rank_4_or_lower": 100 * sum(r is not None and r > 3 for r in ranks) / n,
        }
        for key, count in sorted(sources.items()):
            if key.startswith(kind + "/"):
                row["source_" + key.split("/", 1)[1]] = 100 * count / n
        out[kind] = {k: round(v, 1) for k, v in row.items()}
    return out


def run(args: CodeRankerArgs) -> dict[str, Any]:
    t0 = time.monotonic()
    repos = args.repo or site_packages_repos()
    sources: Counter[str] = Counter()
    rows = collect_rows(repos, args.cases, args.seed, sources, keep_context=bool(args.model))
    y, spans = rows.y, rows.spans
    log.info("%d cases, %d candidates, %d right", len(spans), len(y), int(y.sum()))
    kinds = line_start_rows(rows, FEATURES.index("at_line_start"))
    weights = fit_by_kind(rows, kinds, args.l2)
    probs = probabilities(rows, kinds, weights)
    thresholds, at = calibrate_kinds(rows, probs, args.precision)
    rescorer, second = fit_rescorer(rows, probs, args) if args.model else (None, None)
    ranker = Ranker(
        tuple(float(v) for v in weights["mid"]),
        thresholds["mid"],
        thresholds["next"],
        tuple(float(v) for v in weights["next"]),
        rescorer,
    )
    metrics = {
        "repositories": [p.name for p in repos],
        "cases": len(spans),
        "candidates": len(y),
        "cases_with_the_line_among_candidates": sum(
            1 for s, e, _ in spans if e > s and y[s:e].any()
        ),
        RECALL: recall_table(spans, probs, y, sources),
        "weights": dict(zip(FEATURES, ranker.weights, strict=True)),
        "line_start_weights": dict(zip(FEATURES, weights["next"].tolist(), strict=True)),
        "thresholds": {"mid-line": ranker.threshold, "line start": ranker.line_start_threshold},
        "at_threshold_on_training_repositories": at,
        **({"with_the_code_model": second} if second else {}),
        "seconds": round(time.monotonic() - t0, 1),
    }
    log.info("thresholds %s: %s", thresholds, at)
    log.info("right line among candidates, rank: %s", metrics[RECALL])
    if second:
        log.info("with the code model: %s", second["at_threshold_on_training_repositories"])
    command = "python -m training code ranker"
    if args.model:
        command += f" --model {args.model.name}"
    text = ranker.to_json(
        trained_on=metrics["repositories"],
        cases=len(spans),
        target_precision=args.precision,
        command=command + (f" --ship {args.ship}" if args.ship else ""),
    )
    args.output.mkdir(parents=True, exist_ok=True)
    (args.output / "ranker.json").write_text(text + "\n", encoding="utf-8")
    if args.ship is not None:
        args.ship.write_text(text + "\n", encoding="utf-8")
        if args.model and (args.ship.parent / "manifest.json").is_file():
            write_manifest(args.ship.parent)  # the ranker is now one of the model's files
    write_json(args.output / "code-ranker.json", metrics)
    return metrics
