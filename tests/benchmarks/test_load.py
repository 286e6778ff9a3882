"""The load benchmark's driver: its edits keep the client's copy of every document equal to
the server's, its latency bookkeeping is right, and a short run against the real server
(spelling only, a code model that cannot load) records what the suite reports. An honest
check of the machinery, not a timing target."""

from __future__ import annotations

import math
from pathlib import Path

import pytest
from lsprotocol import types

from benchmarks import load
from server.lsp.documents import Document


def test_the_typist_keeps_the_client_copy_equal_to_the_server_document() -> None:
    texts = load.documents(6, "test")
    assert [lang for _, lang, _ in texts] == ["markdown", "python"] * 3
    assert all(20 <= text.count("\n") <= 400 for _, _, text in texts)
    assert texts == load.documents(6, "test")  # deterministic for a seed
    docs = [load.OpenDoc(f"file:///{name}", lang, text) for name, lang, text in texts]
    docs[0].text += "caf\u00e9 \U0001f600 na\u00efve\n"  # columns count UTF-16 units
    servers = {d.uri: Document(d.uri, d.language, 1, d.text) for d in docs}
    typist = load.Typist(docs, "test")
    pastes = deletes = 0
    for _ in range(3000):
        doc, change = typist.edit()
        pastes += "\n" in change["text"]
        deletes += change["text"] == ""
        servers[doc.uri].apply_change(
            types.TextDocumentContentChangePartial(
                range=types.Range(
                    types.Position(**change["range"]["start"]),
                    types.Position(**change["range"]["end"]),
                ),
                text=change["text"],
            )
        )
    assert all(servers[d.uri].text == d.text for d in docs)
    assert pastes > 0 and deletes > 0


def test_fresh_latency_is_to_the_first_publication_of_that_version_or_a_newer_one() -> None:
    edits = [("a", 2, 10.0), ("a", 3, 10.1), ("b", 2, 10.2), ("c", 2, 10.3)]
    published: dict[tuple[str, int | None], float] = {
        ("a", 3): 10.5,  # version 2 was superseded before its check finished
        ("a", 4): 10.4,  # impossible in practice, but the earliest newer one counts
        ("b", 2): 10.25,
        ("c", 1): 9.0,  # an older version only: no fresh diagnostics
    }
    latencies, missing = load.fresh_latencies(edits, published)
    got = [(sent, round(lat, 3), own) for sent, lat, own in latencies]
    assert got == [(10.0, 0.4, False), (10.1, 0.3, True), (10.2, 0.05, True)]
    assert missing == 1


def test_percentiles_and_slope() -> None:
    values = [float(v) for v in range(1, 101)]
    assert load.percentile(values, 50) == 51 and load.percentile(values, 99) == 99
    assert math.isnan(load.percentile([], 50))
    assert load.summary_ms([0.001, 0.002])["max"] == 2.0
    assert load.slope_per_minute([(t, 100 + t / 2) for t in range(30)]) == pytest.approx(30)


def test_a_short_load_run_against_the_real_server(tmp_path: Path) -> None:
    options = load.LoadOptions(
        docs=10,
        rate=10,
        seconds=5,
        completion_rate=2,
        grammar=False,
        code_model=str(tmp_path / "no-model"),  # completion requests answered, nothing loaded
        settle_s=60,
    )
    data = load.run(False, options)
    raw, result = data["raw"], data["result"]
    assert [len(t["rows"]) for t in data["tables"]] == [4, 5]
    assert "no-model" in data["code_model"]["path"] and data["summary"]
    assert raw["edits_sent"] == 50
    assert raw["final_versions_missing"] == []  # every document's final version published
    assert result["edits_without_fresh_diagnostics"] == 0
    assert result["edit_to_fresh_diagnostics_ms"]["count"] == 50
    assert result["completions_sent"] >= 5 and result["completion_errors"] == 0
    assert result["rss_mb"]["start"] > 0 and result["rss_mb"]["peak"] >= result["rss_mb"]["start"]
    assert len(raw["samples"]) >= 4 and all(s["rss_mb"] > 0 for s in raw["samples"])
    stalls = raw["status_after"]["eventLoop"]
    assert stalls["monitoring"] and stalls["ticks"] > 50
    assert stalls["maxLagMs"] < 1000
    queue = raw["status_after"]["checkQueue"]
    assert queue["pending"] == 0 and 1 <= queue["pendingMax"] <= options.docs
    assert raw["status_after"]["caches"]["regions"] > 0  # cache sizes are reported
    # Every document was published at least once, and a publication is only counted once.
    assert result["publications"]["sent"] >= options.docs
    assert result["publications"]["unchanged_not_sent"] >= 0


def test_the_load_chart_is_drawn_from_the_recorded_series(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from benchmarks import plots

    monkeypatch.setattr(plots, "PLOTS", tmp_path / "plots")
    samples = [
        {"t": float(t), "rss_mb": 150.0 + t, "pending": t % 7, "status_ms": 5.0} for t in range(20)
    ]
    suite = {
        "tables": [{"title": "load: 10 open documents", "columns": [], "rows": []}],
        "raw": {
            "samples": samples,
            "edit_latency": [[5 + k / 10, 0.05 + k / 1000, True] for k in range(100)],
            "completions": [{"t": 6.0, "s": 0.2}, {"t": 7.0, "error": "TimeoutError"}],
            "edit_start_t": 5.0,
            "edit_end_t": 15.0,
        },
    }
    path = plots._load_chart(suite)
    assert path.name == "load.png" and path.read_bytes().startswith(b"\x89PNG")


def test_the_slow_edits_note_counts_the_superseded_ones() -> None:
    raw = {"edit_latency": [[1.0, 12.0, False], [2.0, 11.0, True], [3.0, 0.5, False]]}
    assert load.slow_edits_note(raw).startswith("Of the 2 edits that waited more than 10 s")
    assert ", 1 had been superseded" in load.slow_edits_note(raw)
