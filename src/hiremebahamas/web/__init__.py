"""The HTTP layer shared by every domain: dependencies, page rendering, CSRF, errors, ops routes."""
