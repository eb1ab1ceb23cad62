"""The one allowlist for story HTML: what editors can make, what imports keep, what pages show."""

import html
import re

import nh3
from django_prose_editor.config import allowlist_from_extensions

# The editor's toolbar and the sanitizer are derived from the same list, so an
# editor can never produce markup that the sanitizer will silently drop.
BODY_EXTENSIONS = {
    "Bold": True,
    "Italic": True,
    "Strike": True,
    "Subscript": True,
    "Superscript": True,
    "Heading": {"levels": [2, 3, 4]},
    "BulletList": True,
    "OrderedList": True,
    "ListItem": True,
    "Blockquote": True,
    "HorizontalRule": True,
    "HardBreak": True,
    "Link": {"enableTarget": False},
}

_allowlist = allowlist_from_extensions(BODY_EXTENSIONS)
# nh3 sets rel on every link itself; the editor may not choose it.
_attributes = {tag: set(attrs) - {"rel"} for tag, attrs in _allowlist["attributes"].items()}
_cleaner = nh3.Cleaner(
    tags=_allowlist["tags"],
    attributes=_attributes,
    url_schemes={"http", "https", "mailto"},
    link_rel="noopener noreferrer nofollow",
    strip_comments=True,
)


def sanitize_html(html: str) -> str:
    """Return `html` with everything outside the allowlist removed (scripts, handlers, js: URLs)."""
    if not html:
        return ""
    cleaned = _cleaner.clean(html).strip()
    # ProseMirror always leaves an empty paragraph behind in an empty document.
    return "" if cleaned in ("<p></p>", "<p><br></p>") else cleaned


# Block boundaries become spaces, so "<p>One.</p><p>Two.</p>" reads "One. Two."
_BLOCK_TAGS = re.compile(r"(?i)<(/?(p|div|br|li|ul|ol|h[1-6]|blockquote|tr|td|th|hr)\b[^>]*)>")


def plain_text(markup):
    """The words of an HTML fragment, on one line, unescaped (templates escape them again)."""
    spaced = _BLOCK_TAGS.sub(r" <\1>", markup or "")
    return " ".join(html.unescape(nh3.clean(spaced, tags=set())).split())
