"""The shipped lexicon: which words it knows, in which case and dialect, and what it says."""

from __future__ import annotations

import threading
from importlib import resources

import pytest

from server.engine.lexicon import (
    CODE,
    DEFAULT_BUCKET,
    GB,
    UNKNOWN_BUCKET,
    US,
    Lexicon,
    SortedTable,
)


@pytest.fixture(scope="module")
def lex() -> Lexicon:
    return Lexicon.shipped()


# -- loading -----------------------------------------------------------------------------------


def test_shipped_is_loaded_once_even_from_many_threads() -> None:
    seen: list[Lexicon] = []

    def load() -> None:
        seen.append(Lexicon.shipped())

    threads = [threading.Thread(target=load) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(seen) == 8
    assert all(x is seen[0] for x in seen)
    assert len(seen[0]) > 100_000


def test_shipped_data_stays_small() -> None:
    data = resources.files("server.engine").joinpath("data")
    total = sum(f.stat().st_size for f in data.iterdir() if f.is_file())  # type: ignore[attr-defined]
    assert total < 6_000_000
    assert data.joinpath("SOURCES.md").is_file()


# -- knows ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("word", ["the", "receive", "separate", "definitely", "accommodate"])
def test_common_words_in_every_case(lex: Lexicon, word: str) -> None:
    for form in (word, word.capitalize(), word.upper()):
        assert lex.knows(form), form
        assert lex.knows(form, "en-GB"), form


@pytest.mark.parametrize(
    "typo", ["recieve", "teh", "definately", "seperate", "accomodate", "occured", "fucntion"]
)
def test_typos_are_not_words(lex: Lexicon, typo: str) -> None:
    for form in (typo, typo.capitalize(), typo.upper()):
        assert not lex.knows(form), form
        assert not lex.knows(form, "en-GB"), form


def test_proper_names_need_their_capital(lex: Lexicon) -> None:
    assert lex.knows("London")
    assert lex.knows("LONDON")
    assert not lex.knows("london")


def test_contractions_with_either_apostrophe(lex: Lexicon) -> None:
    for word in ("don't", "Don't", "DON'T", "don\u2019t", "isn't", "they're"):
        assert lex.knows(word), word
    assert not lex.knows("dont'")


def test_programming_vocabulary_in_any_case(lex: Lexicon) -> None:
    for word in ("kwargs", "stdout", "isinstance", "json", "JSON", "GitHub", "github", "mutex"):
        assert lex.knows(word), word


def test_case_rules_follow_hunspell() -> None:
    lex = Lexicon.from_words(["the", "Paris", "NASA", "McDonald"])
    assert lex.knows("the") and lex.knows("The") and lex.knows("THE")
    assert lex.knows("Paris") and lex.knows("PARIS") and not lex.knows("paris")
    assert lex.knows("NASA") and not lex.knows("nasa") and not lex.knows("Nasa")
    assert lex.knows("McDonald") and lex.knows("MCDONALD") and not lex.knows("mcdonald")
    assert not lex.knows("tHE")


# -- dialects ------------------------------------------------------------------------------------


def test_dialect_words(lex: Lexicon) -> None:
    assert lex.knows("colour", "en-GB") and not lex.knows("colour", "en-US")
    assert lex.knows("color", "en-US") and not lex.knows("color", "en-GB")
    assert lex.knows("organise", "en-GB") and not lex.knows("organise", "en-US")
    # British -ize spellings are British too (SCOWL's british_z).
    assert lex.knows("organize", "en-GB") and lex.knows("organize", "en-US")
    # An unspecified English accepts both; unusual spellings of the tag are understood.
    assert lex.knows("colour", "en") and lex.knows("color", "en")
    assert lex.knows("colour", "en_GB") and lex.knows("colour", "en-gb")


@pytest.mark.parametrize(
    ("word", "dialect", "expected"),
    [
        ("colour", "en-US", "color"),
        ("color", "en-GB", "colour"),
        ("Colour", "en-US", "Color"),
        ("COLOUR", "en-US", "COLOR"),
        ("centre", "en-US", "center"),
        ("licence", "en-US", "license"),
        ("analyse", "en-US", "analyze"),
        ("travelled", "en-US", "traveled"),
        ("catalog", "en-GB", "catalogue"),
        ("defense", "en-GB", "defence"),
        ("tyre", "en-US", "tire"),
        ("manoeuvre", "en-US", "maneuver"),
    ],
)
def test_other_dialect_form(lex: Lexicon, word: str, dialect: str, expected: str) -> None:
    assert lex.other_dialect_form(word, dialect) == expected


def test_no_other_dialect_form_for_shared_or_unknown_words(lex: Lexicon) -> None:
    assert lex.other_dialect_form("organize", "en-GB") is None
    assert lex.other_dialect_form("license", "en-GB") is None
    assert lex.other_dialect_form("color", "en-US") is None
    assert lex.other_dialect_form("the", "en-US") is None
    assert lex.other_dialect_form("recieve", "en-US") is None


# -- frequencies and typos -------------------------------------------------------------------


def test_frequency_orders_words(lex: Lexicon) -> None:
    assert lex.frequency("the") > lex.frequency("receive") > lex.frequency("desiccate")
    assert lex.frequency("The") == lex.frequency("the")
    assert lex.frequency("qwxzv") == -UNKNOWN_BUCKET / 10
    assert lex.frequency("qwxzv") < lex.frequency("desiccate")
    assert lex.bucket("desiccate") <= DEFAULT_BUCKET


def test_known_typos(lex: Lexicon) -> None:
    assert "the" in lex.known_typo("teh")
    assert lex.known_typo("recieve") == ("receive",)
    assert lex.known_typo("Recieve") == ("receive",)
    assert lex.known_typo("receive") == ()
    assert lex.known_typo("") == ()


def test_no_listed_typo_is_a_word(lex: Lexicon) -> None:
    typos = lex._typos
    assert isinstance(typos, SortedTable)
    keys = [k for k, _ in typos.items()]
    assert len(keys) > 50_000
    assert keys == sorted(keys)  # the binary search relies on it
    assert not [k for k in keys[::50] if lex.knows(k, "en-US") or lex.knows(k, "en-GB")]


def test_sorted_table_lookups() -> None:
    table = SortedTable("abc\tx\nabd\ty,z\nb\t\nzz\tlast\n")
    assert table.get("abc") == "x"
    assert table.get("abd") == "y,z"
    assert table.get("b") == ""
    assert table.get("zz") == "last"
    assert table.get("ab") is None and table.get("zzz") is None and table.get("") is None
    assert len(table) == 4
    assert SortedTable("").get("a") is None


# -- compounds -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "word",
    [
        "startswith",
        "readline",
        "getcwd",
        "frombuffer",
        "makedirs",
        "ulonglong",
        "isinstance",
        "setdefault",
        "listdir",
        "httpclient",
    ],
)
def test_run_together_identifiers_are_compounds(lex: Lexicon, word: str) -> None:
    assert lex.is_compound(word)


