"""The public pages (home, section, source, tag, story) and the staff preview."""

import datetime

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from articles.models import Article, Author, Section, Source, Tag
from articles.templatetags.times import machine_time
from articles.views import LatestArticlesPaginator
from tests.makers import image_file
from tests.pages import parse, positions
from tests.query_counts import ARTICLE_PAGE_QUERIES, HOME_PAGE_QUERIES, warm_process_caches

pytestmark = pytest.mark.django_db

HOUR = datetime.timedelta(hours=1)
NOT_PUBLIC = [Article.Status.DRAFT, Article.Status.IN_REVIEW, Article.Status.UNPUBLISHED]


# --- home page --------------------------------------------------------------------------------


def test_the_home_page_lists_published_stories_newest_first(client, make_article):
    now = timezone.now()
    make_article(headline="Older story", published_at=now - 2 * HOUR)
    make_article(headline="Newer story", published_at=now - HOUR)

    response = client.get(reverse("articles:home"))

    assert response.status_code == 200
    assert "Latest stories" in parse(response).find("h1").text
    older, newer = positions(response.content.decode(), "Older story", "Newer story")
    assert newer < older


def test_the_home_page_card_shows_section_byline_date_and_source(client, article):
    response = client.get(reverse("articles:home"))
    card = parse(response).find("article", class_="card")
    assert card.find("a", href=article.get_absolute_url()).text == "Council passes budget"
    assert "The vote was close." in card.text
    assert "By Jane Reporter" in card.text
    assert "via Wire Service" in card.text
    assert card.find("time").attrs["datetime"] == machine_time(article.published_at)


@pytest.mark.parametrize("status", NOT_PUBLIC)
def test_the_home_page_leaves_out_stories_that_are_not_live(client, make_article, status):
    make_article(headline="Secret plans", status=status, published_at=timezone.now() - HOUR)
    response = client.get(reverse("articles:home"))
    assert "Secret plans" not in response.content.decode()
    assert "No stories here yet." in response.content.decode()


def test_the_home_page_leaves_out_scheduled_stories_until_their_time(client, make_article):
    go_live = timezone.now() + HOUR
    make_article(headline="Next week in the council", status=Article.Status.SCHEDULED, published_at=go_live)

    assert "Next week in the council" not in client.get("/").content.decode()
    with time_machine.travel(go_live + datetime.timedelta(minutes=1)):
        assert "Next week in the council" in client.get("/").content.decode()


def test_the_home_page_is_paginated(client, make_article, settings):
    settings.ARTICLES_PER_PAGE = 2
    now = timezone.now()
    for n in range(5):
        make_article(headline=f"Story {n}", published_at=now - n * HOUR)

    first = client.get("/").content.decode()
    assert "Story 0" in first and "Story 1" in first and "Story 2" not in first
    assert "Page 1 of 3" in first
    assert 'rel="next" href="?page=2"' in first

    last = client.get("/?page=3").content.decode()
    assert "Story 4" in last and "Story 3" not in last
    assert 'rel="prev" href="?page=2"' in last
    assert 'rel="next"' not in last


@pytest.mark.parametrize("page", ["4", "0", "abc"])
def test_a_page_number_out_of_range_is_not_found(client, make_article, settings, page):
    settings.ARTICLES_PER_PAGE = 2
    for _ in range(5):
        make_article()
    assert client.get(f"/?page={page}").status_code == 404


def test_the_home_page_query_count_does_not_grow_with_stories(
    client, make_article, source, settings, django_assert_num_queries
):
    settings.ARTICLES_PER_PAGE = 20  # every story on one page, so each one's cost shows

    def add_stories(count):
        for n in range(count):
            author = Author.objects.create(name=f"Author {n}", slug=f"author-{Author.objects.count()}")
            tag = Tag.objects.create(name=f"Tag {Tag.objects.count()}", slug=f"tag-{Tag.objects.count()}")
            make_article(
                source=source,
                source_url=f"https://wire.example/{n}",
                authors=[author],
                tags=[tag],
                lead_image=image_file(),
                lead_image_alt="A photo",
            )

    warm_process_caches()
    add_stories(3)
    with django_assert_num_queries(HOME_PAGE_QUERIES):
        assert client.get("/").status_code == 200

    add_stories(9)  # 12 in all
    with django_assert_num_queries(HOME_PAGE_QUERIES):
        response = client.get("/")
    assert len(parse(response).find_all("article", class_="card")) == 12


