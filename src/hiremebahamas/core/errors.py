"""Errors the services raise. Rendered as `{"error": {...}}` for the API and as pages for the web."""

from __future__ import annotations

from typing import Any, ClassVar


class AppError(Exception):
    status_code: ClassVar[int] = 400
    code: ClassVar[str] = "bad_request"
    default_message: ClassVar[str] = "The request could not be processed."

    def __init__(self, message: str | None = None, **extra: Any) -> None:
        self.message = message or self.default_message
        self.extra = extra
        # Set when the refusal itself must be recorded (a revoked session, say): the unit of
        # work then commits instead of rolling back before the error is answered.
        self.keep_changes = False
        super().__init__(self.message)

    def to_body(self) -> dict[str, Any]:
        return {"error": {"code": self.code, "message": self.message, **self.extra}}

    def headers(self) -> dict[str, str]:
        return {}


class InvalidSignature(AppError):
    """A webhook's signature does not match its payload (each sender's module names the sender)."""

    status_code = 400
    code = "invalid_signature"
    default_message = "The signature does not match this payload."


class WebhookNotConfigured(AppError):
    """The secret or key a webhook's signature is checked with is not set."""

    status_code = 503
    code = "webhook_not_configured"
    default_message = "This webhook's signing secret is not set, so its events cannot be verified."


class Unauthenticated(AppError):
    status_code = 401
    code = "unauthenticated"
    default_message = "Please log in to continue."


class Forbidden(AppError):
    status_code = 403
    code = "forbidden"
    default_message = "You are not allowed to do that."


class EmailUnverified(AppError):
    status_code = 403
    code = "email_unverified"
    default_message = "Please verify your email address first. Check your inbox for the link."


class NotFound(AppError):
    status_code = 404
    code = "not_found"
    default_message = "We could not find that."


class PasswordResetRequired(AppError):
    """Staff forced a password reset: the right password is refused until the emailed link is
    used (a wrong one still gets the usual answer, so this tells nothing to a guesser)."""

    status_code = 403
    code = "password_reset_required"
    default_message = "A password reset is required for this account. We've emailed you a link."


class Conflict(AppError):
    status_code = 409
    code = "conflict"
    default_message = "That conflicts with something that already exists."


class AccountPendingDeletion(AppError):
    """A sign-in to an account its owner (or staff) asked to delete: the answer says when the
    deletion becomes final and whether the owner may still take it back."""

    status_code = 409
    code = "account_pending_deletion"
    default_message = "This account is being deleted."

    def __init__(self, message: str, *, deletion_due_at: str, restorable: bool) -> None:
        super().__init__(message, deletion_due_at=deletion_due_at, restorable=restorable)


class ValidationFailed(AppError):
    status_code = 422
    code = "validation_error"
    default_message = "Some fields need your attention."

    def __init__(self, message: str | None = None, fields: dict[str, str] | None = None) -> None:
        super().__init__(message, fields=fields or {})

    @property
    def fields(self) -> dict[str, str]:
        fields: dict[str, str] = self.extra["fields"]
        return fields


class UpgradeRequired(AppError):
    status_code = 402
    code = "upgrade_required"
    default_message = "Upgrade your plan to do this."

    def __init__(self, message: str | None = None, *, required_tier: str) -> None:
        super().__init__(message, required_tier=required_tier)


class RateLimited(AppError):
    status_code = 429
    code = "rate_limited"
    default_message = "Too many requests. Please slow down and try again shortly."

    def __init__(self, message: str | None = None, *, retry_after: int) -> None:
        super().__init__(message)
        self.retry_after = max(1, retry_after)

    def headers(self) -> dict[str, str]:
        return {"Retry-After": str(self.retry_after)}


class PayloadTooLarge(AppError):
    status_code = 413
    code = "payload_too_large"
    default_message = "That is too large."


class StorageUnavailable(AppError):
    """File storage (the S3 bucket or the local directory) did not answer: nothing was saved."""

    status_code = 503
    code = "storage_unavailable"
    default_message = "File storage is unavailable right now. Please try again in a few minutes."


class ScannerUnavailable(AppError):
    """The virus scanner (clamd) did not answer, and files of this kind wait for no scan:
    nothing was saved."""

    status_code = 503
    code = "scanner_unavailable"
    default_message = "We cannot check files for viruses right now, so nothing was saved. Please try again later."
    retry_after = 60

    def headers(self) -> dict[str, str]:
        return {"Retry-After": str(self.retry_after)}


class DatabaseUnavailable(AppError):
    """The database did not answer (restarting, failing over, unreachable): nothing was done
    that the answer would claim; try again shortly."""

    status_code = 503
    code = "database_unavailable"
    default_message = "We cannot reach our database right now. Please try again in a few seconds."
    retry_after = 5

    def headers(self) -> dict[str, str]:
        return {"Retry-After": str(self.retry_after)}


class BadRequest(AppError):
    status_code = 400
    code = "bad_request"


class InvalidLink(AppError):
    status_code = 400
    code = "invalid_token"
    default_message = "This link is not valid."


class CsrfFailed(AppError):
    status_code = 403
    code = "csrf_failed"
    default_message = "Your form expired or came from another site. Reload the page and try again."
