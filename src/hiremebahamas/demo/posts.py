"""The feed: posts (a few people write most of them, more of them lately), their likes and
comments. `like_count` and `comment_count` are drawn first and then exactly that many likes
and comments are made, so the counters on every post match its rows."""

from __future__ import annotations

import math

from hiremebahamas.billing.entitlements import Metric
from hiremebahamas.billing.tiers import SEED, tier_by_code
from hiremebahamas.demo.ids import at, uuid7_at
from hiremebahamas.demo.people import fill
from hiremebahamas.demo.words import COMMENTS, POST_BODIES, POST_OPENERS, POST_TAGS
from hiremebahamas.demo.world import DAY, HISTORY, World
from hiremebahamas.models import Comment, Post, PostLike, TierCode

LIKE_NOTIFIED = 0.05
COMMENT_NOTIFIED = 0.5
# Posts per month on the Free plan (its authors post less this month, as the app would refuse more).
FREE_POSTS = tier_by_code(list(SEED), TierCode.FREE).posts_per_month or 0


def skewed_count(world: World, mean: float, cap: int) -> int:
    """Most posts get none or a few, some get hundreds (Pareto, shape 1.5, with this mean)."""
    return min(cap, int((world.rng.paretovariate(1.5) - 1) * mean / 2 + 0.5))


def _over_free_limit(world: World, author: int, moment: float) -> bool:
    if moment < world.month_start or world.people.tier[author] != TierCode.FREE:
        return False
    return world.usage.get((author, Metric.POSTS.value), 0) >= FREE_POSTS


def _body(world: World) -> str:
    rng = world.rng
    text = f"{rng.choice(POST_OPENERS)} {fill(rng, rng.choice(POST_BODIES))}"
    if rng.random() < 0.4:
        text += " " + " ".join(rng.sample(POST_TAGS, rng.randint(1, 3)))
    return text


async def load_posts(world: World) -> None:
    rng, people, posts, now = world.rng, world.people, world.posts, world.now
    total = world.sizes.posts
    start = now - HISTORY
    like_mean = world.sizes.likes / max(1, total)
    comment_mean = world.sizes.comments / max(1, total)
    columns = ["id", "author_id", "body", "image_upload_id", "like_count", "comment_count", "created_at", "edited_at"]
    sink = world.writer.sink(Post, columns, total)
    for i in range(total):
        # In time order (denser toward today), so ids and the time index grow as in real life.
        moment = start + HISTORY * math.sqrt((i + rng.random()) / total)
        author = world.active_person(world.joined_by(moment))
        for _ in range(5):
            if not _over_free_limit(world, author, moment):
                break
            author = world.active_person(world.joined_by(moment))
        else:
            moment = rng.uniform(max(start, people.joined[author]), world.month_start)
        world.count_usage(author, Metric.POSTS.value, moment)
        likes = skewed_count(world, like_mean, len(people) - 1)
        comments = skewed_count(world, comment_mean, 500)
        post_id = uuid7_at(rng, moment)
        edited = at(moment + rng.uniform(60, DAY)) if rng.random() < 0.03 else None
        await sink.put((post_id, people.ids[author], _body(world), None, likes, comments, at(moment), edited))
        posts.ids.append(post_id)
        posts.authors.append(author)
        posts.times.append(moment)
        posts.likes.append(likes)
        posts.comments.append(comments)
    await sink.close()


def _reaction_time(world: World, posted: float) -> float:
    """Soon after the post, mostly within a couple of days, never in the future."""
    return min(world.now, posted + world.rng.expovariate(1 / (2 * DAY)))


async def load_likes(world: World) -> None:
    people, posts = world.people, world.posts
    sink = world.writer.sink(PostLike, ["post_id", "user_id", "created_at"], sum(posts.likes))
    rng = world.rng
    for i, post_id in enumerate(posts.ids):
        if not posts.likes[i]:
            continue
        author, posted = posts.authors[i], posts.times[i]
        for liker in sorted(world.distinct_active(posts.likes[i], exclude=author)):
            moment = _reaction_time(world, posted)
            await sink.put((post_id, people.ids[liker], at(moment)))
            if rng.random() < LIKE_NOTIFIED:
                await world.notify(author, liker, "post.liked", {"post_id": str(post_id)}, moment)
    await sink.close()


async def load_comments(world: World) -> None:
    rng, people, posts = world.rng, world.people, world.posts
    columns = ["id", "post_id", "author_id", "body", "created_at"]
    sink = world.writer.sink(Comment, columns, sum(posts.comments))
    for i, post_id in enumerate(posts.ids):
        author, posted = posts.authors[i], posts.times[i]
        for _ in range(posts.comments[i]):
            commenter = world.active_person()
            moment = _reaction_time(world, posted)
            comment_id = uuid7_at(rng, moment)
            await sink.put((comment_id, post_id, people.ids[commenter], rng.choice(COMMENTS), at(moment)))
            if rng.random() < COMMENT_NOTIFIED:
                data = {"post_id": str(post_id), "comment_id": str(comment_id)}
                await world.notify(author, commenter, "post.commented", data, moment)
    await sink.close()
