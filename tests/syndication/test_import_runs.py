"""Imports asked for in the admin ("Fetch new stories now", articles/syndication/runs.py and tasks.py), on the queue in
the database as production runs them: the editor's request only queues the import, a worker carries it out, writing its
progress as it goes, and the source's page shows the latest imports (followed by import-progress.js, or by a page that
refreshes itself: tests/browser/test_import_progress.py). One import at a time per source; a feed that cannot be read
fails the import with the reason; a broken entry is one outcome among the others."""

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from articles.models import Article, FeedImportRun, Source
from articles.syndication import tasks
from articles.syndication.importing import Budget, source_import_feed
from articles.syndication.tasks import import_requested_feed
from jobs.models import Job

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("short_timeouts")]

SOURCES = reverse("admin:articles_source_changelist")
TASK = "articles.syndication.tasks.import_requested_feed"


def change_page(source):
    return reverse("admin:articles_source_change", args=[source.pk])


def imports_page(source):
    return reverse("admin:articles_source_imports", args=[source.pk])


def import_now(source):
    return reverse("admin:articles_source_import_now", args=[source.pk])


def messages_of(response):
    return [(message.level_tag, str(message.message)) for message in get_messages(response.wsgi_request)]


def fetch_now(client, *sources):
    response = client.post(
        SOURCES, {"action": "fetch_new_stories", "_selected_action": [source.pk for source in sources]}, follow=True
    )
    assert response.status_code == 200
    return messages_of(response)


@pytest.fixture
def editor_client(client, editor):
    client.force_login(editor)
    return client


@pytest.fixture
def hostile(section, feed_server):
    return Source.objects.create(
        name="Hostile Wire",
        slug="hostile",
        homepage="https://hostile.example.net/",
        feed_url=feed_server.serve_feed("/hostile.xml", "hostile.xml"),
        default_section=section,
    )


def test_the_action_only_queues_the_import_and_a_worker_carries_it_out(
    editor_client, editor, courier, queue, feed_server
):
    [(level, text)] = fetch_now(editor_client, courier)

    assert level == "success"
    assert text.startswith("Harbour City Courier: import queued;")
    assert f'href="{change_page(courier)}#latest-imports"' in text
    # Nothing was fetched in the editor's request: the feed server saw no one, the run waits for a worker.
    assert feed_server.hits("/feed.xml") == 0
    run = FeedImportRun.objects.get()
    assert (run.source, run.requested_by, run.state, run.started_at) == (courier, editor, "queued", None)
    assert not Article.objects.exists()
    assert Job.objects.get(task_path=TASK).args_kwargs == {"args": [run.pk], "kwargs": {}}
    page = editor_client.get(change_page(courier)).content.decode()
    assert "Import asked by editor at" in page and "waiting for a worker." in page
    assert "data-following" in page

    queue.run()

    run.refresh_from_db()
    assert run.state == "done" and run.started_at and run.finished_at
    assert (run.entries_total, run.entries_done) == (3, 3)
    assert (run.created, run.updated, run.flagged, run.skipped, run.failed) == (3, 0, 0, 0, 0)
    assert run.message == "3 created, 0 updated, 0 flagged, 0 skipped, 0 failed"
    assert Article.objects.filter(source=courier, status=Article.Status.DRAFT).count() == 3
    assert sorted(outcome["action"] for outcome in run.outcomes) == ["created"] * 3
    assert "https://courier.example.com/2026/03/ferry-timetable" in {outcome["link"] for outcome in run.outcomes}
    page = editor_client.get(change_page(courier)).content.decode()
    assert "3 of 3 entries" in page
    assert "done: 3 created, 0 updated, 0 flagged, 0 skipped, 0 failed." in page
    assert "data-following" not in page


def test_the_source_page_has_a_button_that_queues_it(editor_client, editor, courier, queue):
    page = editor_client.get(change_page(courier)).content.decode()
    assert f'action="{import_now(courier)}"' in page and "Fetch new stories now</button>" in page
    assert "No import asked for here yet." in page

    response = editor_client.post(import_now(courier))

    assert response.status_code == 302
    assert response.url == f"{change_page(courier)}#latest-imports"
    assert FeedImportRun.objects.get().state == "queued"
    assert messages_of(response)[0][1].startswith("Harbour City Courier: import queued;")
    assert editor_client.get(import_now(courier)).status_code == 405


def test_a_second_click_while_one_waits_or_runs_shows_that_one(editor_client, courier, queue):
    fetch_now(editor_client, courier)
    [(level, text)] = fetch_now(editor_client, courier)
    assert level == "warning"
    assert "is still waiting for a worker, so no second one was queued" in text
    response = editor_client.post(import_now(courier), follow=True)
    assert "no second one was queued" in messages_of(response)[0][1]
    assert FeedImportRun.objects.count() == 1 and Job.objects.filter(task_path=TASK).count() == 1

    FeedImportRun.objects.update(state="running")
    assert "is still running, so no second one" in fetch_now(editor_client, courier)[0][1]
    FeedImportRun.objects.update(state="queued")

    queue.run()
    assert fetch_now(editor_client, courier)[0][1].startswith("Harbour City Courier: import queued;")
    assert FeedImportRun.objects.count() == 2


