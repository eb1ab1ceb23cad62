"""Importing stories from sources' RSS and Atom feeds: fetch → parse → sanitize → dedupe → save.

`source_import_feed` is the one way in, for `manage.py import_feed` and the admin's "Fetch new stories
now". Every entry becomes a draft story (or a published one, when asked) crediting its source, with the
syndication record: GUID, original link, the original's times, the source's licence note.

Decisions, in one place:
- Deduplication is the database's job: unique (source, GUID), unique normalized link, unique (source,
  fingerprint of headline + lead). Each entry is saved in its own transaction; when another run got
  there first, the constraint refuses the row and the entry is reported as a duplicate.
- An entry that changed at the source updates our copy only while that copy is a draft nobody has
  edited. Otherwise the change waits for an editor as an `UpstreamChange`, with a diff.
- `publish=True` publishes new stories at the source's publication time, never later than now (a
  source's clock or a future date must not schedule our copy), and only when the story passes the
  desk's publishing checks; otherwise it stays a draft and the report says why.
- A broken entry is reported and skipped; only a feed that cannot be read at all raises FeedError.
- Feeds are parsed by feedparser with its own sanitizer off: story HTML goes through the site's one
  allowlist (`articles.html.sanitize_html`), which has no images, iframes, styles, scripts or handlers.

Limits come from the `FEED_IMPORT` setting (a dict); every key and its default is in `DEFAULTS`.
"""

import calendar
import datetime
import difflib
import hashlib
import html
import io
import logging
import re
import time
import warnings
from dataclasses import dataclass, field
from urllib.parse import parse_qsl, quote, urlencode, urlsplit, urlunsplit

import feedparser
import reversion
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from django.utils.text import Truncator, slugify
from PIL import Image

from ..desk import publishing
from ..html import BLOCK_END, TOP_LEVEL_BLOCK_START, plain_text, sanitize_html
from ..images import FILE_EXTENSIONS, validate_image
from ..media import STORE_ERRORS
from ..models import Article, Author, Source, UpstreamChange
from .fetching import WEB_SCHEMES, FetchError, fetch

logger = logging.getLogger(__name__)

DEFAULTS = {
    "TIMEOUT": 10,  # seconds: the longest wait for any one network answer
    "DOWNLOAD_SECONDS": 60,  # seconds: the longest a whole feed or image download may take
    "MAX_FEED_BYTES": 10 * 1024 * 1024,
    "MAX_ENTRY_BYTES": 512 * 1024,  # an entry's HTML; a larger entry is skipped and reported
    "MAX_IMAGE_BYTES": None,  # None: the upload limit, MAX_IMAGE_UPLOAD_BYTES
    "ALLOW_LOOPBACK": False,  # feeds and images only ever from public addresses; True adds loopback (tests, dev)
}

# Query parameters that only say where a click came from, never which story it is.
TRACKING_PARAMETERS = {
    "fbclid",
    "gclid",
    "gclsrc",
    "dclid",
    "msclkid",
    "yclid",
    "igshid",
    "mc_cid",
    "mc_eid",
    "_ga",
    "_gl",
    "_hsenc",
    "_hsmi",
    "mkt_tok",
}
# What decides whether an entry changed at the source (its times alone do not).
COMPARED_FIELDS = ["headline", "dek", "body", "authors", "link", "image"]
MAX_GUID_LENGTH = Article._meta.get_field("source_guid").max_length
MAX_LINK_LENGTH = Article._meta.get_field("source_url").max_length
MAX_AUTHORS = 10

# A DOCTYPE's internal subset may declare entities: the billion-laughs and external-entity (XXE)
# attacks. feedparser already drops every declaration but plain text ones (tests/syndication/test_import_feed_hostile.py
# checks it), but a feed that needs them is not one we want: it is refused with a clear reason.
ENTITY_DECLARATIONS = [
    re.compile(re.escape("<!ENTITY".encode(codec)), re.IGNORECASE) for codec in ("utf-8", "utf-16-le", "utf-16-be")
]


def option(name):
    value = getattr(settings, "FEED_IMPORT", {}).get(name, DEFAULTS[name])
    if name == "MAX_IMAGE_BYTES" and value is None:
        return settings.MAX_IMAGE_UPLOAD_BYTES
    return value


def user_agent():
    return f"{settings.SITE_NAME} feed importer (+{settings.SITE_URL})"


