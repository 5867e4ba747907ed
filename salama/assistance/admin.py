"""Read-only admin for funds and their ledger: money moves only through the audited services."""

from __future__ import annotations

from typing import Any

from django.contrib import admin

from salama.assistance.models import Fund, FundMovement


class _ReadOnly(admin.ModelAdmin):  # type: ignore[type-arg]
    def has_add_permission(self, request: Any) -> bool:
        return False

    def has_change_permission(self, request: Any, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: Any, obj: Any = None) -> bool:
        return False


@admin.register(Fund)
class FundAdmin(_ReadOnly):
    list_display = (
        "name",
        "organisation",
        "kind",
        "currency",
        "deposited",
        "committed",
        "disbursed",
        "approval_threshold",
        "is_active",
    )
    list_filter = ("kind", "currency", "is_active")


@admin.register(FundMovement)
class FundMovementAdmin(_ReadOnly):
    list_display = ("created_at", "fund", "kind", "amount", "available_after", "actor")
    list_filter = ("kind",)
