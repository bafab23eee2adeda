"""Reading URLs someone else wrote (a profile's link, a Referer or Origin header): Python's
`urlsplit` raises ValueError on some of them ("http://[x", "https://a]b": a bracket in the
address part), which must be a refusal or a mismatch, never a server error."""

from __future__ import annotations

from urllib.parse import SplitResult, urlsplit


def split_url(url: str) -> SplitResult | None:
    """The URL's parts, or None when it cannot be read."""
    try:
        return urlsplit(url)
    except ValueError:
        return None


def web_host(url: str) -> str | None:
    """The host of an absolute http(s) URL (lower-case), or None for anything else."""
    parts = split_url(url)
    if parts is None or parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        return None
    return parts.hostname


def origin_of(url: str) -> str:
    """`scheme://host[:port]` of the URL, lower-case; empty when it cannot be read."""
    parts = split_url(url)
    return f"{parts.scheme}://{parts.netloc}".lower() if parts is not None else ""
