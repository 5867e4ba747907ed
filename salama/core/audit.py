"""The audit chain: append-only, keyed, hash-chained entries written in the caller's transaction.

Each entry's hash covers its content and the previous entry's hash, so editing, deleting or
reordering any entry breaks every hash after it; `salama audit verify` names the first break.
Identifying values never enter the chain: changes record field names, and old/new values only
for fields the caller declares non-identifying.

The hash is an HMAC-SHA256 under the audit key (settings.SALAMA_AUDIT_KEY), which lives outside
the database like the KEK: someone who can write the database but does not hold the key cannot
append a forged entry or re-chain the entries after an edited one (chain version 2). Entries
written before the chain was keyed keep their plain SHA-256 (chain version 1) and still verify;
an unkeyed entry after a keyed one is a forgery or a downgrade.

A chain cut back at its end (newest rows deleted, head moved back) is consistent in itself, so
the head is also *anchored* outside the database: `anchor()` appends a signed record of the head
(sequence number, hash, time, HMAC under the audit key) to an append-only JSON-lines file
(settings.SALAMA_AUDIT_ANCHOR) and optionally to syslog. `iter_problems()` compares the chain
with every anchor: a missing anchored entry or one whose hash changed is reported.
"""

from __future__ import annotations

import fcntl
import hashlib
import hmac
import ipaddress
import json
import logging
import os
import socket
import time
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from functools import lru_cache
from itertools import islice
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import connection, models, transaction
from django.http import HttpRequest
from django.utils import timezone

from salama.core.crypto import _decode_key
from salama.core.models import AuditEntry, AuditHead

logger = logging.getLogger("salama.audit")

GENESIS_HASH = "0" * 64
LEGACY_CHAIN = 1  # plain SHA-256, before the chain was keyed
KEYED_CHAIN = 2  # HMAC-SHA256 under the audit key named by the entry's key_id
ANCHOR_FORMAT = 1


class UnknownAuditKey(Exception):
    """An entry or anchor is signed by an audit key this server does not hold."""


def audit_key_id_for(key: bytes) -> str:
    """A stable public identifier of an audit key that reveals nothing about the key itself."""
    return hmac.new(key, b"salama-audit-key-id", hashlib.sha256).hexdigest()[:16]


@dataclass(frozen=True, eq=False)  # hashed by identity: one instance per key set
class AuditKeyRing:
    """The audit keys this process holds: the current one signs, retired ones still verify."""

    current_id: str
    keys: dict[str, bytes]
    # One keyed HMAC per key, copied for each entry (cheaper than keying a new one each time).
    macs: dict[str, hmac.HMAC] = field(default_factory=dict, repr=False)

    def mac(self, key_id: str) -> hmac.HMAC:
        base = self.macs.get(key_id)
        if base is None:
            try:
                key = self.keys[key_id]
            except KeyError:
                raise UnknownAuditKey(
                    f"signed with audit key {key_id}, which this server does not hold; "
                    "add that key to SALAMA_AUDIT_KEY_RETIRED"
                ) from None
            base = self.macs[key_id] = hmac.new(key, digestmod=hashlib.sha256)
        return base.copy()


@lru_cache(maxsize=4)
def _keyring_for(current: str, retired: tuple[str, ...]) -> AuditKeyRing:
    current_key = _decode_key(current, "SALAMA_AUDIT_KEY")
    keys = {audit_key_id_for(current_key): current_key}
    for index, raw in enumerate(retired):
        key = _decode_key(raw, f"SALAMA_AUDIT_KEY_RETIRED[{index}]")
        keys.setdefault(audit_key_id_for(key), key)
    return AuditKeyRing(current_id=audit_key_id_for(current_key), keys=keys)


def keyring() -> AuditKeyRing:
    return _keyring_for(settings.SALAMA_AUDIT_KEY, tuple(settings.SALAMA_AUDIT_KEY_RETIRED))


def _canonical(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _canonical(v) for k, v in sorted(value.items())}
    if isinstance(value, list | tuple):
        return [_canonical(v) for v in value]
    if isinstance(value, float):
        # JSON engines may hand a float back as an integer (jsonb: 1e16 → 10000000000000000),
        # which would change the hash; a string survives every round trip.
        return repr(value)
    if value is None or isinstance(value, bool | int | str):
        return value
    return str(value)


