"""`salama backup`, `salama restore`, the restore drill and the upgrade check.

An archive holds the data database (see `databases.backed_up_databases`), every attachment file
under MEDIA_ROOT (already encrypted by Salama) and the audit anchor file, with a manifest of
what it holds: format, time, Salama version, applied migrations, rows per table, the audit
head, and the SHA-256 of every member. It never holds the key store, the KEK, the audit key or
any other secret, and it is sealed under the backup key (`archive.backup_key`).

Order of a backup: the anchor file is copied first, then the database snapshot is taken, then
the attachments are copied. Every anchor copied therefore vouches for an entry the snapshot
holds, and every attachment the snapshot refers to is in the archive.

A restore first reads the whole archive into a work folder (each chunk authenticated, each
member's checksum compared with the manifest), loads the database into a scratch copy, and
checks it there: rows per table and audit head as in the manifest, and the audit chain intact
against the archived anchors. Only then is anything live replaced.
"""

from __future__ import annotations

import json
import os
import shutil
import tarfile
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.db import connections

from salama.core import audit
from salama.core.backup import databases
from salama.core.backup.archive import (
    ArchiveError,
    DecryptingReader,
    EncryptingWriter,
    Member,
    add_bytes,
    add_file,
    backup_key,
    extract_all,
    key_id_for,
)

MANIFEST_FORMAT = 1
MANIFEST = "manifest.json"
ANCHORS = "anchors/audit-anchors.jsonl"


def salama_version() -> str:
    try:
        return version("salama")
    except PackageNotFoundError:
        return "unknown"


def _media_files() -> Iterator[tuple[str, Path]]:
    root = Path(settings.MEDIA_ROOT)
    if not root.is_dir():
        return
    for folder, dirs, files in os.walk(root):
        dirs.sort()
        for name in sorted(files):
            path = Path(folder) / name
            if path.is_file() and not path.is_symlink():
                yield "media/" + path.relative_to(root).as_posix(), path


@contextmanager
def _private_folder(parent: Path, prefix: str) -> Iterator[Path]:
    parent.mkdir(parents=True, exist_ok=True)
    folder = Path(tempfile.mkdtemp(prefix=prefix, dir=parent))
    try:
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def create_backup(output: Path) -> dict[str, Any]:
    """Write one encrypted archive to `output` (refusing to overwrite) and return its manifest."""
    key = backup_key()
    output = output.resolve()
    if output.exists():
        raise ArchiveError(f"{output} already exists; choose a new file name.")
    partial = output.with_name(f".{output.name}.partial")
    with _private_folder(output.parent, ".salama-backup-") as work:
        anchor_path = Path(settings.SALAMA_AUDIT_ANCHOR)
        anchors = anchor_path.read_bytes() if anchor_path.is_file() else None
        dumps: dict[str, Path] = {}
        manifest_databases: dict[str, Any] = {}
        for alias in databases.backed_up_databases():
            dumps[alias], manifest_databases[alias] = databases.snapshot(alias, work)
        members: list[Member] = []
        fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        try:
            with os.fdopen(fd, "wb") as sink:
                writer = EncryptingWriter(sink, key)
                with tarfile.open(fileobj=writer, mode="w|", format=tarfile.PAX_FORMAT) as tar:
                    for alias, dump in dumps.items():
                        members.append(add_file(tar, manifest_databases[alias]["member"], dump))
                        dump.unlink()
                    if anchors is not None:
                        members.append(add_bytes(tar, ANCHORS, anchors))
                    for name, path in _media_files():
                        members.append(add_file(tar, name, path))
                    manifest = {
                        "format": MANIFEST_FORMAT,
                        "created_at": datetime.now(UTC).isoformat(timespec="seconds"),
                        "salama_version": salama_version(),
                        "backup_key_id": key_id_for(key),
                        "databases": manifest_databases,
                        "anchors": anchors is not None,
                        "members": {m.name: {"size": m.size, "sha256": m.sha256} for m in members},
                    }
                    add_bytes(tar, MANIFEST, json.dumps(manifest, indent=1).encode("utf-8"))
                writer.finish()
                sink.flush()
                os.fsync(sink.fileno())
            os.replace(partial, output)
        except BaseException:
            partial.unlink(missing_ok=True)
            raise
    head = manifest_databases["default"]["audit_head"]
    audit.record(
        "backup.create",
        object_type="core.backup",
        actor_label="system",
        changes={
            "audit_head": (None, head["id"]),
            "attachments": (None, sum(1 for m in members if m.name.startswith("media/"))),
            "backup_key": (None, key_id_for(key)),
        },
    )
    return manifest


# Reading an archive ----------------------------------------------------------------------------


