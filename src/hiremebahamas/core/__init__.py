"""Infrastructure: database, cache, errors, security, email, tasks, observability. No business rules."""
