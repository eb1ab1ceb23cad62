"""Which keys (keys.py) a change ends: the receivers of the models public pages show.

A change that no reader can see ends nothing: a draft's edit, a held or pending comment, a flag, a
moderation note, an outbox row. Code that writes with queryset.update() sends its own signal
(comments.signals.comments_erased) or changes nothing public.
"""

from django.apps import apps
from django.conf import settings
from django.core.signals import setting_changed
from django.db.models.signals import m2m_changed, post_delete, post_init, post_save, pre_save

from . import freshness, keys

CATALOGUE = ["articles.Section", "articles.Source", "articles.Author", "articles.Tag"]


def story_keys(article, *, lists=()):
    """A story's own key, and those of the lists it appears on (`lists`: more of them, from before a change)."""
    found = {keys.story(article.pk), keys.ALL_STORIES, *lists}
    found.update(_lists_of(article.section.slug if article.section_id else None, article.source))
    found.update(keys.listing("tag", slug) for slug in article.tags.values_list("slug", flat=True))
    return found


def _lists_of(section_slug, source):
    found = set()
    if section_slug:
        found.add(keys.listing("section", section_slug))
    if source is not None:
        found.add(keys.listing("source", source.slug))
    return found


# --- stories ---------------------------------------------------------------------------------------


def _story_before(sender, instance, raw=False, **kwargs):
    """Was the story public before this save, and on which lists? (One query, only on a story's save.)"""
    instance._pagecache_lists_before = None
    if raw or instance.pk is None:
        return
    row = sender.objects.published().filter(pk=instance.pk).values_list("section__slug", "source__slug").first()
    if row is not None:
        section, source = row
        instance._pagecache_lists_before = {keys.listing("section", section)} | (
            {keys.listing("source", source)} if source else set()
        )


def _story_saved(sender, instance, raw=False, **kwargs):
    if raw:
        return
    before = getattr(instance, "_pagecache_lists_before", None)
    if before is not None or instance.is_public:
        freshness.end(story_keys(instance, lists=before or ()))
    freshness.schedule_may_have_changed()  # it may go live, come down or close its comments later


def _story_deleted(sender, instance, **kwargs):
    if instance.is_public:
        freshness.end({keys.story(instance.pk), keys.ALL_STORIES, *_lists_of(instance.section.slug, instance.source)})
    freshness.schedule_may_have_changed()


def _changed_pks(instance, action, pk_set, related):
    """The rows on the other side of an m2m change (`related`: the instance's accessor), or None for a step that
    changes nothing yet. A clear sends no pks after the fact, so they are read at pre_clear and kept on the instance."""
    if action == "pre_clear":
        instance._pagecache_cleared = set(getattr(instance, related).values_list("pk", flat=True))
        return None
    if action not in ("post_add", "post_remove", "post_clear"):
        return None
    if action == "post_clear":
        return getattr(instance, "_pagecache_cleared", set())
    return pk_set or set()


def _tags_changed(sender, instance, action, pk_set=None, model=None, reverse=False, **kwargs):
    """A story's tags (or a tag's stories, from the tag's side): its page and the tags' lists."""
    pk_set = _changed_pks(instance, action, pk_set, "articles" if reverse else "tags")
    if pk_set is None:
        return
    Article = apps.get_model("articles.Article")
    Tag = apps.get_model("articles.Tag")
    articles = [instance] if not reverse else list(Article.objects.filter(pk__in=pk_set or ()))
    tag_pks = pk_set if not reverse else {instance.pk}
    if not any(article.is_public for article in articles):
        return
    found = {keys.story(article.pk) for article in articles if article.is_public}
    slugs = Tag.objects.filter(pk__in=tag_pks).values_list("slug", flat=True)
    found.update(keys.listing("tag", slug) for slug in slugs)
    freshness.end(found)


def _authors_changed(sender, instance, action, reverse=False, pk_set=None, **kwargs):
    if action not in ("post_add", "post_remove", "post_clear"):
        return
    if not reverse:
        if instance.is_public:
            freshness.end({keys.story(instance.pk)})
    else:  # an author's stories changed from the author's side: that author's byline everywhere
        freshness.end({keys.of_instance(instance)})


