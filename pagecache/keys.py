"""What a page shows, as keys: the names a change ends pages by.

A page rendered for the cache collects its keys while it renders: every story, section, source, author and
tag the view loads adds its own (Django's post_init signal, so no view or template says anything), and the
view adds the lists it shows (its name and slug: the home page lists `stories`, a section page
`section:<slug>`). Every page also shows the site itself (`site`: the nav, the site's name).

- `story-<id>`: the story as any page shows it (headline, summary, body, corrections, where it is filed).
- `comments-<id>`: its comments as pages show them: the thread on its own page and reply pages, the count on
  lists. Other stories' pages list it among their related stories without a count, so a comment leaves them.
- `section-<id>`, `source-<id>`, `author-<id>`, `tag-<id>`: their names, wherever they are shown.
- `stories`, `section:<slug>`, `source:<slug>`, `tag:<slug>`: which stories a list holds, in which order.
- `story-any`, `comments-any`: stand for those keys of a page that loaded more than MAX_STORY_KEYS stories.

A story page lists related stories (its section's and its tags' latest), so it carries the lists of its
section and tags too: a story published there may join them.

The same keys go to the edge in the Surrogate-Key header (edge.py), so a proxy purges what the page cache ends.
"""

import contextvars
from dataclasses import dataclass, field

SITE = "site"
ALL_STORIES = "stories"
ANY_STORY = "story-any"
ANY_COMMENTS = "comments-any"
MAX_STORY_KEYS = 100

# A list page's name → the key of what it lists (with its slug) or lists all stories.
LISTS = {
    "articles:section": "section",
    "articles:section_feed_rss": "section",
    "articles:section_feed_atom": "section",
    "articles:source": "source",
    "articles:source_feed_rss": "source",
    "articles:source_feed_atom": "source",
    "articles:tag": "tag",
    "articles:tag_feed_rss": "tag",
    "articles:tag_feed_atom": "tag",
}
ALL_STORIES_LISTS = frozenset(
    [
        "articles:home",
        "articles:search",
        "articles:feed_rss",
        "articles:feed_atom",
        "sitemap",
        "sitemap_news",
        "sitemap_section",
    ]
)


def story(pk):
    return f"story-{pk}"


def comments(pk):
    return f"comments-{pk}"


def listing(kind, slug):
    return f"{kind}:{slug}"


def of_instance(instance):
    """The key of a loaded row of a kind pages show, or None."""
    return f"{instance._meta.model_name}-{instance.pk}" if instance.pk is not None else None


# A story page and the list key of its section (from its address).
RELATED = {"articles:detail": "section"}


@dataclass
class Page:
    """The keys of the page being rendered in this request."""

    keys: set = field(default_factory=lambda: {SITE})
    stories: set = field(default_factory=set)
    comments: set = field(default_factory=set)
    with_tag_lists: bool = False  # a tag loaded is a list the page shows (related stories)
    own_story: str | None = None  # a story page's slug: the only story whose comments it shows

    def shows(self, instance):
        key = of_instance(instance)
        if key.startswith("article-"):  # an Article row: a story
            self.stories.add(story(instance.pk))
            if self.own_story is None or instance.__dict__.get("slug") == self.own_story:
                self.comments.add(comments(instance.pk))
            return
        self.keys.add(key)
        if self.with_tag_lists and key.startswith("tag-") and instance.__dict__.get("slug"):
            self.keys.add(listing("tag", instance.__dict__["slug"]))

    def all(self):
        stories = self.stories if len(self.stories) <= MAX_STORY_KEYS else {ANY_STORY}
        threads = self.comments if len(self.comments) <= MAX_STORY_KEYS else {ANY_COMMENTS}
        return frozenset(self.keys | stories | threads)


_page: contextvars.ContextVar[Page | None] = contextvars.ContextVar("pagecache_page", default=None)


def start(view_name, view_kwargs):
    """Begin collecting the keys of the page about to be rendered; returns what end() needs."""
    page = Page()
    if view_name in ALL_STORIES_LISTS:
        page.keys.add(ALL_STORIES)
    if view_name in LISTS and "slug" in view_kwargs:
        page.keys.add(listing(LISTS[view_name], view_kwargs["slug"]))
    if view_name in RELATED:
        page.keys.add(listing(RELATED[view_name], view_kwargs[RELATED[view_name]]))
        page.with_tag_lists = True
        page.own_story = view_kwargs.get("slug")
    return _page.set(page)


def finish(token):
    """Stop collecting; the keys of the page rendered."""
    page = _page.get()
    _page.reset(token)
    return page.all() if page is not None else frozenset([SITE])


def loaded(sender, instance, **kwargs):
    """post_init of a model pages show: the page being rendered (if any) shows this row."""
    page = _page.get()
    if page is not None and instance.pk is not None:
        page.shows(instance)


def loaded_comment(sender, instance, **kwargs):
    """post_init of a comment: the page shows its story's comments (a reply page loads no story row)."""
    page = _page.get()
    story_pk = instance.__dict__.get("object_pk")  # not getattr: a deferred field would cost a query
    if page is not None and story_pk:
        page.comments.add(comments(story_pk))
