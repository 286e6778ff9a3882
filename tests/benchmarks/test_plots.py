"""The charts are drawn from the recorded JSON, one per question, with every tool in it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from benchmarks import plots


def test_numbers_are_read_from_cells() -> None:
    assert plots._number("1.02") == 1.02
    assert plots._number("82.3%") == 82.3
    assert plots._number("12.93 (median)") == 12.93
    assert plots._number("0.34×") == 0.34
    assert plots._number("n/a (no column)") is None


def test_charts_are_written_for_the_suites_present(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(plots, "PLOTS", tmp_path / "plots")
    results = tmp_path / "results"
    results.mkdir()
    table = {
        "title": "fp-code Python stdlib sample: 2 files, 10 lines",
        "columns": ["tool", "flags", "flags / 1k lines"],
        "rows": [["quill", "1", "1.5"], ["cspell", "80", "85.0"], ["broken", "n/a", "n/a"]],
    }
    (results / "fp-code.json").write_text(json.dumps({"tables": [table]}))
    written = plots.draw(results)
    assert [p.name for p in written] == ["fp-code.png"]
    data = written[0].read_bytes()
    assert data.startswith(b"\x89PNG") and len(data) > 5000
    assert plots._column(table, "flags / 1k lines") == [("quill", 1.5), ("cspell", 85.0)]
