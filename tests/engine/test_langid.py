"""Language identification by letters: foreign passages are skipped, misspelt English is not."""

from __future__ import annotations

import csv
import random
import re
from pathlib import Path

import pytest

from server.engine.checker import Checker
from server.engine.langid import LanguageModel, latin_share, trigrams

#: Passages written for these tests (a few sentences of everyday text in each language).
PASSAGES = {
    "fr": [
        "Nous sommes arrivés à la gare vers huit heures, mais le train était déjà parti. "
        "Il a fallu attendre le suivant pendant presque une heure dans le froid.",
        "Le fichier de configuration est introuvable. Vérifiez que le chemin est correct et "
        "que vous avez les droits nécessaires pour le lire.",
    ],
    "de": [
        "Gestern haben wir den ganzen Nachmittag im Garten gearbeitet, weil das Wetter "
        "endlich schön war. Danach gab es Kaffee und Kuchen auf der Terrasse.",
        "Die Konfigurationsdatei konnte nicht gefunden werden. Bitte überprüfen Sie den "
        "Pfad und Ihre Berechtigungen und versuchen Sie es erneut.",
    ],
    "es": [
        "Ayer fuimos al mercado para comprar fruta y verduras, pero estaba cerrado por la "
        "fiesta. Volveremos mañana temprano antes de ir a trabajar.",
        "No se pudo encontrar el archivo de configuración. Compruebe que la ruta es correcta "
        "y que tiene permiso para leerlo.",
    ],
    "nl": [
        "Gisteren zijn we met de fiets naar het strand gegaan, maar het begon al snel te "
        "regenen. We hebben daarom in een klein café op de boulevard gewacht.",
        "Het configuratiebestand kon niet worden gevonden. Controleer of het pad juist is en "
        "of u de rechten hebt om het te lezen.",
    ],
    "it": [
        "Ieri siamo andati al mare con alcuni amici, ma il tempo è cambiato rapidamente e "
        "siamo tornati a casa prima del previsto. Domani speriamo in una giornata migliore.",
        "Impossibile trovare il file di configurazione. Verificare che il percorso sia "
        "corretto e di avere i permessi necessari per leggerlo.",
    ],
}

DENSE_ENGLISH = (
    "The elephent crossed the rivver near the instituion and the libary. "
    "We will recieve a wrod from the goverment tommorow.\n"
)

#: Common misspellings of English words, written for these tests (none is a word).
MISSPELLINGS = """
    accomodate acheive adress agressive apparantly arguement begining beleive buisness
    calender catagory cemetary collegue comming commitee concious definately dissapear
    embarass enviroment existance familar finaly foriegn freind goverment grammer happend
    harrass immediatly independant knowlege libary maintainance neccessary noticable
    occassion occured paralel persue posession prefered publically realy recieve recomend
    refered relevent religous rember resistence seperate sieze similiar sucessful supercede
    suprise tendancy tommorow tounge truely unfortunatly untill wierd wich writting
""".split()

TYPO_LIST = Path(__file__).resolve().parents[3] / "shared/data/typo-lists/typos-words.csv"
_WORDS = re.compile(r"[^\W\d_]+")


@pytest.fixture(scope="module")
def model() -> LanguageModel:
    return LanguageModel.shipped()


@pytest.fixture(scope="module")
def checker() -> Checker:
    return Checker()


def test_trigrams_pad_each_word() -> None:
    assert list(trigrams(["The", "ox"])) == [" th", "the", "he ", " ox", "ox "]


@pytest.mark.parametrize(("language", "index"), [(lang, i) for lang in PASSAGES for i in (0, 1)])
def test_passages_are_recognised(model: LanguageModel, language: str, index: int) -> None:
    guess = model.guess(_WORDS.findall(PASSAGES[language][index]))
    assert guess.language == language, guess
    assert guess.margin < -0.5


@pytest.mark.parametrize("language", list(PASSAGES))
def test_foreign_passages_get_no_findings(checker: Checker, language: str) -> None:
    text = "\n\n".join(PASSAGES[language]) + "\n"
    assert checker.check(text, "plaintext").issues == []
    # ... also between English paragraphs, whose misspelling is still found.
    mixed = f"The wrod here is English.\n\n{text}\nAnd the secnod one too.\n"
    assert [i.text for i in checker.check(mixed, "markdown").issues] == ["wrod", "secnod"]


def test_misspelt_english_is_english(model: LanguageModel) -> None:
    assert model.guess(_WORDS.findall(DENSE_ENGLISH)).language == "en"
    assert model.guess(MISSPELLINGS).language == "en"


def test_dense_misspellings_are_all_flagged(checker: Checker) -> None:
    flagged = [i.text for i in checker.check(DENSE_ENGLISH, "plaintext").issues]
    assert flagged == [
        "elephent",
        "rivver",
        "instituion",
        "libary",
        "recieve",
        "wrod",
        "goverment",
        "tommorow",
    ]


