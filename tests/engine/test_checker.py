"""The engine as text in, findings out: what is flagged, what is not, caching, cancelling."""

from __future__ import annotations

import pytest

from server.engine.checker import CheckCancelled, Checker, CheckOptions
from server.engine.types import Rule


@pytest.fixture(scope="module")
def checker() -> Checker:
    return Checker()


def flagged(checker: Checker, text: str, language: str) -> list[str]:
    return [i.text for i in checker.check(text, language).issues]


def assert_no_issues(checker: Checker, text: str, language: str) -> None:
    issues = checker.check(text, language).issues
    assert issues == [], [(i.text, i.message) for i in issues]


def test_prose_flags_unknown_words_with_suggestions(checker: Checker) -> None:
    (issue,) = checker.check("The quick borwn fox.\n", "plaintext").issues
    assert (issue.text, issue.start, issue.end) == ("borwn", 10, 15)
    assert issue.suggestions[0] == "brown"
    assert issue.rule == Rule.UNKNOWN_WORD.value


def test_known_typos_and_short_words(checker: Checker) -> None:
    issues = checker.check("Teh cat sat on teh mat, idx and buf are fine.\n", "plaintext").issues
    assert [(i.text, i.rule, i.suggestions[0]) for i in issues] == [
        ("Teh", Rule.KNOWN_TYPO.value, "The"),
        ("teh", Rule.KNOWN_TYPO.value, "the"),
    ]


def test_case_is_kept_in_suggestions(checker: Checker) -> None:
    text = "RECIEVE Recieve recieve\n"
    assert [i.suggestions[0] for i in checker.check(text, "plaintext").issues] == [
        "RECEIVE",
        "Receive",
        "receive",
    ]


def test_identifier_parts_are_flagged_alone(checker: Checker) -> None:
    text = "def compute_quantitiy(recieveBuffer):\n    return recieveBuffer\n"
    issues = checker.check(text, "python").issues
    assert [(i.text, text[i.start : i.end]) for i in issues] == [
        ("quantitiy", "quantitiy"),
        ("recieve", "recieve"),
    ]
    assert issues[0].suggestions[0] == "quantity"
    # One finding per misspelt identifier; its other occurrences travel with it.
    second = text.rindex("recieve")
    assert issues[1].related == ((second, second + len("recieve")),)


def test_a_near_miss_is_flagged_when_the_document_uses_its_correction(checker: Checker) -> None:
    # On its own, "filennames" reads enough like a name to pass; beside "filenames" it is a slip.
    alone = "def start(filennames):\n    return filennames\n"
    assert flagged(checker, alone, "python") == []
    beside = "def start(filennames, filenames):\n    return filennames + filenames\n"
    (issue,) = checker.check(beside, "python").issues
    assert (issue.text, issue.suggestions[0]) == ("filennames", "filenames")
    assert "used elsewhere in this file" in issue.message
    # A word with letters glued on is a name even when the word itself is used.
    assert flagged(checker, "calls = []\nncalls = len(calls)\n", "python") == []


def test_comments_may_name_the_files_own_identifiers(checker: Checker) -> None:
    text = (
        "def get_ttext(value):\n    # the ttext rule of RFC 5322; a realy long one\n"
        "    return value\n"
    )
    comment = text.index("#")
    in_comment = [i.text for i in checker.check(text, "python").issues if i.start > comment]
    assert in_comment == ["realy"]


def test_prose_that_misspells_an_identifier_joins_its_finding(checker: Checker) -> None:
    from server.engine.fix import apply_edits, first_suggestion_edits

    # Alone, "polypropalene" reads enough like a name to pass, and the docstring's word is
    # dropped as naming the code; together they are one misspelling, flagged once.
    alone = "def load_polypropalene(path):\n    return path\n"
    assert flagged(checker, alone, "python") == []
    text = (
        "def load_polypropalene(path):\n"
        '    """Read the polypropalene table from a file."""\n'
        "    return path\n"
    )
    (issue,) = checker.check(text, "python").issues
    assert (issue.text, issue.suggestions[0]) == ("polypropalene", "polypropylene")
    assert issue.start == text.index("polypropalene")
    assert issue.related == ((text.rindex("polypropalene"), text.rindex("polypropalene") + 13),)
    assert "also in this file's prose" in issue.message
    fixed = apply_edits(text, first_suggestion_edits([issue]))
    assert fixed.count("polypropylene") == 2 and "polypropalene" not in fixed


def test_a_flagged_identifier_carries_the_same_misspelling_in_comments(checker: Checker) -> None:
    text = "def tempature_of(cell):\n    # the tempature in kelvin\n    return cell\n"
    (issue,) = checker.check(text, "python").issues
    assert issue.rule == Rule.KNOWN_TYPO.value and issue.start == text.index("tempature")
    assert issue.related == ((text.rindex("tempature"), text.rindex("tempature") + 9),)
    # In another case the prose word keeps a finding of its own (one fix cannot serve both).
    capital = "def tempature_of(cell):\n    # Tempature in kelvin\n    return cell\n"
    issues = checker.check(capital, "python").issues
    assert [(i.text, i.related) for i in issues] == [("tempature", ()), ("Tempature", ())]


