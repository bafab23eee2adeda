"""Account rules: registration, verification, sign-in sessions, password reset and change.

Services take the database session and return domain objects; they never commit and know
nothing of HTTP.
"""

from __future__ import annotations

import functools
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Select, Uuid, bindparam, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from hiremebahamas.accounts import emails, second_factor
from hiremebahamas.accounts.lockout import LoginAttempt, lift_locks
from hiremebahamas.accounts.passwords import password_problem
from hiremebahamas.accounts.schemas import RegisterIn, UserUpdateIn
from hiremebahamas.accounts.tasks import send_password_reset
from hiremebahamas.accounts.usernames import suggest_username
from hiremebahamas.analytics.events import Event, record
from hiremebahamas.config import Settings
from hiremebahamas.core import audit, security, tasks
from hiremebahamas.core.cache import KeyValueStore
from hiremebahamas.core.email import OutgoingEmail, defer_email
from hiremebahamas.core.errors import (
    AccountPendingDeletion,
    Conflict,
    Forbidden,
    InvalidLink,
    PasswordResetRequired,
    Unauthenticated,
    ValidationFailed,
)
from hiremebahamas.core.times import day_text, moment_text
from hiremebahamas.legal.service import record_acceptance
from hiremebahamas.models import AuthSession, EmailToken, EmailTokenPurpose, RefreshToken, User
from hiremebahamas.models.base import new_id, utcnow
from hiremebahamas.notifications.preferences import set_email_choices
from hiremebahamas.notifications.types import MARKETING
from hiremebahamas.profiles.cache import forget_after_commit

BAD_CREDENTIALS = "That email and password do not match an account."
# A session's last_seen_at is written at most this often, not on every request.
_TOUCH_INTERVAL = timedelta(minutes=5)
# Staff sessions end after this long without a request (the issue's twelve hours idle).
STAFF_IDLE = timedelta(hours=12)


@dataclass(frozen=True)
class ClientInfo:
    user_agent: str = ""
    ip_address: str = ""


@dataclass(frozen=True)
class IssuedTokens:
    auth_session: AuthSession
    access_token: str
    expires_in: int
    refresh_token: str


@dataclass(frozen=True)
class NewLogin:
    tokens: IssuedTokens
    cookie_value: str
    first: bool = False
    """The account's first sign-in ever (the page says "Welcome", not "Welcome back")."""


def normalise_email(email: str) -> str:
    return email.strip().lower()


async def find_user_by_email(session: AsyncSession, email: str) -> User | None:
    result = await session.execute(select(User).where(User.email == normalise_email(email)))
    return result.scalar_one_or_none()


def _check_password(password: str, email: str, field: str) -> None:
    problem = password_problem(password, email)
    if problem:
        raise ValidationFailed(problem, fields={field: problem})


# An owner is told of attempts to register with their email at most once in this long, so a
# stranger cannot fill their inbox by registering again and again.
REGISTRATION_NOTICE_SECONDS = 3600
TERMS_REFUSED = "To join, accept the Terms of Service and the Privacy Policy."


async def register(session: AsyncSession, settings: Settings, store: KeyValueStore, data: RegisterIn) -> User:
    """Create an unverified account and email its verification link.

    An email that already has an account gets the same answer, a look-alike of the account
    that would have been made (never stored), and its owner is emailed instead (at most once an
    hour). Both ways do the same work in the same order (one lookup, one counter, one username
    suggestion, one password hash, one email handed to the background): neither the answer nor
    its timing tells who is a member. Only the new account's rows are written, which costs far
    less than the hash."""
    email = normalise_email(data.email)
    if data.accept_terms is False:
        raise ValidationFailed(TERMS_REFUSED, fields={"accept_terms": TERMS_REFUSED})
    _check_password(data.password, email, "password")
    owner = await find_user_by_email(session, email)
    # The same counting either way (so timing tells nothing); only attempts on a taken email count.
    counter = "registration-attempts" if owner is not None else "registrations"
    attempts = await store.incr(f"{counter}:{security.hash_token(email)}", REGISTRATION_NOTICE_SECONDS)
    user = User(
        id=new_id(),
        email=email,
        username=await suggest_username(session, data.first_name, data.last_name),
        password_hash=await security.hash_password_off_loop(data.password),
        first_name=data.first_name,
        last_name=data.last_name,
        account_type=data.account_type,
        is_active=True,
        created_at=utcnow(),
    )
    record_acceptance(settings, user)
    if owner is not None:
        if attempts == 1:
            defer_email(session, emails.registration_attempt(settings, owner))
        return user
    session.add(user)
    await session.flush()
    if data.marketing_email:
        await set_email_choices(session, user.id, {MARKETING: True})
    await send_verification_email(session, settings, user)
    record(session, Event.SIGNED_UP, user.id, account_type=user.account_type.value)
    return user