def _dense_list() -> list[str]:
    """Misspellings one per line: the typo list's (when ../shared has it) and the ones above."""
    words = list(MISSPELLINGS)
    if TYPO_LIST.exists():
        with TYPO_LIST.open(encoding="utf-8") as handle:
            typos = sorted(
                {r[0] for r in csv.reader(handle) if r and re.fullmatch("[a-z]{5,}", r[0])}
            )
        words += random.Random(18).sample(typos, 300)
    return list(dict.fromkeys(words))


def test_a_list_of_misspellings_one_per_line_is_checked(checker: Checker) -> None:
    words = _dense_list()
    text = "\n".join(words) + "\n"
    flagged = {i.text for i in checker.check(text, "plaintext").issues}
    unknown = [w for w in words if not checker.speller.lexicon.knows(w)]
    detected = sum(1 for w in unknown if w in flagged)
    assert detected >= 0.95 * len(unknown), (detected, len(unknown))
    assert all(w in flagged for w in MISSPELLINGS)


def test_other_scripts_are_not_english(checker: Checker) -> None:
    assert latin_share(["Москва", "это", "город"]) == 0.0
    assert latin_share(["naïve", "Straße"]) == 1.0
    russian = "Москва является столицей России и крупнейшим городом страны по населению.\n"
    assert checker.check(russian, "plaintext").issues == []


def test_data_in_prose_is_skipped_but_code_keeps_the_share_rule(checker: Checker) -> None:
    blob = " ".join(
        "".join(
            random.Random(i).choice("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ")
            for _ in range(9)
        )
        for i in range(12)
    )
    assert checker.check(f"Key material follows.\n\n{blob}\n", "markdown").issues == []
    # Names and abbreviations in a code string: mostly unknown, letters cannot tell.
    code = 'COLUMNS = "nrows ncols xdim ydim zdim nchan nbins npix"\n'
    assert checker.check(code, "python").issues == []


def test_a_misspelling_dense_comment_is_checked_like_prose(checker: Checker) -> None:
    """Comments and docstrings take the letters' decision, not the share of unknown words."""
    code = (
        "def count(items):\n"
        "    # Thes functon retuns teh numbr of itmes wich are stord in teh lsit\n"
        '    """Retuns teh numbr of itmes, wich may be zreo."""\n'
        "    return len(items)\n"
    )
    flagged = [i.text for i in checker.check(code, "python").issues]
    assert flagged[:6] == ["Thes", "functon", "retuns", "teh", "numbr", "itmes"]
    assert {"wich", "stord", "lsit", "Retuns", "zreo"} <= set(flagged)
    # ... while a foreign comment is still left alone, and names in a comment are names.
    french = f"# {PASSAGES['fr'][0]}\nx = 1\n"
    assert checker.check(french, "python").issues == []
    names = "# nrows ncols xdim ydim zdim nchan nbins npix\nx = 1\n"
    assert checker.check(names, "python").issues == []


#: A translation table as i18n libraries ship them: one short string per key, too few letters
#: each for the language to show.
TRANSLATIONS = {
    "de": ["gerade eben", "vor {{time}} Sekunden", "vor einer Minute", "vor {{time}} Minuten",
           "vor einer Stunde", "gestern", "letzte Woche", "nächsten Monat", "morgen"],
    "es": ["recién", "hace {{time}} segundos", "hace un minuto", "hace una hora", "ayer",
           "dentro de {{time}} días", "hace una semana", "mañana", "hace mas de un año"],
    "en": ["just now", "{{time}} seconds ago", "a minute ago", "{{time}} minuets ago",
           "an hour ago", "yesterday", "last week", "next month", "tomorow"],
}  # fmt: skip


def _table(strings: list[str]) -> str:
    rows = "".join(f'  key{i}: "{s}",\n' for i, s in enumerate(strings))
    return f"module.exports = {{\n{rows}}}\n"


@pytest.mark.parametrize("language", ["de", "es"])
def test_a_foreign_translation_table_gets_no_findings(checker: Checker, language: str) -> None:
    """Each string alone is too short to tell; the file's strings together are not English."""
    assert checker.check(_table(TRANSLATIONS[language]), "javascript").issues == []


def test_an_english_table_and_a_few_foreign_strings_are_still_checked(checker: Checker) -> None:
    flagged = [i.text for i in checker.check(_table(TRANSLATIONS["en"]), "javascript").issues]
    assert flagged == ["tomorow"]  # "minuets" is a word (dances)
    mixed = TRANSLATIONS["en"] + ["hace un minuto"]
    assert "tomorow" in [i.text for i in checker.check(_table(mixed), "javascript").issues]