class FeedError(Exception):
    """The feed itself cannot be read or imported; the message is one line saying why."""


class EntryError(Exception):
    """This entry cannot be imported; the message says why. The rest of the feed goes on."""


class LeftForNextRun(Exception):
    """The run's budget ran out while this entry was being imported: nothing of it was saved."""


class Budget:
    """How much one run may do: `seconds` of time and `entries` stories created, updated or flagged.
    None is no limit (the command). Every network wait of the run is cut to the time that is left."""

    def __init__(self, *, seconds=None, entries=None):
        self.ends = None if seconds is None else time.monotonic() + seconds
        self.entries_left = entries

    def seconds(self, at_most):
        """`at_most`, or the time left if that is shorter."""
        if self.ends is None:
            return at_most
        return max(0.001, min(at_most, self.ends - time.monotonic()))

    @property
    def spent(self):
        out_of_time = self.ends is not None and time.monotonic() >= self.ends
        return out_of_time or self.entries_left == 0

    def used_on(self, outcome):
        if self.entries_left is not None and outcome.action != SKIPPED:
            self.entries_left -= 1


# --- identity of an entry -----------------------------------------------------------------------------


def normalize_link(url):
    """The identity of a story's address: the same story whatever its scheme, `www.`, trailing slash,
    fragment, order of parameters or tracking parameters (utm_*, fbclid, gclid, ...).
    Raises ValueError for anything but an absolute http(s) URL."""
    parts = urlsplit(url.strip())
    if parts.scheme.lower() not in WEB_SCHEMES or not parts.hostname:
        raise ValueError(f"not a web address: {url!r}")
    host = parts.hostname.rstrip(".")
    try:
        host = host.encode("idna").decode("ascii")
    except UnicodeError:
        raise ValueError(f"not a valid host name: {parts.hostname!r}") from None
    host = host.removeprefix("www.")
    if ":" in host:  # an IPv6 address
        host = f"[{host}]"
    port = parts.port  # ValueError when it is not a number
    netloc = host if port in (None, 80, 443) else f"{host}:{port}"
    path = quote(parts.path, safe="/%:@!$&'()*+,;=-._~").rstrip("/")
    query = sorted(
        (key, value)
        for key, value in parse_qsl(parts.query, keep_blank_values=True)
        if not key.lower().startswith("utm_") and key.lower() not in TRACKING_PARAMETERS
    )
    return urlunsplit(("https", netloc, path, urlencode(query, quote_via=quote), ""))


def fingerprint(headline, lead):
    """A hash of the headline and the start of the text: the same story reposted under a new link and GUID."""
    text = " ".join(f"{headline}\n{lead[:280]}".casefold().split())
    return hashlib.sha256(text.encode()).hexdigest()


# --- reading an entry -----------------------------------------------------------------------------------


def _text(value):
    """A title or a name: plain text, whatever markup the feed put in it (feeds often put some, typed or not)."""
    return plain_text(value)


def _shorten(text, length):
    return Truncator(text).chars(length) if len(text) > length else text


def _raw(entry, key):
    # Without feedparser's fallbacks (it answers "updated" with the published time when there is none).
    return dict.get(entry, key)


def _datetime(parsed):
    """feedparser's UTC struct_time as an aware datetime; None when missing or impossible."""
    if not parsed:
        return None
    try:
        return datetime.datetime.fromtimestamp(calendar.timegm(parsed), tz=datetime.UTC)
    except (OverflowError, ValueError, OSError):
        return None


def _html_content(raw):
    """The entry's full text (content:encoded, Atom content), as HTML; '' when it has none."""
    for content in raw.get("content") or []:
        value = content.get("value") or ""
        if content.get("type") in ("text/html", "application/xhtml+xml"):
            return value
        if value:
            return "".join(f"<p>{html.escape(para)}</p>" for para in value.split("\n\n") if para.strip())
    return ""


