"""The HTCDS value-set data file and its loader (no database needed)."""

from __future__ import annotations

import pytest

from salama.core import htcds

KEY_VALUE_SETS = [
    "org_Type",
    "prs_Gender",
    "vic_TraffickingStatus",
    "vic_TraffickingStatusDecisionMakingOrg",
    "vic_TypeOfExploitation",
    "vic_MethodsOfControl",
    "vic_MethodOfRecruitment",
    "vic_ForcedLabourIndustry",
    "cas_Status",
]


def test_file_names_standard_and_version() -> None:
    data = htcds._data()
    assert data["standard"] == "HTCDS"
    assert htcds.version() == "2.0"
    assert "UNMigration/HTCDS" in data["source"]


@pytest.mark.parametrize("name", htcds.value_set_names())
def test_value_set_is_non_empty_with_unique_codes(name: str) -> None:
    pairs = htcds.value_set(name)
    assert pairs
    codes = [code for code, _ in pairs]
    assert len(codes) == len(set(codes)), f"duplicate codes in {name}"
    for code, label in pairs:
        assert isinstance(code, str) and code and code == code.strip() and " " not in code
        assert isinstance(label, str) and label.strip()


@pytest.mark.parametrize("name", KEY_VALUE_SETS)
def test_key_value_sets_exist(name: str) -> None:
    assert name in htcds.value_set_names()


def test_trafficking_status_codes() -> None:
    codes = set(htcds.labels("vic_TraffickingStatus"))
    assert codes == {
        "PossibleVictimOfTrafficking",
        "ActualVictimOfTrafficking",
        "NotAVictimOfTrafficking",
    }


def test_case_status_and_org_type_codes() -> None:
    assert [c for c, _ in htcds.value_set("cas_Status")] == [
        "Active",
        "FollowUp",
        "Closed",
        "ClosedReferred",
    ]
    assert "NGO" in htcds.labels("org_Type")
    assert "LawEnforcement" in htcds.labels("org_Type")


def test_forced_labour_industry_is_isic_sections_a_to_u() -> None:
    codes = [c for c, _ in htcds.value_set("vic_ForcedLabourIndustry")]
    assert [c.split("_", 1)[0] for c in codes] == [chr(i) for i in range(ord("A"), ord("U") + 1)]


def test_value_set_is_usable_as_choices() -> None:
    choices = htcds.value_set("org_Type")
    assert all(isinstance(pair, tuple) and len(pair) == 2 for pair in choices)
    assert htcds.labels("org_Type")["LawEnforcement"] == "Law Enforcement"


def test_fields_reference_existing_value_sets_and_every_set_is_used() -> None:
    fields = htcds.fields()
    names = set(htcds.value_set_names())
    used = set()
    for field_name, spec in fields.items():
        assert {"description", "type", "value_set"} <= spec.keys(), field_name
        assert spec["description"] and spec["type"]
        if spec["value_set"] is not None:
            assert spec["value_set"] in names, field_name
            used.add(spec["value_set"])
    assert used == names
    assert fields["vic_TraffickingStatus"]["value_set"] == "vic_TraffickingStatus"


def test_fields_returns_a_copy() -> None:
    htcds.fields()["org_Type"]["value_set"] = "changed"
    assert htcds.fields()["org_Type"]["value_set"] == "org_Type"


def test_unknown_value_set_raises_key_error() -> None:
    with pytest.raises(KeyError, match="no_such_set"):
        htcds.value_set("no_such_set")
    with pytest.raises(KeyError, match="unknown HTCDS value set"):
        htcds.labels("org_type")  # names are case-sensitive
