"""The read side of reader comments: one article's thread, page by page, and counts for list pages.

Every function here runs a fixed number of queries, whatever the number of comments.

Pages hold whole threads (a top-level comment and all its replies), oldest thread first,
filled until they hold at least COMMENTS_PER_PAGE published comments; one thread larger
than that gets a page of its own. A comment that is not published itself (held, hidden
after flags, removed or deleted by its author) but has published replies keeps its place
in the thread as a placeholder with no name and no text, so replies never lose their context.
"""

from dataclasses import dataclass, field

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db.models import Count
from django.db.models.base import ModelState
from django.db.models.signals import post_init

from articles.distribution.seo import absolute_url
from articles.models import Article

from . import ownership, policy
from .models import ArticleComment, PendingComment

COMMENTS_PER_PAGE = 50

# What the thread renders; everything else (email, IP address, the user row) stays in the database.
RENDERED_FIELDS = [
    "user_name",
    "user_url",
    "comment",
    "submit_date",
    "is_public",
    "is_removed",
    "edited_at",
    "thread_id",
    "parent_id",
    "level",
    "order",
]
# The columns of those, and the primary key (the pointer to the parent comment tables).
_RENDERED_ATTNAMES = [ArticleComment._meta.pk.attname] + [
    ArticleComment._meta.get_field(name).attname for name in RENDERED_FIELDS
]


def _for_article(article):
    return ArticleComment.objects.select_related(None).filter(
        content_type=ContentType.objects.get_for_model(article),
        object_pk=str(article.pk),
        site_id=settings.SITE_ID,
    )


@dataclass
class CommentNode:
    """One comment in the rendered thread, with the replies under it."""

    comment: ArticleComment
    children: list = field(default_factory=list)
    owned: bool = False  # this browser posted it and may still edit or delete it

    @property
    def visible(self):
        return self.comment.is_visible


@dataclass
class CommentPage:
    """The part of one article's thread shown on one page, and where the other pages are."""

    threads: list  # CommentNode for each top-level comment, replies nested
    count: int  # published comments on the whole article
    number: int
    num_pages: int

    @property
    def has_other_pages(self):
        return self.num_pages > 1

    @property
    def has_previous(self):
        return self.number > 1

    @property
    def has_next(self):
        return self.number < self.num_pages

    @property
    def previous_page_number(self):
        return self.number - 1

    @property
    def next_page_number(self):
        return self.number + 1


def _paged_threads(article, comments=None):
    """Published comments per thread → (total count, [[thread ids of page 1], [page 2], ...]). One query.

    `comments`: _for_article(article), when the caller has it already."""
    comments = comments if comments is not None else _for_article(article)
    rows = comments.visible().order_by("thread_id").values_list("thread_id").annotate(n=Count("pk"))
    pages, current, in_page, total = [], [], 0, 0
    for thread_id, n in rows:
        current.append(thread_id)
        in_page += n
        total += n
        if in_page >= COMMENTS_PER_PAGE:
            pages.append(current)
            current, in_page = [], 0
    if current:
        pages.append(current)
    return total, pages


def _page_number(value, num_pages):
    try:
        number = int(value)
    except (TypeError, ValueError):
        return 1
    return min(max(number, 1), num_pages)


def _rendered(comments):
    """The comments of a queryset with RENDERED_FIELDS loaded (and the others deferred), as `.only(*RENDERED_FIELDS)`
    would give them, built from the rows' values: Django's deferred-model instantiation cost a third of the page's
    comment query. post_init is sent as Model.__init__ sends it (the page cache notes what a reader saw)."""
    names = _RENDERED_ATTNAMES
    db = comments.db
    new = ArticleComment.__new__
    loaded = []
    for row in comments.values_list(*names):
        comment = new(ArticleComment)
        state = comment._state = ModelState()
        state.adding, state.db = False, db
        comment.__dict__.update(zip(names, row, strict=True))
        post_init.send(sender=ArticleComment, instance=comment)
        loaded.append(comment)
    return loaded


def _build_tree(comments):
    """Nest comments (ordered by thread and position) and drop unpublished ones without published replies."""
    nodes, roots = {}, []
    for comment in comments:
        node = CommentNode(comment)
        # A reply whose parent is not in its thread (never expected) goes under the thread's first comment.
        parent = nodes.get(comment.parent_id) or nodes.get(comment.thread_id)
        if comment.starts_thread or parent is None:
            roots.append(node)
        else:
            parent.children.append(node)
        nodes[comment.pk] = node

    def prune(siblings):
        kept = []
        for node in siblings:
            node.children = prune(node.children)
            if node.visible or node.children:
                kept.append(node)
        return kept

    return prune(roots)


