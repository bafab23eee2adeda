"""Accounts and who they are: users (seekers and employers), profiles, skills, experience and
education. Every account has the demo password and a `<username>@demo.hiremebahamas.com` email."""

from __future__ import annotations

import random
from datetime import date, timedelta

from sqlalchemy import select

from hiremebahamas.accounts.usernames import slugify, username_problem
from hiremebahamas.demo import DEMO_EMAIL_DOMAIN
from hiremebahamas.demo.ids import at, uuid7_at
from hiremebahamas.demo.words import (
    BIO_SENTENCES,
    CATEGORY_SKILLS,
    CATEGORY_TITLES,
    COMPANY_FIRST,
    COMPANY_KIND,
    DEGREES,
    FIELDS,
    FIRST_NAMES,
    HEADLINES,
    LAST_NAMES,
    SCHOOLS,
    SKILLS,
)
from hiremebahamas.demo.world import DAY, HISTORY, World, cumulative
from hiremebahamas.models import (
    AccountType,
    Education,
    Experience,
    Island,
    Profile,
    ProfileSkill,
    Skill,
    StaffRole,
    User,
)
from hiremebahamas.models.places import ISLAND_LABELS

# Fixed handles for the accounts demos and benchmarks reach for (when free): the most followed
# account, the one following the most people, an employer on a company's team, a job seeker,
# an admin for trying the staff area (demo data is refused in production).
POPULAR, NETWORKER, EMPLOYER, SEEKER, ADMIN = 0, 1, 2, 3, 4
SPECIAL_USERNAMES = {
    POPULAR: "demo-popular",
    NETWORKER: "demo-networker",
    EMPLOYER: "demo-employer",
    SEEKER: "demo-seeker",
    ADMIN: "demo-admin",
}
UNVERIFIED_SHARE = 0.05
# Where people live, roughly by population.
ISLAND_WEIGHTS: dict[Island, float] = {
    Island.NEW_PROVIDENCE: 60, Island.GRAND_BAHAMA: 14, Island.ABACO: 5, Island.ELEUTHERA: 3,
    Island.EXUMA: 2.5, Island.ANDROS: 2, Island.HARBOUR_ISLAND: 1, Island.LONG_ISLAND: 1, Island.BIMINI: 1,
    Island.CAT_ISLAND: 0.5, Island.BERRY_ISLANDS: 0.3, Island.INAGUA: 0.3, Island.SAN_SALVADOR: 0.3,
    Island.MAYAGUANA: 0.2, Island.ACKLINS: 0.2, Island.CROOKED_ISLAND: 0.2, Island.RAGGED_ISLAND: 0.1,
    Island.RUM_CAY: 0.1, Island.REMOTE: 3,
}  # fmt: skip
ISLANDS = list(ISLAND_WEIGHTS)
ISLAND_CUMULATIVE = cumulative(list(ISLAND_WEIGHTS.values()))
ALL_TITLES = [title for titles in CATEGORY_TITLES.values() for title in titles]


def island(rng: random.Random) -> Island:
    return rng.choices(ISLANDS, cum_weights=ISLAND_CUMULATIVE)[0]


def fill(rng: random.Random, template: str) -> str:
    """A template's {title} {skill} {skill2} {island} {years} filled in."""
    return template.format(
        title=rng.choice(ALL_TITLES),
        skill=rng.choice(SKILLS),
        skill2=rng.choice(SKILLS),
        island=ISLAND_LABELS[island(rng)],
        years=rng.randint(2, 20),
    )


def _username(rng: random.Random, first: str, last: str, taken: set[str]) -> str:
    base = slugify(f"{first} {last}")
    candidate = base
    while candidate in taken or username_problem(candidate) is not None:
        candidate = f"{base}-{rng.randint(2, 99_999)}"
    taken.add(candidate)
    return candidate


async def load_skills(world: World) -> None:
    """The shared skill tags, created where missing (an appended load reuses existing ones)."""
    connection = world.writer.connection
    world.skill_ids = dict((await connection.execute(select(Skill.name, Skill.id))).all())
    sink = world.writer.sink(Skill, ["id", "name", "created_at"], len(SKILLS))
    for name in SKILLS:
        if name not in world.skill_ids:
            world.skill_ids[name] = uuid7_at(world.rng, world.now - HISTORY)
            await sink.put((world.skill_ids[name], name, at(world.now - HISTORY)))
    await sink.close()


