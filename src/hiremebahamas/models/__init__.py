"""Every model, imported here so that `Base.metadata` knows all tables (Alembic, tests)."""

from hiremebahamas.models.auth import AuthSession, EmailToken, EmailTokenPurpose, RefreshToken
from hiremebahamas.models.base import Base
from hiremebahamas.models.user import AccountType, User

__all__ = ["AccountType", "AuthSession", "Base", "EmailToken", "EmailTokenPurpose", "RefreshToken", "User"]
