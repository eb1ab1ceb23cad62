"""Post the desk's story forms as a browser would: the change form (open the page, keep what it shows, change some
fields) and the add form (`article_form`, `post_article`, `form_errors`)."""

import datetime

from django.db.models import Model
from django.urls import reverse
from django.utils import timezone

from articles.models import Article


def change_url(article):
    return reverse("admin:articles_article_change", args=[article.pk])


def _value(value):
    if isinstance(value, Model):
        return value.pk
    if isinstance(value, list | tuple) or hasattr(value, "all"):
        items = value.all() if hasattr(value, "all") else value
        return [_value(item) for item in items]
    return value


def _fields(form, prefix=""):
    data = {}
    for name, field in form.fields.items():
        key = f"{prefix}{name}"
        value = _value(form.initial.get(name, field.initial))
        if callable(value):
            value = value()
        if value is None or name == "lead_image":
            continue
        if isinstance(value, bool):
            if value:
                data[key] = "on"
        elif isinstance(value, datetime.datetime):
            local = timezone.localtime(value)
            data[f"{key}_0"], data[f"{key}_1"] = local.strftime("%Y-%m-%d"), local.strftime("%H:%M:%S")
        else:
            data[key] = value
    return data


def opened_form(client, article):
    """The change page as opened by `client`, and the data its form would post unchanged."""
    response = client.get(change_url(article))
    assert response.status_code == 200
    data = _fields(response.context["adminform"].form)
    for inline in response.context["inline_admin_formsets"]:
        formset = inline.formset
        data.update({f"{formset.prefix}-{key}": value for key, value in formset.management_form.initial.items()})
        for form in formset.initial_forms:
            data.update(_fields(form, prefix=f"{form.prefix}-"))
    return response, data


def post_story(client, article, *, data=None, **changes):
    """Post the change form of `article`, opened now (or `data` from an earlier opening) with `changes`."""
    if data is None:
        _, data = opened_form(client, article)
    return client.post(change_url(article), {**data, **changes})


def article_form(section, **overrides):
    """The story form as the desk posts it. Status changes ride on a "Save and …" button (`_workflow`);
    `base_version` is the edit the form started from (tests/desk/test_desk_locking.py)."""
    published = timezone.localtime(overrides.pop("published_at", timezone.now() - datetime.timedelta(hours=1)))
    data = {
        "base_version": 1,
        "corrections-TOTAL_FORMS": 0,
        "corrections-INITIAL_FORMS": 0,
        "headline": "Harbour reopens",
        "slug": "harbour-reopens",
        "dek": "",
        "section": section.pk,
        "body": "<p>Boats are back.</p>",
        "lead_image_alt": "",
        "lead_image_caption": "",
        "lead_image_credit": "",
        "source": "",
        "source_url": "",
        "status": Article.Status.PUBLISHED,
        "published_at_0": published.strftime("%Y-%m-%d"),
        "published_at_1": published.strftime("%H:%M:%S"),
        "comments_enabled": "on",
    }
    data.update(overrides)
    return data


def post_article(client, data):
    return client.post(reverse("admin:articles_article_add"), data)


def form_errors(response):
    return response.context["adminform"].form.errors