def _image(raw):
    """The lead image's URL (media:content, an image enclosure, media:thumbnail) and its credit."""
    candidates = []
    for media in raw.get("media_content") or []:
        medium, kind = media.get("medium", ""), media.get("type", "")
        if medium == "image" or kind.startswith("image/") or (not medium and not kind):
            candidates.append(media.get("url"))
    for link in raw.get("links") or []:
        if link.get("rel") == "enclosure" and (link.get("type") or "").startswith("image/"):
            candidates.append(link.get("href"))
    candidates += [thumbnail.get("url") for thumbnail in raw.get("media_thumbnail") or []]
    url = next((c.strip() for c in candidates if c and urlsplit(c.strip()).scheme in WEB_SCHEMES), "")
    credits = [c.get("content", "") for c in raw.get("media_credit") or [] if c.get("content")]
    return url, _shorten(" ".join(credits[0].split()), 150) if credits else ""


def _author_names(raw):
    names = [author.get("name", "") for author in raw.get("authors") or [] if isinstance(author, dict)]
    if not any(names) and raw.get("author"):
        names = [raw["author"]]
    kept = []
    for name in names:
        name = _shorten(_text(name), 150)
        # An e-mail address is not a byline (RSS <author> is often one).
        if name and "@" not in name and name.casefold() not in {k.casefold() for k in kept}:
            kept.append(name)
    return kept[:MAX_AUTHORS]


@dataclass
class Entry:
    """One feed entry, read, checked and sanitized: what our story will say."""

    guid: str
    link: str
    link_key: str
    headline: str
    dek: str
    body: str
    authors: list
    published: datetime.datetime | None
    updated: datetime.datetime | None
    image_url: str
    image_credit: str
    fingerprint: str

    def snapshot(self):
        """The entry as stored on the story (`source_entry`): compared on the next run, diffed for editors."""
        return {
            "headline": self.headline,
            "dek": self.dek,
            "body": self.body,
            "authors": self.authors,
            "link": self.link,
            "image": self.image_url,
            "published": self.published.isoformat() if self.published else None,
            "updated": self.updated.isoformat() if self.updated else None,
        }


def _tidy(body):
    """Sanitized HTML without the blank lines left where removed elements were, in paragraphs."""
    body = re.sub(r"\n\s*\n", "\n", body).strip()
    return body if not body or TOP_LEVEL_BLOCK_START.search(body) else f"<p>{body}</p>"


def read_entry(raw):
    """Check one feedparser entry and turn it into an Entry; raises EntryError saying what is wrong."""
    headline = _text(raw.get("title"))
    if not headline:
        raise EntryError("it has no headline")
    headline = _shorten(headline, Article._meta.get_field("headline").max_length)

    link = (raw.get("link") or "").strip()
    if not link:
        raise EntryError("it has no link to the original story")
    try:
        link_key = normalize_link(link)
    except ValueError:
        raise EntryError(f"its link “{_shorten(link, 80)}” is not a web address (http or https)") from None
    if len(link) > MAX_LINK_LENGTH or len(link_key) > MAX_LINK_LENGTH:
        raise EntryError(f"its link is longer than {MAX_LINK_LENGTH} characters")

    guid = (raw.get("id") or "").strip()
    if len(guid) > MAX_GUID_LENGTH:
        raise EntryError(f"its GUID is longer than {MAX_GUID_LENGTH} characters")

    content, summary = _html_content(raw), raw.get("summary") or ""
    limit = option("MAX_ENTRY_BYTES")
    for part in (content, summary):
        if len(part.encode()) > limit:
            raise EntryError(
                f"its text is {filesizeformat(len(part.encode()))}, more than the {filesizeformat(limit)} limit"
            )
    # With a full text, the summary is the dek; without one, the summary is all the story there is.
    # Sanitized again after tidying: exactly what the story's field will store, so a later run can tell
    # whether an editor has changed it.
    body = sanitize_html(_tidy(sanitize_html(content or summary)))
    summary_text = plain_text(summary)
    dek = ""
    if content and summary_text and summary_text != plain_text(content):
        dek = _shorten(summary_text, Article._meta.get_field("dek").max_length)

    image_url, image_credit = _image(raw)
    published = _datetime(_raw(raw, "published_parsed")) or _datetime(_raw(raw, "updated_parsed"))
    return Entry(
        guid=guid,
        link=link,
        link_key=link_key,
        headline=headline,
        dek=dek,
        body=body,
        authors=_author_names(raw),
        published=published,
        updated=_datetime(_raw(raw, "updated_parsed")),
        image_url=image_url,
        image_credit=image_credit,
        fingerprint=fingerprint(headline, summary_text or plain_text(body)),
    )