def entry_payload(entry: AuditEntry) -> bytes:
    """The bytes an entry's hash covers: its content, its version and key, the previous hash."""
    payload = [
        entry.id,
        entry.created_at.isoformat(),
        entry.actor_id,
        entry.actor_label,
        entry.organisation_id,
        entry.action,
        entry.object_type,
        entry.object_id,
        entry.scope_id,
        _canonical(entry.fields),
        _canonical(entry.changes),
        entry.ip,
        entry.prev_hash,
    ]
    if entry.chain_version != LEGACY_CHAIN:
        # Covered so that nobody can relabel a keyed entry as legacy or move it to another key.
        payload += [entry.chain_version, entry.key_id]
    text = json.dumps(payload, ensure_ascii=False, separators=(",", ":"), sort_keys=True)
    return text.encode("utf-8")


def entry_hash(entry: AuditEntry, ring: AuditKeyRing | None = None) -> str:
    """The hash `entry` must carry: SHA-256 (legacy) or HMAC under its audit key (keyed)."""
    if entry.chain_version == LEGACY_CHAIN:
        return hashlib.sha256(entry_payload(entry)).hexdigest()
    if entry.chain_version == KEYED_CHAIN:
        mac = (ring or keyring()).mac(entry.key_id)
        mac.update(entry_payload(entry))
        return mac.hexdigest()
    raise ValueError(f"unknown audit chain version {entry.chain_version!r}")


def client_ip(request: HttpRequest | None) -> str | None:
    """The client's address in the canonical form the database stores (and the hash covers)."""
    if request is None:
        return None
    ip = getattr(request, "axes_ip_address", None) or request.META.get("REMOTE_ADDR")
    if not ip:
        return None
    try:
        ipaddress.ip_address(ip)
    except ValueError:
        return None
    # GenericIPAddressField rewrites IPv6 addresses on save; hash what will be stored.
    prepared: str = AuditEntry._meta.get_field("ip").get_prep_value(ip)
    return prepared


def _object_ref(obj: models.Model | None) -> tuple[str, str]:
    if obj is None:
        return "", ""
    ref = getattr(obj, "uuid", None) or obj.pk
    return obj._meta.label_lower, str(ref)


@transaction.atomic
def record(
    action: str,
    *,
    actor: Any = None,
    obj: models.Model | None = None,
    object_type: str = "",
    object_id: str = "",
    organisation: Any = None,
    fields: Iterable[str] = (),
    changes: Mapping[str, tuple[Any, Any]] | None = None,
    request: HttpRequest | None = None,
    actor_label: str = "",
    scope: models.Model | None = None,
) -> AuditEntry:
    """Append one entry. Call it inside the transaction that makes the change it records.

    `changes` must hold only non-identifying values; identifying fields go in `fields` by name.
    `scope` is the record whose timeline shows this entry (a case for its notes and tasks).
    """
    if obj is not None:
        object_type, object_id = _object_ref(obj)
    if actor is not None and not getattr(actor, "is_authenticated", False):
        actor = None
    if organisation is None and request is not None:
        organisation = getattr(request, "organisation", None)
    ring = keyring()
    head = AuditHead.objects.select_for_update().filter(pk=1).first() or _new_head()
    entry = AuditEntry(
        id=head.last_id + 1,
        created_at=timezone.now(),
        actor_id=actor.pk if actor is not None else None,
        actor_label=actor_label or (actor.get_username() if actor is not None else ""),
        organisation_id=getattr(organisation, "pk", organisation),
        action=action,
        object_type=object_type,
        object_id=object_id,
        scope_id=_object_ref(scope)[1] if scope is not None else "",
        fields=sorted(set(fields) | set((changes or {}).keys())),
        changes={k: [_canonical(v[0]), _canonical(v[1])] for k, v in (changes or {}).items()},
        ip=client_ip(request),
        prev_hash=head.last_hash,
        chain_version=KEYED_CHAIN,
        key_id=ring.current_id,
    )
    entry.hash = entry_hash(entry, ring)
    entry.save(force_insert=True)
    head.last_id, head.last_hash = entry.id, entry.hash
    head.save(update_fields=["last_id", "last_hash"])
    if settings.SALAMA_AUDIT_ANCHOR_INTERVAL > 0 and time.monotonic() >= _next_anchor_at:
        transaction.on_commit(_anchor_after_commit, robust=True)
    return entry


