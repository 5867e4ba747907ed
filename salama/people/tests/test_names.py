"""Name normalisation and search tokens, against the examples of
docs/design.md#search-over-encrypted-names.  No database."""

from __future__ import annotations

import time

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from salama.demo.synthetic import generate_people, script_spellings
from salama.people.names import (
    coarse_skeleton,
    detect_script,
    name_similarity,
    name_tokens,
    query_tokens,
    romanise_word,
    skeleton,
    split_name,
)

STRONG_KINDS = ("f:", "j:", "p:")


def shares_strong_token(a: set[str], b: set[str]) -> bool:
    return any(token.startswith(STRONG_KINDS) for token in a & b)


def kind(tokens: set[str], prefix: str) -> set[str]:
    return {t for t in tokens if t.startswith(prefix)}


# --- Examples of docs/design.md#search-over-encrypted-names ---------------------------------


@pytest.mark.parametrize("spelling", ["Mohammed", "Muhammad", "Mohamed", "Mohammad", "محمد"])
def test_mohammed_variants_share_fine_skeleton(spelling: str) -> None:
    assert skeleton(spelling) == "mhmd"


@pytest.mark.parametrize("spelling", ["Aleksandr", "Александр", "Alexander", "Олександр"])
def test_aleksandr_spellings_share_fine_skeleton(spelling: str) -> None:
    assert skeleton(spelling) == "lksndr"


def test_hanna_and_ganna_differ_finely_but_share_coarse_skeleton() -> None:
    assert skeleton("Hanna") != skeleton("Ganna")
    assert coarse_skeleton("Hanna") == coarse_skeleton("Ganna") == coarse_skeleton("Ганна")


def test_serhii_and_sergei_share_coarse_skeleton() -> None:
    assert skeleton("Serhii") != skeleton("Sergei")
    assert coarse_skeleton("Serhii") == coarse_skeleton("Sergei") == coarse_skeleton("Сергій")


def test_arabic_zain_and_heh_are_not_read_as_zh() -> None:
    # زهير (Zuhair) and زهراء (Zahra): two letters, not the digraph "zh" (-> j -> g).
    assert skeleton("زهير") == skeleton("Zuhair") == "shr"
    assert skeleton("زهراء") == skeleton("Zahra") == "shr"
    assert "zh" not in romanise_word("زهير")


def test_romanised_arabic_reads_back_to_the_same_skeleton() -> None:
    for word in ["زهير", "إسحاق", "سهيل", "محمد", "خالد"]:
        assert skeleton(romanise_word(word)) == skeleton(word)


def test_arabic_letters_are_transliterated_one_by_one() -> None:
    assert romanise_word("محمد") == "mhmd"
    assert romanise_word("يوسف") == "yusf"
    assert romanise_word("وليد") == "wlid"
    assert romanise_word("فاطمة") == "fatma"
    assert romanise_word("خالد") == "khald"


def test_cyrillic_letters_are_transliterated_one_by_one() -> None:
    assert romanise_word("Хасан") == "khasan"
    assert romanise_word("Жанна") == "zhanna"
    assert romanise_word("Щербак") == "shcherbak"
    assert romanise_word("Цой") == "tsoy"
    assert romanise_word("Чорний") == "chorniy"
    assert romanise_word("Юлия") == "yuliya"
    assert romanise_word("Фёдоров") == "fedorov"
    assert romanise_word("Ольга") == "olga"
    assert romanise_word("Дар'я") == "darya"


def test_ukrainian_letters_give_ukrainian_readings() -> None:
    assert romanise_word("Сергій") == "serhiy"
    assert romanise_word("Ґанна") == "ganna"
    assert romanise_word("Їжак") == "yizhak"
    assert romanise_word("Євген") == "yevhen"
    assert skeleton("Євген") == skeleton("Yevhen")


def test_ambiguous_cyrillic_g_is_indexed_under_both_readings() -> None:
    cyrillic = name_tokens(["Галина"])
    assert kind(name_tokens(["Halyna"]), "f:") <= cyrillic
    assert kind(name_tokens(["Galina"]), "f:") <= cyrillic


