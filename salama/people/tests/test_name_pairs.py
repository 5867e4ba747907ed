"""Two spellings of one person's name meet; two different names do not. No database.

The pairs are data, written by hand from public romanisation standards and name lists (each
row names its source): ``data/name_pairs/<group>.tsv`` holds spellings of one name (native
script and its passport or press spelling, or a Latin orthography and the English-style
spelling of the same sounds), ``data/name_negatives/<group>.tsv`` different names of the same
group, so that a reading which merges everything fails here. The format
(``group, name_a, name_b, source``) is the one ``bench/search.py --names-corpus`` reads.
"""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from salama.demo.synthetic import generate_people
from salama.people.name_scripts import orthographies_of
from salama.people.names import name_similarity, name_tokens
from salama.people.search import MIN_SIMILARITY

DATA = Path(__file__).parent / "data"
HEADER = ["group", "name_a", "name_b", "source"]
# Tokens that put a person among a search's candidates on their own: a word's fine skeleton
# (under any reading) or a pair of them.
MEETING_KINDS = ("f:", "p:")
MIN_PAIRS_PER_GROUP = 30


def read_rows(folder: str) -> list[dict[str, str]]:
    rows: list[dict[str, str]] = []
    for path in sorted((DATA / folder).glob("*.tsv")):
        with path.open(encoding="utf-8", newline="") as handle:
            reader = csv.reader(handle, delimiter="\t", quoting=csv.QUOTE_NONE)
            assert next(reader) == HEADER, f"{path.name}: the header must be {HEADER}"
            for line in reader:
                row = dict(zip(HEADER, line, strict=True))
                assert row["group"] == path.stem, f"{path.name}: group {row['group']!r}"
                assert all(row.values()), f"{path.name}: an empty field in {line}"
                rows.append(row)
    return rows


PAIRS = read_rows("name_pairs")
NEGATIVES = read_rows("name_negatives")


def pair_id(row: dict[str, str]) -> str:
    return f"{row['group']}:{row['name_a']}={row['name_b']}"


def meeting_tokens(a: str, b: str) -> set[str]:
    return {t for t in name_tokens([a]) & name_tokens([b]) if t.startswith(MEETING_KINDS)}


def test_every_group_has_at_least_thirty_pairs_and_ten_negative_pairs() -> None:
    groups = {row["group"] for row in PAIRS}
    assert len(groups) >= 15
    for group in groups:
        assert sum(r["group"] == group for r in PAIRS) >= MIN_PAIRS_PER_GROUP, group
        assert sum(r["group"] == group for r in NEGATIVES) >= 10, group


@pytest.mark.parametrize("row", PAIRS, ids=pair_id)
def test_two_spellings_of_one_name_share_a_skeleton_token(row: dict[str, str]) -> None:
    a, b = row["name_a"], row["name_b"]
    assert meeting_tokens(a, b), f"{a} and {b} ({row['source']}) share no f:/p: token"


@pytest.mark.parametrize("row", PAIRS, ids=pair_id)
def test_two_spellings_of_one_name_rank_above_the_search_floor(row: dict[str, str]) -> None:
    a, b = row["name_a"], row["name_b"]
    assert name_similarity(a, [b]) >= MIN_SIMILARITY
    assert name_similarity(b, [a]) >= MIN_SIMILARITY


@pytest.mark.parametrize("row", NEGATIVES, ids=pair_id)
def test_different_names_of_one_group_do_not_meet(row: dict[str, str]) -> None:
    a, b = row["name_a"], row["name_b"]
    assert not meeting_tokens(a, b), f"{a} and {b} are different names"


# --- How the orthography of a Latin name is told --------------------------------------------


@pytest.mark.parametrize(
    ("word", "orthography"),
    [
        ("łukasz", "polish"),  # ł says Polish
        ("krzysztof", "polish"),  # rz after k, without diacritics
        ("crnkovic", "croatian-serbian"),  # -ic written without its ć
        ("đorđe", "croatian-serbian"),
        ("dvořák", "czech-slovak"),
        ("konwitschny", "german"),
        ("weiß", "german"),
        ("kılıç", "turkish"),
        ("lőrinc", "hungarian"),
        ("țurcanu", "romanian"),
        ("coutinho", "portuguese"),
        ("xrushhyov", "cyrillic-latin"),
        ("jinping", "pinyin"),
    ],
)
def test_a_latin_word_is_read_under_the_orthography_its_letters_show(
    word: str, orthography: str
) -> None:
    assert orthography in orthographies_of(word)


@pytest.mark.parametrize("word", ["mohammed", "amina", "tesfaye", "abdullahi", "reza", "omar"])
def test_common_names_of_the_caseload_get_no_foreign_orthography(word: str) -> None:
    assert orthographies_of(word) == []


def test_a_diacritic_free_spelling_meets_both_the_native_and_the_english_style_spelling() -> None:
    # Passports (ICAO 9303) drop the diacritics; the press writes them; a caseworker hearing
    # the name writes it the English way. All three meet.
    native, passport, heard = "Crnković", "Crnkovic", "Tsrnkovich"
    assert meeting_tokens(native, passport)
    assert meeting_tokens(passport, heard)
    assert meeting_tokens(native, heard)


def test_chinese_characters_are_split_into_family_and_given_name() -> None:
    assert name_tokens(["习近平"]) == name_tokens(["Xi Jinping"])


def test_hebrew_letters_with_two_readings_are_indexed_under_both() -> None:
    # פ is p or f, ו a vowel or v: Potter and Pfotter are both readings, David meets דוד.
    assert "f:ptr" in name_tokens(["פוטר"])
    assert "f:dfd" in name_tokens(["דוד"])


def test_readings_cost_at_most_a_quarter_more_tokens_on_the_synthetic_caseload() -> None:
    # The tokens a person costs without the readings of name_scripts were measured at
    # 20.6 on average for these persons (seed 1, as bench/seed.py makes them).
    people = list(generate_people(2000, seed=1))
    average = sum(len(name_tokens([f"{p.given_name} {p.family_name}"])) for p in people) / len(
        people
    )
    assert average <= 20.6 * 1.25