def test_a_feed_that_cannot_be_read_fails_the_import_with_the_reason(
    editor_client, courier, section, queue, feed_server
):
    broken = Source.objects.create(
        name="Broken",
        slug="broken",
        homepage="https://broken.example/",
        feed_url=feed_server.url("/missing.xml"),
        default_section=section,
    )
    homeless = Source.objects.create(
        name="Homeless", slug="homeless", homepage="https://h.example/", feed_url=courier.feed_url
    )
    fetch_now(editor_client, broken, homeless, courier)
    queue.run()

    failed = FeedImportRun.objects.get(source=broken)
    assert failed.state == "failed" and failed.finished_at
    assert failed.message == f"cannot read {broken.feed_url}: the server answered 404 Not Found"
    assert FeedImportRun.objects.get(source=homeless).message == (
        "no section for stories from Homeless: pass --section SLUG or set the source's default section"
    )
    assert FeedImportRun.objects.get(source=courier).created == 3, "the other sources' imports go on"
    # Not retried behind the editor's back: the import is over, and says why.
    assert set(Job.objects.filter(task_path=TASK).values_list("status", flat=True)) == {"SUCCESSFUL"}
    page = editor_client.get(change_page(broken)).content.decode()
    assert "failed: cannot read" in page and "the server answered 404 Not Found" in page


def test_broken_entries_are_outcomes_with_their_reasons_and_the_rest_comes_in(editor_client, hostile, queue):
    fetch_now(editor_client, hostile)
    queue.run()

    run = FeedImportRun.objects.get()
    assert run.state == "done"
    assert (run.entries_total, run.entries_done, run.created, run.failed) == (3, 3, 2, 1)
    assert run.outcomes[0] == {
        "action": "failed",
        "headline": "A story with a script link",
        "article_id": None,
        "link": "",  # not a web address: never a link on the page
        "reason": "its link “javascript:alert(document.domain)” is not a web address (http or https)",
    }
    page = editor_client.get(change_page(hostile)).content.decode()
    assert "<strong>failed</strong>" in page and "is not a web address (http or https)" in page
    assert 'href="javascript:' not in page

    fetch_now(editor_client, hostile)
    queue.run()
    again = FeedImportRun.objects.latest("pk")
    assert (again.created, again.skipped, again.failed) == (0, 2, 1)
    skipped = [outcome for outcome in again.outcomes if outcome["action"] == "skipped"]
    assert all(outcome["reason"].startswith("duplicate of #") for outcome in skipped)
    assert "<strong>skipped</strong>" in editor_client.get(change_page(hostile)).content.decode()


def test_progress_is_written_after_each_entry(editor_client, courier, queue, monkeypatch):
    seen = []

    def watched(source, *, watch):
        def also_read_the_row(report, total):
            watch(report, total)
            row = FeedImportRun.objects.get()
            seen.append((row.state, row.entries_total, row.entries_done, row.created))

        return source_import_feed(source, watch=also_read_the_row)

    monkeypatch.setattr(tasks, "source_import_feed", watched)
    fetch_now(editor_client, courier)
    queue.run()

    assert seen == [("running", 3, 0, 0), ("running", 3, 1, 1), ("running", 3, 2, 2), ("running", 3, 3, 3)]
    assert FeedImportRun.objects.get().state == "done"


def test_outcomes_are_capped_and_what_needs_a_person_comes_first(courier, queue, monkeypatch):
    monkeypatch.setattr(tasks, "MAX_OUTCOMES", 2)
    Source.objects.filter(pk=courier.pk).update(default_section=None)
    run = FeedImportRun.objects.create(source=courier)
    import_requested_feed.call(run.pk)
    assert FeedImportRun.objects.get().state == "failed"

    Source.objects.filter(pk=courier.pk).update(default_section=courier.default_section)
    run = FeedImportRun.objects.create(source=courier)
    import_requested_feed.call(run.pk)
    run.refresh_from_db()
    assert run.created == 3 and len(run.outcomes) == 2
    assert run.message.endswith("; 1 more entries not listed")


def test_a_job_run_again_after_its_worker_was_killed_starts_the_run_again(editor_client, courier, queue):
    fetch_now(editor_client, courier)
    run = FeedImportRun.objects.get()
    # What a worker killed after two entries leaves: the run half-way, the stories it saved, the job back in the queue.
    source_import_feed(courier, budget=Budget(entries=2))
    FeedImportRun.objects.filter(pk=run.pk).update(state="running", entries_total=3, entries_done=2, created=2)

    queue.run()

    run.refresh_from_db()
    assert run.state == "done"
    assert (run.entries_done, run.created, run.skipped) == (3, 1, 2)
    assert Article.objects.count() == 3


