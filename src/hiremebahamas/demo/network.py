"""Who follows whom: a skewed graph. One account is followed by more than half of everyone,
a few more by a tenth to a fifth, one account follows one person in eighteen, and the rest
follow a handful to a few hundred people, mostly the busy ones. Free accounts stay within
their plan's follow limit."""

from __future__ import annotations

from hiremebahamas.billing.tiers import SEED, tier_by_code
from hiremebahamas.demo.ids import at, recent_between
from hiremebahamas.demo.people import NETWORKER, POPULAR
from hiremebahamas.demo.world import World
from hiremebahamas.models import Follow, TierCode

POPULAR_SHARE = 0.55
STAR_SHARES = (0.2, 0.15, 0.12, 0.1)
NETWORKER_SHARE = 0.055
# A Pro account can follow anyone; past this the draw by activity gets slow for little gain.
MAX_REGULAR_FOLLOWS = 2_000
FOLLOW_NOTIFIED = 0.05


def _stars(world: World) -> dict[int, set[int]]:
    """The widely followed accounts (early, busy members) and their followers."""
    rng, count = world.rng, len(world.people)
    early = [i for i in range(2, max(8, count // 50)) if i < count and i != NETWORKER]
    stars = [POPULAR, *rng.sample(early, min(len(STAR_SHARES), len(early)))]
    shares = (POPULAR_SHARE, *STAR_SHARES)
    others = list(range(count))
    return {
        star: set(rng.sample(others, int(count * share))) - {star} for star, share in zip(stars, shares, strict=False)
    }


async def load_follows(world: World) -> None:
    rng, people, now = world.rng, world.people, world.now
    count = len(people)
    stars = _stars(world)
    star_edges = sum(map(len, stars.values()))
    networker_follows = int(count * NETWORKER_SHARE)
    mean = max(0.0, (world.sizes.follows - star_edges - networker_follows) / count)
    free_limit = tier_by_code(list(SEED), TierCode.FREE).follows or count
    sink = world.writer.sink(Follow, ["follower_id", "followee_id", "created_at"], world.sizes.follows)
    for follower in range(count):
        followees = {star for star, fans in stars.items() if follower in fans}
        wanted = networker_follows if follower == NETWORKER else int((rng.paretovariate(1.5) - 1) * mean / 2 + 0.5)
        limit = free_limit if people.tier[follower] == TierCode.FREE else MAX_REGULAR_FOLLOWS
        if follower != NETWORKER:
            wanted = min(wanted, limit - len(followees))
        if wanted > 0:
            followees |= world.distinct_active(wanted, exclude=follower)
        followees.discard(follower)
        for followee in sorted(followees):
            since = recent_between(rng, max(people.joined[follower], people.joined[followee]), now)
            await sink.put((people.ids[follower], people.ids[followee], at(since)))
            if rng.random() < FOLLOW_NOTIFIED:
                await world.notify(
                    followee, follower, "follow.created", {"username": people.usernames[follower]}, since
                )
    await sink.close()
