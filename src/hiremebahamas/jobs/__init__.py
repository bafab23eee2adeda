"""Jobs: postings, search, applications and the hiring pipeline, job alerts, SEO."""
