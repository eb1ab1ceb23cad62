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
from django.db.models import BooleanField, Count, Exists, ExpressionWrapper, F, Max, OuterRef, Q, Value
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
    "featured_at",
    "answered_at",
]
# The columns of those, and the primary key (the pointer to the parent comment tables).
_RENDERED_ATTNAMES = [ArticleComment._meta.pk.attname] + [
    ArticleComment._meta.get_field(name).attname for name in RENDERED_FIELDS
]
# Who wrote it, as badges need it: annotations of the same query (by_staff, by_expert), never the typed name.
_BADGE_NAMES = ["by_staff", "by_expert"]

# How a questions-and-answers story may order its questions (?comments_order=); anything else is the default.
UNANSWERED_FIRST = "unanswered"
ORDERS = (UNANSWERED_FIRST,)
FEATURED_LIMIT = 20  # editor's picks shown above a thread, newest pick first
FEATURED_EXCERPT_CHARS = 300


def staff_badge():
    """What a signed-in staff member's comments show (COMMENTS_STAFF_BADGE: a newsroom may name its own role)."""
    return getattr(settings, "COMMENTS_STAFF_BADGE", "Staff")


EXPERT_BADGE = "Expert"


def _for_article(article):
    return ArticleComment.objects.select_related(None).filter(
        content_type=ContentType.objects.get_for_model(article),
        object_pk=str(article.pk),
        site_id=settings.SITE_ID,
    )


def _with_badges(comments, article):
    """Annotate who wrote each comment, in the same query: a signed-in staff member (a join on the user's row, its
    is_staff and is_active only), one of the story's experts (EXISTS on its experts). Decided by comment.user_id: a
    name typed into the form claims nothing."""
    experts = Article.experts.through.objects.filter(article_id=article.pk, user_id=OuterRef("user_id"))
    return comments.annotate(
        by_staff=ExpressionWrapper(Q(user__is_staff=True, user__is_active=True), output_field=BooleanField()),
        by_expert=Exists(experts),
    )


def _marks(comment, questions):
    """The marks a published comment shows beside its author's name, as (kind, label) pairs."""
    marks = []
    if comment.featured_at is not None:
        marks.append(("featured", "Featured"))
    if comment.by_staff:
        marks.append(("staff", staff_badge()))
    if comment.by_expert:
        marks.append(("expert", EXPERT_BADGE))
    if questions and comment.answered_at is not None and comment.starts_thread:
        marks.append(("answered", "Answered"))
    return tuple(marks)


@dataclass
class CommentNode:
    """One comment in the rendered thread, with the replies under it."""

    comment: ArticleComment
    children: list = field(default_factory=list)
    owned: bool = False  # this browser posted it and may still edit or delete it
    marks: tuple = ()  # ("featured", "Featured"), ("staff", "Staff"), ("expert", "Expert"), ("answered", "Answered")

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
    order: str = ""  # "" (oldest thread first) or UNANSWERED_FIRST
    questions: int = 0  # in a questions-and-answers story: the published questions
    page_of_thread: dict = field(default_factory=dict)  # thread id → the page number that shows it
    featured: list = field(default_factory=list)  # FeaturedComment, newest pick first

    @property
    def order_query(self):
        """The ordering's part of this page's links ("comments_order=unanswered&"), or ""."""
        return f"comments_order={self.order}&" if self.order else ""

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


def _paged_threads(article, comments=None, order="", *, count_questions=False):
    """Published comments per thread → (total count, [[thread ids of page 1], [page 2], ...], questions). One query.

    `comments`: _for_article(article), when the caller has it already. `order` UNANSWERED_FIRST: the threads whose
    question has no expert's answer yet come first (oldest first within each part). `count_questions`: count the
    published comments that start a thread (the questions of a questions-and-answers story); else questions is 0."""
    comments = comments if comments is not None else _for_article(article)
    rows = comments.visible().values_list("thread_id").annotate(n=Count("pk"))
    # The question is the thread's first comment (its id is the thread's); only it carries answered_at.
    starts = Q(pk=F("thread_id"))
    rows = rows.annotate(starts=Count("pk", filter=starts) if count_questions else Value(0))
    if order == UNANSWERED_FIRST:
        rows = rows.annotate(answered=Max("answered_at", filter=starts))
        rows = rows.order_by(F("answered").asc(nulls_first=True), "thread_id").values_list("thread_id", "n", "starts")
    else:
        rows = rows.order_by("thread_id")
    pages, current, in_page, total, questions = [], [], 0, 0, 0
    for thread_id, n, starts_thread in rows:
        current.append(thread_id)
        in_page += n
        total += n
        questions += starts_thread
        if in_page >= COMMENTS_PER_PAGE:
            pages.append(current)
            current, in_page = [], 0
    if current:
        pages.append(current)
    return total, pages, questions