def _new_head() -> AuditHead:
    """The head of an empty chain (after `manage.py flush`); never of a chain with entries."""
    if AuditEntry.objects.exists():
        raise RuntimeError(
            "The audit head is missing while audit entries exist; run `salama audit verify` and "
            "restore it from a backup before anything else is recorded."
        )
    return AuditHead.objects.create(pk=1)


def diff(
    obj: models.Model, before: Mapping[str, Any], *, identifying: Iterable[str] = ()
) -> dict[str, tuple[Any, Any]]:
    """Old/new values of changed non-identifying fields (identifying ones are not returned)."""
    hidden = set(identifying)
    changed: dict[str, tuple[Any, Any]] = {}
    for name, old in before.items():
        new = getattr(obj, name)
        if old != new and name not in hidden:
            changed[name] = (old, new)
    return changed


# Verification ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class ChainProblem:
    """A break in the chain at `entry_id`, or in the anchor file at `anchor_line`."""

    entry_id: int
    reason: str
    anchor_line: int | None = None


@dataclass
class KeyRun:
    """Consecutive entries of one chain version under one key (for the verify summary)."""

    first: int
    last: int
    chain_version: int
    key_id: str


@dataclass
class VerifyReport:
    """What a verification walked through, for the summary of `salama audit verify`."""

    entries: int = 0
    runs: list[KeyRun] = field(default_factory=list)
    anchor_path: Path | None = None
    anchors: int = 0
    newest_anchor: Anchor | None = None

    def count(self, entry: AuditEntry) -> None:
        self.entries += 1
        run = self.runs[-1] if self.runs else None
        if (
            run is not None
            and run.last == entry.id - 1
            and (run.chain_version, run.key_id) == (entry.chain_version, entry.key_id)
        ):
            run.last = entry.id
        else:
            self.runs.append(KeyRun(entry.id, entry.id, entry.chain_version, entry.key_id))


class _ChainWalk:
    """Checks entries in id order: ids, links, hashes, no legacy entry after a keyed one, and
    the hash of every anchored entry."""

    def __init__(
        self,
        ring: AuditKeyRing,
        *,
        after_id: int = 0,
        prev_hash: str = GENESIS_HASH,
        keyed_from: int | None = None,
        anchors: Mapping[int, list[Anchor]] | None = None,
        report: VerifyReport | None = None,
    ) -> None:
        self.ring = ring
        self.last_id = after_id
        self.prev_hash = prev_hash
        self.keyed_from = keyed_from
        self.anchors = anchors or {}
        self.matched_anchor = 0
        self.report = report

    def walk(self, batch_size: int = 5000, upto: int | None = None) -> Iterator[ChainProblem]:
        cursor = self.last_id
        while True:
            entries = AuditEntry.objects.filter(id__gt=cursor)
            if upto is not None:
                entries = entries.filter(id__lte=upto)
            batch = list(entries.order_by("id")[:batch_size])
            if not batch:
                return
            for entry in batch:
                yield from self.check(entry)
            cursor = batch[-1].id

    def check(self, entry: AuditEntry) -> Iterator[ChainProblem]:
        if entry.id != self.last_id + 1:
            yield ChainProblem(entry.id, f"entries {self.last_id + 1}..{entry.id - 1} are missing")
        if entry.prev_hash != self.prev_hash:
            yield ChainProblem(entry.id, "previous-hash link does not match the entry before")
        reason = self._hash_problem(entry)
        if reason:
            yield ChainProblem(entry.id, reason)
        for anchor in self.anchors.get(entry.id, ()):
            if hmac.compare_digest(anchor.hash, entry.hash):
                self.matched_anchor = entry.id
                continue
            since = f" after entry {self.matched_anchor}" if self.matched_anchor else ""
            yield ChainProblem(
                entry.id,
                f"hash differs from the anchor of {anchor.at} (anchor file line {anchor.line}): "
                f"this entry or one before it{since} was rewritten and the chain re-forged",
            )
        if entry.chain_version != LEGACY_CHAIN and self.keyed_from is None:
            self.keyed_from = entry.id
        if self.report is not None:
            self.report.count(entry)
        self.last_id, self.prev_hash = entry.id, entry.hash

    def _hash_problem(self, entry: AuditEntry) -> str | None:
        if entry.chain_version == LEGACY_CHAIN and self.keyed_from is not None:
            return (
                f"unkeyed (legacy SHA-256) entry after keyed entry {self.keyed_from}: "
                "forged or downgraded by someone without the audit key"
            )
        try:
            expected = entry_hash(entry, self.ring)
        except UnknownAuditKey as exc:
            return f"{exc} (or the entry is forged)"
        except ValueError as exc:
            return str(exc)
        if hmac.compare_digest(expected, entry.hash):
            return None
        if entry.chain_version == LEGACY_CHAIN:
            return "content does not match its hash (entry was altered)"
        return (
            "content does not match its hash (entry was altered, or forged without the audit key)"
        )


