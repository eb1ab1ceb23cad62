"""The articles app's models, split into submodules by concern; import them from `articles.models`, as
migrations and the other apps do (Wagtail's rule for wagtail.models). Submodules depend one way:
fields <- catalogue <- article <- desk, syndication, redirects."""

from .article import RELATED_WINDOW, Article, ArticleManager, ArticleQuerySet
from .catalogue import RESERVED_SECTION_SLUGS, Author, Section, Source, Tag, validate_section_slug
from .desk import (
    Correction,
    CorrectionChange,
    EditorPresence,
    PreviewLink,
    StatusChange,
    StoryAutosave,
    new_preview_key,
)
from .fields import SanitizedHTMLField, UprightImageField, WebURLField, WebURLFormField, web_url
from .redirects import ArticleRedirect
from .syndication import FeedImportRun, UpstreamChange

__all__ = [
    "RELATED_WINDOW",
    "RESERVED_SECTION_SLUGS",
    "Article",
    "ArticleManager",
    "ArticleQuerySet",
    "ArticleRedirect",
    "Author",
    "Correction",
    "CorrectionChange",
    "EditorPresence",
    "FeedImportRun",
    "PreviewLink",
    "SanitizedHTMLField",
    "Section",
    "Source",
    "StatusChange",
    "StoryAutosave",
    "Tag",
    "UpstreamChange",
    "UprightImageField",
    "WebURLField",
    "WebURLFormField",
    "new_preview_key",
    "validate_section_slug",
    "web_url",
]
