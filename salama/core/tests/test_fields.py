"""Encrypted model fields: sealed at rest, bound to their record and field, never filterable."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import FieldError
from django.db import connection

from salama.core import crypto, keys
from salama.core.models import _unwrap_cached
from salama.core.policy import Principal
from salama.people import services as people
from salama.people.models import Person

pytestmark = pytest.mark.django_db


@pytest.fixture
def register(caseworker_a):
    actor = Principal(user=caseworker_a, membership=caseworker_a.memberships.get(), verified=True)

    def register(given_name: str, family_name: str = "Haddad") -> Person:
        return people.register_person(
            actor=actor,
            given_name=given_name,
            family_name=family_name,
            date_of_birth=dt.date(1990, 5, 1),
        )

    return register


def raw_column(person: Person, column: str) -> str:
    pk = Person._meta.pk.get_db_prep_value(person.pk, connection)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {column} FROM people_person WHERE id = %s", [pk])  # noqa: S608
        (value,) = cursor.fetchone()
    return value


def copy_column(source: Person, column: str, target: Person, target_column: str) -> None:
    pk = Person._meta.pk.get_db_prep_value(target.pk, connection)
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE people_person SET {target_column} = %s WHERE id = %s",  # noqa: S608
            [raw_column(source, column), pk],
        )


def test_values_are_stored_sealed_and_read_back_in_clear(register) -> None:
    person = register("Amira")
    assert raw_column(person, "given_name").startswith("v1:")
    assert "Amira" not in raw_column(person, "given_name")
    fresh = Person.objects.get(pk=person.pk)
    assert (fresh.given_name, fresh.date_of_birth) == ("Amira", dt.date(1990, 5, 1))


def test_a_ciphertext_copied_from_another_person_fails_to_decrypt(register) -> None:
    amira, layla = register("Amira"), register("Layla")
    copy_column(amira, "given_name", layla, "given_name")
    with pytest.raises(crypto.DecryptionError, match=f"/{layla.pk}/given_name failed"):
        Person.objects.get(pk=layla.pk).given_name  # noqa: B018


def test_a_ciphertext_moved_to_another_field_fails_to_decrypt(register) -> None:
    amira = register("Amira", "Haddad")
    copy_column(amira, "given_name", amira, "family_name")
    fresh = Person.objects.get(pk=amira.pk)
    assert fresh.given_name == "Amira"
    with pytest.raises(crypto.DecryptionError, match="family_name failed authentication"):
        fresh.family_name  # noqa: B018


def test_a_flipped_character_in_a_stored_ciphertext_fails_to_decrypt(register) -> None:
    amira = register("Amira")
    token = raw_column(amira, "given_name")
    tampered = token[:10] + ("A" if token[10] != "A" else "B") + token[11:]
    pk = Person._meta.pk.get_db_prep_value(amira.pk, connection)
    with connection.cursor() as cursor:
        cursor.execute("UPDATE people_person SET given_name = %s WHERE id = %s", [tampered, pk])
    with pytest.raises(crypto.DecryptionError, match="given_name failed authentication"):
        Person.objects.get(pk=amira.pk).given_name  # noqa: B018


def test_an_untouched_field_is_written_back_as_the_same_ciphertext(register) -> None:
    amira = register("Amira")
    before = raw_column(amira, "given_name")
    fresh = Person.objects.get(pk=amira.pk)
    fresh.sex = "female"
    fresh.save()
    assert raw_column(amira, "given_name") == before


def test_encrypted_fields_cannot_be_filtered(register) -> None:
    register("Amira")
    with pytest.raises(
        FieldError, match="given_name is encrypted and cannot be filtered by 'exact'"
    ):
        Person.objects.filter(given_name="Amira").exists()
    with pytest.raises(FieldError, match="'icontains'; use its blind index"):
        Person.objects.filter(family_name__icontains="had").exists()
    assert Person.objects.filter(place_of_birth__isnull=True).count() == 1


def test_plaintext_cannot_be_written_around_the_field(register) -> None:
    register("Amira")
    with pytest.raises(
        crypto.CryptoError, match="refusing to write plaintext into encrypted field"
    ):
        Person.objects.update(given_name="Amira")


def test_a_shredded_persons_fields_cannot_be_read(register) -> None:
    amira = register("Amira")
    keys.shred(amira.data_key)
    _unwrap_cached.cache_clear()
    with pytest.raises(crypto.SubjectErased):
        Person.objects.get(pk=amira.pk).given_name  # noqa: B018
