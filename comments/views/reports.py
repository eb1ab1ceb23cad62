"""Readers report illegal content (Digital Services Act, article 16): where it is, why it is illegal, and who says
so. The notice is acknowledged by email, put before the moderators (comments/admin/reports.py), and its sender told
each step of its handling. The sender's name and address are never shown on a public page.
"""

import re

from django.http import Http404
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from articles.distribution.seo import absolute_url

from .. import reports, services
from ..forms import MAX_ID, IllegalContentReportForm, shows_unreadable_text_on_form
from ..models import ArticleComment

# A comment's own address on this site: its permalink (/comments/12/) or its place in a thread (#c12).
COMMENT_IN_ADDRESS = re.compile(r"/comments/(\d{1,19})/|#c(\d{1,19})$")
TOO_MANY = "We have had several reports from this address or from your connection. Please try again in an hour."


def _reported_comment(request):
    """The comment named by ?comment=<id>, or None when none is named; 404 for one readers can't see."""
    raw = request.GET.get("comment", "")
    if not raw:
        return None
    if not raw.isdigit() or int(raw) > MAX_ID:
        raise Http404("No such comment.")
    comment = ArticleComment.objects.visible().filter(pk=int(raw)).first()
    article = comment.content_object if comment is not None else None
    if article is None or not getattr(article, "is_public", False):
        raise Http404("No such comment.")
    return comment


def _comment_at(location):
    match = COMMENT_IN_ADDRESS.search(location)
    if not match:
        return None
    pk = int(match.group(1) or match.group(2))
    return ArticleComment.objects.filter(pk=pk).first() if pk <= MAX_ID else None


def _page(request, form, comment, *, status=200, message=""):
    context = {
        "form": form,
        "comment": comment,
        "article": comment.content_object if comment is not None else None,
        "message": message,
    }
    return render(request, "comments/report_illegal.html", context, status=status)


@never_cache
@shows_unreadable_text_on_form
@require_http_methods(["GET", "POST"])
def report_illegal(request):
    comment = _reported_comment(request)
    if request.method == "GET":
        initial = {"location": absolute_url(comment.get_absolute_url())} if comment is not None else {}
        return _page(request, IllegalContentReportForm(initial=initial, label_suffix=""), comment)
    form = IllegalContentReportForm(request.POST, label_suffix="")
    if not form.is_valid():
        message = form.unreadable_text_message("Please correct the errors below.")
        return _page(request, form, comment, status=400, message=message)
    data, ip_address = form.cleaned_data, request.META.get("REMOTE_ADDR")
    if not reports.report_allowed(data["reporter_email"], ip_address):
        return _page(request, form, comment, status=429, message=TOO_MANY)
    report = services.illegal_content_report_create(
        comment=comment or _comment_at(data["location"]),
        location=data["location"],
        law=data["law"],
        explanation=data["explanation"],
        reporter_name=data["reporter_name"],
        reporter_email=data["reporter_email"],
    )
    reports.report_counted(ip_address)
    return render(request, "comments/report_sent.html", {"report": report})
