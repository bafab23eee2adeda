"""The network between people: follows and blocks."""