def _page_number(value, num_pages):
    try:
        number = int(value)
    except (TypeError, ValueError):
        return 1
    return min(max(number, 1), num_pages)


def _rendered(comments, extra=()):
    """The comments of a queryset with RENDERED_FIELDS loaded (and the others deferred), as `.only(*RENDERED_FIELDS)`
    would give them, built from the rows' values: Django's deferred-model instantiation cost a third of the page's
    comment query. post_init is sent as Model.__init__ sends it (the page cache notes what a reader saw).
    `extra`: names of the queryset's annotations, set as attributes too."""
    names = _RENDERED_ATTNAMES + list(extra)
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


def _build_tree(comments, questions=False):
    """Nest comments (ordered by thread and position) and drop unpublished ones without published replies."""
    nodes, roots = {}, []
    for comment in comments:
        node = CommentNode(comment, marks=_marks(comment, questions) if comment.is_visible else ())
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


def is_questions(article):
    return article.comments_mode == Article.CommentMode.QUESTIONS


def comment_order(article, value):
    """The ordering a reader asked for (?comments_order=), if this story offers it; else "" (the default)."""
    return value if is_questions(article) and value in ORDERS else ""


@dataclass
class FeaturedComment:
    """An editor's pick as the section above the thread shows it: an excerpt and where it is in the thread."""

    pk: int
    name: str
    excerpt: str
    submit_date: object
    note: str
    marks: tuple
    page: int  # the page of the thread that shows it (in the page's order)


def _featured(article, comments, page_of_thread):
    """The story's published editor's picks, newest pick first (FEATURED_LIMIT at most). One query."""
    rows = (
        _with_badges(comments.visible().filter(featured_at__isnull=False), article)
        .order_by("-featured_at", "-pk")
        .values_list("pk", "user_name", "comment", "submit_date", "featured_note", "thread_id", *_BADGE_NAMES)
    )[:FEATURED_LIMIT]
    picks = []
    for pk, name, text, submit_date, note, thread_id, by_staff, by_expert in rows:
        marks = (("staff", staff_badge()),) if by_staff else ()
        marks += (("expert", EXPERT_BADGE),) if by_expert else ()
        excerpt = text if len(text) <= FEATURED_EXCERPT_CHARS else text[: FEATURED_EXCERPT_CHARS - 1].rstrip() + "…"
        picks.append(FeaturedComment(pk, name, excerpt, submit_date, note, marks, page_of_thread.get(thread_id, 1)))
    return picks


def comment_page(article, page_number=1, *, request=None, order=""):
    """The published comments of one page of `article`'s thread, nested, and its editor's picks. Three queries:

    1. published comments per thread (the count, and which threads make up each page)
    2. every comment in this page's threads, only the fields the page renders, and who wrote it (staff, expert)
    3. the story's published editor's picks (FeaturedComment)

    `order`: comment_order()'s answer ("" or UNANSWERED_FIRST).
    """
    article_comments = _for_article(article)
    questions = is_questions(article)
    total, pages, question_count = _paged_threads(article, article_comments, order, count_questions=questions)
    num_pages = max(len(pages), 1)
    number = _page_number(page_number, num_pages)
    # A story without comments still runs query 2 (no thread has id 0): the page's query count stays one number.
    thread_ids = pages[number - 1] if pages else [0]
    comments = _with_badges(article_comments.filter(thread_id__in=thread_ids), article).order_by("thread_id", "order")
    threads = _build_tree(_rendered(comments, _BADGE_NAMES), questions)
    if order:  # the page's threads in the page's order, not by id
        position = {thread_id: n for n, thread_id in enumerate(thread_ids)}
        threads.sort(key=lambda node: position.get(node.comment.thread_id, len(position)))
    _mark_owned(request, threads)
    page_of_thread = {thread_id: n for n, ids in enumerate(pages, start=1) for thread_id in ids}
    page = CommentPage(
        threads=threads, count=total, number=number, num_pages=num_pages, order=order, page_of_thread=page_of_thread
    )
    page.featured = _featured(article, article_comments, page_of_thread)
    page.questions = question_count
    return page


def comment_page_number(article, comment):
    """Which page of `article`'s thread shows `comment` (a published one). One query."""
    _, pages, _ = _paged_threads(article)
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


def comment_count_and_newest(article):
    """(published comments on `article`, the newest one's pk or None), in one query."""
    found = _for_article(article).visible().aggregate(count=Count("pk"), newest=Max("pk"))
    return found["count"], found["newest"]
