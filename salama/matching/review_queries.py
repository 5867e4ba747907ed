"""Reads of the duplicate review shared by the pages and the API: the queue, a pair's two sides,
a pair's reasons in words, and the counts for the supervisor's home.

Before both organisations of a cross-organisation pair agreed, the other side is only an
organisation's name and a probability band: nothing here reads, decrypts or returns anything
else of that person.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from salama.core.countries import COUNTRIES
from salama.core.pagination import LightPage
from salama.core.policy import Principal
from salama.matching.access import is_disclosed, open_candidates, sides
from salama.matching.merge import probability_band
from salama.matching.merge_models import DisclosureAgreement, NotDuplicate, PersonMerge
from salama.matching.models import CandidatePair
from salama.people.choices import NameKind
from salama.people.models import IdentityDocument, Person

PAGE_SIZE = 25

FIELD_WORDS: dict[str, Any] = {
    "name": gettext_lazy("Name"),
    "birth_date": gettext_lazy("Date of birth"),
    "sex": gettext_lazy("Sex"),
    "nationality": gettext_lazy("Nationality"),
    "document": gettext_lazy("Identity document"),
}
LEVEL_WORDS: dict[str, Any] = {
    "exact": gettext_lazy("the same"),
    "cross_script": gettext_lazy("the same name written in another script"),
    "transliteration": gettext_lazy("the same name written in another script"),
    "similar": gettext_lazy("very similar"),
    "fuzzy": gettext_lazy("similar"),
    "partial": gettext_lazy("partly the same"),
    "token_overlap": gettext_lazy("some names in common"),
    "year": gettext_lazy("the same year"),
    "year_month": gettext_lazy("the same year and month"),
    "close": gettext_lazy("close (within a few years)"),
    "estimated": gettext_lazy("consistent with an estimated age"),
    "different": gettext_lazy("different"),
    "missing": gettext_lazy("not recorded on one side"),
    "null": gettext_lazy("not recorded on one side"),
}
BAND_WORDS: dict[str, Any] = {
    "very_high": gettext_lazy("Very likely the same person"),
    "high": gettext_lazy("Likely the same person"),
    "possible": gettext_lazy("Possibly the same person"),
}


def reason_words(reasons: Iterable[Mapping[str, Any]]) -> list[dict[str, str]]:
    """Each reason code as words in the reader's language: what agreed, and how strongly."""
    words = []
    for reason in reasons or []:
        field = str(reason.get("field") or "")
        level = str(reason.get("level") or "")
        try:
            weight = float(reason.get("weight") or 0.0)
        except (TypeError, ValueError):
            weight = 0.0
        if weight >= 3:
            strength = _("strong evidence for the same person")
        elif weight > 0:
            strength = _("some evidence for the same person")
        elif weight <= -3:
            strength = _("strong evidence against")
        elif weight < 0:
            strength = _("some evidence against")
        else:
            strength = _("neither for nor against")
        words.append(
            {
                "field": str(FIELD_WORDS.get(field, _("Other detail"))),
                "level": str(LEVEL_WORDS.get(level, _("partly the same"))),
                "strength": strength,
                "direction": "for" if weight > 0 else "against" if weight < 0 else "neutral",
            }
        )
    return words


def band_words(probability: float) -> str:
    return str(BAND_WORDS[probability_band(probability)])


def queue(principal: Principal | None, *, cluster: str = "") -> QuerySet[CandidatePair]:
    pairs = open_candidates(principal).select_related(
        "person_a__registered_by", "person_b__registered_by"
    )
    if cluster:
        pairs = pairs.filter(cluster_key=cluster)
    return pairs.order_by("-probability", "id")


def queue_page(principal: Principal | None, number: Any, *, cluster: str = "") -> LightPage[Any]:
    page: LightPage[Any] = LightPage(queue(principal, cluster=cluster), number, PAGE_SIZE)
    keys = {p.cluster_key for p in page if p.cluster_key}
    sizes = dict(
        open_candidates(principal)
        .filter(cluster_key__in=keys)
        .values_list("cluster_key")
        .annotate(n=Count("id"))
        .values_list("cluster_key", "n")
    )
    for pair in page:
        pair.cluster_size = sizes.get(pair.cluster_key, 1)
    return page


