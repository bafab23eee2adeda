"""The staff area: administration, moderation and trust & safety, for admins and moderators
(`/admin` pages, `/api/admin` JSON), every action written to the audit log."""