def changed_fields(old, new):
    """The COMPARED_FIELDS that differ between two snapshots (a link only when it is another story's)."""

    def same_link(a, b):
        try:
            return normalize_link(a or "") == normalize_link(b or "")
        except ValueError:
            return a == b

    return [
        name
        for name in COMPARED_FIELDS
        if not (same_link(old.get(name), new.get(name)) if name == "link" else old.get(name) == new.get(name))
    ]


def entry_diff(old, new):
    """What changed between two snapshots, as a unified diff per field (HTML split into one block a line)."""

    def lines(value):
        if isinstance(value, list):
            return [str(item) for item in value]
        return BLOCK_END.sub("\\g<0>\n", str(value or "")).splitlines()

    diff = []
    for name in COMPARED_FIELDS:
        before, after = lines(old.get(name)), lines(new.get(name))
        if before != after:
            diff += difflib.unified_diff(
                before, after, f"{name} (as imported)", f"{name} (at the source now)", n=1, lineterm=""
            )
    return "\n".join(diff)


# --- reading a feed ----------------------------------------------------------------------------------------


@dataclass
class ParsedFeed:
    title: str
    entries: list
    notes: list


def parse_feed(data, *, content_type="", base_url=""):
    """Parse RSS 0.9x/1.0/2.0 or Atom bytes; raises FeedError when they are not a feed we can read."""
    limit = option("MAX_FEED_BYTES")
    if len(data) > limit:
        raise FeedError(f"the feed is larger than {filesizeformat(limit)}, the limit")
    if not data.strip():
        raise FeedError("the feed is empty")
    if any(pattern.search(data) for pattern in ENTITY_DECLARATIONS):
        raise FeedError(
            "the feed declares XML entities (<!ENTITY>), refused: that is how billion-laughs and XXE attacks work"
        )
    headers = {}
    if content_type:
        headers["content-type"] = content_type
    if base_url:
        headers["content-location"] = base_url  # relative links in the feed are resolved against it
    # A stream, never bytes or str: feedparser would take a string that looks like a path or URL as one.
    parsed = feedparser.parse(
        io.BytesIO(data), sanitize_html=False, resolve_relative_uris=True, response_headers=headers
    )
    problem = parsed.get("bozo_exception")
    if not parsed.get("version") and not parsed.entries:
        raise FeedError("it is not an RSS or Atom feed" + (f" ({problem})" if problem else ""))
    notes = []
    if isinstance(problem, feedparser.CharacterEncodingOverride):
        notes.append(f"the feed's character encoding is wrong ({problem}): check accented letters in the stories")
    elif problem and not isinstance(problem, feedparser.NonXMLContentType):  # a mislabelled feed is read all the same
        notes.append(f"the feed is not well-formed XML ({problem}): it was read leniently, check the stories")
    return ParsedFeed(title=_text(parsed.feed.get("title")), entries=parsed.entries, notes=notes)


# --- the report -------------------------------------------------------------------------------------------------

CREATED, UPDATED, FLAGGED, SKIPPED, FAILED = "created", "updated", "flagged", "skipped", "failed"
ACTIONS = [CREATED, UPDATED, FLAGGED, SKIPPED, FAILED]


@dataclass
class Outcome:
    action: str
    headline: str
    article_id: int | None = None
    detail: str = ""
    read_again: bool = False  # something of this entry is owed: read the whole feed next run, even if unchanged
    link: str = ""  # the entry's link at the source, when it is a web address

    def __str__(self):
        story = f"#{self.article_id} " if self.article_id and self.action != SKIPPED else ""
        return f"{self.action} {story}“{self.headline}”" + (f": {self.detail}" if self.detail else "")


@dataclass
class ImportReport:
    """What one import of one feed did, entry by entry."""

    source: Source
    location: str
    outcomes: list = field(default_factory=list)
    notes: list = field(default_factory=list)
    unchanged: bool = False
    left: int = 0  # entries not looked at: the run's budget was spent

    def count(self, action):
        return sum(1 for outcome in self.outcomes if outcome.action == action)

    @property
    def summary(self):
        if self.unchanged:
            return "unchanged since the last fetch"
        counts = ", ".join(f"{self.count(action)} {action}" for action in ACTIONS)
        return counts + (f"; {self.left} left for the next run" if self.left else "")

    def lines(self):
        return [str(outcome) for outcome in self.outcomes] + [f"note: {note}" for note in self.notes]


