"""Audit rows for what happens outside the services: logins, logouts, failed logins, publication and unpublication
of pages (whoever publishes, by whatever path: the editor, a workflow, a scheduled publication)."""

from __future__ import annotations

from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.db import transaction
from django.db.models.signals import post_save
from django.dispatch import receiver

PAGE_ACTIONS = {
    "wagtail.publish": "core.page.publish",
    "wagtail.publish.scheduled": "core.page.publish",
    "wagtail.unpublish": "core.page.unpublish",
    "wagtail.unpublish.scheduled": "core.page.unpublish",
}


def _audit(**kwargs) -> None:
    from .services.audit import audit

    with transaction.atomic():
        audit(**kwargs)


@receiver(user_logged_in, dispatch_uid="core.audit.login")
def _logged_in(sender, request, user, **kwargs) -> None:
    _audit(
        actor=user, action="core.auth.login", target=user, request=request, detail={"account": user.username}
    )


@receiver(user_logged_out, dispatch_uid="core.audit.logout")
def _logged_out(sender, request, user, **kwargs) -> None:
    if user is not None and user.pk:
        _audit(
            actor=user,
            action="core.auth.logout",
            target=user,
            request=request,
            detail={"account": user.username},
        )


@receiver(user_login_failed, dispatch_uid="core.audit.login_failed")
def _login_failed(sender, credentials, request=None, **kwargs) -> None:
    # The password never goes into the log; the username typed does (it may not exist).
    username = str((credentials or {}).get("username", ""))[:150]
    _audit(actor=None, action="core.auth.login_failed", request=request, detail={"account": username})


def _page_log_entry_saved(sender, instance, created, **kwargs) -> None:
    action = PAGE_ACTIONS.get(instance.action)
    if not created or action is None:
        return
    page = instance.page
    _audit(
        actor=instance.user,
        action=action,
        target=page,
        detail={
            "page": instance.page_id,
            "title": instance.label,
            "url_path": getattr(page, "url_path", ""),
            "revision": instance.revision_id,
            "how": instance.action,
        },
    )


def connect() -> None:
    from wagtail.models import PageLogEntry

    post_save.connect(_page_log_entry_saved, sender=PageLogEntry, dispatch_uid="core.audit.page_log")
