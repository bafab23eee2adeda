"""Post text to HTML: escaped first, then links, mentions and hashtags, nothing else."""

from __future__ import annotations

import pytest

from hiremebahamas.posts.rendering import mentioned_usernames, mentions_in, render_text


def test_text_is_escaped_and_line_breaks_kept() -> None:
    html = render_text('<script>alert("x")</script>\n<img src=x onerror=alert(1)> & done')
    assert html == (
        "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;<br>\n&lt;img src=x onerror=alert(1)&gt; &amp; done"
    )


def test_windows_line_breaks_become_one_break() -> None:
    assert render_text("one\r\ntwo") == "one<br>\ntwo"


def test_http_links_are_clickable_with_safe_rel() -> None:
    html = render_text("See https://example.com/jobs?a=1&b=2 now")
    assert html == (
        'See <a href="https://example.com/jobs?a=1&amp;b=2" rel="nofollow noopener ugc">'
        "https://example.com/jobs?a=1&amp;b=2</a> now"
    )


@pytest.mark.parametrize(
    ("text", "url"),
    [
        ("Read http://example.com.", "http://example.com"),
        ("(see https://example.com/a)", "https://example.com/a"),
        (
            "https://en.wikipedia.org/wiki/Nassau_(Bahamas), the capital",
            "https://en.wikipedia.org/wiki/Nassau_(Bahamas)",
        ),
        ("Apply: HTTPS://EXAMPLE.COM/X!", "HTTPS://EXAMPLE.COM/X"),
    ],
)
def test_trailing_punctuation_is_not_part_of_the_link(text: str, url: str) -> None:
    assert f'<a href="{url}" rel="nofollow noopener ugc">{url}</a>' in render_text(text)


@pytest.mark.parametrize(
    "text",
    [
        "javascript:alert(document.cookie)",
        "JaVaScRiPt:alert(1)",
        "data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==",
        "vbscript:msgbox(1)",
        "https://",
        "ftp://files.example.com/cv.pdf",
    ],
)
def test_other_schemes_are_never_linked(text: str) -> None:
    assert "<a" not in render_text(text)


def test_quotes_cannot_break_out_of_the_href() -> None:
    html = render_text('https://example.com/"onmouseover="alert(1) and https://x.example/\'a')
    assert 'href="https://example.com/"' in html
    assert "onmouseover=&#34;alert(1)" in html
    assert 'onmouseover="' not in html
    assert 'href="https://x.example/"' in html


def test_javascript_prefix_before_a_real_url_stays_text() -> None:
    html = render_text("javascript:alert(1)//https://example.com")
    assert html.startswith('javascript:alert(1)//<a href="https://example.com"')


def test_mentions_link_only_known_usernames() -> None:
    html = render_text("Thanks @Ann-Rolle and @ghost!", {"ann-rolle"})
    assert html == 'Thanks <a class="mention" href="/u/ann-rolle">@Ann-Rolle</a> and @ghost!'


def test_mention_text_is_escaped_around_links() -> None:
    html = render_text("<b>@ann</b>", {"ann"})
    assert html == '&lt;b&gt;<a class="mention" href="/u/ann">@ann</a>&lt;/b&gt;'


@pytest.mark.parametrize(
    ("text", "names"),
    [
        ("hi @ann-rolle, and @bob.", {"ann-rolle", "bob"}),
        ("mail ann@example.com", set()),
        ("https://example.com/@ann", set()),
        ("@@ann @ann_b @-x @x-", set()),
        ("@" + "a" * 31, set()),
        ("@a--b", set()),
        ("(@ann)", {"ann"}),
    ],
)
def test_mentioned_usernames(text: str, names: set[str]) -> None:
    assert mentioned_usernames(text) == names


def test_mentions_in_many_texts() -> None:
    assert mentions_in(["@ann", "@bob and @ann", "none"]) == {"ann", "bob"}


def test_mentions_inside_urls_are_not_linked() -> None:
    html = render_text("https://example.com/@ann", {"ann"})
    assert 'href="/u/ann"' not in html


def test_hashtags_link_to_a_job_search_for_the_word() -> None:
    html = render_text("We are #hiring a #Bookkeeper, @ann!", {"ann"})
    assert html == (
        'We are <a class="hashtag" href="/jobs?q=hiring">#hiring</a> a '
        '<a class="hashtag" href="/jobs?q=Bookkeeper">#Bookkeeper</a>, <a class="mention" href="/u/ann">@ann</a>!'
    )


@pytest.mark.parametrize(
    "text",
    ["#1 employer", "C# developer", "a##b", "https://example.com/#top", "&#39;", "#_x", "mail#tag"],
)
def test_what_is_not_a_hashtag(text: str) -> None:
    assert 'class="hashtag"' not in render_text(text)


def test_hashtag_text_is_escaped_and_accents_kept() -> None:
    assert render_text("#café<b>") == '<a class="hashtag" href="/jobs?q=caf%C3%A9">#café</a>&lt;b&gt;'
