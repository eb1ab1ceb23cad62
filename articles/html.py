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


# What a block of story HTML is: the elements of the editor's block nodes (paragraphs, headings, lists and
# their items, quotations, rules), derived from BODY_EXTENSIONS so a block the editor gains is a block
# everywhere. The other extensions make inline marks, links and the hard break (<br>), which ends a line
# inside a block.
_BLOCK_NODES = {"Heading", "BulletList", "OrderedList", "ListItem", "Blockquote", "HorizontalRule"}
BLOCK_TAGS = frozenset(
    allowlist_from_extensions({name: config for name, config in BODY_EXTENSIONS.items() if name in _BLOCK_NODES})[
        "tags"
    ]
)
_VOID_BLOCK_TAGS = {"hr"}  # blocks with no closing tag


def _any(tags):
    return "|".join(sorted(tags))


# Where a line of story text ends: a block's closing tag, a rule or a line break.
BLOCK_END = re.compile(rf"(?i)</({_any(BLOCK_TAGS - _VOID_BLOCK_TAGS)})>|<({_any(_VOID_BLOCK_TAGS | {'br'})})\s*/?>")
# A block that stands on its own at the top of a body (a list item only stands inside its list).
TOP_LEVEL_BLOCK_START = re.compile(rf"<({_any(BLOCK_TAGS - {'li'})})\b")
# Other sites' markup, read before it is sanitized (a feed's summary), lays text out in these as well.
_FOREIGN_BLOCK_TAGS = {"div", "h1", "h5", "h6", "tr", "td", "th"}
# Block boundaries become spaces, so "<p>One.</p><p>Two.</p>" reads "One. Two."
_BOUNDARY = re.compile(rf"(?i)<(/?({_any(BLOCK_TAGS | {'br'} | _FOREIGN_BLOCK_TAGS)})\b[^>]*)>")


def plain_text(markup):
    """The words of an HTML fragment, on one line, unescaped (templates escape them again)."""
    spaced = _BOUNDARY.sub(r" <\1>", markup or "")
    return " ".join(html.unescape(nh3.clean(spaced, tags=set())).split())
