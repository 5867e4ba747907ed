from __future__ import annotations

from salama.matching.run_urls import urlpatterns as run_urlpatterns

app_name = "matching"

urlpatterns: list = []
urlpatterns += run_urlpatterns