def _head_problems(last_id: int, last_hash: str) -> Iterator[ChainProblem]:
    head = AuditHead.objects.filter(pk=1).first()
    if head is None and last_id:
        yield ChainProblem(last_id, f"chain ends at entry {last_id} but its head is missing")
    if head is not None and (head.last_id != last_id or head.last_hash != last_hash):
        yield ChainProblem(
            head.last_id, f"chain ends at entry {last_id} but its head records entry {head.last_id}"
        )


def iter_problems(
    batch_size: int = 5000,
    *,
    anchor_path: Path | str | None = None,
    report: VerifyReport | None = None,
) -> Iterator[ChainProblem]:
    """Walk the chain in order and yield each break (an altered, missing, forged or reordered
    entry), then compare it with every anchor: entries removed after an anchor was taken, or
    rewritten (and re-chained) since, are breaks too. Problems in the anchor file come first."""
    ring = keyring()
    path = Path(anchor_path) if anchor_path else Path(settings.SALAMA_AUDIT_ANCHOR)
    anchors, anchor_problems = read_anchors(path, ring)
    yield from anchor_problems
    by_seq: dict[int, list[Anchor]] = {}
    for anchor in anchors:
        by_seq.setdefault(anchor.seq, []).append(anchor)
    if report is not None:
        report.anchor_path, report.anchors = path, len(anchors)
        report.newest_anchor = anchors[-1] if anchors else None
    walk = _ChainWalk(ring, anchors=by_seq, report=report)
    yield from walk.walk(batch_size)
    yield from _head_problems(walk.last_id, walk.prev_hash)
    beyond = [anchor for anchor in anchors if anchor.seq > walk.last_id]
    if beyond:
        newest = max(beyond, key=lambda anchor: anchor.seq)
        yield ChainProblem(
            walk.last_id + 1,
            f"entries {walk.last_id + 1}..{newest.seq} were removed: the anchor of {newest.at} "
            f"(anchor file line {newest.line}) records entry {newest.seq}, but the chain ends "
            f"at entry {walk.last_id}",
        )


def verify() -> ChainProblem | None:
    """The first break in the chain, or None when the whole chain is intact."""
    return next(iter_problems(), None)


# Guards in the database ------------------------------------------------------------------------

GUARD_TRIGGERS = {
    "sqlite": ("core_auditentry_no_update", "core_auditentry_no_delete"),
    "postgresql": ("core_auditentry_no_update", "core_auditentry_no_truncate"),
}


def missing_guards() -> list[str]:
    """The append-only triggers (migrations 0002 and 0003) that are missing or disabled."""
    expected = GUARD_TRIGGERS.get(connection.vendor, ())
    if not expected:
        return []
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute(
                "SELECT name FROM sqlite_master WHERE type = 'trigger' "
                "AND tbl_name = 'core_auditentry'"
            )
        else:
            cursor.execute(
                "SELECT tgname FROM pg_trigger WHERE tgrelid = 'core_auditentry'::regclass "
                "AND NOT tgisinternal AND tgenabled <> 'D'"
            )
        present = {row[0] for row in cursor.fetchall()}
    return [name for name in expected if name not in present]


