"""Companies: the employer's page and the team that manages its jobs."""
