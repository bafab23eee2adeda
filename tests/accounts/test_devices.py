"""Where you are signed in: each session's device by name, read from its user agent."""

from __future__ import annotations

import httpx
import pytest

from hiremebahamas.accounts.devices import device_name
from tests.helpers import PASSWORD, register, submit

ANDROID_CHROME = (
    "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/131.0.0.0 Mobile Safari/537.36"
)
IPHONE_SAFARI = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
    "Version/17.5 Mobile/15E148 Safari/604.1"
)
MAC_SAFARI = (
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) "
    "Version/17.5 Safari/605.1.15"
)
WINDOWS_EDGE = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/131.0.0.0 Safari/537.36 Edg/131.0.2903.86"
)


@pytest.mark.parametrize(
    ("user_agent", "name"),
    [
        (ANDROID_CHROME, "Chrome on Android"),
        (IPHONE_SAFARI, "Safari on iOS"),
        (MAC_SAFARI, "Safari on macOS"),
        (WINDOWS_EDGE, "Edge on Windows"),
        ("curl/8.5.0", "curl"),
        ("python-httpx/0.28.1", "Unknown device"),
        ("", "Unknown device"),
        ("\x00\x1b[31m", "Unknown device"),
    ],
)
def test_a_user_agent_reads_as_a_browser_on_a_system(user_agent: str, name: str) -> None:
    assert device_name(user_agent) == name


async def test_the_account_page_names_each_device_not_its_raw_user_agent(client: httpx.AsyncClient) -> None:
    await register(client)
    client.headers["user-agent"] = ANDROID_CHROME
    assert (await submit(client, "/login", {"email": "ann@example.com", "password": PASSWORD})).status_code == 303
    client.headers["user-agent"] = WINDOWS_EDGE
    page = await client.get("/account")
    assert "Chrome on Android" in page.text
    assert "Pixel 8" not in page.text
