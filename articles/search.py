"""Site search over published stories.

On PostgreSQL: full-text search (django.contrib.postgres) with the headline weighted above the dek
above the body, results ranked by ts_rank, snippets highlighted by ts_headline. The weighted vector
is stored with each story (`Article.search_document`, a generated column the database keeps up to
date on every write, bulk ones included) and served by a GIN index over it (migration 0010,
PostgreSQL only): ranking reads it instead of parsing every matching story's body again, which
took half a second for a word in a thousand of 100,000 stories. Elsewhere (SQLite, for local
use and the quick suite): every word must appear in the headline, dek or body; a match in the
headline counts most, and snippets are highlighted in Python.

Either way the highlights reach the page as <mark> around escaped text: the database marks the
matches with control characters that story text never holds, and everything else is escaped.
"""

import html
import re

from django import forms
from django.contrib.postgres.search import (
    SearchHeadline,
    SearchQuery,
    SearchRank,
    SearchVector,
    SearchVectorField,
)
from django.db import connection
from django.db.models import Case, F, Func, IntegerField, Q, TextField, Value, When
from django.db.models.functions import Concat
from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.utils.text import Truncator

from .html import plain_text

CONFIG = "english"  # the text-search configuration; the GIN index is built with the same one
MAX_QUERY_LENGTH = 200
MAX_TERMS = 10  # the fallback's words per search: each one is a scan of the three fields
SNIPPET_WORDS = 35
START, STOP = "\x02", "\x03"
_MARKED = re.compile(f"{START}([^{START}{STOP}]*){STOP}")


class SearchForm(forms.Form):
    q = forms.CharField(
        label="Search stories",
        max_length=MAX_QUERY_LENGTH,
        required=False,
        error_messages={"max_length": f"Search for at most {MAX_QUERY_LENGTH} characters."},
    )


def search_vector():
    """The weighted document: headline (A) > dek (B) > body (C). The GIN index is this expression."""
    return (
        SearchVector("headline", weight="A", config=CONFIG)
        + SearchVector("dek", weight="B", config=CONFIG)
        + SearchVector("body", weight="C", config=CONFIG)
    )


class SearchDocument(Func):
    """What `Article.search_document` holds: search_vector() on PostgreSQL; NULL elsewhere (no full-text search).

    Changing search_vector() changes this generated column's expression: make a migration for it.
    """

    template = "%(expressions)s"
    output_field = SearchVectorField()

    def __init__(self):
        super().__init__(search_vector())

    def as_sqlite(self, compiler, connection, **extra_context):
        return "NULL", []


def articles_matching(articles, text):
    """`articles` (already narrowed to published ones) that match `text`, best match first, ready for highlight()."""
    if connection.vendor == "postgresql":
        return _with_marked_text(_postgres_ranked(articles, text), text)
    return _fallback_ranked(articles, text).order_by("-rank", "-published_at", "-pk")


def articles_ranked(articles, text):
    """`articles` that match `text`, annotated with their `rank` (higher is better) and not ordered: what the desk's
    search shows, in its list's own order or by rank. No snippets: they cost a parse of each matching body."""
    if connection.vendor == "postgresql":
        return _postgres_ranked(articles, text)
    return _fallback_ranked(articles, text)


def highlight(hits, text):
    """Give each story of a page of results `search_headline` and `search_snippet`: safe HTML, matches in <mark>."""
    if connection.vendor == "postgresql":
        for hit in hits:
            hit.search_headline = _marked_to_html(hit.marked_headline)
            hit.search_snippet = _marked_to_html(hit.marked_snippet)
        return
    pattern = _terms_pattern(_terms(text))
    for hit in hits:
        hit.search_headline = _highlight(hit.headline, pattern)
        hit.search_snippet = _highlight(_excerpt(plain_text(f"{escape(hit.dek)} {hit.body}"), pattern), pattern)


# --- PostgreSQL ------------------------------------------------------------------------------


def _websearch(text):
    return SearchQuery(text, search_type="websearch", config=CONFIG)  # quotes, OR and -word; never a syntax error


def _postgres_ranked(stories, text):
    query = _websearch(text)
    return stories.filter(search_document=query).annotate(rank=SearchRank(F("search_document"), query))


def _with_marked_text(stories, text):
    query = _websearch(text)
    # The snippet is cut from the dek and the body's text (its tags replaced by spaces).
    body_text = Func(
        F("body"), Value("<[^>]*>"), Value(" "), Value("g"), function="regexp_replace", output_field=TextField()
    )
    marks = {"config": CONFIG, "start_sel": START, "stop_sel": STOP}
    return stories.annotate(
        marked_headline=SearchHeadline("headline", query, highlight_all=True, **marks),
        marked_snippet=SearchHeadline(
            Concat("dek", Value(" "), body_text, output_field=TextField()),
            query,
            max_words=SNIPPET_WORDS,
            min_words=15,
            max_fragments=2,
            fragment_delimiter=" … ",
            **marks,
        ),
    ).order_by("-rank", "-published_at", "-pk")


def _with_marks(text, matches, group=0):
    """`text` escaped, each match's `group` in a <mark> in place of the whole match (the one highlighting
    loop of both searches: the database's START/STOP marks and the fallback's terms)."""
    parts, last = [], 0
    for match in matches:
        parts.append(escape(text[last : match.start()]))
        parts.append(f"<mark>{escape(match.group(group))}</mark>")
        last = match.end()
    parts.append(escape(text[last:]))
    return "".join(parts)


def _marked_to_html(marked):
    """Text with matches between START and STOP (and HTML entities left from the body) as safe HTML."""
    text = html.unescape(marked or "")
    # A stray mark (an unmatched START or STOP) must not reach the page.
    return mark_safe(_with_marks(text, _MARKED.finditer(text), group=1).replace(START, "").replace(STOP, ""))


# --- the fallback ------------------------------------------------------------------------------


def _terms(text):
    return re.findall(r"\w+", text)[:MAX_TERMS]


def _fallback_ranked(stories, text):
    terms = _terms(text)
    if not terms:
        return stories.none().annotate(rank=Value(0, output_field=IntegerField()))
    score = Value(0, output_field=IntegerField())
    for term in terms:
        stories = stories.filter(Q(headline__icontains=term) | Q(dek__icontains=term) | Q(body__icontains=term))
        for field, weight in (("headline", 4), ("dek", 2), ("body", 1)):
            score = score + Case(When(**{f"{field}__icontains": term}, then=weight), default=0)
    return stories.annotate(rank=score)


def _terms_pattern(terms):
    longest_first = sorted({term.lower() for term in terms}, key=len, reverse=True)
    return re.compile("|".join(re.escape(term) for term in longest_first), re.IGNORECASE) if terms else None


def _highlight(text, pattern):
    if pattern is None:
        return escape(text)
    return mark_safe(_with_marks(text, pattern.finditer(text)))


def _excerpt(text, pattern):
    """About SNIPPET_WORDS words of `text`, starting a little before the first match."""
    match = pattern.search(text) if pattern else None
    start = 0
    if match and match.start() > 80:
        start = text.rfind(" ", 0, match.start() - 60) + 1
    excerpt = Truncator(text[start:]).words(SNIPPET_WORDS)
    return f"… {excerpt}" if start else excerpt
