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
"""

from __future__ import annotations

import logging
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

import numpy as np
from tqdm import tqdm

from server.engine.code_index import FEATURES, candidates
from server.engine.completion_ranker import Ranker
from training.code.args import CodeRankerArgs
from training.code.workspace_cases import make_cases, repo_files, run_cases
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


def collect_rows(
    repos: list[Path], per_kind: int, seed: int, sources: Counter[str] | None = None
) -> tuple[np.ndarray, np.ndarray, list[tuple[int, int, str]]]:
    """Features, labels and, per case, the (start, end) of its candidate rows and its kind
    (``next``: nothing typed on the line; ``mid``). ``sources`` counts, by ``kind/source``,
    the cases whose right line that source proposed."""
    rows: list[tuple[float, ...]] = []
    labels: list[int] = []
    spans: list[tuple[int, int, str]] = []
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
                spans.append((start, len(rows), kind))

            run_cases(files, cases, add)
    return np.array(rows, dtype=np.float64), np.array(labels, dtype=np.float64), spans


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
    x, y, spans = collect_rows(repos, args.cases, args.seed, sources)
    log.info("%d cases, %d candidates, %d right", len(spans), len(y), int(y.sum()))
    at_start = x[:, FEATURES.index("at_line_start")] > 0
    kinds = {"next": at_start, "mid": ~at_start}
    # A kind without a single candidate (tiny repositories) takes the other kind's weights.
    fitted = {k: fit_logistic(x[rows], y[rows], args.l2) for k, rows in kinds.items() if rows.any()}
    weights = {k: fitted.get(k, fitted.get("mid" if k == "next" else "next")) for k in kinds}
    probs = np.zeros(len(y))
    for kind, rows in kinds.items():
        probs[rows] = 1.0 / (1.0 + np.exp(-np.clip(x[rows] @ weights[kind], -50, 50)))
    best: dict[str, list[tuple[float, bool]]] = {"next": [], "mid": []}
    for start, end, kind in spans:
        if end > start:
            k = start + int(np.argmax(probs[start:end]))
            best[kind].append((float(probs[k]), bool(y[k])))
    at: dict[str, dict[str, float]] = {}
    thresholds: dict[str, float] = {}
    for kind, found in best.items():
        cases = sum(1 for span in spans if span[2] == kind)
        thresholds[kind], at[kind] = calibrate(found, cases, args.precision)
    ranker = Ranker(
        tuple(float(v) for v in weights["mid"]),
        thresholds["mid"],
        thresholds["next"],
        tuple(float(v) for v in weights["next"]),
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
        "seconds": round(time.monotonic() - t0, 1),
    }
    log.info("thresholds %s: %s", thresholds, at)
    log.info("right line among candidates, rank: %s", metrics[RECALL])
    text = ranker.to_json(
        trained_on=metrics["repositories"],
        cases=len(spans),
        target_precision=args.precision,
        command="python -m training code ranker" + (f" --ship {args.ship}" if args.ship else ""),
    )
    args.output.mkdir(parents=True, exist_ok=True)
    (args.output / "ranker.json").write_text(text + "\n", encoding="utf-8")
    if args.ship is not None:
        args.ship.write_text(text + "\n", encoding="utf-8")
    write_json(args.output / "code-ranker.json", metrics)
    return metrics