# --- saving ----------------------------------------------------------------------------------------------------


def _find_existing(source, entry):
    """The story this entry already is, by GUID, then normalized link, then fingerprint."""
    match = Q(source_url_normalized=entry.link_key) | Q(source=source, source_fingerprint=entry.fingerprint)
    if entry.guid:
        match |= Q(source=source, source_guid=entry.guid)

    def rank(article):
        if entry.guid and article.source_id == source.pk and article.source_guid == entry.guid:
            return 0
        return 1 if article.source_url_normalized == entry.link_key else 2

    return min(Article.objects.filter(match), key=rank, default=None)


def _free_slug(model, text, *, length, fallback):
    """`text` slugified and cut to `length` (else `fallback`), with -2, -3… added until no `model` row has it."""
    base = slugify(text)[:length].strip("-") or fallback
    taken = set(model.objects.filter(slug__startswith=base).values_list("slug", flat=True))
    slug, n = base, 2
    while slug in taken:
        slug, n = f"{base}-{n}", n + 1
    return slug


def _author_named(name):
    """The byline `name`, created the first time it is seen (with a slug no one else has)."""
    author = Author.objects.filter(name__iexact=name).order_by("pk").first()
    if author:
        return author
    slug = _free_slug(Author, name, length=140, fallback="author")
    try:
        with transaction.atomic():
            return Author.objects.create(name=name, slug=slug)
    except IntegrityError:  # another import created this author (or took the slug) at the same moment
        author = Author.objects.filter(name__iexact=name).order_by("pk").first()
        if author is None:
            raise
        return author


def _download_image(entry, slug, budget):
    """The entry's image as a file ready for the ImageField; raises FetchError saying why not, or
    LeftForNextRun when the run's time ran out first."""
    if budget.spent:
        raise LeftForNextRun
    try:
        fetched = fetch(
            entry.image_url,
            max_bytes=option("MAX_IMAGE_BYTES"),
            timeout=budget.seconds(option("TIMEOUT")),
            total_seconds=budget.seconds(option("DOWNLOAD_SECONDS")),
            user_agent=user_agent(),
            accept="image/*",
            allow_loopback=option("ALLOW_LOOPBACK"),
        )
    except FetchError:
        if budget.spent:  # cut short by the run's time, not the image's fault: try it again next run
            raise LeftForNextRun from None
        raise
    content = ContentFile(fetched.body)
    try:
        with warnings.catch_warnings():
            # validate_image counts the pixels itself and says so; Pillow's warning would only be noise.
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            # It reads the file's first bytes and refuses any format but ours before decoding anything.
            image_format = validate_image(content)
    except ValidationError as error:
        raise FetchError(error.messages[0]) from None
    content.name = f"{slug[:80]}.{FILE_EXTENSIONS[image_format]}"
    return content


# In a story's syndication record: the media store could not take the entry's image, so the next run tries again
# while the story still has the lead image it had then (this key's value: its name, "" for none).
IMAGE_OWED = "image_owed"
STORE_DOWN_NOTE = "the media store could not be reached; the next run tries again"


def _attach_image(article, entry, budget):
    """Give the story the entry's image; '' when done, else why not (a bad image never fails an entry, and one
    the media store could not take is owed: see IMAGE_OWED)."""
    article.source_entry = {key: value for key, value in article.source_entry.items() if key != IMAGE_OWED}
    try:
        content = _download_image(entry, article.slug, budget)
    except FetchError as error:
        return f"imported without its image ({_shorten(entry.image_url, 80)}): {error}"
    try:
        article.lead_image.save(content.name, content, save=False)
    except STORE_ERRORS as error:
        logger.warning("Storing the image of %s failed: %r", entry.link, error)
        article.source_entry[IMAGE_OWED] = article.lead_image.name or ""
        return f"imported without its image ({_shorten(entry.image_url, 80)}): {STORE_DOWN_NOTE}"
    article.lead_image_alt = _shorten(article.headline, Article._meta.get_field("lead_image_alt").max_length)
    article.lead_image_credit = entry.image_credit
    return ""


def _owes_image(article, entry):
    owed = article.source_entry.get(IMAGE_OWED)
    return (
        owed is not None
        and entry.image_url
        and entry.image_url == article.source_entry.get("image")
        and (article.lead_image.name or "") == owed  # nobody has given it another image since
    )


