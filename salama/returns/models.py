from __future__ import annotations

from salama.returns.journey_models import (  # noqa: F401
    ItineraryLeg,
    JourneyStep,
    ReintegrationAction,
    ReturnJourney,
)
from salama.returns.monitoring_models import *  # noqa: F403  (reintegration monitoring)
