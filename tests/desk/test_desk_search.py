"""The story list's search box, as editors and reporters use it: the site's full-text index (weighted, ranked,
drafts included) on PostgreSQL, the weighted word match on SQLite; a column sort still wins over the rank."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from articles.models import Article
from tests.pages import parse

pytestmark = pytest.mark.django_db

on_postgres = pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL full-text search only")
LIST = reverse("admin:articles_article_changelist")


def headlines(client, **params):
    response = client.get(LIST, params)
    assert response.status_code == 200, response.content[:500]
    table = parse(response).find("table", id="result_list")
    return [row.find("th").text for row in table.find("tbody").find_all("tr")] if table else []


@pytest.fixture
def harbour_stories(make_article):
    return {
        "body": make_article(headline="Council meets", body="<p>The harbour budget was agreed.</p>"),
        "dek": make_article(headline="Tides and tolls", dek="What the harbour costs"),
        "headline": make_article(headline="Harbour reopens to ferries", status=Article.Status.DRAFT),
        "elsewhere": make_article(headline="School term begins", body="<p>Nothing about boats.</p>"),
    }


def test_a_match_in_the_headline_ranks_above_the_dek_above_the_body_drafts_included(editor_client, harbour_stories):
    assert headlines(editor_client, q="harbour") == ["Harbour reopens to ferries", "Tides and tolls", "Council meets"]


def test_a_sorted_column_orders_the_matches_instead_of_the_rank(editor_client, harbour_stories):
    by_headline = headlines(editor_client, q="harbour", o="1")  # the first column, headline, ascending
    assert by_headline == ["Council meets", "Harbour reopens to ferries", "Tides and tolls"]


def test_search_keeps_the_filters_the_editor_chose(editor_client, harbour_stories):
    assert headlines(editor_client, q="harbour", status__exact="draft") == ["Harbour reopens to ferries"]


def test_a_reporter_searches_within_the_stories_they_may_see(client, reporter, harbour_stories):
    client.force_login(reporter)
    assert headlines(client, q="harbour") == ["Harbour reopens to ferries", "Tides and tolls", "Council meets"]


@pytest.mark.parametrize("typed", ["", "   ", "!!! ???", "x" * 5000, '"unclosed phrase', "-"])
def test_odd_searches_answer_with_a_list_not_an_error(editor_client, harbour_stories, typed):
    response = editor_client.get(LIST, {"q": typed})
    assert response.status_code == 200


def test_the_search_page_runs_as_many_queries_for_twenty_matches_as_for_one(editor_client, make_article):
    def queries():
        with CaptureQueriesContext(connection) as captured:
            assert editor_client.get(LIST, {"q": "harbour"}).status_code == 200
        return len(captured)

    make_article(headline="Harbour one")
    queries()  # warm the session and content-type caches
    with_one = queries()
    for n in range(19):
        make_article(headline=f"Harbour story {n}")
    assert queries() == with_one


@on_postgres
def test_on_postgres_the_list_searches_the_stored_index_not_the_body(editor_client, harbour_stories):
    with CaptureQueriesContext(connection) as captured:
        assert editor_client.get(LIST, {"q": "harbour"}).status_code == 200
    searching = [q["sql"] for q in captured if "articles_article" in q["sql"] and "@@" in q["sql"]]
    assert searching, "no full-text query ran"
    assert all("search_document" in sql and "LIKE" not in sql.upper() for sql in searching)


@on_postgres
def test_on_postgres_words_are_stemmed_and_phrases_and_exclusions_work(editor_client, make_article):
    make_article(headline="Ferries return to the harbour")
    make_article(headline="Harbour ferry strike")
    assert set(headlines(editor_client, q="ferry")) == {"Ferries return to the harbour", "Harbour ferry strike"}
    assert headlines(editor_client, q='"ferry strike"') == ["Harbour ferry strike"]
    assert headlines(editor_client, q="harbour -strike") == ["Ferries return to the harbour"]
