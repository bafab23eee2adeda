"""Demo data: realistic, deterministic accounts, jobs, posts and conversations in bulk, for
demos (`make demo`) and benchmarks (`hiremebahamas demo-data --size large`).

Every demo account signs in with `DEMO_PASSWORD` at `<username>@demo.hiremebahamas.com`: these
accounts must never exist in production, and the command refuses to run there.
"""

DEMO_PASSWORD = "hiremebahamas-demo"  # noqa: S105 - published on purpose: demo accounts only
DEMO_EMAIL_DOMAIN = "demo.hiremebahamas.com"

__all__ = ["DEMO_EMAIL_DOMAIN", "DEMO_PASSWORD"]
