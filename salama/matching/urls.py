from __future__ import annotations

from salama.matching.review_urls import urlpatterns as review_urlpatterns
from salama.matching.run_urls import urlpatterns as run_urlpatterns

app_name = "matching"

urlpatterns: list = []
urlpatterns += review_urlpatterns
urlpatterns += run_urlpatterns
