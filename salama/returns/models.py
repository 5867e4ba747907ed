from __future__ import annotations

from salama.returns.journey_models import ItineraryLeg as ItineraryLeg
from salama.returns.journey_models import JourneyStep as JourneyStep
from salama.returns.journey_models import ReintegrationAction as ReintegrationAction
from salama.returns.journey_models import ReturnJourney as ReturnJourney
from salama.returns.monitoring_models import *  # noqa: F403  (reintegration monitoring)