def pending_count(principal: Principal | None) -> int:
    return open_candidates(principal).count()


def _mask(number: str) -> str:
    number = number or ""
    return "•••" + number[-3:] if len(number) > 3 else "•••"


def person_side(person: Person, *, viewer_org: Any) -> dict[str, Any]:
    """Everything the pair page shows of one person (only ever called once disclosed)."""
    from django.apps import apps

    case_model = apps.get_model("cases", "Case")
    return {
        "disclosed": True,
        "id": str(person.pk),
        "person": person,
        "full_name": person.full_name,
        "other_names": [
            {
                "name": n.get("name", ""),
                "kind": str(dict(NameKind.choices).get(n.get("kind", ""), NameKind.SPELLING.label)),
            }
            for n in (person.other_names or [])
        ],
        "date_of_birth": person.date_of_birth,
        "age": person.current_age(),
        "age_is_estimated": person.age_is_estimated,
        "sex": person.get_sex_display(),
        "sex_code": person.sex,
        "nationalities": [str(COUNTRIES.get(c, c)) for c in person.nationalities or []],
        "documents": [
            {
                "type": d.get_doc_type_display(),
                "number": _mask(d.number),
                "country": d.issuing_country,
            }
            for d in IdentityDocument.objects.filter(person=person).select_related(
                "person__data_key"
            )
        ],
        "cases": [
            {
                "reference": c.reference,
                "stage": c.get_stage_display(),
                "organisation": c.organisation.name,
                "own": c.organisation_id == getattr(viewer_org, "pk", None),
                "id": str(c.pk),
            }
            for c in case_model.objects.filter(person=person).select_related("organisation")
        ],
        "organisation": person.registered_by.name,
        "own": person.registered_by_id == getattr(viewer_org, "pk", None),
    }


def hidden_side(person: Person) -> dict[str, Any]:
    """What an undisclosed other side is: the organisation's name, nothing about the person."""
    return {"disclosed": False, "organisation": person.registered_by.name, "own": False}


def pair_view(principal: Principal, pair: CandidatePair) -> dict[str, Any]:
    """The two sides of a pair as the principal may see them, with the reasons in words."""
    org = principal.organisation
    disclosed = is_disclosed(pair)
    agreed = set(
        DisclosureAgreement.objects.filter(pair=pair).values_list("organisation_id", flat=True)
    )
    views = []
    for person in (pair.person_a, pair.person_b):
        if disclosed or person.registered_by_id == org.pk:
            views.append(person_side(person, viewer_org=org))
        else:
            views.append(hidden_side(person))
    return {
        "pair": pair,
        "disclosed": disclosed,
        "sides": views,
        "band": band_words(pair.probability),
        "probability": pair.probability if disclosed else None,
        "reasons": reason_words(pair.reasons) if disclosed else [],
        "we_agreed": org.pk in agreed,
        "they_agreed": bool((sides(pair) - {org.pk}) & agreed),
        "cross_organisation": pair.cross_organisation,
    }


def open_merge_for(person_id: Any) -> PersonMerge | None:
    return (
        PersonMerge.objects.filter(merged_id=person_id, undone_at__isnull=True)
        .select_related("kept")
        .first()
    )


def decided_not_duplicate(person_ids: Iterable[Any]) -> set[tuple[str, str]]:
    """Pairs (low id, high id as strings) decided "not the same person" among `person_ids`:
    the engine drops them from a run's candidates."""
    ids = list(person_ids)
    rows = NotDuplicate.objects.filter(Q(person_low__in=ids) | Q(person_high__in=ids))
    return {(str(a), str(b)) for a, b in rows.values_list("person_low_id", "person_high_id")}