# --- what stories are filed under ------------------------------------------------------------------


def _catalogue_saved(sender, instance, created=False, raw=False, **kwargs):
    if raw:
        return
    if created:
        # Every page's navigation lists the sections; no page shows a new source, author or tag yet.
        if sender._meta.model_name == "section":
            freshness.end({keys.SITE})
        return
    freshness.end({keys.of_instance(instance)})


def _catalogue_deleted(sender, instance, **kwargs):
    freshness.end({keys.of_instance(instance)} | ({keys.SITE} if sender._meta.model_name == "section" else set()))


def _correction_changed(sender, instance, raw=False, **kwargs):
    if not raw:
        freshness.end({keys.story(instance.article_id)})


def _correction_amended(sender, instance, raw=False, **kwargs):
    # An amendment updates its correction with update(); the record of it is what is saved.
    if not raw:
        Correction = apps.get_model("articles.Correction")
        article = Correction.objects.filter(pk=instance.correction_id).values_list("article_id", flat=True).first()
        if article is not None:
            freshness.end({keys.story(article)})


def _site_changed(sender, raw=False, **kwargs):
    if not raw:
        freshness.end({keys.SITE})


# --- comments --------------------------------------------------------------------------------------


# What a reader sees of a comment: whether it is published or removed (a placeholder stands in for one
# that is not, when published replies hang from it), and the words, name, link and place of a published one.
STATE_FIELDS = ("is_public", "is_removed")
SHOWN_FIELDS = (
    "comment",
    "user_name",
    "user_url",
    "submit_date",
    "edited_at",
    "parent_id",
    "thread_id",
    "level",
    "order",
    "featured_at",
    "featured_note",
    "answered_at",
)


def seen(comment):
    """What a reader sees of the comment as loaded, or None when some of it was not loaded (only())."""
    values = comment.__dict__  # not getattr: a deferred field would be loaded, one query per comment
    if any(name not in values for name in STATE_FIELDS):
        return None
    state = tuple(values[name] for name in STATE_FIELDS)
    if not (values["is_public"] and not values["is_removed"]):
        return state
    if any(name not in values for name in SHOWN_FIELDS):
        return None
    return state + tuple(values[name] for name in SHOWN_FIELDS)


def _comment_loaded(sender, instance, **kwargs):
    instance._pagecache_seen = seen(instance) if instance.pk is not None else None
    keys.loaded_comment(sender, instance)


def _comment_saved(sender, instance, created=False, raw=False, **kwargs):
    if raw:
        return
    before = getattr(instance, "_pagecache_seen", None)  # None: not known (partly loaded), or new
    after = seen(instance)
    instance._pagecache_seen = after
    if not created and before is not None and before == after:
        return  # a note, a flag count, a reviewed mark: nothing a reader sees
    shown_before = not created and (before is None or len(before) > len(STATE_FIELDS))
    if shown_before or instance.is_visible or _stands_in_for(instance):
        freshness.end({keys.comments(instance.object_pk)})


def _stands_in_for(comment):
    """Is this unpublished comment shown as a placeholder, because published replies hang from it?"""
    return (
        comment.pk is not None
        and type(comment).objects.visible().filter(parent_id=comment.pk).exclude(pk=comment.pk).exists()
    )


def _comment_deleted(sender, instance, **kwargs):
    if instance.is_visible or _stands_in_for(instance):
        freshness.end({keys.comments(instance.object_pk)})


# --- badges: who wrote a comment, as the thread shows it (comments.selectors) ------------------------


BADGE_FIELDS = ("is_staff", "is_active")  # "Staff" is shown for an active staff account


def _experts_changed(sender, instance, action, reverse=False, pk_set=None, **kwargs):
    """A story's experts (or an expert's stories, from the user's side): the "Expert" badges in those threads."""
    pk_set = _changed_pks(instance, action, pk_set, "expert_on" if reverse else "experts")
    if pk_set is None:
        return
    stories = pk_set if reverse else {instance.pk}
    freshness.end({keys.comments(pk) for pk in stories})