def test_fixing_an_identifier_renames_every_occurrence(checker: Checker) -> None:
    from server.engine.fix import apply_edits, first_suggestion_edits

    text = "recieveBuffer = []\nrecieveBuffer.append(1)\n# the recieveBuffer holds data\n"
    issues = checker.check(text, "python").issues
    fixed = apply_edits(text, first_suggestion_edits(issues))
    assert fixed == "receiveBuffer = []\nreceiveBuffer.append(1)\n# the receiveBuffer holds data\n"


def test_names_a_document_repeats_are_not_flagged(checker: Checker) -> None:
    text = "Mr. Bingley came. Then Bingley left, and Bingley sighed. Mr. Darcey stayed.\n"
    assert flagged(checker, text, "plaintext") == ["Darcey"]
    assert flagged(checker, "The wrod, the wrod, the wrod.\n", "plaintext") == ["wrod"] * 3


def test_foreign_passages_are_not_flagged(checker: Checker) -> None:
    spanish = 'MESES = "enero febrero marzo abril mayo junio julio agosto"\nDIAS = "días"\n'
    assert flagged(checker, spanish, "javascript") == []
    german = "Dies ist ein kurzer Satz über das Wetter und die Leute.\n\nThe wrod here.\n"
    assert flagged(checker, german, "markdown") == ["wrod"]


@pytest.mark.parametrize(
    "source",
    [
        # names built from pieces, abbreviations, truncations: not typos
        "def read(nchannels, kwonlyargs, tkconsole, flds, expon):\n    return nchannels\n",
        "klass = type(obj)\nypos = xmax - xmin\n",
        "def startswith(self):\n    return isinstance(self, str) and self.getcwd()\n",
        # British spellings of APIs in code are not the user's to change
        "except asyncio.CancelledError:\n    colour = 'grey'\n",
        # plural acronyms, URLs, hex, paths in strings and comments
        "# See https://exmple.com/recieve for the IDEs list; sha 3f9a2bc7d1\n"
        "path = '/usr/lib/libfoo.so'\n",
        # raw strings with backslashes
        "KEY = r'Software\\Microsoft\\Windows\\CurrentVersion'\n",
        # a run of letters that is data, not a word
        "LETTERS = 'ßàáâãäåæçèéêëìíîïðñòóôõöøùúûüýþÿ'\n",
    ],
)
def test_code_false_positives_stay_fixed(checker: Checker, source: str) -> None:
    assert_no_issues(checker, source, "python")


def test_dialect_is_a_prose_rule(checker: Checker) -> None:
    (issue,) = checker.check("The colour is nice.\n", "markdown").issues
    assert issue.rule == Rule.DIALECT.value and issue.suggestions == ("color",)
    gb = Checker(CheckOptions(dialect="en-GB"))
    (issue,) = gb.check("The color is nice.\n", "markdown").issues
    assert issue.suggestions == ("colour",)


def test_contractions_and_possessives(checker: Checker) -> None:
    assert flagged(checker, "It doesn't matter; it's John's.\n", "plaintext") == []
    (issue,) = checker.check("It dosen't matter.\n", "plaintext").issues
    assert issue.text == "dosen't" and issue.suggestions[0] == "doesn't"


def test_markdown_code_is_not_checked(checker: Checker) -> None:
    text = "Use `recieve()` here.\n\n```python\nrecieve = 1\n```\n[ok](https://x.org/recieve)\n"
    assert flagged(checker, text, "markdown") == []


def test_accepted_words_are_filtered(checker: Checker) -> None:
    text = "The frobnicator spins.\n"
    assert flagged(checker, text, "plaintext") == ["frobnicator"]
    assert checker.check(text, "plaintext", accepted={"frobnicator"}).issues == []


def test_ignore_patterns() -> None:
    checker = Checker(CheckOptions(ignore_patterns=(r"JIRA-\w+",)))
    assert checker.check("See JIRA-wrodx for details.\n", "plaintext").issues == []


def test_only_changed_regions_are_checked_again() -> None:
    checker = Checker()
    paragraphs = [f"Paragraph number {n} has a wrod in it." for n in range(50)]
    text = "\n\n".join(paragraphs) + "\n"
    first = checker.check(text, "markdown")
    assert first.stats.regions == 50 and first.stats.regions_checked == 50
    edited = text.replace("number 7 has", "number 7 hass")
    second = checker.check(edited, "markdown")
    assert second.stats.regions_checked == 1
    assert len(second.issues) == len(first.issues) + 1


def test_should_stop_cancels() -> None:
    checker = Checker()
    text = "\n\n".join(f"Para {n} wrod." for n in range(500))
    with pytest.raises(CheckCancelled):
        checker.check(text, "markdown", should_stop=lambda: True)


def test_configure_clears_only_on_change() -> None:
    checker = Checker()
    assert checker.configure(CheckOptions()) is False
    assert checker.configure(CheckOptions(dialect="en-GB")) is True
    assert checker.configure(CheckOptions(spelling=False)) is True
    assert checker.check("A wrod.\n", "plaintext").issues == []


def test_unknown_language_yields_nothing(checker: Checker) -> None:
    assert checker.check("wrod wrod", "haskell").issues == []