async def _issue_email_token(session: AsyncSession, user: User, purpose: EmailTokenPurpose, ttl: timedelta) -> str:
    # A new link replaces the old ones, so only the newest email works.
    now = utcnow()
    await session.execute(
        update(EmailToken)
        .where(EmailToken.user_id == user.id, EmailToken.purpose == purpose, EmailToken.used_at.is_(None))
        .values(used_at=now)
    )
    token = security.random_token()
    session.add(
        EmailToken(user_id=user.id, purpose=purpose, token_hash=security.hash_token(token), expires_at=now + ttl)
    )
    return token


async def send_verification_email(session: AsyncSession, settings: Settings, user: User) -> None:
    if user.email_verified:
        raise Conflict("Your email address is already verified.")
    ttl = timedelta(hours=settings.email_verification_ttl_hours)
    token = await _issue_email_token(session, user, EmailTokenPurpose.VERIFY_EMAIL, ttl)
    defer_email(session, emails.verification(settings, user, token))


async def _consume_email_token(session: AsyncSession, token: str, purpose: EmailTokenPurpose) -> User:
    """Spend a single-use token atomically: two concurrent clicks cannot both succeed."""
    now = utcnow()
    token_hash = security.hash_token(token)
    result = await session.execute(
        update(EmailToken)
        .where(
            EmailToken.token_hash == token_hash,
            EmailToken.purpose == purpose,
            EmailToken.used_at.is_(None),
            EmailToken.expires_at > now,
        )
        .values(used_at=now)
        .returning(EmailToken.user_id)
    )
    user_id = result.scalar_one_or_none()
    if user_id is None:
        existing = (
            await session.execute(
                select(EmailToken).where(EmailToken.token_hash == token_hash, EmailToken.purpose == purpose)
            )
        ).scalar_one_or_none()
        if existing is None:
            raise InvalidLink("This link is not valid. Check that you copied the whole link.")
        if existing.used_at is not None:
            raise InvalidLink("This link has already been used or replaced by a newer one.")
        raise InvalidLink("This link has expired. Request a new one.")
    user = await session.get_one(User, user_id)
    return user


@dataclass(frozen=True)
class EmailConfirmation:
    user: User
    newly: bool
    """This link confirmed the address; False when it was confirmed before (a link opened twice)."""


async def verify_email(session: AsyncSession, token: str) -> EmailConfirmation:
    """Confirm the address a verification link was sent for. A spent or expired link of an
    address that is confirmed says so rather than failing: people open the email twice."""
    try:
        user = await _consume_email_token(session, token, EmailTokenPurpose.VERIFY_EMAIL)
    except InvalidLink:
        confirmed = await _confirmed_owner(session, token)
        if confirmed is None:
            raise
        return EmailConfirmation(confirmed, newly=False)
    if user.email_verified_at is not None:
        return EmailConfirmation(user, newly=False)
    user.email_verified_at = utcnow()
    record(session, Event.EMAIL_VERIFIED, user.id)
    return EmailConfirmation(user, newly=True)


async def _confirmed_owner(session: AsyncSession, token: str) -> User | None:
    statement = (
        select(User)
        .join(EmailToken, EmailToken.user_id == User.id)
        .where(
            EmailToken.token_hash == security.hash_token(token),
            EmailToken.purpose == EmailTokenPurpose.VERIFY_EMAIL,
            User.email_verified_at.is_not(None),
        )
    )
    return (await session.execute(statement)).scalar_one_or_none()


def may_sign_in_by_link(user: User) -> bool:
    """Whether confirming the address may also sign its owner in: not an account that needs a
    second step, a new password, or is suspended or being deleted (they sign in with the form)."""
    return (
        user.is_active
        and not user.has_second_factor
        and not user.deletion_pending
        and user.password_reset_required_at is None
    )