def _user_before(sender, instance, raw=False, update_fields=None, **kwargs):
    instance._pagecache_badge_before = None
    if raw or instance.pk is None or (update_fields is not None and not set(update_fields) & set(BADGE_FIELDS)):
        return  # a login's last_login, a password: no badge changes
    instance._pagecache_badge_before = sender.objects.filter(pk=instance.pk).values_list(*BADGE_FIELDS).first()


def _user_saved(sender, instance, raw=False, **kwargs):
    before = getattr(instance, "_pagecache_badge_before", None)
    if raw or before is None or before == tuple(getattr(instance, name) for name in BADGE_FIELDS):
        return
    Comment = apps.get_model("comments.ArticleComment")
    stories = Comment.objects.visible().filter(user_id=instance.pk).values_list("object_pk", flat=True).distinct()
    freshness.end({keys.comments(pk) for pk in stories})


def _comments_erased(sender, pks, **kwargs):
    stories = sender.objects.filter(pk__in=pks).values_list("object_pk", flat=True).distinct()
    freshness.end({keys.comments(pk) for pk in stories})


def _setting_changed(**kwargs):
    # Tests change settings that pages depend on (page sizes, the comment policy): every page afresh.
    freshness.renew_keeping_schedule()


def connect():
    from comments.signals import comments_erased

    Article = apps.get_model("articles.Article")
    Comment = apps.get_model("comments.ArticleComment")
    uid = "pagecache-"
    post_init.connect(keys.loaded, sender=Article, dispatch_uid=uid + "init-article")
    pre_save.connect(_story_before, sender=Article, dispatch_uid=uid + "before-article")
    post_save.connect(_story_saved, sender=Article, dispatch_uid=uid + "save-article")
    post_delete.connect(_story_deleted, sender=Article, dispatch_uid=uid + "delete-article")
    m2m_changed.connect(_tags_changed, sender=Article.tags.through, dispatch_uid=uid + "tags")
    m2m_changed.connect(_authors_changed, sender=Article.authors.through, dispatch_uid=uid + "authors")
    for label in CATALOGUE:
        model = apps.get_model(label)
        post_init.connect(keys.loaded, sender=model, dispatch_uid=f"{uid}init-{label}")
        post_save.connect(_catalogue_saved, sender=model, dispatch_uid=f"{uid}save-{label}")
        post_delete.connect(_catalogue_deleted, sender=model, dispatch_uid=f"{uid}delete-{label}")
    corrections = {"articles.Correction": _correction_changed, "articles.CorrectionChange": _correction_amended}
    for label, receiver in corrections.items():
        model = apps.get_model(label)
        post_save.connect(receiver, sender=model, dispatch_uid=f"{uid}save-{label}")
        post_delete.connect(receiver, sender=model, dispatch_uid=f"{uid}delete-{label}")
    Site = apps.get_model("sites.Site")
    post_save.connect(_site_changed, sender=Site, dispatch_uid=uid + "save-site")
    post_delete.connect(_site_changed, sender=Site, dispatch_uid=uid + "delete-site")
    post_init.connect(_comment_loaded, sender=Comment, dispatch_uid=uid + "init-comment")
    post_save.connect(_comment_saved, sender=Comment, dispatch_uid=uid + "save-comment")
    post_delete.connect(_comment_deleted, sender=Comment, dispatch_uid=uid + "delete-comment")
    comments_erased.connect(_comments_erased, dispatch_uid=uid + "comments-erased")
    m2m_changed.connect(_experts_changed, sender=Article.experts.through, dispatch_uid=uid + "experts")
    User = apps.get_model(settings.AUTH_USER_MODEL)
    pre_save.connect(_user_before, sender=User, dispatch_uid=uid + "before-user")
    post_save.connect(_user_saved, sender=User, dispatch_uid=uid + "save-user")
    setting_changed.connect(_setting_changed, dispatch_uid=uid + "settings")
