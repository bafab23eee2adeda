"""Follow and block answers for the JSON API."""

from __future__ import annotations

from pydantic import BaseModel


class FollowStateOut(BaseModel):
    """After a follow or unfollow: whether you follow them now, and their counts."""

    username: str
    following: bool
    followers_count: int
    following_count: int


class BlockStateOut(BaseModel):
    username: str
    blocked: bool
