"""Every model, imported here so that `Base.metadata` knows all tables (Alembic, tests)."""

from hiremebahamas.models.auth import AuthSession, EmailToken, EmailTokenPurpose, RefreshToken
from hiremebahamas.models.base import Base
from hiremebahamas.models.notification import Notification
from hiremebahamas.models.places import Island
from hiremebahamas.models.profile import Education, Experience, Profile, ProfileSkill, ProfileVisibility, Skill
from hiremebahamas.models.social import Block, Comment, Follow, Post, PostLike, Report, ReportStatus, ReportTarget
from hiremebahamas.models.upload import Upload, UploadPurpose
from hiremebahamas.models.user import AccountType, User

__all__ = [
    "AccountType",
    "AuthSession",
    "Base",
    "Block",
    "Comment",
    "Education",
    "EmailToken",
    "EmailTokenPurpose",
    "Experience",
    "Follow",
    "Island",
    "Notification",
    "Post",
    "PostLike",
    "Profile",
    "ProfileSkill",
    "ProfileVisibility",
    "RefreshToken",
    "Report",
    "ReportStatus",
    "ReportTarget",
    "Skill",
    "Upload",
    "UploadPurpose",
    "User",
]
