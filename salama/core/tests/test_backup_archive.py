"""The sealed stream of an archive, without a database: chunks, order, truncation, keys."""

from __future__ import annotations

import io
import os

import pytest

from salama.core.backup.archive import (
    CHUNK,
    HEADER_LEN,
    ArchiveError,
    DecryptingReader,
    EncryptingWriter,
)

KEY = bytes(range(32))


def seal(data: bytes, key: bytes = KEY) -> bytes:
    sink = io.BytesIO()
    writer = EncryptingWriter(sink, key)
    for start in range(0, len(data), 70_000):
        writer.write(data[start : start + 70_000])
    writer.finish()
    return sink.getvalue()


def unseal(blob: bytes, key: bytes = KEY) -> bytes:
    return DecryptingReader(io.BytesIO(blob), key).read()


def test_data_larger_than_a_chunk_comes_back_identical() -> None:
    data = os.urandom(CHUNK * 2 + 12345)

    assert unseal(seal(data)) == data


def test_an_empty_stream_comes_back_empty() -> None:
    assert unseal(seal(b"")) == b""


def test_two_archives_of_the_same_data_differ_so_nothing_repeats_across_archives() -> None:
    assert seal(b"same")[HEADER_LEN:] != seal(b"same")[HEADER_LEN:]


def test_chunks_swapped_between_archives_are_refused() -> None:
    one, two = seal(b"a" * 100), seal(b"b" * 100)

    with pytest.raises(ArchiveError, match="altered or damaged"):
        unseal(one[:HEADER_LEN] + two[HEADER_LEN:])


def test_an_archive_cut_at_a_chunk_boundary_is_refused() -> None:
    data = os.urandom(CHUNK * 2 + 10)
    blob = seal(data)
    first_chunk_end = HEADER_LEN + 5 + CHUNK + 16

    with pytest.raises(ArchiveError, match="truncated"):
        unseal(blob[:first_chunk_end])


def test_a_chunk_dropped_from_the_middle_is_refused() -> None:
    blob = seal(os.urandom(CHUNK * 2 + 10))
    size = 5 + CHUNK + 16

    with pytest.raises(ArchiveError, match="chunk 1 does not authenticate"):
        unseal(blob[: HEADER_LEN + size] + blob[HEADER_LEN + 2 * size :])


def test_a_file_that_is_not_an_archive_is_named_as_such() -> None:
    with pytest.raises(ArchiveError, match="not a Salama backup archive"):
        unseal(b"PGDMP" + b"\0" * 100)


def test_another_key_is_named_by_its_identifier_not_used_to_guess() -> None:
    with pytest.raises(ArchiveError, match="sealed under backup key"):
        unseal(seal(b"data"), key=bytes(32))
