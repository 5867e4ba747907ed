from __future__ import annotations

from django.apps import AppConfig


class ReferralsConfig(AppConfig):
    name = "salama.referrals"
    label = "referrals"

    def ready(self) -> None:
        from salama.referrals.access import register_rules
        from salama.referrals.home import register_panels

        register_rules()
        register_panels()
        from salama.referrals.plan_links import register_plan_links

        register_plan_links()
        from salama.referrals.referral_events import declare_events

        declare_events()
