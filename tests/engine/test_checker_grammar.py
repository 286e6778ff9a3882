"""Grammar inside the checker: which text grammar reads, offsets, caching, merging with spelling.

A FakeTagger stands in for the model (its table says which token gets which tag), so these
tests pin the plumbing, not the model's judgement.
"""

from __future__ import annotations

from server.engine.checker import Checker, CheckOptions
from server.engine.extract import extract_regions
from server.engine.grammar import FakeTagger, GrammarCorrector
from server.engine.grammar.document import TRUNCATED
from server.engine.grammar.passages import PLACEHOLDER, passages
from server.engine.types import Category

RULES = {
    "this [are]": ("$REPLACE_is", 0.9),
    "[a] apple": ("$REPLACE_an", 0.9),
    "the [the]": ("$DELETE", 0.9),
    "he [go]": ("$REPLACE_goes", 0.9),
}


def checker(**rules: tuple[str, float]) -> tuple[Checker, FakeTagger]:
    tagger = FakeTagger({**RULES, **rules})
    return Checker(grammar=GrammarCorrector(tagger)), tagger


def grammar_of(text: str, language: str = "markdown") -> list[tuple[str, str, tuple[str, ...]]]:
    c, _ = checker()
    return [
        (text[i.start : i.end], i.rule, i.suggestions)
        for i in c.check(text, language).issues
        if i.category is Category.GRAMMAR
    ]


def test_markdown_prose_is_checked_and_offsets_point_at_the_words() -> None:
    text = "# Notes\n\nI ate a apple 😀 and this are good.\n"
    found = grammar_of(text)
    assert ("a", "grammar.article", ("an",)) in found
    assert ("are", "grammar.agreement", ("is",)) in found


def test_crlf_and_emoji_keep_offsets_exact() -> None:
    text = "Intro line here.\r\n\r\n😀😀 He go home 😀 now.\r\n"
    c, _ = checker()
    (issue,) = [i for i in c.check(text, "plaintext").issues if i.category is Category.GRAMMAR]
    assert text[issue.start : issue.end] == "go"
    assert issue.suggestions == ("goes",)


def test_code_blocks_and_inline_code_are_not_grammar() -> None:
    text = "Some text here.\n\n```python\nthis are code = a apple\n```\n\nCall `this are` now.\n"
    c, tagger = checker()
    issues = [i for i in c.check(text, "markdown").issues if i.category is Category.GRAMMAR]
    assert issues == []
    seen = [" ".join(s) for batch in tagger.calls for s in batch]
    assert not any("code" in s for s in seen)  # the fenced block never reached the tagger
    assert any(PLACEHOLDER in s for s in seen)  # inline code stands in as a placeholder word


def test_link_targets_vanish_and_emphasis_marks_are_blanked() -> None:
    text = "Read **this are** and [the docs](https://example.com/a_apple) today.\n"
    (passage,) = passages(text, extract_regions(text, "markdown"), markdown=True)
    assert "*" not in passage.text and "https" not in passage.text and "[" not in passage.text
    assert len(passage.text) == len(text[passage.start :].rstrip("\n"))
    assert ("are", "grammar.agreement", ("is",)) in grammar_of(text)


def test_comment_lines_are_joined_into_sentences_and_markers_never_edited() -> None:
    code = "# We ate\n# a apple today, and this\n# are fine.\nx = 1  # the the end\n"
    found = grammar_of(code, "python")
    assert ("a", "grammar.article", ("an",)) in found
    assert ("are", "grammar.agreement", ("is",)) in found  # "this" and "are" on two lines
    assert all("#" not in flagged for flagged, _, _ in found)


def test_docstrings_are_grammar_but_strings_and_identifiers_are_not() -> None:
    code = 'def f():\n    """He go to work."""\n    s = "this are data"\n    return s\n'
    found = grammar_of(code, "python")
    assert [(flagged, suggestions) for flagged, _, suggestions in found] == [("go", ("goes",))]


def test_unchanged_sentences_are_not_tagged_again() -> None:
    c, tagger = checker()
    text = "First sentence is fine. He go home.\n\nAnother paragraph is here.\n"
    c.check(text, "markdown")
    tagged = sum(len(b) for b in tagger.calls)
    c.check(text.replace("Another", "One more"), "markdown")
    retagged = sum(len(b) for b in tagger.calls) - tagged
    assert tagged >= 3
    assert retagged == 1


