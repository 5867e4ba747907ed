from __future__ import annotations

from salama.returns.monitoring_models import *  # noqa: F403  (reintegration monitoring)
