"""System administration sees the directory; referral contents stay out of the admin."""

from __future__ import annotations

from django.contrib import admin

from salama.referrals.models import Provider, Service


@admin.register(Provider)
class ProviderAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("organisation", "is_external", "contact_email", "managed_by")


@admin.register(Service)
class ServiceAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("name", "provider", "service_type", "country", "area", "is_active")
    list_filter = ("service_type", "country", "is_active")