# Anchors ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Anchor:
    """A signed record that the chain's head was entry `seq` with `hash` at time `at`.

    Anchors form their own chain: `prev` is the MAC of the anchor before, so a removed,
    reordered or inserted line shows."""

    seq: int
    hash: str
    at: str
    key: str
    prev: str
    mac: str
    line: int = 0  # where it was read from the anchor file (1-based); 0 when not read

    def body(self) -> dict[str, Any]:
        return {
            "v": ANCHOR_FORMAT,
            "seq": self.seq,
            "hash": self.hash,
            "at": self.at,
            "key": self.key,
            "prev": self.prev,
        }

    def to_json(self) -> str:
        return json.dumps({**self.body(), "mac": self.mac}, sort_keys=True, separators=(",", ":"))

    @classmethod
    def parse(cls, text: str, line: int = 0) -> Anchor:
        try:
            data = json.loads(text)
        except ValueError:
            raise ValueError("not JSON") from None
        if not isinstance(data, dict) or data.get("v") != ANCHOR_FORMAT:
            raise ValueError(f"not an anchor of format {ANCHOR_FORMAT}")
        seq = data.get("seq")
        strings = {name: data.get(name) for name in ("hash", "at", "key", "prev", "mac")}
        if (
            not isinstance(seq, int)
            or seq < 0
            or not all(isinstance(value, str) for value in strings.values())
        ):
            raise ValueError("fields missing or of the wrong type")
        return cls(seq=seq, line=line, **strings)  # type: ignore[arg-type]

    def signature_problem(self, ring: AuditKeyRing) -> str | None:
        try:
            expected = _anchor_mac(self.body(), ring, self.key)
        except UnknownAuditKey as exc:
            return f"{exc} (or the line is forged)"
        if hmac.compare_digest(expected, self.mac):
            return None
        return "signature does not match (the line was edited, or forged without the audit key)"


def _anchor_mac(body: Mapping[str, Any], ring: AuditKeyRing, key_id: str) -> str:
    mac = ring.mac(key_id)
    mac.update(b"salama-audit-anchor:")  # never the start of an entry's payload (a JSON list)
    mac.update(json.dumps(body, sort_keys=True, separators=(",", ":")).encode("utf-8"))
    return mac.hexdigest()


def read_anchors(
    path: Path, ring: AuditKeyRing | None = None
) -> tuple[list[Anchor], list[ChainProblem]]:
    """The anchors in `path` whose signature verifies, and the problems of the file itself.

    A missing file has no anchors (and no problems): nothing has been anchored yet."""
    ring = ring or keyring()
    anchors: list[Anchor] = []
    problems: list[ChainProblem] = []
    try:
        handle = path.open("rb")
    except FileNotFoundError:
        return anchors, problems
    prev_mac: str | None = ""  # the first line follows nothing; None: the line before was bad
    highest = -1
    with handle:
        for number, raw in enumerate(handle, start=1):
            try:
                anchor = Anchor.parse(raw.decode("utf-8"), number)
            except (ValueError, UnicodeDecodeError) as exc:
                problems.append(ChainProblem(0, f"is not a valid anchor ({exc})", number))
                prev_mac = None
                continue
            reason = anchor.signature_problem(ring)
            if reason:
                problems.append(ChainProblem(anchor.seq, reason, number))
                prev_mac = None
                continue
            if prev_mac is not None and anchor.prev != prev_mac:
                problems.append(
                    ChainProblem(
                        anchor.seq,
                        "does not follow the line before it: an anchor line was removed, "
                        "reordered or inserted",
                        number,
                    )
                )
            if anchor.seq < highest:
                problems.append(
                    ChainProblem(
                        anchor.seq + 1,
                        f"records entry {anchor.seq}, behind entry {highest} in an earlier "
                        "anchor: the chain had been cut back when this anchor was taken",
                        number,
                    )
                )
            anchors.append(anchor)
            prev_mac, highest = anchor.mac, max(highest, anchor.seq)
    return anchors, problems


class AnchorRefused(Exception):
    """The head cannot be anchored: the chain contradicts the last anchor or is broken since."""

    def __init__(self, problems: list[ChainProblem]) -> None:
        self.problems = problems
        super().__init__("; ".join(_where(problem) for problem in problems[:3]))


