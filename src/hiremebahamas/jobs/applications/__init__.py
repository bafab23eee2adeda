"""Applications and the hiring pipeline: applying, moving an application along, CVs."""