def _discard_image(article, keep=""):
    if article.lead_image and article.lead_image.name != keep:
        try:
            article.lead_image.delete(save=False)
        except STORE_ERRORS as error:  # the store is down: the file stays there, unused
            logger.warning("Deleting %s failed: %r", article.lead_image.name, error)


def _store_failed(entry, article_id=None):
    """The store failed after the image went in (its renditions): nothing of the entry was kept, the next run
    imports it again."""
    return Outcome(
        FAILED,
        entry.headline,
        article_id,
        "the media store failed while its image was being stored, so nothing of it was saved; the next run tries again",
        read_again=True,
    )


def _create(source, entry, *, section, publish, budget):
    article = Article(
        headline=entry.headline,
        slug=_free_slug(Article, entry.headline, length=190, fallback="story"),
        dek=entry.dek,
        body=entry.body,
        section=section,
        source=source,
        source_url=entry.link,
        source_url_normalized=entry.link_key,
        source_guid=entry.guid,
        source_fingerprint=entry.fingerprint,
        source_published_at=entry.published,
        source_updated_at=entry.updated,
        source_licence=source.licence,
        source_entry=entry.snapshot(),
        status=Article.Status.DRAFT,
    )
    notes = []
    if entry.image_url:
        notes.append(_attach_image(article, entry, budget))
    try:
        article.full_clean(exclude=["lead_image"], validate_unique=False, validate_constraints=False)
        with transaction.atomic(), reversion.create_revision():
            reversion.set_comment(f"Imported from {source.name}")
            article.save()
            article.authors.set([_author_named(name) for name in entry.authors])
            if publish:
                # Through the desk, as any status change: locked, checked and recorded (by the system). Inside
                # the revision, so the import's one revision holds the story as published.
                try:
                    publishing.article_publish_imported(article=article, published_at=entry.published)
                except publishing.NotReadyToPublish as error:
                    notes.append(f"kept as a draft: {error}")
    except ValidationError as error:
        _discard_image(article)
        raise EntryError(" ".join(error.messages)) from None
    except IntegrityError:
        _discard_image(article)
        twin = _find_existing(source, entry)
        if twin is None:
            raise
        return Outcome(SKIPPED, entry.headline, twin.pk, f"duplicate of #{twin.pk} (imported at the same moment)")
    except STORE_ERRORS as error:
        logger.warning("Storing the renditions of %s failed: %r", entry.link, error)
        _discard_image(article)
        return _store_failed(entry)
    notes.insert(0, "published" if article.status != Article.Status.DRAFT else "draft")
    return Outcome(
        CREATED,
        entry.headline,
        article.pk,
        "; ".join(note for note in notes if note),
        read_again=IMAGE_OWED in article.source_entry,
    )


def _untouched_since_import(article, imported):
    return (article.headline, article.dek, article.body) == tuple(imported.get(k) for k in ("headline", "dek", "body"))


def _update_draft(article, entry, changed, budget):
    """Bring an untouched draft up to date with its source."""
    old_image = article.lead_image.name
    article.headline, article.dek, article.body = entry.headline, entry.dek, entry.body
    article.source_url, article.source_url_normalized = entry.link, entry.link_key
    article.source_updated_at, article.source_entry = entry.updated, entry.snapshot()
    owed = _owes_image(article, entry)
    note = _attach_image(article, entry, budget) if ("image" in changed or owed) and entry.image_url else ""
    try:
        article.full_clean(exclude=["lead_image"], validate_unique=False, validate_constraints=False)
        with transaction.atomic(), reversion.create_revision():
            reversion.set_comment(f"Updated from {article.source.name}: {', '.join(changed)} changed at the source")
            # An editor's form opened before this update is now stale and will say so on save.
            article.lock_version = F("lock_version") + 1
            article.save()
            article.refresh_from_db(fields=["lock_version"])
            article.authors.set([_author_named(name) for name in entry.authors])
    except ValidationError as error:
        _discard_image(article, keep=old_image)
        raise EntryError(" ".join(error.messages)) from None
    except IntegrityError:
        _discard_image(article, keep=old_image)
        raise EntryError("its new link belongs to another story already") from None
    except STORE_ERRORS as error:
        logger.warning("Storing the renditions of %s failed: %r", entry.link, error)
        _discard_image(article, keep=old_image)
        return _store_failed(entry, article.pk)
    return Outcome(
        UPDATED,
        entry.headline,
        article.pk,
        f"changed at the source ({', '.join(changed)})" + (f"; {note}" if note else ""),
        read_again=IMAGE_OWED in article.source_entry,
    )


