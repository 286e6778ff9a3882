"""Sound keys, and the sound-alike candidates they give poor spellers' misspellings."""

from __future__ import annotations

import pytest

from server.engine.lexicon import Lexicon
from server.engine.phonetic import sound_key, sound_keys
from server.engine.suggest import Suggester


@pytest.mark.parametrize(
    ("written", "meant"),
    [
        ("becuz", "because"),
        ("nollij", "knowledge"),
        ("fisicks", "physics"),
        ("enuf", "enough"),
        ("skool", "school"),
        ("nite", "night"),
        ("sience", "science"),
        ("acomodation", "accommodation"),
        ("sigurets", "cigarettes"),
        ("lushis", "luscious"),
        ("tho", "though"),
    ],
)
def test_sound_alikes_share_a_key(written: str, meant: str) -> None:
    assert sound_key(written) == sound_key(meant)


def test_keys_tell_different_sounds_apart() -> None:
    assert sound_key("bat") != sound_key("cat")
    assert sound_key("ship") != sound_key("sip")
    assert sound_key("think") != sound_key("tink")


def test_a_vowel_first_is_one_mark_and_silent_letters_go() -> None:
    assert sound_key("apollstree")[0] == sound_key("upholstery")[0] == "A"
    assert sound_key("knight") == sound_key("nite")
    assert sound_key("write") == sound_key("rite")
    assert sound_key("") == ""
    assert sound_key("NOL-LIJ") == sound_key("nollij")


def test_vowels_measure_how_far_sound_alikes_are() -> None:
    # becuz, because and books share their consonants; with vowels, because is nearer.
    assert sound_key("becuz") == sound_key("because") == sound_key("books")
    assert sound_key("becuz", vowels=True) == sound_key("because", vowels=True)
    assert sound_key("books", vowels=True) != sound_key("becuz", vowels=True)


def test_many_words_at_once_are_keyed_as_one_by_one() -> None:
    words = ["because", "knowledge", "", "thought", "Café", "x-ray", "psalm"]
    assert sound_keys(words) == [sound_key(w) for w in words]
    assert sound_keys(words, vowels=True) == [sound_key(w, vowels=True) for w in words]
    assert sound_keys([]) == []


def test_a_sound_alike_is_a_candidate_however_far_its_letters() -> None:
    """In a small dictionary whose words all have the same frequency, the word that sounds
    like the misspelling is found although it is four or five letters away."""
    lex = Lexicon.from_words(
        ["because", "books", "box", "knowledge", "college", "physics", "fiscal"], bucket=50
    )
    suggester = Suggester(lex, use_known_typos=False)
    assert suggester.suggest("becuz")[0] == "because"
    assert suggester.suggest("nollij")[0] == "knowledge"
    assert suggester.suggest("fisicks")[0] == "physics"


@pytest.mark.parametrize(
    ("written", "meant"),
    [
        ("becuz", "because"),
        ("becos", "because"),
        ("woz", "was"),
        ("nollij", "knowledge"),
        ("fisicks", "physics"),
        ("shud", "should"),
        ("frend", "friend"),
        ("sumthing", "something"),
    ],
)
def test_poor_spellers_get_the_word_they_meant_first(written: str, meant: str) -> None:
    """Without the list of known misspellings: the channel's own doing."""
    suggester = Suggester(Lexicon.shipped(), use_known_typos=False)
    assert suggester.suggest(written)[0] == meant
