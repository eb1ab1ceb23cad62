"""Hostile and broken feeds: markup that must not survive, XML bombs, wrong encodings, malformed XML,
huge entries and feeds, servers that never answer or trickle, and bad images. A broken entry is
skipped and reported; only a feed that cannot be read at all stops the import (with a clear reason)."""

import io
import time

import feedparser
import pytest
from django.core.management import CommandError

from articles.models import Article, Source
from tests.syndication.commands import run
from tests.syndication.feed_server import FEEDS, image_bytes

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("short_timeouts")]


@pytest.fixture
def wire(section, feed_server):
    return Source.objects.create(
        name="Hostile Wire",
        slug="hostile",
        homepage="https://hostile.example.net/",
        feed_url=feed_server.url("/feed.xml"),
        default_section=section,
    )


def one_item_feed(*, image_url="", body="<p>Text.</p>", link="https://hostile.example.net/1"):
    media = f'<media:content url="{image_url}" medium="image"/>' if image_url else ""
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:media="http://search.yahoo.com/mrss/" xmlns:content="http://purl.org/rss/1.0/modules/content/">
<channel><title>Wire</title><link>https://hostile.example.net/</link><description>d</description>
<item><title>Pictured story</title><link>{link}</link><guid>pic-1</guid>
<content:encoded><![CDATA[{body}]]></content:encoded>{media}</item>
</channel></rss>""".encode()


# --- markup -------------------------------------------------------------------------------------------------


def test_scripts_styles_iframes_handlers_pixels_and_script_links_are_removed(wire, feed_server, client):
    feed_server.serve_feed("/feed.xml", "hostile.xml")
    run("hostile", "--publish")

    story = Article.objects.get(source_guid__endswith="hostile-1")
    assert story.headline == "Budget shock"
    assert story.dek == "Short summary"
    assert story.body == (
        "<p>Intro text.</p>\n"
        "        <p>Styled paragraph</p>\n"
        '        <p><a rel="noopener noreferrer nofollow">Click me</a> and '
        '<a href="https://hostile.example.net/more" rel="noopener noreferrer nofollow">read more</a>.</p>\n'
        "        <p>End.</p>"
    )
    page = client.get(story.get_absolute_url()).content.decode()
    for hostile in ("alert(", "evil.example", "tracker.example", "onerror", "onclick", "onmouseover", "javascript:"):
        assert hostile not in page
    assert "<iframe" not in page and "<svg" not in page and '<form action="https://evil' not in page


def test_an_entry_whose_link_is_a_script_fails_and_the_rest_are_imported(wire, feed_server):
    feed_server.serve_feed("/feed.xml", "hostile.xml")
    output = run("hostile")

    assert not Article.objects.filter(headline="A story with a script link").exists()
    assert Article.objects.filter(headline="A well-behaved story after the bad one").exists()
    assert (
        "failed “A story with a script link”: its link “javascript:alert(document.domain)” "
        "is not a web address (http or https)"
    ) in output
    assert "2 created, 0 updated, 0 flagged, 0 skipped, 1 failed" in output


# --- XML attacks --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("filename", ["billion-laughs.xml", "xxe.xml"])
def test_a_feed_declaring_entities_is_refused_at_once(wire, feed_server, filename):
    feed_server.serve_feed("/feed.xml", filename)
    started = time.monotonic()
    with pytest.raises(CommandError) as failure:
        run("hostile")
    assert time.monotonic() - started < 2
    assert str(failure.value) == (
        "Could not import the feed of Hostile Wire: the feed declares XML entities (<!ENTITY>), refused: "
        "that is how billion-laughs and XXE attacks work"
    )
    assert not Article.objects.exists()


def test_an_entity_declaration_in_utf16_is_refused_too(wire, feed_server):
    utf16 = (FEEDS / "billion-laughs.xml").read_text().replace('encoding="UTF-8"', 'encoding="UTF-16"')
    feed_server.serve("/feed.xml", utf16.encode("utf-16"))
    with pytest.raises(CommandError, match="declares XML entities"):
        run("hostile")


@pytest.mark.parametrize("filename", ["billion-laughs.xml", "xxe.xml"])
def test_feedparser_itself_expands_no_entity_declarations(filename):
    """The second line of defence, checked: feedparser drops the declarations it is given (only plain
    text entities are kept), so neither a billion laughs nor a local file can get into a story."""
    started = time.monotonic()
    parsed = feedparser.parse(io.BytesIO((FEEDS / filename).read_bytes()), sanitize_html=False)
    assert time.monotonic() - started < 1
    text = " ".join(entry.get("title", "") + entry.get("summary", "") for entry in parsed.entries)
    assert len(text) < 200
    assert "lollol" not in text and "root:" not in text


# --- encodings and malformed XML ------------------------------------------------------------------------------


def test_a_feed_in_the_wrong_encoding_is_read_and_the_report_says_so(wire, feed_server):
    feed_server.serve_feed("/feed.xml", "wrong-encoding.xml", content_type="application/rss+xml")
    output = run("hostile")

    story = Article.objects.get()
    assert story.headline == "Café owners celebrate a crème brûlée record"
    assert story.body == "<p>Naïve or not, the résumé was impressive.</p>"
    assert (
        "note: the feed's character encoding is wrong (document declared as utf-8, but parsed as windows-1252): "
        "check accented letters in the stories"
    ) in output


def test_a_page_that_is_not_a_feed_is_a_clear_error(wire, feed_server):
    feed_server.serve_feed("/feed.xml", "malformed.xml", content_type="text/html")
    with pytest.raises(CommandError) as failure:
        run("hostile")
    assert str(failure.value).startswith("Could not import the feed of Hostile Wire: it is not an RSS or Atom feed (")
    assert "\n" not in str(failure.value)


@pytest.mark.parametrize("body", [b"", b"   \n", b"\x00\x01\x02 binary junk"])
def test_an_empty_or_binary_answer_is_a_clear_error(wire, feed_server, body):
    feed_server.serve("/feed.xml", body)
    with pytest.raises(CommandError, match="the feed is empty|it is not an RSS or Atom feed"):
        run("hostile")


def test_a_truncated_feed_is_read_leniently_and_its_broken_entry_reported(wire, feed_server):
    whole = (FEEDS / "rss2.xml").read_bytes()
    cut = whole[: whole.index(b"<title>Library opens") + len(b"<title>Lib")]
    feed_server.serve("/feed.xml", cut)

    output = run("hostile")

    assert Article.objects.count() == 2
    assert "note: the feed is not well-formed XML (" in output and "read leniently, check the stories" in output


def test_an_entry_without_a_headline_or_link_fails_alone(wire, feed_server):
    feed_server.serve(
        "/feed.xml",
        b"""<?xml version="1.0"?><rss version="2.0"><channel><title>T</title>
        <item><link>https://hostile.example.net/untitled</link><description>No title</description></item>
        <item><title>No link</title><description>Nowhere</description></item>
        <item><title>Fine</title><link>https://hostile.example.net/fine</link></item>
        </channel></rss>""",
    )
    output = run("hostile")

    assert list(Article.objects.values_list("headline", flat=True)) == ["Fine"]
    assert "failed “entry 1”: it has no headline" in output
    assert "failed “No link”: it has no link to the original story" in output


# --- sizes and time ---------------------------------------------------------------------------------------------


def test_a_huge_entry_is_skipped_and_reported(wire, feed_server, settings):
    settings.FEED_IMPORT = {**settings.FEED_IMPORT, "MAX_ENTRY_BYTES": 10_000}
    feed = (FEEDS / "rss2.xml").read_bytes().replace(b"by seven votes to four.", b"word " * 3000)
    feed_server.serve("/feed.xml", feed)

    output = run("hostile")

    assert Article.objects.count() == 2
    assert (
        "failed “Harbour expansion approved after late-night vote”: "
        "its text is 14.8\xa0KB, more than the 9.8\xa0KB limit" in output
    )


@pytest.mark.parametrize("send_length", [True, False])
def test_a_feed_over_the_size_limit_is_refused(wire, feed_server, settings, send_length):
    settings.FEED_IMPORT = {**settings.FEED_IMPORT, "MAX_FEED_BYTES": 2000}
    feed_server.serve_feed("/feed.xml", "rss2.xml", send_length=send_length)
    with pytest.raises(CommandError, match="it is larger than 2.0\xa0KB, the limit"):
        run("hostile")


def test_a_feed_file_over_the_size_limit_is_refused(source, section, settings, tmp_path):
    settings.FEED_IMPORT = {**settings.FEED_IMPORT, "MAX_FEED_BYTES": 2000}
    with pytest.raises(CommandError, match="the feed is larger than 2.0\xa0KB, the limit"):
        run(str(FEEDS / "rss2.xml"), "--source", "wire", "--section", "news")


def test_a_server_that_never_answers_fails_within_the_timeout(wire, feed_server):
    feed_server.serve("/feed.xml", hang=True)
    started = time.monotonic()
    with pytest.raises(CommandError) as failure:
        run("hostile")
    assert time.monotonic() - started < 3
    assert str(failure.value).endswith("no answer within 1 seconds")


def test_a_server_that_trickles_is_cut_off_after_the_download_limit(wire, feed_server):
    feed_server.serve_feed("/feed.xml", "rss2.xml", drip=0.05)  # 20 bytes a second: minutes for the feed
    started = time.monotonic()
    with pytest.raises(CommandError) as failure:
        run("hostile")
    assert time.monotonic() - started < 6
    assert str(failure.value).endswith("the download took longer than 3 seconds")


def test_a_server_that_refuses_connections_is_a_clear_error(wire):
    Source.objects.filter(pk=wire.pk).update(feed_url="http://127.0.0.1:9/feed.xml")
    with pytest.raises(CommandError, match=r"cannot read http://127.0.0.1:9/feed.xml: could not connect: "):
        run("hostile")


# --- images: a bad one never fails the story ----------------------------------------------------------------------


def image_case(feed_server, route, **image_options):
    """Serve a one-story feed whose image is at `route`, import it, and return (story, output)."""
    image_url = feed_server.url(route)
    feed_server.serve("/feed.xml", one_item_feed(image_url=image_url))
    output = run("hostile")
    story = Article.objects.get()
    return story, output


def test_an_image_over_the_size_limit_is_left_out_and_reported(wire, feed_server, settings):
    settings.FEED_IMPORT = {**settings.FEED_IMPORT, "MAX_IMAGE_BYTES": 1000}
    feed_server.serve_image("/big.png", size=(400, 300), fmt="PNG")
    feed_server.routes["/big.png"].body += b"\0" * 2000  # whatever compresses, it is over 1000 bytes

    story, output = image_case(feed_server, "/big.png")

    assert not story.lead_image
    assert (
        f"imported without its image ({feed_server.url('/big.png')}): it is larger than 1000\xa0bytes, the limit"
        in output
    )
    assert "1 created" in output


def test_an_image_without_a_length_is_cut_off_at_the_limit(wire, feed_server, settings):
    settings.FEED_IMPORT = {**settings.FEED_IMPORT, "MAX_IMAGE_BYTES": 1000}
    feed_server.serve("/stream.png", image_bytes((400, 300)) + b"\0" * 5000, send_length=False)
    story, output = image_case(feed_server, "/stream.png")
    assert not story.lead_image
    assert "it is larger than 1000\xa0bytes, the limit" in output


def test_a_file_that_is_not_an_image_is_left_out(wire, feed_server):
    feed_server.serve("/fake.jpg", b"<html><script>alert(1)</script></html>", content_type="image/jpeg")
    story, output = image_case(feed_server, "/fake.jpg")
    assert not story.lead_image
    assert "This file is not an image we can read (JPEG, PNG, GIF or WebP)." in output


def test_an_image_in_another_format_is_left_out(wire, feed_server):
    feed_server.serve("/photo.bmp", image_bytes(fmt="BMP"), content_type="image/bmp")
    story, output = image_case(feed_server, "/photo.bmp")
    assert not story.lead_image
    assert "This file is not an image we can read (JPEG, PNG, GIF or WebP)." in output


def test_a_decompression_bomb_is_left_out(wire, feed_server):
    feed_server.serve("/bomb.png", image_bytes(size=(9000, 9000)), content_type="image/png")
    story, output = image_case(feed_server, "/bomb.png")
    assert not story.lead_image
    assert "This image is 9000×9000 pixels, too large to publish." in output


def test_an_image_server_that_never_answers_delays_the_story_only_by_the_timeout(wire, feed_server):
    feed_server.serve("/slow.jpg", hang=True)
    started = time.monotonic()
    story, output = image_case(feed_server, "/slow.jpg")
    assert time.monotonic() - started < 3
    assert not story.lead_image
    assert "no answer within 1 seconds" in output


def test_an_image_redirecting_to_a_local_file_is_refused(wire, feed_server):
    feed_server.serve("/redirect.jpg", status=302, headers={"Location": "file:///etc/passwd"})
    story, output = image_case(feed_server, "/redirect.jpg")
    assert not story.lead_image
    assert "refused a redirect (Found - Redirection to url 'file:///etc/passwd' is not allowed)" in output


def test_images_on_private_addresses_are_refused_unless_allowed(wire, feed_server, settings, tmp_path):
    settings.FEED_IMPORT = {**settings.FEED_IMPORT, "ALLOW_LOOPBACK": False}
    feed_server.serve_image("/inside.png")
    feed = tmp_path / "feed.xml"  # read from a file: a feed on loopback would be refused too
    feed.write_bytes(one_item_feed(image_url=feed_server.url("/inside.png")))
    output = run(str(feed), "--source", "hostile")
    story = Article.objects.get()
    assert not story.lead_image
    assert "127.0.0.1 is an address on a private or local network; refused" in output
    assert feed_server.hits("/inside.png") == 0
