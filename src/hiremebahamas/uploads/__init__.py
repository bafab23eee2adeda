"""Uploaded files: pictures and CVs, checked by content, kept in private storage."""