def test_persian_reading_of_arabic_script_is_indexed_too() -> None:
    for latin, script in [("Reza", "رضا"), ("Farzana", "فرزانه"), ("Javed", "جاوید")]:
        assert kind(name_tokens([latin]), "f:") <= name_tokens([script])


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("Al-Hassan", ["hassan"]),
        ("El-Sayed", ["sayed"]),
        ("Al Hassan", ["hassan"]),
        ("el Sayed", ["sayed"]),
        ("Abd al Rahman", ["abd", "rahman"]),
        ("Abd al-Rahman", ["abd", "rahman"]),
        ("Nur ad-Din", ["nur", "din"]),
        ("Al'Amin", ["amin"]),
        ("الحسن", ["hsn"]),
        ("عبد الرحمن", ["abd", "rhmn"]),
    ],
)
def test_articles_are_dropped(text: str, words: list[str]) -> None:
    assert split_name(text) == words


def test_article_is_dropped_from_a_single_word() -> None:
    assert romanise_word("Al-Hassan") == "hassan"
    assert skeleton("Al-Hassan") == skeleton("الحسن") == skeleton("Hassan") == "hsn"


def test_names_beginning_with_the_letters_of_the_article_keep_them() -> None:
    assert skeleton("الياس") == skeleton("Elias")


def test_abdul_rahman_and_abdulrahman_share_a_token() -> None:
    split = name_tokens(["Abdul Rahman"])
    fused = name_tokens(["Abdulrahman"])
    arabic = name_tokens(["عبد الرحمن"])
    assert shares_strong_token(split, fused)
    assert shares_strong_token(arabic, fused)
    assert shares_strong_token(name_tokens(["Abd al-Rahman"]), fused)


def test_neighbouring_words_are_joined() -> None:
    assert shares_strong_token(name_tokens(["Gebre Medhin"]), name_tokens(["Gebremedhin"]))
    assert shares_strong_token(name_tokens(["Najib Ullah"]), name_tokens(["Najibullah"]))


def test_one_letter_typo_shares_a_deletion_token() -> None:
    record = name_tokens(["Gebremedhin"])
    typo = name_tokens(["Gebremedhim"])  # n -> m
    assert not kind(record, "f:") & kind(typo, "f:")
    assert kind(record, "d:") & kind(typo, "d:")


@pytest.mark.parametrize(
    ("record", "typo"),
    [("Shevchenko", "Shevchenlo"), ("Tesfamariam", "Tesfamarima"), ("Bondarenko", "Bondarneko")],
)
def test_typos_share_deletion_tokens(record: str, typo: str) -> None:
    assert kind(name_tokens([record]), "d:") & kind(name_tokens([typo]), "d:")


def test_pair_token_ignores_word_order() -> None:
    a = name_tokens(["Mohammed", "Hassan"])
    b = name_tokens(["Hassan", "Mohammed"])
    assert "p:hsn|mhmd" in a & b


def test_pair_tokens_survive_a_left_out_middle_name() -> None:
    assert "p:hsn|mhmd" in name_tokens(["Mohammed Ali", "Hassan"])


# --- other examples ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "spellings",
    [
        ["Yusuf", "Youssef", "Yousef", "Юсуф", "يوسف"],
        ["Jamal", "Djamal", "Gamal", "Джамал", "جمال"],
        ["Khaled", "Khalid", "Халид", "خالد"],
        ["Ibrahim", "Ebrahim", "إبراهيم"],
    ],
)
def test_transliterations_share_fine_skeleton(spellings: list[str]) -> None:
    assert len({skeleton(s) for s in spellings}) == 1


def test_latin_diacritics_are_folded() -> None:
    assert split_name("Zoë Ñúñez") == ["zoe", "nunez"]
    assert skeleton("Traoré") == skeleton("Traore")
    assert romanise_word("Nguyễn") == "nguyen"


def test_ethiopic_is_romanised() -> None:
    assert romanise_word("ሰላም") == "selam"
    assert skeleton("ሰላም") == skeleton("Selam")
    assert skeleton("ተስፋይ") == skeleton("Tesfay")
    assert skeleton("ገብረመድህን") == skeleton("Gebremedhin")
    assert split_name("ተስፋይ፡ሃይለ") == ["tesfay", "hayle"]


def test_word_without_consonants_keeps_its_letters() -> None:
    assert skeleton("Aya") == "aya"
    assert skeleton("Ali") == "l"
    assert "f:aya" in name_tokens(["Aya"])


def test_empty_and_symbol_only_names_give_no_tokens() -> None:
    assert name_tokens([]) == set()
    assert name_tokens(["", "  ", "--", "123"]) == set()
    assert split_name("") == []
    assert skeleton("") == ""


