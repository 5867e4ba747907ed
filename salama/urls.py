from __future__ import annotations

from django.contrib import admin
from django.urls import include, path
from django.utils.translation import gettext_lazy as _

from salama.accounts.views import switch_language
from salama.api.urls import api

admin.site.site_header = _("Salama system administration")

urlpatterns = [
    path("", include("salama.core.urls")),
    path("accounts/", include("salama.accounts.urls")),
    path("people/", include("salama.people.urls")),
    path("cases/", include("salama.cases.urls")),
    path("screening/", include("salama.screening.urls")),
    path("referrals/", include("salama.referrals.urls")),
    path("assistance/", include("salama.assistance.urls")),
    path("integrations/", include("salama.integrations.urls")),
    path("fieldforms/", include("salama.fieldforms.urls")),
    path("returns/", include("salama.returns.urls")),
    path("evidence/", include("salama.evidence.urls")),
    path("matching/", include("salama.matching.urls")),
    path("tracing/", include("salama.tracing.urls")),
    path("i18n/setlang/", switch_language, name="set_language"),
    path("api/v1/", api.urls),
    path("system-admin/", admin.site.urls),
]