@dataclass
class Unpacked:
    folder: Path
    manifest: dict[str, Any]

    def path(self, member: str) -> Path:
        return self.folder / member

    @property
    def anchors(self) -> Path:
        # A path that does not exist when the archive holds no anchors: "no anchors yet".
        return self.folder / ANCHORS

    @property
    def attachments(self) -> list[str]:
        return [name for name in self.manifest["members"] if name.startswith("media/")]


def unpack(archive: Path, folder: Path) -> Unpacked:
    """Decrypt `archive` into `folder` and check every member against the manifest."""
    key = backup_key()
    try:
        handle = archive.open("rb")
    except OSError as exc:
        raise ArchiveError(f"Cannot read {archive}: {exc.strerror}.") from None
    with handle:
        reader = DecryptingReader(handle, key)
        try:
            with tarfile.open(fileobj=reader, mode="r|") as tar:
                found = {member.name: member for member in extract_all(tar, folder)}
        except tarfile.TarError as exc:
            raise ArchiveError(f"The archive's contents are damaged ({exc}).") from None
        except FileExistsError as exc:
            raise ArchiveError(f"The archive names a member twice ({exc.filename}).") from None
        reader.drain()
    if MANIFEST not in found:
        raise ArchiveError("The archive has no manifest: it is incomplete.")
    manifest = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
    if manifest.get("format") != MANIFEST_FORMAT:
        raise ArchiveError(
            f"The archive's manifest is of format {manifest.get('format')}; this version of "
            f"Salama reads format {MANIFEST_FORMAT}."
        )
    listed = manifest.get("members", {})
    extra = sorted(set(found) - set(listed) - {MANIFEST})
    missing = sorted(set(listed) - set(found))
    if extra or missing:
        raise ArchiveError(
            "The archive does not match its manifest: "
            + "; ".join(
                part
                for part in (
                    f"not listed: {', '.join(extra[:3])}" if extra else "",
                    f"missing: {', '.join(missing[:3])}" if missing else "",
                )
                if part
            )
        )
    for name, expected in listed.items():
        member = found[name]
        if member.size != expected["size"] or member.sha256 != expected["sha256"]:
            raise ArchiveError(f"The checksum of {name} does not match the manifest.")
    return Unpacked(folder, manifest)


# Checking a scratch copy -------------------------------------------------------------------------


@dataclass
class Check:
    """What a scratch copy was compared against; `ok` only when every row agrees."""

    rows: list[tuple[str, str, str, bool]] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    def add(self, what: str, expected: Any, found: Any) -> None:
        agree = expected == found
        self.rows.append((what, str(expected), str(found), agree))
        if not agree:
            self.problems.append(f"{what}: archive has {expected}, the restored copy {found}")

    @property
    def ok(self) -> bool:
        return not self.problems


def check_scratch(scratch_alias: str, recorded: dict[str, Any], unpacked: Unpacked) -> Check:
    """Compare a scratch database with the manifest and verify its audit chain."""
    check = Check()
    with connections[scratch_alias].cursor() as cursor:
        found = databases.facts(cursor, connections[scratch_alias].vendor)
    for table in sorted(set(recorded["tables"]) | set(found["tables"])):
        check.add(table, recorded["tables"].get(table, "-"), found["tables"].get(table, "-"))
    check.add("audit head", recorded["audit_head"]["id"], found["audit_head"]["id"])
    check.add(
        "audit head hash", recorded["audit_head"]["hash"][:16], found["audit_head"]["hash"][:16]
    )
    with databases.routed_to(scratch_alias):
        problems = list(audit.iter_problems(anchor_path=unpacked.anchors))
    first = problems[0] if problems else None
    where = ""
    if first is not None:
        where = (
            f"anchor line {first.anchor_line}: {first.reason}"
            if first.anchor_line is not None
            else f"entry {first.entry_id}: {first.reason}"
        )
    check.add("audit chain and anchors", "intact", "intact" if first is None else where)
    check.add("attachments (checksums)", len(unpacked.attachments), len(unpacked.attachments))
    return check


@dataclass
class Outcome:
    manifest: dict[str, Any]
    check: Check
    migrated: list[str] = field(default_factory=list)
    migrate_seconds: float = 0.0


