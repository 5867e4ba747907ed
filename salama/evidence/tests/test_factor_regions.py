"""Factor analysis by UN M49 sub-region, falling back to the region where a sub-region has a
group under k, and never publishing tables from which a group under k could be subtracted."""

from __future__ import annotations

import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from salama.core import regions
from salama.evidence import factors

FACTOR, OUTCOME = "domv:debt", "isSexualExploitation"
K = 11
BIG = (30, 20, 15, 40)
SMALL = (3, 2, 1, 4)


def _rows(*groups: tuple[str, tuple[int, int, int, int]]) -> pd.DataFrame:
    data = []
    for country, (a, b, c, d) in groups:
        for (flag, outcome), count in (((1, 1), a), ((1, 0), b), ((0, 1), c), ((0, 0), d)):
            data += [{"country": country, FACTOR: flag, OUTCOME: outcome}] * count
    return pd.DataFrame(data)


def _published(found: factors.Analysis) -> set[tuple[str, str]]:
    return {(r.level, r.region) for r in found.results}


def test_countries_of_one_sub_region_are_pooled() -> None:
    found = factors.analyse(
        _rows(("JO", (15, 10, 8, 20)), ("LB", (15, 10, 7, 20))), [FACTOR], OUTCOME, K
    )
    assert _published(found) == {("all", "all"), ("subregion", "145")}
    western_asia = next(r for r in found.results if r.region == "145")
    assert western_asia.cells == BIG and factors.region_name("145") == "Western Asia"


def test_a_sub_region_under_k_falls_back_to_its_region_beside_the_sub_regions_that_reach_k() -> (
    None
):
    # Asia: Western Asia reaches k; Southern and Eastern Asia each fall short, together not.
    rows = _rows(("JO", BIG), ("IN", (6, 6, 6, 6)), ("CN", (6, 6, 6, 6)))
    found = factors.analyse(rows, [FACTOR], OUTCOME, K)
    assert _published(found) == {("all", "all"), ("region", "142"), ("subregion", "145")}
    withheld = {(w.level, w.region) for w in found.withheld}
    assert withheld == {("subregion", "034"), ("subregion", "030")}


def test_a_sub_region_is_withheld_when_its_sibling_could_be_had_by_subtraction() -> None:
    # Africa reaches k; Northern Africa too, but Africa minus it is Sub-Saharan Africa (under k).
    found = factors.analyse(_rows(("EG", BIG), ("NG", SMALL)), [FACTOR], OUTCOME, K)
    assert ("region", "002") in _published(found)
    assert ("subregion", "015") not in _published(found)
    assert {(w.level, w.region) for w in found.withheld} == {
        ("subregion", "015"),
        ("subregion", "202"),
    }


def test_a_region_is_withheld_when_all_cases_minus_it_would_leave_a_region_under_k() -> None:
    found = factors.analyse(_rows(("JO", BIG), ("EG", SMALL)), [FACTOR], OUTCOME, K)
    assert _published(found) == {("all", "all")}
    assert {(w.level, w.region) for w in found.withheld} == {("region", "142"), ("region", "002")}


def test_an_unknown_jurisdiction_is_its_own_group_named_unknown() -> None:
    found = factors.analyse(_rows(("-99", BIG)), [FACTOR], OUTCOME, K)
    assert ("subregion", regions.UNKNOWN) in _published(found)
    assert factors.region_name(regions.UNKNOWN) == "Unknown"


COUNTRIES = ["EG", "MA", "NG", "KE", "JO", "LB", "IN", "CN", "FR", "DE", "PL", "-99"]
cell_counts = st.tuples(*[st.integers(0, 25)] * 4)


def _tree(rows: pd.DataFrame) -> dict[tuple[str, str], list[tuple[str, str]]]:
    subs = rows["country"].map(regions.subregion_of)
    tree: dict[tuple[str, str], list[tuple[str, str]]] = {("all", "all"): []}
    for sub in sorted(set(subs)):
        region = ("region", regions.region_of_subregion(sub))
        if region not in tree:
            tree[("all", "all")].append(region)
            tree[region] = []
        tree[region].append(("subregion", sub))
    return tree


def _cells(rows: pd.DataFrame, node: tuple[str, str]) -> tuple[int, ...]:
    subs = rows["country"].map(regions.subregion_of)
    if node[0] == "region":
        rows = rows[subs.map(regions.region_of_subregion) == node[1]]
    elif node[0] == "subregion":
        rows = rows[subs == node[1]]
    return factors._cells(rows, FACTOR, OUTCOME) if len(rows) else (0, 0, 0, 0)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(groups=st.lists(st.tuples(st.sampled_from(COUNTRIES), cell_counts), min_size=1, max_size=8))
def test_no_group_under_k_can_be_derived_from_what_is_published(groups: list) -> None:
    rows = _rows(*groups)
    if rows.empty:
        return
    found = factors.analyse(rows, [FACTOR], OUTCOME, K)
    for result in found.results:
        assert min(result.cells) >= K
    # Every table one can add up or subtract from the published ones reaches k (or is empty).
    tree = _tree(rows)
    known = _published(found)
    changed = True
    while changed:
        changed = False
        for parent, children in tree.items():
            if parent not in known and all(child in known for child in children):
                known.add(parent)
                changed = True
            missing = [child for child in children if child not in known]
            if parent in known and len(missing) == 1:
                known.add(missing[0])
                changed = True
    for node in known:
        cells = _cells(rows, node)
        assert not any(cells) or min(cells) >= K, (node, cells)
