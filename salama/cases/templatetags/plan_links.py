"""`deliveries|of:item.id`: the rows delivering one plan item (salama.cases.plan_links)."""

from __future__ import annotations

from typing import Any

from django import template

register = template.Library()


@register.filter(name="of")
def of(deliveries: dict[str, list[Any]] | None, item_id: Any) -> list[Any]:
    return (deliveries or {}).get(str(item_id), [])