async def authenticate(
    session: AsyncSession,
    settings: Settings,
    store: KeyValueStore,
    email: str,
    password: str,
    ip: str,
    code: str | None = None,
    *,
    restoring: bool = False,
) -> User:
    """Check credentials of a sign-in from address `ip`, throttled as accounts/lockout.py
    explains: the password, then (for an account with two-step verification) `code`. Failures
    count whether or not an account has the email, so the answer never reveals which emails are
    registered; a wrong code counts as a failure too. An account being deleted is refused with
    AccountPendingDeletion once the password is right, unless `restoring` it (privacy/service.py)."""
    email = normalise_email(email)
    attempt = await LoginAttempt.start(store, settings, email, ip)
    await attempt.check()
    user = await find_user_by_email(session, email)
    if not await security.verify_password_off_loop(user.password_hash if user else None, password) or user is None:
        await attempt.failed()
        raise Unauthenticated(BAD_CREDENTIALS)
    _check_active(session, user, restoring=restoring)
    if user.has_second_factor:
        await _check_code(session, settings, attempt, user, code)
    await attempt.succeeded()
    if security.password_needs_rehash(user.password_hash):
        user.password_hash = await security.hash_password_off_loop(password)
    return user


async def authenticate_code(
    session: AsyncSession, settings: Settings, store: KeyValueStore, email: str, code: str, ip: str
) -> User:
    """The second step of a sign-in whose password was right moments ago (the login page's
    signed challenge vouches for it): the code, throttled like a password."""
    attempt = await LoginAttempt.start(store, settings, normalise_email(email), ip)
    await attempt.check()
    user = await find_user_by_email(session, email)
    if user is None or not user.has_second_factor:
        raise Unauthenticated("This sign-in has expired. Please log in again.")
    _check_active(session, user)
    await _check_code(session, settings, attempt, user, code)
    await attempt.succeeded()
    return user


def _check_active(session: AsyncSession, user: User, *, restoring: bool = False) -> None:
    if user.deletion_pending:
        if restoring:
            return
        # Not the suspension message: the owner is told when it becomes final and how to undo it.
        raise AccountPendingDeletion(
            deletion_message(user), deletion_due_at=_due(user).isoformat(), restorable=deletion_restorable(user)
        )
    if not user.is_active and user.suspended_until is not None and user.suspended_until <= utcnow():
        lift_suspension(session, user, None, "suspension ended")  # before the periodic run did
    if not user.is_active:
        raise Forbidden(suspension_message(user))
    if user.password_reset_required_at is not None:
        raise PasswordResetRequired()  # only ever after the right password: it tells a guesser nothing


async def _check_code(
    session: AsyncSession, settings: Settings, attempt: LoginAttempt, user: User, code: str | None
) -> None:
    if code is None or not code.strip():
        raise second_factor.CodeRequired()
    if not await second_factor.check(session, settings, user, code):
        await attempt.failed()
        raise second_factor.CodeRefused()


def account_state(user: User) -> dict[str, object]:
    """What the audit log keeps of an account before and after a change to it."""
    return {
        "is_active": user.is_active,
        "suspended_until": user.suspended_until.isoformat() if user.suspended_until else None,
        "suspension_reason": user.suspension_reason,
        "staff_role": user.staff_role.value if user.staff_role else None,
        "email_verified": user.email_verified,
        "deletion_due_at": user.deletion_due_at.isoformat() if user.deletion_due_at else None,
        "password_reset_required": user.password_reset_required_at is not None,
    }


def lift_suspension(session: AsyncSession, user: User, actor: User | None, reason: str | None) -> None:
    """Let a suspended account in again (`actor` None: its end came), in the audit log."""
    before = account_state(user)
    user.is_active, user.suspended_until, user.suspension_reason = True, None, None
    audit.record(
        session, actor, "user.reinstate", "user", user.id, reason=reason, before=before, after=account_state(user)
    )


def suspension_message(user: User) -> str:
    """What a suspended person reads when they try to log in: why, and until when."""
    ends = user.suspended_until
    until = f" until {moment_text(ends)} (Nassau time)" if ends else ""
    reason = f" Reason: {user.suspension_reason}" if user.suspension_reason else ""
    return f"This account is suspended{until}.{reason} Contact support if you think this is a mistake."


def _due(user: User) -> datetime:
    assert user.deletion_due_at is not None  # set with deletion_requested_at, until the erasure
    return user.deletion_due_at


def deletion_restorable(user: User, now: datetime | None = None) -> bool:
    """Whether the owner may still take the deletion back: not after staff deleted the account,
    nor once its grace period is over."""
    return user.deletion_pending and not user.deleted_by_staff and _due(user) > (now or utcnow())


def deletion_message(user: User) -> str:
    """What the owner of an account being deleted reads when they try to log in."""
    final = f"{day_text(_due(user))} (Nassau time)"
    if user.deleted_by_staff:
        return (
            f"This account was deleted by our staff and will be erased on {final}. It cannot be "
            "restored by signing in. Contact support if you think this is a mistake."
        )
    if not deletion_restorable(user):
        return "This account's deletion is final: it is being erased and can no longer be restored."
    return f"You asked to delete this account. It will be erased on {final}; until then you can restore it."


