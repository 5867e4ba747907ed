from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "salama.core"
    label = "core"
    verbose_name = _("Core")

    def ready(self) -> None:
        from salama.core import audit, crypto

        # Decode the keys at start-up so a malformed key stops the server with a clear message
        # instead of failing on the first request that touches personal data.
        crypto.keyring()
        crypto.index_key()
        audit.keyring()

        from django.db.models.signals import pre_delete

        from salama.core.models import AuditEntry

        pre_delete.connect(
            _refuse_audit_delete, sender=AuditEntry, dispatch_uid="audit-append-only"
        )

        from salama.core.home import register_panel
        from salama.core.roles import Perm

        register_panel(
            "core.audit",
            perm=Perm.AUDIT_VIEW,
            reader=lambda principal: {},
            template="core/panels/audit.html",
            order=900,
        )


def _refuse_audit_delete(sender: object, instance: object, **kwargs: object) -> None:
    # QuerySet.delete() bypasses Model.delete(); this receiver stops it in the ORM as well.
    raise ValueError("audit entries are append-only")
