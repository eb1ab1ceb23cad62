"""How the site answers requests it cannot serve: too large to read, or the database is away.

Wired in as `handler400` and `handler500` in newsroom/urls.py.
"""

import sys

from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent
from django.db import InterfaceError, OperationalError
from django.http import HttpResponse
from django.shortcuts import render
from django.template import loader
from django.views import defaults

TOO_LARGE = (RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent)
RETRY_AFTER_SECONDS = 30


def bad_request(request, exception):
    if isinstance(exception, TOO_LARGE):
        return render(request, "413.html", status=413)
    return defaults.bad_request(request, exception)


def server_error(request):
    """A database that cannot be reached is a pause, not a bug: 503 with Retry-After, no database needed."""
    if isinstance(sys.exc_info()[1], OperationalError | InterfaceError):
        response = HttpResponse(loader.render_to_string("503.html"), status=503)
        response["Retry-After"] = str(RETRY_AFTER_SECONDS)
        return response
    return defaults.server_error(request)
