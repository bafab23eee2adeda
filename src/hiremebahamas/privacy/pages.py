"""The restore page, shown where a sign-in meets an account being deleted (the login page) and
again when a restore is refused."""

from __future__ import annotations

from fastapi import Request, Response

from hiremebahamas.web.rendering import render


def restore_page(
    request: Request,
    email: str,
    *,
    notice: str | None = None,
    restorable: bool = True,
    error: str | None = None,
    status_code: int = 200,
) -> Response:
    """`notice`: when the deletion is final (from the refused sign-in); `restorable`: whether
    the form to take it back is offered; `error`: why the last restore attempt was refused."""
    context: dict[str, object] = {
        "email": email,
        "notice": notice,
        "restorable": restorable,
        "errors": {},
        "error": error,
    }
    return render(request, "privacy/restore.html", context, status_code=status_code)
