"""Legal: the Terms of Service, Privacy, Cookie and Refund policies, and members' acceptance of
the terms' current version."""