@pytest.mark.parametrize(
    ("text", "script"),
    [
        ("Mohammed", "latin"),
        ("Zoë Ñúñez", "latin"),
        ("محمد حسن", "arabic"),
        ("محمد حسن Ali", "arabic"),
        ("Mohammed حسن", "latin"),
        ("Олександр", "cyrillic"),
        ("ሰላም", "ethiopic"),
        ("王伟", "other"),
        ("", "other"),
        ("123 --", "other"),
    ],
)
def test_detect_script_by_majority_of_letters(text: str, script: str) -> None:
    assert detect_script(text) == script


def test_three_word_name_stays_under_sixty_tokens() -> None:
    assert len(name_tokens(["Mohammed Ali", "Al-Hassan"])) < 60
    assert len(name_tokens(["Tesfamariam Gebremedhin", "Woldemichael"])) < 60


def test_long_input_is_cut_to_a_bounded_number_of_tokens() -> None:
    assert len(name_tokens(["Mohammed " * 200 + "x" * 500])) < 200


def test_query_tokens_weight_pairs_above_words_above_coarse_and_deletions() -> None:
    weights = dict(query_tokens("Mohammed Hassan"))
    assert weights["p:hsn|mhmd"] > weights["f:mhmd"] > weights["c:mkmt"] > weights["d:mhd"]
    assert weights["j:mhmdhsn"] == weights["f:mhmd"]
    tokens = [token for token, _ in query_tokens("Mohammed Hassan")]
    assert set(tokens) == name_tokens(["Mohammed Hassan"])
    assert [w for _, w in query_tokens("Mohammed Hassan")] == sorted(
        (w for _, w in query_tokens("Mohammed Hassan")), reverse=True
    )


# --- cross-script search -----------------------------------------------------------------------


def cross_script_pairs() -> list[tuple[str, str]]:
    pairs: list[tuple[str, str]] = []
    for target in ("arabic", "cyrillic"):
        pairs.extend(script_spellings(target).items())
    return pairs


def test_cross_script_query_tokens_meet_the_latin_record() -> None:
    pairs = cross_script_pairs()
    assert len(pairs) >= 30
    hits = sum(
        shares_strong_token(name_tokens([latin]), {t for t, _ in query_tokens(script)})
        for latin, script in pairs
    )
    share = hits / len(pairs)
    # Measured 0.996 over 512 pairs; the misses are Abdullah/Абдулла and Hamzah/حمزة.
    assert share >= 0.97, share


def test_cross_script_full_names_share_a_pair_token() -> None:
    persons = [p for p in generate_people(20_000, seed=7) if p.script != "latin"]
    assert len(persons) > 1000
    hits = sum(
        any(
            t.startswith("p:")
            for t in name_tokens([p.canonical_latin]) & name_tokens([p.given_name, p.family_name])
        )
        for p in persons
    )
    assert hits / len(persons) >= 0.95


@pytest.mark.parametrize(
    ("query", "registered"),
    [
        ("Khady Slw", "Khady Sow"),
        ("Aminata Sesat", "Aminata Sesay"),
        ("محم سعيد", "محمد سعيد"),
        ("Shahi Mohammadi", "Shahid Mohammadi"),
    ],
)
def test_a_typo_in_one_word_keeps_a_pair_token_with_the_other(query: str, registered: str) -> None:
    shared = name_tokens([query]) & name_tokens([registered])
    assert not any(t.startswith("p:") for t in shared)  # the exact pair is broken...
    assert any(t.startswith("i:") for t in shared)  # ...one word and the other's initial is not


def test_west_african_di_spelling_meets_the_english_j_spelling() -> None:
    # Diallo (Guinea, Senegal, Mali) is Jallow (Gambia) and Jalloh (Sierra Leone).
    shared = name_tokens(["Kadiatu Diallo"]) & name_tokens(["Kadiatu Jallow"])
    assert {"f:gl", "p:gl|kdt"} <= shared
    # Jalloh keeps its final h (glh): one deletion away.
    assert "d:gl" in name_tokens(["Kadiatu Diallo"]) & name_tokens(["Kadiatu Jalloh"])
    assert name_similarity("Kadiatu Jallow", ["Kadiatu Diallo"]) > 0.9
    # Inside a word "di" stays a d and an i: Kadiatu keeps its d.
    assert skeleton("Kadiatu") == "kdt"


# --- ranking -----------------------------------------------------------------------------------


