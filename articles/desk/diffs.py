"""Two revisions of a story side by side: what changed, field by field, words marked as deleted or inserted."""

import difflib
import re

from django.utils.html import escape, format_html, strip_tags
from django.utils.safestring import mark_safe

from ..html import BLOCK_END
from ..models import Article, Author, Section, Source, Tag
from ..templatetags.times import human_time

# In the order the change form shows them.
COMPARED_FIELDS = [
    "headline",
    "slug",
    "dek",
    "body",
    "authors",
    "section",
    "tags",
    "lead_image",
    "lead_image_alt",
    "lead_image_caption",
    "lead_image_credit",
    "source",
    "source_url",
    "comments_enabled",
    "status",
    "published_at",
    "unpublish_at",
]
RELATED = {"section": Section, "source": Source, "authors": Author, "tags": Tag}


def body_text(html):
    """A story body as plain text, one paragraph per line: what an editor reads in a comparison."""
    text = strip_tags(BLOCK_END.sub("\n", html or ""))
    return "\n".join(line.strip() for line in text.splitlines() if line.strip())


def word_diff(old, new):
    """HTML with the words only in `old` in <del> and those only in `new` in <ins>; everything escaped."""
    old_words, new_words = re.split(r"(\s+)", old), re.split(r"(\s+)", new)
    parts = []
    matcher = difflib.SequenceMatcher(a=old_words, b=new_words, autojunk=False)
    for op, a1, a2, b1, b2 in matcher.get_opcodes():
        if op == "equal":
            parts.append(escape("".join(old_words[a1:a2])))
            continue
        if op in ("delete", "replace"):
            parts.append(format_html("<del>{}</del>", "".join(old_words[a1:a2])))
        if op in ("insert", "replace"):
            parts.append(format_html("<ins>{}</ins>", "".join(new_words[b1:b2])))
    return mark_safe("".join(parts).replace("\n", "<br>"))


def _names(model, ids):
    ids = [int(pk) for pk in ids]
    found = model.objects.in_bulk(ids)
    return ", ".join(str(found[pk]) if pk in found else f"#{pk} (deleted)" for pk in ids) or "—"


def display(name, fields):
    """One field of a revision as text."""
    field = Article._meta.get_field(name)
    if name in ("authors", "tags"):
        return _names(RELATED[name], fields.get(name, []))
    value = fields.get(field.attname)
    if name in ("section", "source"):
        return _names(RELATED[name], [value]) if value else "—"
    if name == "body":
        return body_text(value)
    if name == "status":
        return Article.Status(value).label if value in Article.Status.values else str(value)
    if name == "lead_image":
        return getattr(value, "name", value) or "—"
    if name == "comments_enabled":
        return "yes" if value else "no"
    if name in ("published_at", "unpublish_at"):
        return human_time(value) if value else "—"
    return "" if value is None else str(value)


def compare(old_version, new_version):
    """Every compared field of two revisions: its label, whether it changed, and the marked-up difference."""
    old, new = old_version.field_dict, new_version.field_dict
    rows = []
    for name in COMPARED_FIELDS:
        before, after = display(name, old), display(name, new)
        rows.append(
            {
                "label": Article._meta.get_field(name).verbose_name.capitalize(),
                "changed": before != after,
                "diff": word_diff(before, after) if before != after else mark_safe(escape(after).replace("\n", "<br>")),
            }
        )
    return rows