def drill(archive: Path, *, work_dir: Path | None = None, upgrade: bool = False) -> Outcome:
    """Restore `archive` into scratch databases, compare them with the manifest, drop them.

    With `upgrade`, also run `migrate` on the scratch copy and check the chain again: what an
    upgrade of production would do, tried on a copy first."""
    with _private_folder(work_dir or Path(settings.VAR_DIR), ".salama-drill-") as folder:
        unpacked = unpack(archive, folder)
        check = Check()
        outcome = Outcome(unpacked.manifest, check)
        for alias, recorded in unpacked.manifest["databases"].items():
            databases.check_engine(alias, recorded["engine"])
            dump = unpacked.path(recorded["member"])
            with databases.scratch(alias, dump) as scratch_alias:
                found = check_scratch(scratch_alias, recorded, unpacked)
                check.rows += found.rows
                check.problems += found.problems
                if upgrade and found.ok:
                    _migrate(scratch_alias, recorded, unpacked, outcome)
    return outcome


def _migrate(
    scratch_alias: str, recorded: dict[str, Any], unpacked: Unpacked, outcome: Outcome
) -> None:
    before = {tuple(pair) for pair in recorded["migrations"]}
    started = time.monotonic()
    with databases.routed_to(scratch_alias):
        try:
            call_command("migrate", database=scratch_alias, interactive=False, verbosity=0)
        except Exception as exc:  # report, never raise: this is a trial on a copy
            outcome.check.problems.append(f"migrate failed on the copy: {exc}")
            outcome.check.rows.append(("migrate", "succeeds", f"failed: {exc}", False))
            return
        finally:
            outcome.migrate_seconds = time.monotonic() - started
        problems = list(audit.iter_problems(anchor_path=unpacked.anchors))
    with connections[scratch_alias].cursor() as cursor:
        after = databases.facts(cursor, connections[scratch_alias].vendor)["migrations"]
    outcome.migrated = [f"{app}.{name}" for app, name in after if (app, name) not in before]
    outcome.check.add("migrate", "succeeds", "succeeds")
    outcome.check.add(
        "audit chain after migrate",
        "intact",
        "intact" if not problems else f"entry {problems[0].entry_id}: {problems[0].reason}",
    )


def restore(archive: Path, *, work_dir: Path | None = None) -> Outcome:
    """Verify `archive` completely on a scratch copy, then replace the live database, the
    attachments and the anchor file with it. The attachments and anchor file replaced are kept
    beside the new ones (suffix .before-restore-<time>) until the operator removes them."""
    with _private_folder(work_dir or Path(settings.VAR_DIR), ".salama-restore-") as folder:
        unpacked = unpack(archive, folder)
        check = Check()
        verified: dict[str, Path | None] = {}
        try:
            for alias, recorded in unpacked.manifest["databases"].items():
                databases.check_engine(alias, recorded["engine"])
                dump = unpacked.path(recorded["member"])
                place = (
                    databases.sqlite_scratch_place(alias)
                    if databases.engine_of(alias) == "sqlite"
                    else None
                )
                verified[alias] = place
                with databases.scratch(alias, dump, place=place) as scratch_alias:
                    found = check_scratch(scratch_alias, recorded, unpacked)
                check.rows += found.rows
                check.problems += found.problems
            if not check.ok:
                return Outcome(unpacked.manifest, check)
            for alias, recorded in unpacked.manifest["databases"].items():
                databases.replace_live(alias, unpacked.path(recorded["member"]), verified[alias])
                verified[alias] = None
        finally:
            for leftover in verified.values():
                if leftover is not None:
                    leftover.unlink(missing_ok=True)
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
        _replace_media(unpacked, stamp)
        _replace_anchors(unpacked, stamp)
    head = unpacked.manifest["databases"]["default"]["audit_head"]
    audit.record(
        "backup.restore",
        object_type="core.backup",
        actor_label="system",
        changes={
            "audit_head": (None, head["id"]),
            "archive_created_at": (None, unpacked.manifest["created_at"]),
        },
    )
    return Outcome(unpacked.manifest, check)


def _aside(path: Path, stamp: str) -> Path | None:
    if not path.exists():
        return None
    moved = path.with_name(f"{path.name}.before-restore-{stamp}")
    os.replace(path, moved)
    return moved


def _replace_media(unpacked: Unpacked, stamp: str) -> None:
    root = Path(settings.MEDIA_ROOT)
    fresh = unpacked.folder / "media"
    fresh.mkdir(exist_ok=True)
    root.parent.mkdir(parents=True, exist_ok=True)
    staged = root.with_name(f".{root.name}.restore-{stamp}")
    try:
        os.replace(fresh, staged)
    except OSError:  # another file system: copy beside the target, then rename
        shutil.copytree(fresh, staged)
    _aside(root, stamp)
    os.replace(staged, root)


def _replace_anchors(unpacked: Unpacked, stamp: str) -> None:
    target = Path(settings.SALAMA_AUDIT_ANCHOR)
    _aside(target, stamp)
    if unpacked.anchors.exists():
        target.parent.mkdir(parents=True, exist_ok=True)
        databases.move_into_place(unpacked.anchors, target)