async def _issue_tokens(session: AsyncSession, settings: Settings, auth_session: AuthSession) -> IssuedTokens:
    refresh_token = security.random_token()
    session.add(
        RefreshToken(
            session_id=auth_session.id,
            token_hash=security.hash_token(refresh_token),
            expires_at=utcnow() + timedelta(days=settings.refresh_token_ttl_days),
        )
    )
    access_token, expires_in = security.encode_access_token(
        settings, user_id=str(auth_session.user_id), session_id=str(auth_session.id)
    )
    return IssuedTokens(auth_session, access_token, expires_in, refresh_token)


async def start_session(
    session: AsyncSession, settings: Settings, user: User, client: ClientInfo, *, second_factor: bool = False
) -> NewLogin:
    """`second_factor`: the sign-in was confirmed with a code (the staff area may need it).
    The account's last login is the start of its newest session."""
    first = user.last_login_at is None
    user.last_login_at = utcnow()
    cookie_secret = security.random_token()
    auth_session = AuthSession(
        id=uuid.uuid4(),
        user_id=user.id,
        cookie_secret_hash=security.hash_token(cookie_secret),
        expires_at=utcnow() + timedelta(days=settings.session_ttl_days),
        user_agent=client.user_agent[:400],
        ip_address=client.ip_address[:64],
        second_factor_at=utcnow() if second_factor else None,
    )
    session.add(auth_session)
    await session.flush()
    record(session, Event.LOGGED_IN, user.id)
    tokens = await _issue_tokens(session, settings, auth_session)
    return NewLogin(tokens=tokens, cookie_value=f"{auth_session.id.hex}.{cookie_secret}", first=first)


@functools.cache
def _live_session_query() -> Select[AuthSession, User]:
    """Built once, with the id as a parameter: every signed-in request runs it."""
    by_id = AuthSession.id == bindparam("session_id", type_=Uuid)
    return select(AuthSession, User).join(User, User.id == AuthSession.user_id).where(by_id)


async def _load_live_session(session: AsyncSession, session_id: uuid.UUID) -> tuple[AuthSession, User] | None:
    row = (await session.execute(_live_session_query(), {"session_id": session_id})).one_or_none()
    if row is None:
        return None
    auth_session, user = row
    now = utcnow()
    if auth_session.revoked_at is not None or auth_session.expires_at <= now or not user.is_active:
        return None
    if user.staff_role is not None and now - auth_session.last_seen_at > STAFF_IDLE:
        return None  # a staff session left alone for half a day has ended
    if now - auth_session.last_seen_at > _TOUCH_INTERVAL:
        if auth_session.last_seen_at.date() != now.date():
            record(session, Event.VISITED, user.id)  # the first request of their day
        auth_session.last_seen_at = now
    return auth_session, user


async def resolve_cookie(session: AsyncSession, cookie_value: str) -> tuple[AuthSession, User] | None:
    session_hex, _, secret = cookie_value.partition(".")
    try:
        session_id = uuid.UUID(hex=session_hex)
    except ValueError:
        return None
    live = await _load_live_session(session, session_id)
    if live is None or live[0].cookie_secret_hash is None:
        return None
    if not security.constant_time_equal(live[0].cookie_secret_hash, security.hash_token(secret)):
        return None
    return live


async def resolve_access_token(
    session: AsyncSession, settings: Settings, token: str
) -> tuple[AuthSession, User] | None:
    try:
        claims = security.decode_access_token(settings, token)
        session_id = uuid.UUID(claims.session_id)
    except (security.InvalidToken, ValueError):
        return None
    live = await _load_live_session(session, session_id)
    if live is None or str(live[1].id) != claims.user_id:
        return None
    return live


async def refresh(session: AsyncSession, settings: Settings, refresh_token: str) -> tuple[IssuedTokens, User]:
    """Rotate a refresh token. Presenting one that was already spent means it leaked: the
    whole session (its family) is revoked."""
    now = utcnow()
    token_hash = security.hash_token(refresh_token)
    spent = await session.execute(
        update(RefreshToken)
        .where(RefreshToken.token_hash == token_hash, RefreshToken.used_at.is_(None), RefreshToken.expires_at > now)
        .values(used_at=now)
        .returning(RefreshToken.session_id)
    )
    session_id = spent.scalar_one_or_none()
    if session_id is None:
        reused = (
            await session.execute(select(RefreshToken).where(RefreshToken.token_hash == token_hash))
        ).scalar_one_or_none()
        if reused is not None and reused.used_at is not None:
            await revoke_session_by_id(session, reused.session_id)
            error = Unauthenticated("This refresh token was already used. For your safety the session was signed out.")
            error.keep_changes = True
            raise error
        raise Unauthenticated("This refresh token is not valid. Please log in again.")
    live = await _load_live_session(session, session_id)
    if live is None:
        raise Unauthenticated("This session has ended. Please log in again.")
    auth_session, user = live
    return await _issue_tokens(session, settings, auth_session), user


