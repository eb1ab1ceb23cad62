"""A reader's text as HTML (the comment_text filter): its quick way, for text without addresses, gives
exactly what urlize gives."""

from django.utils.html import linebreaks, urlize
from hypothesis import example, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from comments.templatetags.reader_content import UGC_REL, comment_text


def through_urlize(text):
    """The filter as it was before the quick way: every text through urlize."""
    html = urlize(text, trim_url_limit=60, nofollow=True, autoescape=True).replace(' rel="nofollow"', UGC_REL)
    return linebreaks(html, autoescape=False)


# Letters, the characters urlize looks at (. @ : /), quotes and markup, line breaks.
TEXT = st.text(alphabet=st.sampled_from(list("abcwoWmgnet.@:/ -_,;!?()[]'\"<>&\n\t0123456789")), max_size=120)


@hypothesis_settings(max_examples=400, deadline=None)
@given(TEXT)
@example("Nothing to link here, just words & <b>tags</b>.")
@example("See www.example.com or https://example.org/x, or mail pat@example.com.")
@example("harbour.COM and harbour.org/path and harbour.net.")
@example("A line\n\nA paragraph\nand a break.")
def test_comment_text_is_what_urlize_makes_of_it(text):
    assert comment_text(text) == through_urlize(text)


def test_text_without_an_address_is_escaped_and_kept_in_paragraphs():
    assert comment_text('Fish & "chips" <script>\n\nAgain') == (
        "<p>Fish &amp; &quot;chips&quot; &lt;script&gt;</p>\n\n<p>Again</p>"
    )


def test_an_address_is_still_linked_for_readers():
    assert comment_text("see example.com") == f'<p>see <a href="http://example.com"{UGC_REL}>example.com</a></p>'