@pytest.mark.parametrize(
    "word",
    [
        "recieve",
        "teh",
        "fucntion",
        "seperate",
        "occured",
        "definately",
        "accomodate",
        "alignmen",
        "omittin",
        "wellcome",
        "infact",
    ],
)
def test_typos_are_not_compounds(lex: Lexicon, word: str) -> None:
    assert not lex.is_compound(word)


def test_compounds_must_be_lower_case_letters(lex: Lexicon) -> None:
    assert not lex.is_compound("StartsWith")
    assert not lex.is_compound("starts_with")
    assert not lex.is_compound("get")  # too short to be two words


def test_compound_answers_are_cached_and_stable(lex: Lexicon) -> None:
    first = [lex.is_compound(w) for w in ("makedirs", "seperate")]
    assert [lex.is_compound(w) for w in ("makedirs", "seperate")] == first == [True, False]


def test_small_lexicon_flags() -> None:
    lex = Lexicon.from_words(["colour"], flags=GB)
    assert lex.knows("colour", "en-GB") and not lex.knows("colour", "en-US")
    assert lex.flags("colour") == GB
    code = Lexicon.from_words(["kwargs"], flags=CODE)
    assert code.knows("KWARGS", "en-US")
    both = Lexicon.from_words(["the"], flags=US | GB)
    assert both.knows("the", "en-AU") and both.knows("the", "klingon")
