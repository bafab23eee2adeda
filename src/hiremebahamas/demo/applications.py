"""Applications through every stage of the pipeline, each with its history of moves
(`ApplicationEvent`) and the notifications the app sends on each: the team hears of new
applications and withdrawals, the applicant of every move."""

from __future__ import annotations

from hiremebahamas.demo.ids import at, uuid7_at
from hiremebahamas.demo.people import fill
from hiremebahamas.demo.words import COVER_LETTERS
from hiremebahamas.demo.world import DAY, World, cumulative
from hiremebahamas.jobs.applications.service import EMPLOYER_MOVES, PIPELINE
from hiremebahamas.models import ApplicationEvent, ApplicationStatus, JobApplication

S = ApplicationStatus
# Where applications end up: (final status, how often).
OUTCOMES = (
    (S.APPLIED, 30), (S.REVIEWING, 18), (S.INTERVIEW, 10), (S.OFFER, 4), (S.HIRED, 6), (S.REJECTED, 24),
    (S.WITHDRAWN, 8),
)  # fmt: skip
_OUTCOME_WEIGHTS = cumulative([weight for _, weight in OUTCOMES])
_EVENT_COLUMNS = ["id", "application_id", "actor_id", "from_status", "to_status", "created_at"]


def _path(world: World, outcome: ApplicationStatus) -> list[ApplicationStatus]:
    """The statuses from applied to `outcome`, each a move the app allows."""
    if outcome in PIPELINE:
        return list(PIPELINE[: PIPELINE.index(outcome) + 1])
    # Rejected or withdrawn at any stage from applied to offer.
    path = [*PIPELINE[: world.rng.randint(1, 4)], outcome]
    assert outcome == S.WITHDRAWN or outcome in EMPLOYER_MOVES[path[-2]]
    return path


async def load_applications(world: World) -> None:
    rng, people, jobs, now = world.rng, world.people, world.jobs, world.now
    if not jobs.ids:
        return
    columns = ["id", "job_id", "applicant_id", "cover_letter", "cv_upload_id", "status", "created_at", "updated_at"]
    total = world.sizes.applications
    applications = world.writer.sink(JobApplication, columns, total)
    events = world.writer.sink(ApplicationEvent, _EVENT_COLUMNS, total * 2, parents=[applications])
    popularity = cumulative([rng.paretovariate(1.3) for _ in jobs.ids])
    seekers = [i for i in range(len(people)) if not people.employer[i] and people.verified[i]]
    applied_to: set[tuple[int, int]] = set()
    outcomes = [status for status, _ in OUTCOMES]
    made = 0
    for _ in range(total * 3):
        if made == total:
            break
        job = rng.choices(range(len(jobs.ids)), cum_weights=popularity)[0]
        applicant = rng.choice(seekers) if seekers else world.active_person()
        team = world.companies.teams[jobs.companies[job]]
        opened, until = jobs.published[job], jobs.until[job]
        start = max(opened, people.joined[applicant])
        if (job, applicant) in applied_to or applicant in team or start >= until:
            continue
        applied_to.add((job, applicant))
        made += 1
        moment = rng.uniform(start, until)
        path = _path(world, rng.choices(outcomes, cum_weights=_OUTCOME_WEIGHTS)[0])
        application_id = uuid7_at(rng, moment)
        applicant_id = people.ids[applicant]
        data = {"job_id": str(jobs.ids[job]), "job_title": jobs.titles[job], "application_id": str(application_id)}
        times = [moment]
        for _ in path[1:]:
            # Each move after the one before, and before now: the history reads in order.
            times.append(times[-1] + min(rng.expovariate(1 / (4 * DAY)), (now - times[-1]) / 2))
        letter = fill(rng, rng.choice(COVER_LETTERS))
        await applications.put(
            (application_id, jobs.ids[job], applicant_id, letter, None, path[-1].value, at(moment), at(times[-1]))
        )
        await events.put((uuid7_at(rng, moment), application_id, applicant_id, None, S.APPLIED.value, at(moment)))
        for member in team:
            await world.notify(member, applicant, "application.created", data, moment)
        for step, status in enumerate(path[1:], start=1):
            withdrawn = status == S.WITHDRAWN
            actor = applicant if withdrawn else rng.choice(team)
            previous, when = path[step - 1], times[step]
            await events.put(
                (uuid7_at(rng, when), application_id, people.ids[actor], previous.value, status.value, at(when))
            )
            if withdrawn:
                for member in team:
                    await world.notify(member, applicant, "application.withdrawn", data, when)
            else:
                await world.notify(
                    applicant, actor, "application.status_changed", {**data, "status": status.value}, when
                )
    applications.set_total(made)
    await applications.close()
    await events.close()
