"""Job postings: posting, editing and featuring a job, its card and page, "jobs for you"."""
