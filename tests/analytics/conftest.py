from tests.jobs.conftest import company, employer, seeker
from tests.staff.conftest import people

__all__ = ["company", "employer", "people", "seeker"]
