"""Privacy: deleting an account (the right to erasure), by its owner or by staff."""
