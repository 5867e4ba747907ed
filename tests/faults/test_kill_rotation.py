"""A key rotation killed after its first committed batch keeps every key readable, and running
it again re-wraps the rest."""

from __future__ import annotations

import base64
from collections import Counter
from collections.abc import Iterator
from typing import Any

import pytest

from salama.core import crypto, keys, keystore
from salama.core.models import DataKey, _unwrap_cached
from tests.faults import drill

pytestmark = pytest.mark.django_db(transaction=True)

ROTATE = """
from salama.core import keys
print("rotated", keys.rotate(batch_size=10))
"""


@pytest.fixture(autouse=True)
def _cold_caches() -> Iterator[None]:
    _unwrap_cached.cache_clear()
    crypto._keyring_for.cache_clear()
    yield
    _unwrap_cached.cache_clear()
    crypto._keyring_for.cache_clear()


def test_a_rotation_killed_after_one_batch_loses_no_key_and_a_second_run_finishes_it(
    settings: Any,
) -> None:
    plain = {}
    for _ in range(35):
        key = DataKey.new()
        key.save()
        plain[str(key.id)] = key.unwrap()
    old, new = settings.SALAMA_KEK, crypto.generate_key_text()
    old_id, new_id = (crypto.kek_id_for(base64.urlsafe_b64decode(k)) for k in (old, new))

    result = drill.run(ROTATE, fault_at="keys.rotate", SALAMA_KEK=new, SALAMA_KEK_RETIRED=old)

    assert drill.killed(result), result.stderr
    assert "rotated" not in result.stdout
    # The first batch was committed before the kill; the rest still waits under the old KEK.
    assert Counter(DataKey.objects.values_list("kek_id", flat=True)) == {new_id: 10, old_id: 25}
    assert keystore.store().counts() == {new_id: 10, old_id: 25}
    settings.SALAMA_KEK, settings.SALAMA_KEK_RETIRED = new, [old]
    _unwrap_cached.cache_clear()
    _assert_every_key_unwraps(plain)

    assert keys.rotate(batch_size=10) == 25

    assert keys.key_status() == {new_id: 35}
    _assert_every_key_unwraps(plain)
    assert drill.chain_problems() == []


def _assert_every_key_unwraps(plain: dict[str, bytes]) -> None:
    held = keystore.store().get_many(plain)
    assert set(held) == set(plain)
    for key_id, stored in held.items():
        assert crypto.unwrap_data_key(stored.kek_id, stored.wrapped, key_id) == plain[key_id]
