"""Background tasks of accounts: the password reset email."""

from __future__ import annotations

from hiremebahamas.core import tasks


@tasks.task
async def send_password_reset(context: tasks.TaskContext, *, email: str) -> None:
    """Issue a reset link and email it, when `email` has an active account. A second run sends
    a second link, which replaces the first: the newest email is the one that works."""
    from hiremebahamas.accounts import service  # service defers this task, so it imports us

    async with context.database.sessionmaker() as session, session.begin():
        message = await service.password_reset_email(session, context.settings, email)
    if message is not None:
        await context.email.send(message)


def register(registry: tasks.TaskRegistry) -> None:
    registry.add(send_password_reset)
