"""Notifications: what happened that a person should know about."""
