from __future__ import annotations

from salama.matching.review_urls import urlpatterns as review_urlpatterns

app_name = "matching"

urlpatterns: list = []
urlpatterns += review_urlpatterns
