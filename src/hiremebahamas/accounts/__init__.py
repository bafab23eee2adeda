"""Accounts: registration, email verification, sign-in sessions and passwords."""