async def revoke_session_by_id(session: AsyncSession, session_id: uuid.UUID) -> None:
    await session.execute(
        update(AuthSession)
        .where(AuthSession.id == session_id, AuthSession.revoked_at.is_(None))
        .values(revoked_at=utcnow())
    )


async def revoke_all_sessions(session: AsyncSession, user_id: uuid.UUID) -> None:
    await session.execute(
        update(AuthSession)
        .where(AuthSession.user_id == user_id, AuthSession.revoked_at.is_(None))
        .values(revoked_at=utcnow())
    )


async def list_sessions(session: AsyncSession, user_id: uuid.UUID) -> list[AuthSession]:
    result = await session.execute(
        select(AuthSession)
        .where(AuthSession.user_id == user_id, AuthSession.revoked_at.is_(None), AuthSession.expires_at > utcnow())
        .order_by(AuthSession.last_seen_at.desc())
        .limit(50)
    )
    return list(result.scalars())


def request_password_reset(session: AsyncSession, email: str) -> None:
    """Email a reset link when the account exists; say nothing either way. The lookup happens
    in the background (accounts/tasks.py), so the request does the same work for every email
    and its timing tells nothing."""
    tasks.defer(session, send_password_reset, email=normalise_email(email))


async def password_reset_email(session: AsyncSession, settings: Settings, email: str) -> OutgoingEmail | None:
    """The reset email for `email`'s account, with a new link, or None when there is no active
    account to send it to."""
    user = await find_user_by_email(session, email)
    if user is None or not user.is_active:
        return None
    ttl = timedelta(minutes=settings.password_reset_ttl_minutes)
    token = await _issue_email_token(session, user, EmailTokenPurpose.RESET_PASSWORD, ttl)
    return emails.password_reset(settings, user, token)


async def reset_password(
    session: AsyncSession, settings: Settings, store: KeyValueStore, token: str, new_password: str
) -> User:
    """Set a new password with an emailed link; whoever holds the inbox is the owner, so every
    sign-in lock of the account is lifted too."""
    token_hash = security.hash_token(token)
    owner = (
        await session.execute(
            select(User).join(EmailToken, EmailToken.user_id == User.id).where(EmailToken.token_hash == token_hash)
        )
    ).scalar_one_or_none()
    # Check the password first so a typo does not burn the link.
    if owner is not None:
        _check_password(new_password, owner.email, "new_password")
    user = await _consume_email_token(session, token, EmailTokenPurpose.RESET_PASSWORD)
    await _set_password(session, settings, user, new_password)
    user.password_reset_required_at = None  # the reset staff asked for is done
    await lift_locks(store, settings, user.email)
    # Whoever could read the reset email controls the inbox, so it counts as verified.
    if user.email_verified_at is None:
        user.email_verified_at = utcnow()
        record(session, Event.EMAIL_VERIFIED, user.id)
    return user


async def change_password(session: AsyncSession, settings: Settings, user: User, current: str, new: str) -> None:
    if not await security.verify_password_off_loop(user.password_hash, current):
        # A well-formed request that the account refuses: 403 (not 422), naming the field.
        message = "Your current password is not correct."
        raise Forbidden(message, fields={"current_password": message})
    _check_password(new, user.email, "new_password")
    await _set_password(session, settings, user, new)


async def _set_password(session: AsyncSession, settings: Settings, user: User, new_password: str) -> None:
    user.password_hash = await security.hash_password_off_loop(new_password)
    await revoke_all_sessions(session, user.id)
    defer_email(session, emails.password_changed(settings, user))


async def update_user(session: AsyncSession, user: User, data: UserUpdateIn) -> User:
    for field in data.model_fields_set:
        value = getattr(data, field)
        if value is not None:
            setattr(user, field, value)
    await session.flush()
    forget_after_commit(session, user.username)  # names show on the public profile
    return user


async def get_user(session: AsyncSession, user_id: uuid.UUID) -> User | None:
    return await session.get(User, user_id)
