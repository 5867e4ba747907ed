"""Synthetic persons: deterministic, realistic in frequency, with usable variants."""

from __future__ import annotations

import random
import re
from collections import Counter
from datetime import date

import pytest

from salama.demo.synthetic import (
    SCRIPTS,
    SyntheticPerson,
    generate_people,
    other_script_variant,
    script_spellings,
    spelling_variant,
    variant_groups,
)
from salama.people.names import detect_script, name_tokens


@pytest.fixture(scope="module")
def hundred_thousand() -> list[SyntheticPerson]:
    return list(generate_people(100_000, seed=0))


def test_same_seed_gives_the_same_people() -> None:
    assert list(generate_people(2_000, seed=42)) == list(generate_people(2_000, seed=42))


def test_different_seeds_give_different_people() -> None:
    assert list(generate_people(200, seed=1)) != list(generate_people(200, seed=2))


def test_a_prefix_of_a_run_is_the_shorter_run() -> None:
    assert list(generate_people(500, seed=3))[:100] == list(generate_people(100, seed=3))


def test_generates_exactly_n_people() -> None:
    assert sum(1 for _ in generate_people(1234)) == 1234
    assert list(generate_people(0)) == []


def test_persons_have_valid_fields(hundred_thousand: list[SyntheticPerson]) -> None:
    for person in hundred_thousand[:20_000]:
        assert person.given_name and person.family_name
        assert person.script in SCRIPTS
        assert person.sex in {"male", "female"}
        assert re.fullmatch(r"[A-Z]{2}", person.nationality)
        assert date(1940, 1, 1) <= person.date_of_birth < date(2025, 1, 1)
        assert detect_script(person.canonical_latin) == "latin"


def test_names_are_written_in_the_script_recorded(
    hundred_thousand: list[SyntheticPerson],
) -> None:
    for person in hundred_thousand[:20_000]:
        written = person.given_name + " " + person.family_name
        assert detect_script(written) == person.script
        if person.script == "latin":
            assert written == person.canonical_latin


def test_every_script_and_many_nationalities_occur(
    hundred_thousand: list[SyntheticPerson],
) -> None:
    scripts = Counter(p.script for p in hundred_thousand)
    assert set(scripts) == set(SCRIPTS)
    assert scripts["latin"] > 0.7 * len(hundred_thousand)
    assert len({p.nationality for p in hundred_thousand}) >= 30


def test_common_names_recur_as_in_a_real_caseload(
    hundred_thousand: list[SyntheticPerson],
) -> None:
    given = Counter(p.canonical_latin.split()[0] for p in hundred_thousand)
    full = Counter(p.canonical_latin for p in hundred_thousand)
    # At 1,000,000 persons these are about 13,000 and 770: a common full name recurs
    # hundreds of times, not thousands.
    assert given["Mohammed"] >= 1_000
    assert 50 <= full["Mamadou Diallo"] <= 150
    ranked = [count for _, count in full.most_common(100)]
    assert ranked[0] >= 3 * ranked[99]  # a Zipf-like head, not a flat distribution
    namesakes = sum(count for count in full.values() if count > 1)
    assert namesakes / len(hundred_thousand) > 0.5


def test_family_names_of_russian_women_agree_in_sex(
    hundred_thousand: list[SyntheticPerson],
) -> None:
    women = [p for p in hundred_thousand if p.sex == "female" and p.nationality == "RU"]
    assert any(p.canonical_latin.endswith("ova") for p in women)
    assert not any(p.canonical_latin.endswith(("ov", "ev")) for p in women)


def test_spelling_variants_differ_from_the_original() -> None:
    rng = random.Random(0)
    for person in generate_people(2_000, seed=5):
        assert spelling_variant(person.canonical_latin, rng) != person.canonical_latin


def test_known_transliterations_are_used() -> None:
    rng = random.Random(1)
    seen = {spelling_variant("Mohammed", rng) for _ in range(200)}
    assert {"Muhammad", "Mohamed"} <= seen
    assert "Yusuf" in {spelling_variant("Youssef", rng) for _ in range(200)}
    assert "Aleksandr" in {spelling_variant("Oleksandr", rng) for _ in range(200)}
    assert all(len(group) >= 2 for group in variant_groups())


def test_spelling_variants_share_tokens_most_of_the_time() -> None:
    rng = random.Random(2)
    words = [p.canonical_latin.split()[0] for p in generate_people(3_000, seed=6)]
    sharing = 0
    for word in words:
        common = name_tokens([word]) & name_tokens([spelling_variant(word, rng)])
        sharing += any(not token.startswith("c:") for token in common)
    # A single word changed by a variant: measured about 0.97.
    assert sharing / len(words) >= 0.9


def test_other_script_variant_uses_the_tables() -> None:
    assert other_script_variant("Mohammed", "arabic") == "محمد"
    assert other_script_variant("Oleksandr", "cyrillic") == "Олександр"
    assert other_script_variant("Tesfay", "ethiopic") == "ተስፋይ"
    assert other_script_variant("Abdul Rahman Al-Sayed", "arabic") == "عبد الرحمن السيد"
    assert other_script_variant("Olena Ivanova", "cyrillic") == "Олена Иванова"


def test_other_script_variant_returns_none_when_unknown() -> None:
    assert other_script_variant("Mamadou Traoré", "arabic") is None
    assert other_script_variant("Xyzzy", "cyrillic") is None
    assert other_script_variant("Mohammed", "klingon") is None
    assert other_script_variant("", "arabic") is None


def test_other_script_spellings_are_in_the_target_script() -> None:
    for target in ("arabic", "cyrillic", "ethiopic"):
        table = script_spellings(target)
        assert len(table) >= 30
        assert all(detect_script(form) == target for form in table.values())


def test_cross_script_queries_can_be_built_for_generated_people() -> None:
    people = [p for p in generate_people(5_000, seed=8) if p.nationality in {"SY", "UA", "ER"}]
    built = [
        other_script_variant(p.canonical_latin, t)
        for p in people
        for t in ("arabic", "cyrillic", "ethiopic")
    ]
    assert sum(q is not None for q in built) >= 0.9 * len(people)
