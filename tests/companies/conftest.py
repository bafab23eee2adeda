"""The marketplace fixtures (employer, company, seeker, rival) from tests/jobs."""

from tests.jobs.conftest import company, employer, rival, seeker

__all__ = ["company", "employer", "rival", "seeker"]