def _store_owed_image(article, entry, budget):
    """The entry is unchanged, but its image is owed to the story: store it now."""
    old_image = article.lead_image.name
    note = _attach_image(article, entry, budget)
    if IMAGE_OWED in article.source_entry:  # still down
        return Outcome(SKIPPED, entry.headline, article.pk, f"duplicate of #{article.pk}; {note}", read_again=True)
    fields = ["source_entry", "lock_version"]
    if not note:
        fields += ["lead_image", "lead_image_width", "lead_image_height", "lead_image_alt", "lead_image_credit"]
    try:
        with transaction.atomic(), reversion.create_revision():
            reversion.set_comment(f"Lead image from {article.source.name}, which the media store could not take before")
            article.lock_version = F("lock_version") + 1  # an editor's open form would put the old state back
            article.save(update_fields=fields)
            article.refresh_from_db(fields=["lock_version"])
    except STORE_ERRORS as error:
        logger.warning("Storing the renditions of %s failed: %r", entry.link, error)
        _discard_image(article, keep=old_image)
        return _store_failed(entry, article.pk)
    if note:  # the image itself is bad or gone now: as for any bad image, the story stays without it
        return Outcome(UPDATED, entry.headline, article.pk, note)
    return Outcome(UPDATED, entry.headline, article.pk, "its image stored (the media store could not take it before)")


def _flag(article, entry, changed):
    """Keep the change for an editor: one open UpstreamChange per story, diffed against what we imported."""
    new = entry.snapshot()
    if article.status in Article.LIVE_STATUSES:
        why = "it is published" if article.is_public else "it is scheduled"
    elif article.status == Article.Status.DRAFT:
        why = "an editor has changed it"
    else:
        why = f"it is {article.get_status_display().lower()}"
    try:
        with transaction.atomic():
            change = (
                UpstreamChange.objects.select_for_update().filter(article=article, reviewed_at__isnull=True).first()
            )
            if change:
                change.current, change.detected_at = new, timezone.now()
                change.diff = entry_diff(change.previous, new)
                change.save()
            else:
                UpstreamChange.objects.create(
                    article=article,
                    previous=article.source_entry,
                    current=new,
                    diff=entry_diff(article.source_entry, new),
                )
            # .update(): our story is untouched (no new "Updated" time, no revision); only its record moves on.
            Article.objects.filter(pk=article.pk).update(source_entry=new, source_updated_at=entry.updated)
    except IntegrityError:  # another run flagged it at the same moment
        return Outcome(
            SKIPPED, entry.headline, article.pk, f"duplicate of #{article.pk}, already flagged for an editor"
        )
    return Outcome(
        FLAGGED,
        entry.headline,
        article.pk,
        f"changed at the source ({', '.join(changed)}) but {why}: left for an editor",
    )


def _import_entry(source, entry, *, section, publish, budget):
    existing = _find_existing(source, entry)
    if existing is None:
        return _create(source, entry, section=section, publish=publish, budget=budget)
    changed = changed_fields(existing.source_entry, entry.snapshot())
    # Only the entry itself may change its story: not another source's entry, nor another entry of this
    # feed (another GUID) with the same link or headline and lead (a repost, a live blog's next post).
    same_entry = existing.source_id == source.pk and not (
        entry.guid and existing.source_guid and entry.guid != existing.source_guid
    )
    if not changed or not same_entry:
        if same_entry and _owes_image(existing, entry):
            return _store_owed_image(existing, entry, budget)
        return Outcome(SKIPPED, entry.headline, existing.pk, f"duplicate of #{existing.pk}")
    if existing.status == Article.Status.DRAFT and _untouched_since_import(existing, existing.source_entry):
        return _update_draft(existing, entry, changed, budget)
    return _flag(existing, entry, changed)


def _web_link(raw):
    link = raw.get("link") if isinstance(raw, dict) else ""
    link = link.strip() if isinstance(link, str) else ""
    try:
        is_web = urlsplit(link).scheme in WEB_SCHEMES
    except ValueError:
        return ""
    return link if is_web and len(link) <= MAX_LINK_LENGTH else ""