def test_list_pages_go_back_at_most_a_fixed_number_of_pages(client, make_article, settings, monkeypatch):
    # Counting a whole archive grows with it; the home, section, source and tag pages count a fixed number of pages.
    monkeypatch.setattr(LatestArticlesPaginator, "MAX_PAGES", 2)
    settings.ARTICLES_PER_PAGE = 2
    for _ in range(7):
        make_article()
    for url in ("/", "/news/"):
        assert "Page 2 of 2" in client.get(f"{url}?page=2").content.decode()
        assert client.get(f"{url}?page=3").status_code == 404


# A section's, source's or tag's page: the home page's queries, and first
#   0. the section, source or tag itself (404 when there is none)
LIST_PAGE_QUERIES = HOME_PAGE_QUERIES + 1


@pytest.mark.parametrize("page", ["section", "source", "tag"])
def test_section_source_and_tag_pages_query_count_does_not_grow_with_stories_or_tags(
    client, make_article, section, source, settings, django_assert_num_queries, page
):
    settings.ARTICLES_PER_PAGE = 20
    topic = Tag.objects.create(name="Harbour", slug="harbour")
    url = {"section": "/news/", "source": "/source/wire/", "tag": "/tag/harbour/"}[page]

    def add_stories(count):
        for n in range(count):
            author = Author.objects.create(name=f"Author {n}", slug=f"author-{Author.objects.count()}")
            extra = Tag.objects.create(name=f"Tag {Tag.objects.count()}", slug=f"tag-{Tag.objects.count()}")
            make_article(
                source=source, source_url=f"https://wire.example/{page}/{n}", authors=[author], tags=[topic, extra]
            )

    warm_process_caches()
    add_stories(2)
    with django_assert_num_queries(LIST_PAGE_QUERIES):
        assert client.get(url).status_code == 200
    add_stories(10)
    with django_assert_num_queries(LIST_PAGE_QUERIES):
        response = client.get(url)
    assert len(parse(response).find_all("article", class_="card")) == 12


# --- section, source and tag pages ----------------------------------------------------------


def test_the_section_page_lists_only_that_sections_stories(client, make_article, section):
    business = Section.objects.create(name="Business", slug="business", description="Money and markets.")
    make_article(headline="Markets rally", section=business)
    make_article(headline="Council meets", section=section)
    make_article(headline="Draft on shares", section=business, status=Article.Status.DRAFT)

    response = client.get(reverse("articles:section", args=["business"]))

    assert response.status_code == 200
    page = parse(response)
    assert page.find("h1").text == "Business"
    assert "Money and markets." in page.text
    assert "Markets rally" in page.text
    assert "Council meets" not in page.text
    assert "Draft on shares" not in page.text
    # The navigation marks where the reader is.
    assert page.find("a", href="/business/").attrs.get("aria-current") == "page"
    assert "aria-current" not in page.find("a", href="/news/").attrs


def test_the_source_page_lists_that_outlets_stories_and_links_to_it(client, make_article, source):
    other = Source.objects.create(name="Other Outlet", slug="other", homepage="https://other.example/")
    make_article(headline="From the wire", source=source, source_url="https://wire.example/a")
    make_article(headline="From elsewhere", source=other, source_url="https://other.example/b")

    response = client.get(reverse("articles:source", args=["wire"]))

    assert response.status_code == 200
    page = parse(response)
    assert page.find("h1").text == "Stories from Wire Service"
    assert page.find("a", href="https://wire.example/").text == "Wire Service"
    assert "From the wire" in page.text
    assert "From elsewhere" not in page.text


def test_the_tag_page_lists_that_topics_stories(client, make_article):
    budget = Tag.objects.create(name="Budget", slug="budget")
    make_article(headline="Council passes budget", tags=[budget])
    make_article(headline="Weather turns")
    make_article(headline="Budget leak", tags=[budget], status=Article.Status.IN_REVIEW)

    response = client.get(reverse("articles:tag", args=["budget"]))

    assert response.status_code == 200
    page = parse(response)
    assert page.find("h1").text == "Tagged “Budget”"
    assert "Council passes budget" in page.text
    assert "Weather turns" not in page.text
    assert "Budget leak" not in page.text


@pytest.mark.parametrize("url", ["/nowhere/", "/source/nowhere/", "/tag/nowhere/"])
def test_an_unknown_section_source_or_tag_is_not_found(client, db, url):
    assert client.get(url).status_code == 404


# --- the story page ---------------------------------------------------------------------------


