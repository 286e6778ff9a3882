"""The learner-sentence and far-misspelling measures, on tiny hand-written fixtures."""

from __future__ import annotations

from pathlib import Path

from benchmarks import isolated_misspellings, learner_spelling
from benchmarks.common import Finding

SOURCES = [
    "I think siences and tecnologies are good .",
    "becouse u dont know alot .",
    "My freind Kasia came .",
]
REFERENCES = [
    [
        "I think sciences and technologies are good .",
        "because you do n't know a lot .",
        "My friend Kasia came .",
    ],
    [
        "I think science and technology are good .",
        "because you don't know much .",
        "My friends Kasia came .",
    ],
]


def _flag(line: int, word: str, *suggestions: str) -> Finding:
    start = SOURCES[line - 1].index(word)
    return Finding("t", line, start, start + len(word), word, suggestions)


def test_alignment_maps_each_source_word_to_the_reference_s_words() -> None:
    src = learner_spelling.tokens(SOURCES[1])
    ref = learner_spelling.tokens(REFERENCES[0][1])
    places = learner_spelling.aligned(src, ref)
    assert [t[2] for t in src][:4] == ["becouse", "u", "dont", "know"]
    assert places[0][0] == "because"  # type: ignore[index]
    assert places[2] == ("do", "n't")
    assert places[3] is None  # "know" kept
    assert places[4] == ("a", "lot")


def test_a_flag_is_right_when_some_reference_has_its_first_suggestion() -> None:
    findings = [
        _flag(1, "siences", "sciences", "science"),  # ref0
        _flag(1, "tecnologies", "technology"),  # ref1 only: still right
        _flag(2, "becouse", "becomes", "because"),  # right only in the top 5
        _flag(2, "dont", "don't"),  # "do n't" closed up
        _flag(2, "alot", "a lot"),
        _flag(3, "freind", "fiend"),  # wrong
        _flag(3, "Kasia", "Kasha"),  # a name every reference kept
    ]
    score = learner_spelling.judge(findings, SOURCES, REFERENCES)
    assert score.flags == 7
    assert score.corrected == 6
    assert score.first == 4
    assert score.top5 == 5


def test_findings_off_any_word_or_line_are_ignored() -> None:
    stray = [Finding("t", 9, 0, 3, "xyz"), Finding("t", 1, None, None, "siences")]
    assert learner_spelling.judge(stray, SOURCES, REFERENCES).flags == 0


def test_far_misspellings_are_two_or_more_edits_away(tmp_path: Path) -> None:
    fixture = tmp_path / "set.txt"
    fixture.write_text("because: becuz becasue\nknowledge: nollij knowlege\n", encoding="utf-8")
    pairs = isolated_misspellings.load_norvig(fixture)
    assert isolated_misspellings.far(pairs, 2) == [("becuz", "because"), ("nollij", "knowledge")]
    assert isolated_misspellings.far(pairs, 3) == [("becuz", "because"), ("nollij", "knowledge")]
    assert isolated_misspellings.far(pairs, 6) == [("nollij", "knowledge")]  # 6 edits away
    assert isolated_misspellings.far(pairs, 7) == []