def _label(raw, position):
    title = _text(raw.get("title")) if isinstance(raw, dict) else ""
    return _shorten(title, 80) if title else f"entry {position}"


# --- the service ---------------------------------------------------------------------------------------------------


def _remember(source, result, *, http_cache=None):
    """Record the fetch on the source (an UPDATE, so an editor's concurrent change to the source survives)."""
    fields = {"last_fetched_at": timezone.now(), "last_fetch_result": _shorten(result, 500)}
    if http_cache is not None:
        fields["feed_http_cache"] = http_cache
    Source.objects.filter(pk=source.pk).update(**fields)
    for name, value in fields.items():
        setattr(source, name, value)


def _fetch_feed(source, url, budget):
    cache = source.feed_http_cache if source.feed_http_cache.get("url") == url else {}
    try:
        return fetch(
            url,
            max_bytes=option("MAX_FEED_BYTES"),
            timeout=budget.seconds(option("TIMEOUT")),
            total_seconds=budget.seconds(option("DOWNLOAD_SECONDS")),
            user_agent=user_agent(),
            accept="application/rss+xml, application/atom+xml, application/rdf+xml, application/xml;q=0.9, */*;q=0.5",
            etag=cache.get("etag", ""),
            last_modified=cache.get("last_modified", ""),
            allow_loopback=option("ALLOW_LOOPBACK"),
        )
    except FetchError as error:
        raise FeedError(f"cannot read {url}: {error}") from None


def source_import_feed(
    source, *, section=None, publish=False, url=None, data=None, location="", progress=None, watch=None, budget=None
):
    """Import `source`'s feed (or the feed at `url`, or the bytes `data` read from `location`) into stories.

    Stories go to `section`, else the source's default section. `progress(done, total)` is called after
    each entry; `watch(report, total)` once the feed is read and after each entry, with the report so far.
    With a `budget`, entries it leaves undone are counted in the report and the feed is read again in full
    next time. Returns an ImportReport; raises FeedError when the feed cannot be read at all.
    """
    budget = budget or Budget()
    try:
        section = section or source.default_section
        if section is None:
            raise FeedError(
                f"no section for stories from {source.name}: pass --section SLUG or set the source's default section"
            )
        http_cache = None
        if data is None:
            url = url or source.feed_url
            if not url:
                raise FeedError(f"{source.name} has no feed URL")
            location = url
            fetched = _fetch_feed(source, url, budget)
            # Validators are kept for the source's own feed only: another URL's say nothing about it.
            if url == source.feed_url:
                http_cache = {"url": url, "etag": fetched.etag, "last_modified": fetched.last_modified}
            if fetched.not_modified:
                report = ImportReport(source, location, unchanged=True)
                _remember(source, report.summary, http_cache=http_cache)
                return report
            feed = parse_feed(fetched.body, content_type=fetched.content_type, base_url=fetched.url)
        else:
            feed = parse_feed(data, content_type="application/xml", base_url=source.feed_url or source.homepage)
    except FeedError as error:
        _remember(source, f"error: {error}")
        raise

    report = ImportReport(source, location, notes=feed.notes)
    total = len(feed.entries)
    if watch:
        watch(report, total)
    for position, raw in enumerate(feed.entries, 1):
        try:
            if budget.spent:
                raise LeftForNextRun
            outcome = _import_entry(source, read_entry(raw), section=section, publish=publish, budget=budget)
        except LeftForNextRun:
            report.left = total - position + 1
            http_cache = None  # not "unchanged" next time: the rest of this feed is still to be read
            break
        except EntryError as error:
            outcome = Outcome(FAILED, _label(raw, position), detail=str(error))
        except Exception as error:  # one broken entry never stops the others; the log has the traceback
            logger.exception("Importing entry %s of %s failed", position, location)
            outcome = Outcome(FAILED, _label(raw, position), detail=f"unexpected error: {error!r}")
            http_cache = None  # fetch it again next time rather than skip it as unchanged
        if outcome.read_again:
            http_cache = None
        outcome.link = _web_link(raw)
        report.outcomes.append(outcome)
        budget.used_on(outcome)
        if progress:
            progress(position, total)
        if watch:
            watch(report, total)
    _remember(source, report.summary, http_cache=http_cache)
    return report