async def load_users(world: World, terms_version: str) -> None:
    """`terms_version`: the terms in force, which every demo account has accepted (else each
    would be asked to accept them at its first page)."""
    rng, people, count = world.rng, world.people, world.sizes.users
    employers = {EMPLOYER, *rng.sample(range(SEEKER + 1, count), max(0, min(count - 4, world.sizes.employers - 1)))}
    columns = [
        "id", "email", "username", "password_hash", "first_name", "last_name", "account_type", "staff_role",
        "is_active", "email_verified_at", "last_login_at", "created_at", "updated_at", "terms_accepted_version",
    ]  # fmt: skip
    sink = world.writer.sink(User, columns, count)
    start, step = world.now - HISTORY, HISTORY / count
    for i in range(count):
        first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
        username = SPECIAL_USERNAMES.get(i, "")
        if not username or username in world.taken_usernames:
            username = _username(rng, first, last, world.taken_usernames)
        world.taken_usernames.add(username)
        joined = start + (i + rng.random()) * step
        verified = i in SPECIAL_USERNAMES or rng.random() >= UNVERIFIED_SHARE
        weight = rng.paretovariate(1.16)
        if i in (POPULAR, NETWORKER):
            weight = max(weight, 50.0)
        people.ids.append(uuid7_at(rng, joined))
        people.usernames.append(username)
        people.names.append(f"{first} {last}")
        people.joined.append(joined)
        people.employer.append(i in employers)
        people.verified.append(verified)
        people.activity.append(weight)
        last_login = world.now - min(world.now - joined, rng.expovariate(1 / (5 * DAY)) * 50 / (weight + 1))
        account_type = AccountType.EMPLOYER if i in employers else AccountType.JOB_SEEKER
        role = StaffRole.ADMIN.value if i == ADMIN else None
        await sink.put(
            (
                people.ids[i], f"{username}@{DEMO_EMAIL_DOMAIN}", username, world.password_hash, first, last,
                account_type.value, role, True, at(joined + rng.uniform(60, 3 * 3600)) if verified else None,
                at(last_login), at(joined), at(joined), terms_version,
            )
        )  # fmt: skip
    people.activity = cumulative(people.activity)
    await sink.close()


async def load_profiles(world: World) -> None:
    """Everyone has a profile; seekers list more skills, and some say they are available."""
    rng, people = world.rng, world.people
    columns = [
        "user_id", "headline", "bio", "island", "available_for_hire", "visibility", "avatar_upload_id", "links",
        "created_at", "updated_at",
    ]  # fmt: skip
    profiles = world.writer.sink(Profile, columns, len(people))
    skills = world.writer.sink(ProfileSkill, ["user_id", "skill_id"], len(people) * 4)
    experiences = world.writer.sink(
        Experience,
        ["id", "user_id", "title", "company_name", "island", "start_date", "end_date", "description", "created_at"],
        len(people) * 2,
    )
    educations = world.writer.sink(
        Education,
        ["id", "user_id", "school", "degree", "field_of_study", "start_year", "end_year", "created_at"],
        len(people),
    )
    today = date.fromtimestamp(world.now)
    for i, user_id in enumerate(people.ids):
        joined = people.joined[i]
        seeker = not people.employer[i]
        home = island(rng)
        category = rng.choice(list(CATEGORY_SKILLS))
        own = list(CATEGORY_SKILLS[category])
        tags = rng.sample(own, rng.randint(0, min(len(own), 5))) + rng.sample(SKILLS, rng.randint(0, 3))
        headline = fill(rng, rng.choice(HEADLINES)) if rng.random() < 0.85 else ""
        bio = " ".join(rng.sample(BIO_SENTENCES, rng.randint(0, 3)))
        links = (
            [{"label": "Portfolio", "url": f"https://{people.usernames[i]}.example.com"}] if rng.random() < 0.1 else []
        )
        updated = min(world.now, joined + rng.uniform(0, 30 * DAY))
        await profiles.put(
            (
                user_id, headline[:160], bio, home.value, seeker and rng.random() < 0.4,
                "members" if rng.random() < 0.08 else "public", None, links, at(joined), at(updated),
            )
        )  # fmt: skip
        for tag in dict.fromkeys(tags):
            await skills.put((user_id, world.skill_ids[tag]))
        started = today - timedelta(days=rng.randint(365, 365 * 15))
        for _ in range(rng.choices((0, 1, 2, 3), (2, 4, 3, 1))[0]):
            ended = started + timedelta(days=rng.randint(120, 365 * 5))
            current = ended >= today
            await experiences.put(
                (
                    uuid7_at(rng, joined), user_id, rng.choice(CATEGORY_TITLES[category]),
                    f"{rng.choice(COMPANY_FIRST)} {rng.choice(COMPANY_KIND)}", island(rng).value, started,
                    None if current else ended, rng.choice(BIO_SENTENCES), at(joined),
                )
            )  # fmt: skip
            if current:
                break
            started = ended + timedelta(days=rng.randint(0, 120))
        for _ in range(rng.choices((0, 1, 2), (3, 6, 1))[0]):
            end_year = today.year - rng.randint(0, 25)
            await educations.put(
                (
                    uuid7_at(rng, joined), user_id, rng.choice(SCHOOLS), rng.choice(DEGREES), rng.choice(FIELDS),
                    end_year - rng.randint(2, 4), end_year, at(joined),
                )
            )  # fmt: skip
    for sink in (profiles, skills, experiences, educations):
        await sink.close()
