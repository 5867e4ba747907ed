"""What reintegration monitoring registers at start-up (called once from ReturnsConfig.ready)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from salama.core import auditwords, events

ACTION_LABELS = {
    "returns.monitoring_scheduled": _("Reintegration monitoring scheduled"),
    "returns.monitoring_visit_recorded": _("Monitoring visit recorded"),
    "returns.monitoring_lost_contact": _("Monitoring visit: lost contact"),
    "returns.monitoring_visit_cancelled": _("Monitoring visit cancelled"),
    "returns.monitoring_programme_changed": _("Monitoring programme settings changed"),
}


def register() -> None:
    from salama.cases import queries as case_queries
    from salama.returns import monitoring, monitoring_access
    from salama.returns.monitoring_models import CancelReason, VisitPlace, VisitStatus

    monitoring_access.register_rules()
    events.declare(
        monitoring.ARRIVED_EVENT,
        "A returnee arrived in the country of return (data: arrived_on, country, "
        "reception_referral_id).",
    )
    events.subscribe("returns.monitoring_schedule", monitoring.schedule_from_event)
    auditwords.ACTION_WORDS.update(ACTION_LABELS)
    case_queries.ACTION_LABELS.update(ACTION_LABELS)
    auditwords.register_values("status", VisitStatus.choices)
    auditwords.register_values("reason", CancelReason.choices)
    auditwords.register_values("place", VisitPlace.choices)
