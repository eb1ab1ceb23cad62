"""Site search: the header's search box and /search/, on SQLite (the fallback) and PostgreSQL (full text)."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from articles import search
from articles.models import Article
from tests.pages import parse

pytestmark = pytest.mark.django_db

HOUR = datetime.timedelta(hours=1)
on_postgres = pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL full-text search only")

# Queries for a page of results, whatever their number:
#   1. the paginator's count   2. the page of stories, joined with section and source (ranked, snippets made)
#   3. the navigation's sections (context processor)
SEARCH_PAGE_QUERIES = 3


def results(client, q, **params):
    response = client.get(reverse("articles:search"), {"q": q, **params})
    assert response.status_code == 200, response.content[:500]
    return [li.find("h2").text for li in parse(response).find_all("li", class_="search-result")]


def test_the_header_has_a_labelled_search_form(client, db):
    form = parse(client.get("/")).find("form", role="search")
    assert form.attrs["action"] == "/search/" and form.attrs["method"] == "get"
    field = form.find("input", name="q")
    assert field.attrs["type"] == "search"
    assert form.find("label", **{"for": field.attrs["id"]}).text == "Search stories"


def test_search_finds_stories_by_headline_dek_and_body(client, make_article):
    make_article(headline="Harbour bridge reopens", body="<p>Traffic flows again.</p>")
    make_article(headline="Council meets", dek="The harbour budget is agreed.")
    make_article(headline="Weather", body="<p>Storms closed the <em>harbour</em> all week.</p>")
    make_article(headline="Unrelated", body="<p>Nothing to see.</p>")

    assert set(results(client, "harbour")) == {"Harbour bridge reopens", "Council meets", "Weather"}
    assert results(client, "storms") == ["Weather"]
    assert results(client, "traffic flows") == ["Harbour bridge reopens"]


def test_a_match_in_the_headline_ranks_above_one_in_the_dek_above_one_in_the_body(client, make_article):
    now = timezone.now()
    make_article(headline="Weather", body="<p>The ferry was late.</p>", published_at=now - HOUR)
    make_article(headline="Council", dek="A ferry for the islands.", published_at=now - 2 * HOUR)
    make_article(headline="New ferry ordered", published_at=now - 3 * HOUR)

    assert results(client, "ferry") == [
        "New ferry ordered",
        "Council",
        "Weather",
    ]


@pytest.mark.parametrize("status", [Article.Status.DRAFT, Article.Status.IN_REVIEW, Article.Status.UNPUBLISHED])
def test_search_never_finds_stories_that_are_not_live(client, make_article, status):
    make_article(headline="Secret harbour plan", status=status, published_at=timezone.now() - HOUR)
    make_article(headline="Harbour plan tomorrow", status=Article.Status.SCHEDULED, published_at=timezone.now() + HOUR)
    assert results(client, "harbour") == []
    assert "No stories match “harbour”." in parse(client.get("/search/?q=harbour")).text


def test_matches_are_highlighted_and_everything_else_escaped(client, make_article):
    make_article(
        headline="Budget <b>leak</b> & the council",
        dek="",
        body="<p>Officials said &lt;script&gt;alert(1)&lt;/script&gt; about the leak &amp; more.</p>",
    )
    response = client.get("/search/?q=leak")
    html = response.content.decode()
    result = parse(response).find("li", class_="search-result")

    heading = result.find("h2").find("a")
    assert [mark.text for mark in heading.find_all("mark")] == ["leak"]
    assert heading.text == "Budget <b>leak</b> & the council"  # the editor's angle brackets, as text
    snippet = result.find("p", class_="snippet")
    assert [mark.text for mark in snippet.find_all("mark")] == ["leak"]
    assert "<script>alert(1)</script>" in snippet.text  # shown as text...
    assert "<script>alert" not in html  # ...never as markup
    assert "<b>leak</b>" not in html
    assert {element.tag for element in result.iter()} <= {"li", "p", "a", "h2", "mark", "time"}


def test_results_are_paginated_and_keep_the_query(client, make_article, settings):
    settings.SEARCH_RESULTS_PER_PAGE = 2
    now = timezone.now()
    for n in range(5):
        make_article(headline=f"Harbour story {n}", published_at=now - n * HOUR)

    first = client.get("/search/?q=harbour")
    page = parse(first)
    assert "5 stories found." in page.text
    assert len(page.find_all("li", class_="search-result")) == 2
    assert page.find("a", rel="next").attrs["href"] == "?q=harbour&page=2"
    last = parse(client.get("/search/?q=harbour&page=3"))
    assert len(last.find_all("li", class_="search-result")) == 1
    assert client.get("/search/?q=harbour&page=9").status_code == 404


def test_an_empty_search_asks_for_words_without_querying_stories(client, db, django_assert_num_queries):
    for url in ("/search/", "/search/?q=", "/search/?q=+++"):
        with django_assert_num_queries(1):  # the navigation's sections only
            response = client.get(url)
        assert response.status_code == 200
        assert "Type words to look for" in parse(response).text


def test_an_over_long_search_is_refused_clearly_and_the_text_kept(client, db):
    words = "harbour " * 30
    response = client.get("/search/", {"q": words})
    assert response.status_code == 400
    page = parse(response)
    assert page.find("div", role="alert").text == "Search for at most 200 characters."
    assert page.find("input", name="q").attrs["value"] == words


def test_a_search_with_a_null_character_is_refused_not_an_error(client, db):
    assert client.get("/search/", {"q": "harbour\x00"}).status_code == 400


def test_punctuation_only_finds_nothing_without_an_error(client, make_article):
    make_article(headline="Harbour")
    for q in ("!!!", '"', "-", "&|!(", "'"):
        response = client.get("/search/", {"q": q})
        assert response.status_code == 200
        assert results(client, q) == []


def test_search_pages_are_kept_out_of_search_engines(client, db):
    page = parse(client.get("/search/?q=x"))
    assert page.find("meta", name="robots").attrs["content"] == "noindex, follow"


def test_the_results_page_query_count_does_not_grow_with_results(
    client, make_article, source, django_assert_num_queries
):
    for n in range(3):
        make_article(headline=f"Harbour {n}", source=source, source_url=f"https://wire.example/{n}")
    with django_assert_num_queries(SEARCH_PAGE_QUERIES):
        client.get("/search/?q=harbour")
    for n in range(7):
        make_article(headline=f"More harbour {n}")
    with django_assert_num_queries(SEARCH_PAGE_QUERIES):
        assert len(results(client, "harbour")) == 10


@on_postgres
def test_postgres_search_understands_phrases_and_exclusions_and_stems_words(client, make_article):
    make_article(headline="Ferries return to the harbour")
    make_article(headline="Harbour ferry strike")
    assert set(results(client, "ferry")) == {"Ferries return to the harbour", "Harbour ferry strike"}  # stemming
    assert results(client, '"ferry strike"') == ["Harbour ferry strike"]
    assert results(client, "harbour -strike") == ["Ferries return to the harbour"]


@on_postgres
def test_postgres_searches_use_the_gin_index(make_article):
    make_article(headline="Harbour")
    # Only the search condition, so that no other index can serve the query.
    query = search.articles_matching(Article.objects.all(), "harbour")
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")  # a tiny table: make the planner show its options
        sql, params = query.query.sql_with_params()
        cursor.execute(f"EXPLAIN {sql}", params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "article_search_document_idx" in plan, plan


def test_a_story_is_found_by_its_words_after_every_kind_of_edit(client, make_article):
    # On PostgreSQL the stored search document (a generated column) follows saves and bulk updates alike.
    story = make_article(headline="Harbour reopens", body="<p>The ferries sail again.</p>")
    assert results(client, "ferries") == ["Harbour reopens"]
    story.body = "<p>The lighthouse is lit again.</p>"
    story.save()
    assert results(client, "ferries") == []
    assert results(client, "lighthouse") == ["Harbour reopens"]
    Article.objects.filter(pk=story.pk).update(dek="Tugboats return")
    assert results(client, "tugboats") == ["Harbour reopens"]


def test_story_pages_and_lists_never_load_the_stored_search_document(client, make_article):
    # It is as long as the story: only the database's search reads it, never a page through Python.
    story = make_article(headline="Harbour reopens", body="<p>" + "The ferries sail again. " * 200 + "</p>")
    with CaptureQueriesContext(connection) as queries:
        for url in ("/", story.get_absolute_url(), story.section.get_absolute_url(), "/feeds/rss/"):
            assert client.get(url).status_code == 200
    assert queries.captured_queries
    assert not [query["sql"] for query in queries.captured_queries if "search_document" in query["sql"]]
