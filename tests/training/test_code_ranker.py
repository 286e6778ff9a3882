"""``python -m training code ranker`` end to end on two tiny repositories: rows from real
cases, a fitted ranker that loads in the engine, calibrated thresholds, and its metrics."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np

from server.engine.code_index import FEATURES
from server.engine.completion_ranker import MODEL_FEATURES, Ranker
from server.runtime.models import verify_manifest
from training.code.args import CodeRankerArgs
from training.code.ranker import calibrate, fit_logistic, run

MODULE = """\
class Point{n}:
    def __init__(self, x, y):
        super().__init__()
        self.x = x
        self.y = y

    def norm(self):
        return math.hypot(self.x, self.y)

"""


def repo(root: Path, classes: int) -> Path:
    root.mkdir()
    for k in range(3):
        text = "import math\n\n\n" + "".join(MODULE.format(n=k * 10 + i) for i in range(classes))
        (root / f"m{k}.py").write_text(text, encoding="utf-8")
    return root


def test_calibration_picks_the_lowest_threshold_that_keeps_the_precision() -> None:
    best = [(0.9, True), (0.8, True), (0.7, False), (0.6, True), (0.5, False), (0.4, False)]
    threshold, at = calibrate(best, 10, 0.75)
    assert threshold == 0.6  # 3 right of 4 shown
    assert at == {"shown": 4, "precision": 75.0, "coverage": 40.0, "exact_match": 30.0}
    assert calibrate([(0.9, False)], 1, 0.5)[0] == 1.0  # never precise enough: never shown


def test_logistic_regression_separates_a_separable_feature() -> None:
    x = np.array([[1.0, v] for v in (0, 0, 0, 1, 1, 1)])
    y = np.array([0, 0, 0, 1, 1, 1], dtype=float)
    w = fit_logistic(x, y, l2=0.1)
    assert w[1] > 2 and w[0] < 0


def test_the_ranker_step_writes_a_ranker_the_engine_loads(tmp_path: Path) -> None:
    repos = [repo(tmp_path / "a", 4), repo(tmp_path / "b", 3)]
    out = tmp_path / "out"
    ship = tmp_path / "ranker.json"
    metrics = run(CodeRankerArgs(output=out, repo=repos, cases=30, ship=ship))
    assert metrics["repositories"] == ["a", "b"]
    assert metrics["cases"] > 60 and metrics["cases_with_the_line_among_candidates"] > 0
    ranker = Ranker.load(ship)
    assert len(ranker.weights) == len(FEATURES)
    assert 0 < ranker.threshold <= 1 and 0 < ranker.line_start_threshold <= 1
    assert json.loads((out / "code-ranker.json").read_text())["cases"] == metrics["cases"]
    assert ship.read_text() == (out / "ranker.json").read_text()
    # One set of weights per kind of cursor, and the oracle's numbers for each.
    assert ranker.line_start_weights is not None and ranker.line_start_weights != ranker.weights
    recall = metrics["recall_and_rank_on_training_repositories"]
    assert set(recall) == {"next", "mid"}
    for row in recall.values():
        assert 0 < row["rank_1"] <= row["among_candidates"] <= 100
        ranked = row["rank_1"] + row["rank_2"] + row["rank_3"] + row["rank_4_or_lower"]
        assert abs(ranked - row["among_candidates"]) < 0.5
    assert recall["mid"]["source_prefix"] > 0 and recall["next"]["source_follows"] > 0


def test_with_a_code_model_the_second_stage_ships_in_the_model_directory(
    tmp_path: Path, tiny_code_model: Path
) -> None:
    """``--model``: the model scores every case's shortlist, a rescorer is fitted and
    calibrated per kind, and ``--ship`` into a model directory keeps its manifest true."""
    model = tmp_path / "model"
    shutil.copytree(tiny_code_model, model)
    repos = [repo(tmp_path / "a", 4), repo(tmp_path / "b", 3)]
    ship = model / "ranker.json"
    metrics = run(
        CodeRankerArgs(
            output=tmp_path / "out", repo=repos, cases=20, ship=ship, model=model, threads=1
        )
    )
    ranker = Ranker.load(ship)
    assert ranker.rescorer is not None
    assert len(ranker.rescorer.weights) == len(MODEL_FEATURES)
    assert ranker.rescorer.weights != ranker.rescorer.line_start_weights
    assert 0 < ranker.rescorer.threshold <= 1 and 0 < ranker.rescorer.line_start_threshold <= 1
    second = metrics["with_the_code_model"]
    assert set(second["at_threshold_on_training_repositories"]) == {"next", "mid"}
    assert 0 < second["right_line_first_with_the_model"]["mid"] <= 100
    # The ranker is one of the model's files now: the model still loads, checked.
    verify_manifest(model)
    assert "ranker.json" in json.loads((model / "manifest.json").read_text())["files"]


def test_the_device_script_trains_exports_and_measures_the_model_as_a_ranker(
    tmp_path: Path,
) -> None:
    """``tools/device/code_model.sh`` (prepared for a lent GPU) runs end to end on the tiny
    preset here and brings back what decides whether a model ships."""
    env = {
        **os.environ,
        "PRESET": "tiny",
        "RANKER_CASES": "10",
        "PYTHON": sys.executable,
        "RUN": str(tmp_path / "run"),
        "OUT": str(tmp_path / "out"),
    }
    script = Path(__file__).resolve().parents[2] / "tools" / "device" / "code_model.sh"
    done = subprocess.run(
        ["bash", str(script)], env=env, capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert "with the code model:" in done.stdout
    back = {p.name for p in (tmp_path / "out").iterdir()}
    assert {"card.md", "code-ranker.json", "ranker.json"} <= back
    assert Ranker.load(tmp_path / "out" / "ranker.json").rescorer is not None
