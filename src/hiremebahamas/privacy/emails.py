"""The privacy emails: the one that confirms a deletion request, with the date it becomes
final, and the link to a data export once it is ready."""

from __future__ import annotations

from hiremebahamas.accounts.emails import account_email
from hiremebahamas.config import Settings
from hiremebahamas.core.email import OutgoingEmail
from hiremebahamas.core.times import day_text, moment_text
from hiremebahamas.models import DataExport, User


def deletion_requested(settings: Settings, user: User, reason: str | None) -> OutgoingEmail:
    assert user.deletion_due_at is not None
    return account_email(
        user,
        "Your HireMeBahamas account will be deleted",
        "deletion_requested",
        final=day_text(user.deletion_due_at),
        by_staff=user.deleted_by_staff,
        reason=reason,
        login_link=f"{settings.base_url.rstrip('/')}/login",
    )


def data_export_ready(settings: Settings, user: User, export: DataExport, token: str) -> OutgoingEmail:
    return account_email(
        user,
        "Your HireMeBahamas data is ready to download",
        "data_export_ready",
        link=f"{settings.base_url.rstrip('/')}/account/export/{token}",
        until=moment_text(export.expires_at),
    )
