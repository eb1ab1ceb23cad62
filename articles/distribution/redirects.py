"""Old addresses keep working: a story whose address changes after it went public (its section, its slug,
its day: an editor's change, a revision restored, a re-scheduled publication, its section renamed) keeps
its old address in `ArticleRedirect`, written in the same transaction as the change, whatever path made it.

`OldAddressMiddleware` answers a story address that found no story (a 404 from the story view, and only
then: a story that takes the old address later wins) with a 301 to where the story is now, while it is
public. Each old address names the story, so a story that moves twice sends both old addresses straight
to the current one; moving back to an address ends its redirect. Feeds and sitemaps only ever name a
story's current address (get_absolute_url).
"""

from django.conf import settings
from django.db.models.signals import post_save, pre_save
from django.http import HttpResponsePermanentRedirect
from django.utils import timezone

from ..models import Article, ArticleRedirect, Section

ADDRESS_FIELDS = {"slug", "section", "section_id", "published_at", "status"}
# A story has been public at its address when it went live there: live now, taken down, or unpublished.
HAS_BEEN_LIVE = [*Article.LIVE_STATUSES, Article.Status.UNPUBLISHED]


def _has_been_public(status, published_at):
    return status in HAS_BEEN_LIVE and published_at is not None and published_at <= timezone.now()


def _story_before(sender, instance, raw=False, update_fields=None, **kwargs):
    """The story's address before this save, if it has been public there (one query, only on a story's save)."""
    instance._address_before = None
    if raw or instance._state.adding or instance.pk is None:
        return
    if update_fields is not None and not ADDRESS_FIELDS & set(update_fields):
        return
    row = Article.objects.filter(pk=instance.pk).values_list("status", "published_at", "section__slug", "slug").first()
    if row is not None and _has_been_public(row[0], row[1]):
        instance._address_before = Article.address(row[2], row[1], row[3])


def _story_saved(sender, instance, raw=False, **kwargs):
    if raw:
        return
    before = instance.__dict__.pop("_address_before", None)
    if instance.status not in Article.LIVE_STATUSES and before is None:
        return
    now = instance.get_absolute_url()
    if instance.status in Article.LIVE_STATUSES:
        ArticleRedirect.objects.filter(old_path=now).delete()  # the address is this story's (again)
    if before is not None and before != now:
        ArticleRedirect.objects.update_or_create(old_path=before, defaults={"article": instance})


def _section_before(sender, instance, raw=False, **kwargs):
    instance._slug_before = None
    if not raw and not instance._state.adding and instance.pk is not None:
        instance._slug_before = Section.objects.filter(pk=instance.pk).values_list("slug", flat=True).first()


def _section_saved(sender, instance, raw=False, **kwargs):
    """A section renamed moves every story in it that has been public: each keeps its old address."""
    before = instance.__dict__.pop("_slug_before", None)
    if raw or before is None or before == instance.slug:
        return
    stories = Article.objects.filter(
        section=instance, status__in=HAS_BEEN_LIVE, published_at__lte=timezone.now()
    ).values_list("pk", "published_at", "slug")
    batch = [
        ArticleRedirect(old_path=Article.address(before, published_at, slug), article_id=pk)
        for pk, published_at, slug in stories.iterator()
    ]
    ArticleRedirect.objects.bulk_create(
        batch, batch_size=500, update_conflicts=True, unique_fields=["old_path"], update_fields=["article"]
    )


def connect():
    uid = "articles.distribution.redirects."
    pre_save.connect(_story_before, sender=Article, dispatch_uid=uid + "before-article")
    post_save.connect(_story_saved, sender=Article, dispatch_uid=uid + "save-article")
    pre_save.connect(_section_before, sender=Section, dispatch_uid=uid + "before-section")
    post_save.connect(_section_saved, sender=Section, dispatch_uid=uid + "save-section")


def current_address(path):
    """Where the story that once answered at `path` is now, or None (never a story's, or not public now)."""
    moved = ArticleRedirect.objects.filter(old_path=path).select_related("article__section").first()
    if moved is None or not moved.article.is_public:
        return None
    now = moved.article.get_absolute_url()
    return now if now != path else None


class OldAddressMiddleware:
    """A 404 at a story's address asks the old addresses (one indexed query), like django.contrib.redirects'
    fallback, but only for story-shaped paths: a scanner's random paths cost nothing."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if response.status_code != 404 or request.method not in ("GET", "HEAD"):
            return response
        match = getattr(request, "resolver_match", None)
        if match is None or match.view_name != "articles:detail":
            return response
        now = current_address(request.path)
        if now is None:
            return response
        query = request.META.get("QUERY_STRING", "")
        redirect = HttpResponsePermanentRedirect(f"{now}?{query}" if query else now)
        # Browsers may keep it as long as a page; shared caches (the page cache keeps only 200s, Varnish and
        # CDNs here) ask again, so a story that later takes the old address is served there at once.
        redirect["Cache-Control"] = f"private, max-age={settings.PAGE_CACHE_MAX_AGE}"
        return redirect