def _where(problem: ChainProblem) -> str:
    if problem.anchor_line is not None:
        return f"anchor file line {problem.anchor_line}: {problem.reason}"
    return f"entry {problem.entry_id}: {problem.reason}"


class AnchorSyslogError(Exception):
    """The anchor was appended to the file but could not be sent to syslog."""

    def __init__(self, anchor: Anchor, error: OSError | ValueError) -> None:
        self.anchor = anchor
        super().__init__(f"could not send the anchor to syslog: {error}")


@dataclass(frozen=True)
class AnchorOutcome:
    anchor: Anchor | None  # the anchor written, or the last one when nothing was written
    written: bool
    deferred: bool = False  # not written: more than `check_limit` entries to check first


def anchor(path: Path | str | None = None, *, check_limit: int | None = None) -> AnchorOutcome:
    """Append a signed anchor of the current head to the anchor file (and syslog).

    Before signing, the head must agree with the last anchor (not behind it, the anchored entry
    unchanged) and the entries since must verify, so an anchor never vouches for a chain that
    was cut back or re-forged. Nothing is written when the head has not moved since the last
    anchor, or when more than `check_limit` entries would need checking first (the after-commit
    hook passes a limit so that a request never pays for a long check).

    The file is opened for appending only and locked while the head is read and the line
    written, so concurrent processes add whole lines in order.
    """
    path = Path(path) if path else Path(settings.SALAMA_AUDIT_ANCHOR)
    ring = keyring()
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_RDWR | os.O_APPEND | os.O_CREAT | os.O_CLOEXEC, 0o640)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        last = _last_anchor(fd, path, ring)
        head = AuditHead.objects.filter(pk=1).first()
        head_seq = head.last_id if head is not None else 0
        head_hash = head.last_hash if head is not None else GENESIS_HASH
        if check_limit is not None and head_seq - (last.seq if last else 0) > check_limit:
            return AnchorOutcome(last, written=False, deferred=True)
        if head is None and AuditEntry.objects.exists():
            problems = [ChainProblem(0, "the audit head is missing while audit entries exist")]
        else:
            problems = _problems_since(last, ring, head_seq, head_hash)
        if problems:
            _send_syslog_quietly(f"REFUSED to anchor: {AnchorRefused(problems)}")
            raise AnchorRefused(problems)
        if last is not None and (last.seq, last.hash) == (head_seq, head_hash):
            return AnchorOutcome(last, written=False)
        at = datetime.now(UTC).isoformat(timespec="seconds")
        unsigned = Anchor(head_seq, head_hash, at, ring.current_id, last.mac if last else "", "")
        new = replace(unsigned, mac=_anchor_mac(unsigned.body(), ring, ring.current_id))
        data = (new.to_json() + "\n").encode("utf-8")
        if os.write(fd, data) != len(data):
            raise OSError(f"short write to {path}")
        os.fsync(fd)
    finally:
        os.close(fd)  # also releases the lock
    address = settings.SALAMA_AUDIT_ANCHOR_SYSLOG
    if address:
        try:
            send_syslog(address, "anchor " + new.to_json())
        except (OSError, ValueError) as exc:
            raise AnchorSyslogError(new, exc) from exc
    return AnchorOutcome(new, written=True)


def _last_anchor(fd: int, path: Path, ring: AuditKeyRing) -> Anchor | None:
    size = os.fstat(fd).st_size
    if size == 0:
        return None
    chunk = 4096
    while True:
        start = max(0, size - chunk)
        data = os.pread(fd, size - start, start)
        nl = data.rstrip(b"\n").rfind(b"\n")
        if nl >= 0 or start == 0:
            break
        chunk *= 4
    text = data[nl + 1 :]
    try:
        if not text.endswith(b"\n"):
            raise ValueError("the line is incomplete")
        last = Anchor.parse(text.decode("utf-8"))
        reason = last.signature_problem(ring)
    except (ValueError, UnicodeDecodeError) as exc:
        reason = str(exc)
    if reason:
        with path.open("rb") as handle:
            line = sum(block.count(b"\n") for block in iter(lambda: handle.read(65536), b""))
        raise AnchorRefused(
            [
                ChainProblem(
                    0,
                    f"is the last anchor and does not verify ({reason}); run `salama audit "
                    "verify`, and move the anchor file aside only once you know why",
                    anchor_line=line + (0 if text.endswith(b"\n") else 1),
                )
            ]
        )
    return last


