from __future__ import annotations

from salama.evidence.dashboard_models import (  # noqa: F401
    CaseCount,
    CountsFreshness,
    ExportJob,
    PopulationFigure,
)
from salama.evidence.release_models import *  # noqa: F401,F403
