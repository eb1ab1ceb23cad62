"""`manage.py check` refuses a JOBS_SCHEDULE entry that could never run: a task that is not a task, a bad period."""

import datetime

from django.conf import settings
from django.core import checks
from django.utils.module_loading import import_string
from django_tasks_db.compat import Task


@checks.register
def check_schedule(app_configs=None, **kwargs):
    errors = []
    for position, item in enumerate(getattr(settings, "JOBS_SCHEDULE", []), start=1):
        where = f"JOBS_SCHEDULE entry {position}"
        if not isinstance(item, dict) or not isinstance(item.get("task"), str):
            errors.append(
                checks.Error(f"{where} must be a dict with the task's dotted path as 'task'.", id="jobs.E001")
            )
            continue
        try:
            task = import_string(item["task"])
        except ImportError as error:
            errors.append(checks.Error(f"{where}: cannot import {item['task']}: {error}", id="jobs.E002"))
            continue
        if not isinstance(task, Task):
            errors.append(checks.Error(f"{where}: {item['task']} is not a task (@task).", id="jobs.E003"))
        every, at = item.get("every"), item.get("at", datetime.timedelta(0))
        if not isinstance(every, datetime.timedelta) or every < datetime.timedelta(seconds=1):
            errors.append(checks.Error(f"{where}: 'every' must be a timedelta of a second or more.", id="jobs.E004"))
        elif not isinstance(at, datetime.timedelta) or not datetime.timedelta(0) <= at < every:
            errors.append(
                checks.Error(f"{where}: 'at' must be a timedelta from 0 to less than 'every'.", id="jobs.E005")
            )
    return errors
