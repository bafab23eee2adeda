"""Companies, their teams and their logos.

Logos are a handful of small generated PNGs stored through the uploads service (the same
checks, re-encoding, thumbnail and storage keys as an upload from the browser), shared by all
companies: cheap at any size, and every /media URL works.
"""

from __future__ import annotations

import io
import random
import uuid

from PIL import Image, ImageDraw
from sqlalchemy.ext.asyncio import AsyncSession

from hiremebahamas.companies.slugs import slugify
from hiremebahamas.config import Settings
from hiremebahamas.core.storage import Storage
from hiremebahamas.demo.ids import at, uuid7_at
from hiremebahamas.demo.people import EMPLOYER, fill, island
from hiremebahamas.demo.words import BIO_SENTENCES, COMPANY_FIRST, COMPANY_KIND, COMPANY_SECOND
from hiremebahamas.demo.world import DAY, World
from hiremebahamas.models import Company, CompanyMember, CompanyRole, UploadPurpose, User
from hiremebahamas.uploads.service import UploadIn, create_upload

LOGOS = 12
LOGO_SIZE = 256
# The Business plan's team seats: an owner and up to four members.
TEAM_SIZE = 5


def logo_png(rng: random.Random) -> bytes:
    """A flat colour with a contrasting disc and bar: distinct enough to tell companies apart."""
    background = tuple(rng.randrange(40, 220) for _ in range(3))
    accent = tuple(255 - channel for channel in background)
    image = Image.new("RGB", (LOGO_SIZE, LOGO_SIZE), background)
    draw = ImageDraw.Draw(image)
    inset = rng.randrange(30, 70)
    draw.ellipse((inset, inset, LOGO_SIZE - inset, LOGO_SIZE - inset), fill=accent)
    bar = rng.randrange(90, 160)
    draw.rectangle((0, bar, LOGO_SIZE, bar + rng.randrange(12, 36)), fill=background)
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    return buffer.getvalue()


async def load_companies(world: World, session: AsyncSession, storage: Storage, settings: Settings) -> None:
    rng, people, companies = world.rng, world.people, world.companies
    employers = [i for i in range(len(people)) if people.employer[i] and i != EMPLOYER]
    rng.shuffle(employers)
    count = min(world.sizes.companies, len(employers) + 1)
    owners = [EMPLOYER, *employers[: count - 1]]
    teams = [[owner] for owner in owners]
    for member in employers[count - 1 :]:
        team = teams[rng.randrange(count)]
        if len(team) < TEAM_SIZE and rng.random() < 0.7:
            team.append(member)
    logos: list[uuid.UUID] = []
    await world.writer.drain()  # the session below shares the connection with the COPY in flight
    for k in range(min(LOGOS, count)):
        owner = User(id=people.ids[owners[k]])
        new = UploadIn(UploadPurpose.COMPANY_LOGO, logo_png(rng), f"logo-{k + 1}.png")
        logos.append((await create_upload(session, storage, settings, owner, new)).id)
    columns = ["id", "slug", "name", "logo_upload_id", "website", "island", "about", "created_at", "updated_at"]
    sink = world.writer.sink(Company, columns, count)
    members = world.writer.sink(CompanyMember, ["company_id", "user_id", "role", "created_at"], sum(map(len, teams)))
    for k, team in enumerate(teams):
        name = f"{rng.choice(COMPANY_FIRST)} {rng.choice(COMPANY_SECOND)} {rng.choice(COMPANY_KIND)}"
        base = slugify(name, max_length=50, fallback="company")
        slug, n = base, 1
        while slug in world.taken_slugs:
            n += 1
            slug = f"{base}-{n}"
        world.taken_slugs.add(slug)
        founded = people.joined[team[0]] + rng.uniform(0, DAY)
        home = island(rng)
        company_id = uuid7_at(rng, founded)
        about = f"{name} — {fill(rng, '{title}s and {skill} on {island}.')} {rng.choice(BIO_SENTENCES)}"
        logo = logos[k % len(logos)] if logos and rng.random() < 0.9 else None
        website = f"https://{slug}.example.com" if rng.random() < 0.7 else ""
        await sink.put((company_id, slug, name, logo, website, home.value, about, at(founded), at(founded)))
        for position, person in enumerate(team):
            role = CompanyRole.OWNER if position == 0 else CompanyRole.MEMBER
            joined = max(founded, people.joined[person]) + rng.uniform(0, DAY)
            await members.put((company_id, people.ids[person], role.value, at(joined)))
        companies.ids.append(company_id)
        companies.names.append(name)
        companies.islands.append(home)
        companies.teams.append(team)
    await sink.close()
    await members.close()