@pytest.fixture
def full_story(make_article, source):
    """A story with everything the page can show, published three hours ago and edited since."""
    jane = Author.objects.create(name="Jane Reporter", slug="jane-reporter")
    sam = Author.objects.create(name="Sam Editor", slug="sam-editor")
    with time_machine.travel(timezone.now() - 3 * HOUR):
        story = make_article(
            headline="Council passes budget",
            slug="council-passes-budget",
            dek="The vote was close.",
            body="<p>The council voted 5 to 4.</p><h2>What happens next</h2><p>Spending starts in May.</p>",
            lead_image=image_file(size=(120, 80)),
            lead_image_alt="Councillors voting",
            lead_image_caption="The vote on Tuesday.",
            lead_image_credit="Photo: Ann Lens",
            source=source,
            source_url="https://wire.example/2026/council-budget",
            authors=[jane, sam],
            published_at=timezone.now(),
        )
    story.dek = "The vote was close, and late."
    story.save()  # an edit after publishing
    return story


def test_the_story_page_shows_its_parts_in_reading_order(client, full_story):
    response = client.get(full_story.get_absolute_url())

    assert response.status_code == 200
    html = response.content.decode()
    main = html[html.index("<main") :]  # the <title> and meta description repeat headline and dek
    order = positions(
        main,
        '<h1 class="headline">Council passes budget</h1>',
        "The vote was close, and late.",
        "By Jane Reporter and Sam Editor",
        f'<time datetime="{machine_time(full_story.published_at)}">',
        "Updated <time",
        "<figure",
        'alt="Councillors voting"',
        "The vote on Tuesday.",
        "Photo: Ann Lens",
        "The council voted 5 to 4.",
        'href="https://wire.example/2026/council-budget"',
        "Source link",
        "Wire Service",
        'id="comments"',
        "Be the first to comment",
        "Leave a Reply",
        "Your email address will not be published.",
    )
    assert order == sorted(order)


def test_the_story_page_credits_the_outlet_by_name_and_links_to_the_original(client, full_story):
    page = parse(client.get(full_story.get_absolute_url()))
    line = page.find("p", class_="source-line")
    assert line.find("a", href="https://wire.example/2026/council-budget").text == "Source link"
    assert line.find("a", href="/source/wire/").text == "Wire Service"
    assert "noopener" in line.find("a", href="https://wire.example/2026/council-budget").attrs["rel"]


def test_the_story_page_says_updated_only_after_an_edit(client, make_article):
    story = make_article()
    html = client.get(story.get_absolute_url()).content.decode()
    assert "<time datetime=" in html
    assert "Updated" not in html


def test_the_story_page_reserves_the_lead_images_space(client, full_story):
    img = parse(client.get(full_story.get_absolute_url())).find("figure").find("img")
    assert (img.attrs["width"], img.attrs["height"]) == ("120", "80")
    # A JPEG rendition (articles/imagegenerators.py), no wider than the original.
    assert img.attrs["src"].startswith("/media/CACHE/images/lead-images/")
    assert img.attrs["src"].endswith(".jpg")


def test_the_story_page_has_the_comment_form_with_labelled_fields(client, article):
    page = parse(client.get(article.get_absolute_url()))
    form = page.find("div", id="respond")
    labels = {label.attrs["for"]: label for label in form.find_all("label")}

    for name, text, required in [
        ("comment", "Comment", True),
        ("name", "Name", True),
        ("email", "Email", True),
        ("url", "Website", False),
    ]:
        field = form.find(name=name)
        assert field is not None and field.tag in ("input", "textarea"), name
        label = labels[field.attrs["id"]]
        assert label.text.rstrip(" *") == text
        assert bool(label.find("span", class_="required")) is required, name


def test_the_story_page_says_when_comments_are_closed(client, make_article):
    story = make_article(comments_enabled=False)
    html = client.get(story.get_absolute_url()).content.decode()
    assert "Comments are closed." in html
    assert "Leave a Reply" not in html


def test_the_story_page_query_count_does_not_grow_with_authors_or_tags(client, make_article, django_assert_num_queries):
    authors = [Author.objects.create(name=f"Author {n}", slug=f"author-{n}") for n in range(5)]
    tags = [Tag.objects.create(name=f"Tag {n}", slug=f"tag-{n}") for n in range(5)]
    one = make_article(authors=authors[:1], tags=tags[:1])
    five = make_article(authors=authors, tags=tags)
    warm_process_caches()

    with django_assert_num_queries(ARTICLE_PAGE_QUERIES):
        assert client.get(one.get_absolute_url()).status_code == 200
    with django_assert_num_queries(ARTICLE_PAGE_QUERIES):
        response = client.get(five.get_absolute_url())
    assert "Author 0, Author 1, Author 2, Author 3 and Author 4" in response.content.decode()
    assert len(parse(response).find("ul", class_="tags").find_all("li")) == 5


