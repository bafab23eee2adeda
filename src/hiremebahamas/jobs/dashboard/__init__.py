"""The employer dashboard (/employer and GET /api/employer/dashboard)."""
