"""Publishing a job through checkout: a Free employer's Publish keeps the job as a draft, takes
them to pay for Business, and brings them back to the job, which the return publishes.

The way back is `/jobs/<id>/publish?paid=<token>`: the token, keyed to the employer and the
job, says this return comes from the checkout they started for this job, so a link someone
else makes cannot publish a draft behind its owner's back.
"""

from __future__ import annotations

import uuid

from hiremebahamas.config import Settings
from hiremebahamas.core.secrets_box import keyed_hash
from hiremebahamas.core.security import constant_time_equal

_PURPOSE = "publish-after-checkout"


def _token(settings: Settings, user_id: uuid.UUID, job_id: uuid.UUID) -> str:
    return keyed_hash(settings, _PURPOSE, f"{user_id}:{job_id}")


def publish_page(job_id: uuid.UUID) -> str:
    return f"/jobs/{job_id}/publish"


def return_path(settings: Settings, user_id: uuid.UUID, job_id: uuid.UUID) -> str:
    """Where the checkout for publishing this job returns to."""
    return f"{publish_page(job_id)}?paid={_token(settings, user_id, job_id)}"


def is_return_from_checkout(settings: Settings, user_id: uuid.UUID, job_id: uuid.UUID, token: str) -> bool:
    return bool(token) and constant_time_equal(token, _token(settings, user_id, job_id))