@pytest.mark.parametrize("status", NOT_PUBLIC)
def test_a_story_that_is_not_live_is_not_found(client, make_article, status):
    story = make_article(status=status, published_at=timezone.now() - HOUR)
    assert client.get(story.get_absolute_url()).status_code == 404


def test_a_published_story_dated_in_the_future_is_not_found(client, make_article):
    story = make_article(published_at=timezone.now() + HOUR)
    assert client.get(story.get_absolute_url()).status_code == 404


def test_a_draft_is_not_found_even_for_staff_at_the_public_address(client, make_article, editor):
    story = make_article(status=Article.Status.DRAFT, published_at=timezone.now() - HOUR)
    client.force_login(editor)
    assert client.get(story.get_absolute_url()).status_code == 404


def test_a_scheduled_story_appears_at_its_address_once_its_time_passes(client, make_article):
    go_live = timezone.now() + 2 * HOUR
    story = make_article(status=Article.Status.SCHEDULED, published_at=go_live)
    url = story.get_absolute_url()

    assert client.get(url).status_code == 404
    with time_machine.travel(go_live - datetime.timedelta(seconds=1)):
        assert client.get(url).status_code == 404
    with time_machine.travel(go_live + datetime.timedelta(seconds=1)):
        assert client.get(url).status_code == 200


def test_the_wrong_section_in_the_address_redirects_permanently_to_the_right_one(client, article):
    Section.objects.create(name="Sport", slug="sport")
    wrong = article.get_absolute_url().replace("/news/", "/sport/", 1)

    response = client.get(wrong)

    assert response.status_code == 301
    assert response["Location"] == article.get_absolute_url()


def test_an_unknown_section_in_a_story_address_still_finds_the_story(client, article):
    wrong = article.get_absolute_url().replace("/news/", "/old-name/", 1)
    response = client.get(wrong)
    assert response.status_code == 301
    assert response["Location"] == article.get_absolute_url()


def test_the_wrong_date_in_the_address_is_not_found(client, article):
    day = timezone.localtime(article.published_at) - datetime.timedelta(days=1)
    url = f"/news/{day:%Y/%m/%d}/{article.slug}/"
    assert client.get(url).status_code == 404


@pytest.mark.parametrize(
    "date",
    ["2026/13/01", "2026/00/10", "2026/02/30", "2026/04/31", "0000/01/01", "9999/12/31", "0001/01/01"],
)
def test_an_impossible_date_is_not_found_rather_than_an_error(client, article, date):
    assert client.get(f"/news/{date}/{article.slug}/").status_code == 404


# --- staff preview ----------------------------------------------------------------------------


@pytest.fixture
def draft(make_article):
    return make_article(headline="Unreleased plans", status=Article.Status.DRAFT)


def test_an_editor_previews_a_draft_on_the_real_template(client, editor, draft):
    client.force_login(editor)
    response = client.get(reverse("articles:preview", args=[draft.pk]))

    assert response.status_code == 200
    page = parse(response)
    assert page.find("h1").text == "Unreleased plans"
    assert "Preview: this story is draft and not visible to readers." in page.find(class_="preview-banner").text
    assert page.find("meta", name="robots").attrs["content"] == "noindex, nofollow"
    assert "no-cache" in response["Cache-Control"]


def test_the_preview_of_a_live_story_does_not_claim_it_is_hidden(client, editor, article):
    client.force_login(editor)
    banner = parse(client.get(reverse("articles:preview", args=[article.pk]))).find(class_="preview-banner")
    assert banner.text == "Preview: this story is published."


def test_an_anonymous_reader_is_sent_to_the_staff_login_instead_of_the_preview(client, draft):
    url = reverse("articles:preview", args=[draft.pk])
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('admin:login')}?next={url}"


@pytest.mark.parametrize("persona", ["reader", "moderator"])
def test_a_signed_in_user_without_the_permission_is_refused_the_preview(client, draft, persona, request):
    client.force_login(request.getfixturevalue(persona))
    response = client.get(reverse("articles:preview", args=[draft.pk]))
    assert response.status_code == 403
    assert "Unreleased plans" not in response.content.decode()


def test_the_preview_of_a_missing_story_is_not_found(client, editor):
    client.force_login(editor)
    assert client.get(reverse("articles:preview", args=[999999])).status_code == 404
