"""Background jobs in the admin: every job in words (waiting, running, retrying with its error, failed, done), the
workers and their last report, and the periodic runs. Read-only; "Run again now" for failed and retrying jobs.

Seen by superusers and by staff given the "Can view job" permission (jobs.view_job) and its like.
"""

from django.contrib import admin, messages
from django.db.models import OuterRef, Q, Subquery
from django.utils import timezone
from django.utils.html import format_html
from django_tasks_db.models import DBTaskResult

from .models import FAILED, READY, RUNNING, SUCCESSFUL, Job, PeriodicRun, Worker

# django-tasks-db's own admin shows the same rows without their state in words: this one replaces it.
if admin.site.is_registered(DBTaskResult):
    admin.site.unregister(DBTaskResult)


class StateFilter(admin.SimpleListFilter):
    title = "state"
    parameter_name = "state"

    STATES = {
        "waiting": Q(status=READY, exception_class_path=""),
        "retrying": Q(status=READY) & ~Q(exception_class_path=""),
        "running": Q(status=RUNNING),
        "failed": Q(status=FAILED),
        "done": Q(status=SUCCESSFUL),
    }

    def lookups(self, request, model_admin):
        return [(state, state.capitalize()) for state in self.STATES]

    def queryset(self, request, queryset):
        condition = self.STATES.get(self.value())
        return queryset.filter(condition) if condition is not None else queryset


class ReadOnly:
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Job)
class JobAdmin(ReadOnly, admin.ModelAdmin):
    list_display = ["task_name", "arguments", "state", "attempts", "enqueued_at", "started_at", "next_run", "error"]
    list_filter = [StateFilter, "queue_name"]
    search_fields = ["task_path"]
    ordering = ["-enqueued_at"]
    actions = ["run_again_now"]
    fields = [
        "id",
        "task_path",
        "arguments",
        "state",
        "attempts",
        "queue_name",
        "priority",
        "enqueued_at",
        "started_at",
        "finished_at",
        "next_run",
        "workers",
        "return_value",
        "exception_class_path",
        "formatted_traceback",
    ]
    readonly_fields = fields

    @admin.display(description="arguments")
    def arguments(self, job):
        values = [repr(value) for value in job.args_kwargs.get("args", [])]
        values += [f"{name}={value!r}" for name, value in job.args_kwargs.get("kwargs", {}).items()]
        return ", ".join(values)

    @admin.display(description="state")
    def state(self, job):
        if job.state == "retrying":
            return f"retrying (attempt {job.attempts} failed)"
        if job.state == "running":
            return f"running on {job.holder}"
        return job.state

    @admin.display(description="attempts")
    def attempts(self, job):
        return job.attempts

    @admin.display(description="runs after", ordering="run_after")
    def next_run(self, job):
        return job.next_run or "—"

    @admin.display(description="last error")
    def error(self, job):
        return job.error or "—"

    @admin.display(description="workers (each attempt's)")
    def workers(self, job):
        return ", ".join(job.worker_ids) or "—"

    @admin.display(description="traceback")
    def formatted_traceback(self, job):
        return format_html("<pre>{}</pre>", job.traceback) if job.traceback else "—"

    @admin.action(description="Run the selected failed or retrying jobs again now", permissions=["retry"])
    def run_again_now(self, request, queryset):
        again = queryset.filter(Q(status=FAILED) | (Q(status=READY) & ~Q(exception_class_path=""))).update(
            status=READY,
            run_after=timezone.now(),
            finished_at=None,
            worker_ids=[],
            exception_class_path="",
            traceback="",
        )
        self.message_user(
            request, f"{again} job(s) will run again now, with their attempts counted afresh.", messages.SUCCESS
        )

    def has_retry_permission(self, request):
        return request.user.has_perm("jobs.change_job")


@admin.register(Worker)
class WorkerAdmin(ReadOnly, admin.ModelAdmin):
    list_display = ["worker_id", "hostname", "pid", "queues", "started_at", "seen_at"]


@admin.register(PeriodicRun)
class PeriodicRunAdmin(ReadOnly, admin.ModelAdmin):
    list_display = ["task_path", "period_start", "enqueued_at", "worker_id", "job_id", "job_status"]
    list_filter = ["task_path"]

    def get_queryset(self, request):
        status = Job.objects.filter(pk=OuterRef("job_id")).values("status")[:1]
        return super().get_queryset(request).annotate(job_status=Subquery(status))

    @admin.display(description="job's status")
    def job_status(self, run):
        return run.job_status or "—"