def _problems_since(
    last: Anchor | None, ring: AuditKeyRing, head_seq: int, head_hash: str
) -> list[ChainProblem]:
    """Breaks between the last anchor (or the chain's start) and the head, at most 100.

    Only entries up to the head as read are checked: entries appended meanwhile by other
    processes belong to the next anchor."""
    walk = _ChainWalk(ring)
    if last is not None and last.seq:
        if head_seq < last.seq:
            return [
                ChainProblem(
                    head_seq + 1,
                    f"entries {head_seq + 1}..{last.seq} were removed: the anchor of {last.at} "
                    f"records entry {last.seq}, but the head is now entry {head_seq}",
                )
            ]
        anchored = AuditEntry.objects.filter(pk=last.seq).first()
        if anchored is None:
            return [ChainProblem(last.seq, f"is missing, yet the anchor of {last.at} records it")]
        if anchored.hash != last.hash:
            return [
                ChainProblem(
                    last.seq,
                    f"hash differs from the anchor of {last.at}: this entry or one before it "
                    "was rewritten and the chain re-forged",
                )
            ]
        keyed_from = last.seq if anchored.chain_version != LEGACY_CHAIN else None
        walk = _ChainWalk(ring, after_id=last.seq, prev_hash=last.hash, keyed_from=keyed_from)
    problems = list(islice(walk.walk(upto=head_seq), 100))
    if not problems and (walk.last_id, walk.prev_hash) != (head_seq, head_hash):
        problems.append(
            ChainProblem(
                head_seq,
                f"the head records entry {head_seq} with hash {head_hash}, but the chain ends "
                f"at entry {walk.last_id} with hash {walk.prev_hash}",
            )
        )
    return problems


def send_syslog(address: str, message: str) -> None:
    """Send one message to syslog: a local socket path (/dev/log) or host:port over UDP."""
    priority = 4 * 8 + 5  # facility auth, severity notice
    data = f"<{priority}>salama-audit: {message}".encode()
    if address.startswith("/"):
        with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as sock:
            sock.sendto(data, address)
        return
    host, _, port = address.rpartition(":")
    if not host or not port.isdigit():
        raise ValueError(
            f"SALAMA_AUDIT_ANCHOR_SYSLOG must be a socket path or host:port, not {address!r}"
        )
    family, kind, proto, _, target = socket.getaddrinfo(
        host.strip("[]"), int(port), type=socket.SOCK_DGRAM
    )[0]
    with socket.socket(family, kind, proto) as sock:
        sock.sendto(data, target)


def _send_syslog_quietly(message: str) -> None:
    address = settings.SALAMA_AUDIT_ANCHOR_SYSLOG
    if address:
        try:
            send_syslog(address, message)
        except (OSError, ValueError):
            logger.exception("could not send to syslog: %s", message)


# Anchoring after writes: at most once per SALAMA_AUDIT_ANCHOR_INTERVAL seconds per process.
_next_anchor_at = 0.0
_AFTER_COMMIT_CHECK_LIMIT = 5000


def _anchor_after_commit() -> None:
    global _next_anchor_at
    now = time.monotonic()
    if now < _next_anchor_at:
        return
    _next_anchor_at = now + settings.SALAMA_AUDIT_ANCHOR_INTERVAL
    try:
        outcome = anchor(check_limit=_AFTER_COMMIT_CHECK_LIMIT)
    except AnchorRefused as exc:
        logger.error("audit chain not anchored, it contradicts its anchors: %s", exc)
    except Exception:  # the write has committed; anchoring must not fail the request
        logger.exception("could not anchor the audit chain")
    else:
        if outcome.deferred:
            logger.warning(
                "audit head not anchored: more than %d entries since the last anchor in %s "
                "would need checking first; run `salama audit anchor`",
                _AFTER_COMMIT_CHECK_LIMIT,
                settings.SALAMA_AUDIT_ANCHOR,
            )
