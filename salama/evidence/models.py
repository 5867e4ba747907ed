from __future__ import annotations

from salama.evidence.release_models import *  # noqa: F401,F403
