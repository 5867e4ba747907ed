from __future__ import annotations

from salama.evidence.dashboard_models import (  # noqa: F401
    CaseCount,
    CountsFreshness,
    ExportJob,
    PopulationFigure,
)