def _mark_owned(request, threads):
    """Flag the comments this browser may still edit or delete; only recent comments need the cookie read."""
    if request is None:
        return
    stack = list(threads)
    while stack:
        node = stack.pop()
        stack.extend(node.children)
        if node.visible and policy.edit_allowed(node.comment) and ownership.owns(request, node.comment):
            node.owned = True


def comment_page(article, page_number=1, *, request=None):
    """The published comments of one page of `article`'s thread, nested. Two queries:

    1. published comments per thread (the count, and which threads make up each page)
    2. every comment in this page's threads, only the fields the page renders
    """
    article_comments = _for_article(article)
    total, pages = _paged_threads(article, article_comments)
    num_pages = max(len(pages), 1)
    number = _page_number(page_number, num_pages)
    # A story without comments still runs query 2 (no thread has id 0): the page's query count stays one number.
    thread_ids = pages[number - 1] if pages else [0]
    comments = article_comments.filter(thread_id__in=thread_ids).order_by("thread_id", "order")
    threads = _build_tree(_rendered(comments))
    _mark_owned(request, threads)
    return CommentPage(threads=threads, count=total, number=number, num_pages=num_pages)


def comment_page_number(article, comment):
    """Which page of `article`'s thread shows `comment` (a published one). One query."""
    _, pages = _paged_threads(article)
    for number, thread_ids in enumerate(pages, start=1):
        if comment.thread_id in thread_ids:
            return number
    return 1


def comment_counts(articles):
    """{article.pk: published comments} for a page of stories, in one query (none for an empty page)."""
    articles = list(articles)
    if not articles:
        return {}
    counts = dict(
        ArticleComment.objects.visible()
        .select_related(None)
        .filter(
            content_type=ContentType.objects.get_for_model(articles[0]),
            object_pk__in=[str(article.pk) for article in articles],
            site_id=settings.SITE_ID,
        )
        .order_by()
        .values_list("object_pk")
        .annotate(n=Count("pk"))
    )
    return {article.pk: counts.get(str(article.pk), 0) for article in articles}


def with_comment_counts(articles):
    """Set `comment_count` on each story of a page of stories, in one query (none for an empty page).

    Returns the stories as a list: the same objects, so a queryset passed in is evaluated here once.
    """
    articles = list(articles)
    counts = comment_counts(articles)
    for article in articles:
        article.comment_count = counts[article.pk]
    return articles


def commenter_data(email):
    """Everything an address has posted, as a reader's export: three queries, whatever the number.

    1. their comments  2. the stories those are on  3. their unconfirmed comments (with stories)
    Their own words and details only: no IP addresses, nothing about other readers.
    """
    comments = list(
        ArticleComment.objects.select_related(None)
        .filter(user_email__iexact=email, content_type=ContentType.objects.get_for_model(Article))
        .order_by("submit_date", "pk")
    )
    story_pks = {int(comment.object_pk) for comment in comments if comment.object_pk.isdigit()}
    stories = Article.objects.select_related("section").in_bulk(story_pks)
    pending = PendingComment.objects.select_related("article__section").filter(
        user_email__iexact=email, confirmed_at__isnull=True
    )

    def story(article):
        if article is None:
            return {"headline": None, "url": None}
        return {"headline": article.headline, "url": absolute_url(article.get_absolute_url())}

    return {
        "email": email,
        "comments": [
            {
                "id": comment.pk,
                "story": story(stories.get(int(comment.object_pk)) if comment.object_pk.isdigit() else None),
                "posted_at": comment.submit_date.isoformat(),
                "edited_at": comment.edited_at.isoformat() if comment.edited_at else None,
                "name": comment.user_name,
                "website": comment.user_url,
                "text": comment.comment,
                "status": comment.state,
                "notify_of_replies": comment.followup,
            }
            for comment in comments
        ],
        "unconfirmed_comments": [
            {
                "story": story(item.article),
                "posted_at": item.created_at.isoformat(),
                "name": item.user_name,
                "website": item.user_url,
                "text": item.comment,
            }
            for item in pending
        ],
    }