def test_a_run_whose_job_was_given_up_shows_stopped_and_a_new_click_queues_again(editor_client, courier, queue):
    fetch_now(editor_client, courier)
    FeedImportRun.objects.update(state="running")
    Job.objects.filter(task_path=TASK).update(status="FAILED")  # killed its worker at every attempt

    page = editor_client.get(change_page(courier)).content.decode()
    assert "stopped: the worker carrying it out stopped" in page
    assert "data-following" not in page, "the page does not follow it for ever"

    assert fetch_now(editor_client, courier)[0][1].startswith("Harbour City Courier: import queued;")
    lost, new = FeedImportRun.objects.order_by("pk")
    assert (lost.state, new.state) == ("failed", "queued")
    assert lost.finished_at and "its job was given up" in lost.message


def test_a_finished_run_is_not_run_again(courier, queue):
    run = FeedImportRun.objects.create(source=courier, state="done", message="3 created")
    assert import_requested_feed.call(run.pk) == "no such import, or it is finished"
    assert import_requested_feed.call(run.pk + 100) == "no such import, or it is finished"
    assert not Article.objects.exists()


# --- who may do what -----------------------------------------------------------------------------------------------


def test_only_who_may_import_queues_and_who_may_see_the_source_follows_it(
    client, editor, reporter, moderator, courier, queue
):
    client.force_login(reporter)  # sees sources, may not import
    assert client.post(import_now(courier)).status_code == 403
    client.post(SOURCES, {"action": "fetch_new_stories", "_selected_action": [courier.pk]})
    assert not FeedImportRun.objects.exists()
    page = client.get(change_page(courier)).content.decode()
    assert "Latest imports" in page and "Fetch new stories now" not in page
    assert client.get(imports_page(courier)).status_code == 200

    client.force_login(moderator)  # no business with sources
    assert client.get(imports_page(courier)).status_code == 403
    assert client.get(imports_page(courier), {"fragment": ""}).status_code == 403
    assert client.post(import_now(courier)).status_code == 403
    assert not FeedImportRun.objects.exists()

    client.force_login(editor)
    missing = reverse("admin:articles_source_imports", args=[courier.pk + 100])
    assert client.get(missing).status_code == 404
    assert client.post(reverse("admin:articles_source_import_now", args=[courier.pk + 100])).status_code == 404
    assert client.get(reverse("admin:articles_source_imports", args=["not-a-number"])).status_code == 404

    client.logout()
    assert client.get(imports_page(courier)).status_code == 302  # to the sign-in page


# --- the page that follows it --------------------------------------------------------------------------------------


def test_without_javascript_the_imports_page_refreshes_itself_while_one_is_under_way(editor_client, courier, queue):
    fetch_now(editor_client, courier)
    page = editor_client.get(imports_page(courier)).content.decode()
    assert '<meta http-equiv="refresh" content="5">' in page
    assert f'<a href="{imports_page(courier)}">Refresh</a>' in page
    # The source's own page offers the link, and never refreshes itself (an editor may be typing in its form).
    change = editor_client.get(change_page(courier)).content.decode()
    assert f'<a href="{imports_page(courier)}">Refresh</a>' in change and 'http-equiv="refresh"' not in change
    assert "articles/import-progress.js" in change

    queue.run()
    page = editor_client.get(imports_page(courier)).content.decode()
    assert 'http-equiv="refresh"' not in page and ">Refresh</a>" not in page
    assert "3 of 3 entries" in page


def test_the_fragment_is_the_panel_alone(editor_client, courier, queue):
    fetch_now(editor_client, courier)
    fragment = editor_client.get(imports_page(courier), {"fragment": ""}).content.decode()
    assert fragment.lstrip().startswith("<div data-import-runs")
    assert "data-following" in fragment and "<html" not in fragment
    assert 'data-status="Import asked by editor at' in fragment


@pytest.mark.parametrize("runs", [1, 5])
def test_the_fragment_takes_the_same_queries_however_many_runs(
    editor_client, courier, queue, django_assert_num_queries, runs
):
    for _ in range(runs - 1):
        FeedImportRun.objects.create(source=courier, state="done", message="0 created", entries_total=0)
    fetch_now(editor_client, courier)  # the newest, waiting for a worker
    # 1 session, 2 user, 3-4 the user's and its groups' permissions, 5 the source, 6 its latest runs with who asked,
    # 7 the pending jobs (only while a run is unfinished)
    with django_assert_num_queries(7):
        response = editor_client.get(imports_page(courier), {"fragment": ""})
    assert response.status_code == 200

    queue.run()
    with django_assert_num_queries(6):
        editor_client.get(imports_page(courier), {"fragment": ""})
