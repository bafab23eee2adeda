"""Billing: tiers, subscriptions and the entitlements every gated action asks."""
