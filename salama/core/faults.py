"""Fault injection for the crash drills: a process that dies at a named point, like a power cut.

A point is one line in the middle of work that must be all-or-nothing::

    faults.point("referral.send")

It does nothing unless the process was *started* with both environment variables::

    SALAMA_FAULT_INJECTION=1 SALAMA_FAULT_AT=referral.send[:n]

and is not a production deployment. Then the n-th time (default: the first) the process reaches
that point it sends itself SIGKILL: no exception handler, ``finally`` block, ``atexit`` hook or
rollback of the process runs. The database and the files are left exactly as a power cut or the
kernel's out-of-memory killer would leave them, and the drills (tests/faults/) show that nothing
is half-written and that the work resumes or rolls back.

Why it cannot be turned against a deployment:

- It reads the process environment only, once, at the first point reached. No request, header,
  form, API call, database row or setting changes it; whoever can set a server process's
  environment can already stop that process.
- Production refuses it twice: ``salama/settings.py`` refuses to start when
  ``SALAMA_ENV=production`` and ``SALAMA_FAULT_INJECTION`` is set, and this module ignores the
  variables whenever ``settings.PRODUCTION`` is true (production also forces ``DEBUG`` off).
- Both variables are needed: a stray ``SALAMA_FAULT_AT`` left in an environment file does nothing.
- Only the names in ``POINTS`` are accepted; a misspelt name stops the process with a clear
  error instead of silently never firing.
"""

from __future__ import annotations

import os
import signal
from dataclasses import dataclass, field
from functools import cache

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

ENABLE_VAR = "SALAMA_FAULT_INJECTION"
AT_VAR = "SALAMA_FAULT_AT"

# Every point in the code, and where it stands.
POINTS = {
    "import.row": "a bulk import, after each row written inside the all-or-nothing transaction",
    "release.bundle": "an anonymised release build, after the encrypted bundle file was written",
    "referral.send": "a referral send, after the referral row, before its audit and notification",
    "keys.rotate": "a key rotation, after each committed batch of re-wrapped data keys",
}


@dataclass
class _Plan:
    name: str = ""
    at: int = 0
    reached: int = field(default=0)


def enabled() -> bool:
    """True when this process may be killed at a point (never in production)."""
    if getattr(settings, "PRODUCTION", False):
        return False
    return os.environ.get(ENABLE_VAR, "") == "1" and bool(os.environ.get(AT_VAR, ""))


def parse(value: str) -> tuple[str, int]:
    """``"import.row:3"`` → ``("import.row", 3)``; ``"referral.send"`` → ``("referral.send", 1)``."""
    name, _, count = value.strip().partition(":")
    if name not in POINTS:
        raise ImproperlyConfigured(
            f"{AT_VAR}={value!r} names no fault point; use one of {', '.join(sorted(POINTS))}"
            " (optionally followed by :N, the N-th time the point is reached)."
        )
    if not count:
        return name, 1
    if not count.isdigit() or int(count) < 1:
        raise ImproperlyConfigured(f"{AT_VAR}={value!r}: after the colon give a whole number ≥ 1.")
    return name, int(count)


@cache
def _plan() -> _Plan:
    if not enabled():
        return _Plan()
    name, at = parse(os.environ[AT_VAR])
    return _Plan(name=name, at=at)


def point(name: str) -> None:
    """A place where a drill may kill the process; a no-op unless started for that drill."""
    plan = _plan()
    if plan.name != name:
        return
    plan.reached += 1
    if plan.reached >= plan.at:
        os.kill(os.getpid(), signal.SIGKILL)


def reset() -> None:
    """Read the environment again at the next point (tests of this module)."""
    _plan.cache_clear()
