"""Import stories from RSS/Atom feeds: `manage.py import_feed SOURCE_OR_URL_OR_FILE [--publish] [--section SLUG]`
or `manage.py import_feed --all` (every source with a feed URL, now: the background workers do the same every
FEED_IMPORT_MINUTES, articles/syndication/tasks.py; safe from cron too, and alongside them).

Exits non-zero only when a feed itself cannot be read (or the command is used wrongly); a broken
entry is reported in the summary and the others are imported.
"""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from articles.models import Section, Source
from articles.syndication.importing import FeedError, option, source_import_feed


class ProgressBar:
    """One line redrawn in place: only ever given a terminal."""

    WIDTH = 30

    def __init__(self, stdout, label):
        self.stdout, self.label = stdout, label

    def __call__(self, done, total):
        filled = self.WIDTH * done // max(total, 1)
        self.stdout.write(f"\r{self.label} [{'#' * filled}{'.' * (self.WIDTH - filled)}] {done}/{total}", ending="")
        self.stdout.flush()

    def clear(self):
        self.stdout.write("\r\033[K", ending="")
        self.stdout.flush()


class Command(BaseCommand):
    help = "Import stories from a source's RSS or Atom feed, or from every source's with --all."

    def add_arguments(self, parser):
        parser.add_argument(
            "target",
            nargs="?",
            metavar="SOURCE_OR_URL_OR_FILE",
            help="a source's slug (its feed URL is read), a feed URL, or a feed file",
        )
        parser.add_argument(
            "--all", action="store_true", dest="all_sources", help="import every source that has a feed URL"
        )
        parser.add_argument(
            "--publish",
            action="store_true",
            help="publish new stories at once, at the source's publication time (never later than now); "
            "by default they are drafts for an editor",
        )
        parser.add_argument(
            "--section", metavar="SLUG", help="the section for new stories (default: the source's default section)"
        )
        parser.add_argument(
            "--source",
            metavar="SLUG",
            dest="source_slug",
            help="the source to credit: needed for a file, or a URL that is no source's feed URL",
        )

    def handle(self, *args, target, all_sources, publish, section, source_slug, verbosity, **options):
        if all_sources == bool(target):
            raise CommandError("Name one source, feed URL or file, or pass --all.")
        if all_sources and source_slug:
            raise CommandError("--source names the source of one feed; it does not go with --all.")
        chosen_section = None
        if section:
            chosen_section = Section.objects.filter(slug=section).first()
            if chosen_section is None:
                raise CommandError(f"No section has the slug “{section}”.")
        jobs = self._all_jobs() if all_sources else [self._job(target, source_slug)]

        failures = []
        for source, kwargs in jobs:
            progress = None
            if verbosity >= 1 and self.stdout.isatty():
                progress = ProgressBar(self.stdout, source.name)
            try:
                report = source_import_feed(
                    source, section=chosen_section, publish=publish, progress=progress, **kwargs
                )
            except FeedError as error:
                failures.append(f"{source.name}: {error}")
                continue
            finally:
                if progress:
                    progress.clear()
            if verbosity >= 1:
                self.stdout.write(f"{source.name} ({report.location}): {report.summary}")
                for line in report.lines():
                    self.stdout.write(f"  {line}")
        if failures:
            if len(jobs) == 1:
                raise CommandError(f"Could not import the feed of {failures[0]}")
            raise CommandError(f"Could not import {len(failures)} of {len(jobs)} feeds: " + "; ".join(failures))

    def _all_jobs(self):
        sources = list(Source.objects.exclude(feed_url="").select_related("default_section"))
        if not sources:
            raise CommandError("No source has a feed URL: add one to a source in the admin.")
        return [(source, {}) for source in sources]

    def _job(self, target, source_slug):
        """(source, arguments for source_import_feed) for a source's slug, a feed URL or a file."""
        credited = None
        if source_slug:
            credited = Source.objects.filter(slug=source_slug).first()
            if credited is None:
                raise CommandError(f"No source has the slug “{source_slug}”.")

        named = Source.objects.filter(slug=target).first()
        if named is not None:
            if not named.feed_url:
                raise CommandError(
                    f"{named.name} has no feed URL: add one in the admin, or pass the feed's URL or file "
                    f"with --source {named.slug}."
                )
            return named, {}

        if target.lower().startswith(("http://", "https://")):
            source = credited or Source.objects.filter(feed_url=target).first()
            if source is None:
                raise CommandError(
                    f"No source has the feed URL {target}: add the source in the admin (its stories credit it), "
                    "or name one with --source SLUG."
                )
            return source, {"url": target}

        path = Path(target)
        if path.is_file():
            if credited is None:
                raise CommandError("Name the source these stories come from: --source SLUG.")
            try:
                with path.open("rb") as file:
                    data = file.read(option("MAX_FEED_BYTES") + 1)  # one byte over is enough to refuse it
            except OSError as error:
                raise CommandError(f"Cannot read {path}: {error.strerror}.") from None
            return credited, {"data": data, "location": str(path)}

        raise CommandError(f"“{target}” is not a source's slug, a feed URL or a file.")