def test_name_similarity_rewards_close_spellings() -> None:
    exact = name_similarity("Mohammed Hassan", ["Mohammed Hassan"])
    farther = name_similarity("Muhammad Hasan", ["Mohammed Hassan"])
    other = name_similarity("Ahmed Osman", ["Mohammed Hassan"])
    assert exact == pytest.approx(1.0)
    assert exact > farther > other
    assert 0.0 <= other < 0.7


def test_name_similarity_takes_the_best_alias() -> None:
    assert name_similarity("Olena Shevchenko", ["Elena Ivanova", "Олена Шевченко"]) > 0.95
    assert name_similarity("Olena Shevchenko", []) == 0.0


def test_name_similarity_recognises_other_scripts() -> None:
    assert name_similarity("محمد حسن", ["Mohammed Hassan"]) > name_similarity(
        "محمد حسن", ["Ahmed Osman"]
    )


def test_a_close_spelling_counts_as_the_same_spelling() -> None:
    # Mohamed for Mohammed is the variant a caseworker hears as often as the spelling on file:
    # it scores as the exact spelling, and a farther transliteration (Muhammad) stays below.
    exact = name_similarity("Ahmed Mohammed", ["Ahmed Mohammed"])
    assert exact == pytest.approx(1.0)
    assert name_similarity("Ahmed Mohammed", ["Ahmed Mohamed"]) == pytest.approx(exact)
    assert name_similarity("Hassan Ali", ["Hasan Ali"]) == pytest.approx(exact)
    assert name_similarity("Ahmed Mohammed", ["Ahmad Muhammad"]) < 0.97
    # Other consonants still count against a close spelling.
    assert name_similarity("Ahmed Mohammed", ["Ahmed Osman"]) < 0.8


def test_a_name_in_arabic_script_counts_as_its_consonants() -> None:
    # Arabic script does not write short vowels: أحمد محمد neither confirms nor contradicts
    # "Ahmed Mohammed", so its spelling counts as what the consonants say: the same name.
    arabic = name_similarity("Ahmed Mohammed", ["أحمد محمد"])
    assert arabic == pytest.approx(1.0)
    assert arabic > name_similarity("Ahmed Mohammed", ["Ahmad Muhammad"])
    # Both directions alike, and other consonants still count against.
    assert name_similarity("أحمد محمد", ["Ahmed Mohammed"]) == pytest.approx(arabic)
    assert name_similarity("أحمد محمد", ["أحمد محمد"]) == pytest.approx(1.0)
    assert name_similarity("Ahmed Mohammed", ["أحمد عثمان"]) < 0.8


def test_ranking_compares_every_reading_of_an_arabic_name() -> None:
    # عثمان reads "Uthman" the Arabic way and "Osman"/"Usman" the Persian and Turkish way;
    # رضا reads "Rida" and "Reza".
    # Each reading alike, and well above another name.
    uthman = name_similarity("Abdul Rahman Uthman", ["عبد الرحمن عثمان"])
    assert uthman == pytest.approx(1.0)
    assert name_similarity("Abdul Rahman Osman", ["عبد الرحمن عثمان"]) > 0.97
    assert name_similarity("Reza Ahmadi", ["رضا احمدی"]) > 0.97
    assert name_similarity("Abdul Rahman Hassan", ["عبد الرحمن عثمان"]) < 0.92


def test_name_similarity_is_fast_enough_for_two_hundred_candidates() -> None:
    people = list(generate_people(400, seed=3))
    candidates = [[p.given_name + " " + p.family_name] for p in people[:200]]
    # CPU time of this process, not wall time: the suite runs on two workers beside each other.
    started = time.process_time()
    for names in candidates:
        name_similarity("Mohammed Al-Hassan", names)
    elapsed = time.process_time() - started
    # About 2 ms on the 2-core reference machine; the bound leaves room for slow CI.
    assert elapsed < 0.05


# --- properties --------------------------------------------------------------------------------


@settings(max_examples=300, deadline=None)
@given(st.lists(st.text(max_size=40), max_size=4))
def test_name_tokens_never_raise_and_are_deterministic(parts: list[str]) -> None:
    first = name_tokens(parts)
    assert first == name_tokens(list(parts))
    assert all(":" in token and token.isascii() for token in first)


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=40))
def test_normalisation_never_raises_and_gives_ascii(text: str) -> None:
    assert romanise_word(text).isascii()
    assert all(word.isascii() and word for word in split_name(text))
    assert skeleton(text).isascii()
    assert detect_script(text) in {"latin", "arabic", "cyrillic", "ethiopic", "other"}
    assert query_tokens(text) == query_tokens(text)
