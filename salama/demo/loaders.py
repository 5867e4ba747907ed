"""What `demo_data` loads after the demo accounts, in order: each domain app's own demo loader.

The loaders live in their apps (they create records through the services); this list is the
one place that knows every domain app, so that core and accounts need not.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

from salama.assistance.demo import load_demo_assistance
from salama.cases.demo import load_demo_cases, load_demo_exploitation
from salama.cases.household_demo import load_demo_household
from salama.cases.safety_demo import load_demo_safety
from salama.demo.approvals import load_demo_approvals
from salama.demo.people import load_demo_people
from salama.demo.plan_links import load_demo_plan_links
from salama.demo.worklists import load_demo_worklists
from salama.evidence.demo import load_demo_evidence
from salama.evidence.factor_demo import load_demo_factors
from salama.evidence.release_demo import load_demo_releases
from salama.fieldforms.demo import load_demo_fieldforms
from salama.integrations.demo import load_demo_integrations
from salama.matching.demo import load_demo_matching
from salama.matching.review_demo import load_demo_review
from salama.people.demo import load_demo_names
from salama.referrals.demo import load_demo_referral_collaboration, load_demo_referrals
from salama.returns.demo import load_demo_returns
from salama.returns.monitoring_demo import load_demo_monitoring
from salama.screening.demo import load_demo_identification
from salama.tracing.demo import load_demo_tracing

# Persons first: the demo cases are about the demo persons. Each returns the lines to print.
DEMO_LOADERS: tuple[Callable[[], list[str]], ...] = (
    load_demo_people,
    load_demo_cases,
    load_demo_exploitation,
    load_demo_safety,
    load_demo_identification,
    load_demo_referrals,
    load_demo_assistance,
    load_demo_household,
    load_demo_approvals,
    load_demo_worklists,  # last: the work waiting on the home pages, on all of the above
    load_demo_referral_collaboration,  # after the worklists: referrals between the two orgs
    load_demo_plan_links,  # after the work lists: links the referrals they send to plan items
    load_demo_integrations,  # last: the cases above are older than the integration
    load_demo_names,  # persons whose names are written in more scripts and orthographies
    load_demo_releases,  # last: releases read every case the loaders above made
    load_demo_returns,  # return journeys handed from the first demo organisation to the second
    load_demo_fieldforms,
    load_demo_evidence,  # last: more cases for the dashboards, then counts everything above
    load_demo_monitoring,  # reintegration monitoring: returnees at Amani, one received from Nour
    # A duplicate check over the persons above; before the review's own pairs, which a newer
    # run would mark superseded.
    load_demo_matching,
    load_demo_review,  # possible duplicates waiting at Nour, a merge to undo, a match with Amani
    load_demo_tracing,  # family tracing: a proposed cross-script match and a reunification
    load_demo_factors,  # DoMV factors on the evidence cases, for the factor analysis
)


def load_domain_demo_data() -> Iterator[str]:
    """Run every domain app's demo loader in order, yielding the lines each reports."""
    for loader in DEMO_LOADERS:
        yield from loader()
