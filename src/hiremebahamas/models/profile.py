"""Who a person is professionally: profile, skills, experience, education."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from hiremebahamas.models.base import Base, IdMixin, TimestampMixin, str_enum, utcnow
from hiremebahamas.models.places import Island


class ProfileVisibility(StrEnum):
    PUBLIC = "public"
    MEMBERS = "members"


class MessagesFrom(StrEnum):
    """Who may start a conversation with a person or write in one they did not start. Employers
    with an open application on one of their jobs always may (messaging/permissions.py)."""

    EVERYONE = "everyone"
    FOLLOWING = "following"
    """People they follow."""
    NOBODY = "nobody"


class Profile(TimestampMixin, Base):
    __tablename__ = "profiles"
    __table_args__ = (Index("ix_profiles_talent", "available_for_hire", "updated_at"),)

    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    headline: Mapped[str] = mapped_column(String(160), default="")
    bio: Mapped[str] = mapped_column(Text, default="")
    island: Mapped[Island | None] = mapped_column(str_enum(Island), default=None, index=True)
    available_for_hire: Mapped[bool] = mapped_column(default=False)
    visibility: Mapped[ProfileVisibility] = mapped_column(str_enum(ProfileVisibility), default=ProfileVisibility.PUBLIC)
    avatar_upload_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("uploads.id", ondelete="SET NULL"), default=None
    )
    # The CV the apply form offers ("use my CV"); only its owner and the teams it was sent to read it.
    cv_upload_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("uploads.id", ondelete="SET NULL"), default=None)
    # Privacy controls (docs/privacy.md); being in the talent directory is `available_for_hire`.
    messages_from: Mapped[MessagesFrom] = mapped_column(str_enum(MessagesFrom), default=MessagesFrom.EVERYONE)
    # False: the profile page says `noindex` (meta tag and X-Robots-Tag) and is not in the sitemap.
    search_engine_indexing: Mapped[bool] = mapped_column(default=True)
    # False: the people they write with do not see when they read ("Seen", read times).
    read_receipts: Mapped[bool] = mapped_column(default=True)
    # [{"label": "Portfolio", "url": "https://…"}], at most a handful: kept inline.
    links: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)


# PostgreSQL trigram indexes for the talent directory's word search, created by migration 0008
# with raw DDL where pg_trgm is available; the models do not describe them (`managed_by_models`).
TALENT_TEXT_INDEXES = ("ix_users_name_trgm", "ix_profiles_text_trgm")


class Skill(IdMixin, Base):
    """A normalised skill tag ("python", "customer service"), shared by profiles and jobs."""

    __tablename__ = "skills"

    name: Mapped[str] = mapped_column(String(60), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class ProfileSkill(Base):
    __tablename__ = "profile_skills"
    # The people with a skill, newest accounts first (ids are time-ordered): who-to-follow reads
    # a bounded number per skill instead of everyone who has it.
    __table_args__ = (Index("ix_profile_skills_skill_user", "skill_id", "user_id"),)

    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    skill_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("skills.id", ondelete="CASCADE"), primary_key=True)
    # The order the person typed them in (profiles show them so).
    position: Mapped[int] = mapped_column(default=0, server_default="0")


class ProfileViewer(Base):
    """A member looked at someone else's profile on a day (UTC), once however often: the weekly
    digest tells people who viewed them. Kept for VIEWERS_KEPT_DAYS (profiles/viewers.py)."""

    __tablename__ = "profile_viewers"

    # The primary key serves the one question asked: a person's viewers since a day.
    profile_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    day: Mapped[date] = mapped_column(primary_key=True)
    viewer_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True, index=True
    )


class Experience(IdMixin, Base):
    __tablename__ = "experiences"

    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    title: Mapped[str] = mapped_column(String(150))
    company_name: Mapped[str] = mapped_column(String(150))
    island: Mapped[Island | None] = mapped_column(str_enum(Island), default=None)
    start_date: Mapped[date]
    end_date: Mapped[date | None] = mapped_column(default=None)
    description: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Education(IdMixin, Base):
    __tablename__ = "educations"

    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    school: Mapped[str] = mapped_column(String(150))
    degree: Mapped[str] = mapped_column(String(150), default="")
    field_of_study: Mapped[str] = mapped_column(String(150), default="")
    start_year: Mapped[int | None] = mapped_column(default=None)
    end_year: Mapped[int | None] = mapped_column(default=None)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