def test_grammar_limit_leaves_the_rest_pending() -> None:
    c, _ = checker()
    text = " ".join(f"Sentence number {n} is here." for n in range(10))
    first = c.check(text, "plaintext", grammar_limit=4)
    assert first.pending_sentences == 6
    second = c.check(text, "plaintext")
    assert second.pending_sentences == 0


def test_spelling_wins_where_both_flag_the_same_word() -> None:
    c, _ = checker(recieve=("$REPLACE_receive", 0.9))
    issues = c.check("Please recieve the parcel today.", "plaintext").issues
    assert [(i.text, i.category) for i in issues] == [("recieve", Category.SPELLING)]


def test_grammar_can_be_switched_off_and_spelling_alone_still_works() -> None:
    c, tagger = checker()
    c.configure(CheckOptions(grammar=False))
    issues = c.check("He go to scool.", "plaintext").issues
    assert [i.category for i in issues] == [Category.SPELLING]
    assert tagger.calls == []
    c.configure(CheckOptions(spelling=False))
    issues = c.check("He go to scool.", "plaintext").issues
    assert [i.category for i in issues] == [Category.GRAMMAR]


def test_an_overlong_sentence_says_where_checking_stopped() -> None:
    c, _ = checker()
    words = " ".join(["word"] * 100)
    text = f"He go {words} end."
    issues = c.check(text, "plaintext").issues
    notices = [i for i in issues if i.rule == TRUNCATED]
    assert len(notices) == 1 and "not checked" in notices[0].message
    assert notices[0].suggestions == ()
    assert any(i.text == "go" for i in issues)


class BrokenTagger(FakeTagger):
    """A model runtime that fails mid-run (as an onnxruntime session can)."""

    def tag(self, batch):  # type: ignore[no-untyped-def]
        raise RuntimeError("session exploded")


def test_a_failing_model_loses_grammar_only() -> None:
    c = Checker(grammar=GrammarCorrector(BrokenTagger()))
    result = c.check("He go to scool every day.", "plaintext")
    assert [i.text for i in result.issues] == ["scool"]
    assert result.grammar_error is not None and "session exploded" in result.grammar_error


def test_a_deletion_carries_the_deleting_tags_confidence() -> None:
    c, _ = checker(**{"[bad]": ("$REPLACE_good", 0.55)})
    issues = c.check("This is the the plan, a bad one for us.", "plaintext").issues
    by_text = {i.text.strip(): i.confidence for i in issues}
    assert by_text["the"] == 0.9  # not the 0.55 of the unrelated replacement
    assert by_text["bad"] == 0.55


def test_a_or_an_follows_the_next_words_sound() -> None:
    corrector = GrammarCorrector(FakeTagger())
    text = (
        "We ate a apple and an pear in an hour. A university gave an European grant to a FBI "
        "agent, not a unidentified one, and an URL was sent."
    )
    found = [(i.text, text[i.end :].split()[0], i.suggestions[0]) for i in corrector.check(text)]
    assert found == [
        ("a", "apple", "an"),
        ("an", "pear", "a"),
        ("an", "European", "a"),
        ("a", "FBI", "an"),
        ("a", "unidentified", "an"),
        ("an", "URL", "a"),
    ]


def test_a_or_an_reads_letters_capitals_and_names_as_they_are_said() -> None:
    corrector = GrammarCorrector(FakeTagger())
    text = (
        "It begins with a M and uses an n-tuple. Read it from an FIFO. Assuming a is sorted, "
        "IT IS A MILE HIGH. She made a x-ray."
    )
    found = [(text[i.end :].split()[0], i.suggestions[0]) for i in corrector.check(text)]
    assert found == [("M", "an"), ("FIFO.", "a"), ("x-ray.", "an")]


def test_under_a_limit_the_edited_sentence_goes_first() -> None:
    c, _ = checker()
    paragraphs = [f"Paragraph number {n} is fine." for n in range(10)]
    c.check("\n\n".join(paragraphs), "plaintext", grammar_limit=2)
    paragraphs[9] = "Then he go home."
    result = c.check("\n\n".join(paragraphs), "plaintext", grammar_limit=1, edited=True)
    assert [i.text for i in result.issues if i.category is Category.GRAMMAR] == ["go"]
    assert result.pending_sentences == 6  # 7 never tagged, less the 1 the limit allowed
