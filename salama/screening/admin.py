from __future__ import annotations

# Screenings hold sensitive answers about identifiable people; they are deliberately not
# registered in the Django admin. Use the screening pages and API, which apply the policy.
