"""Job alerts: saved searches, the instant and daily alert emails, one-click unsubscribe."""
