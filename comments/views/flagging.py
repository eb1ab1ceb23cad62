"""Readers flag a comment for a moderator: with a reason, without an account or JavaScript.

Who flagged is never shown: a signed-in reader is stored by account id, anyone else as a
salted hash of their IP address, only so the same reader counts once.
"""

from django import forms
from django.contrib.contenttypes.models import ContentType
from django.http import Http404
from django.shortcuts import get_object_or_404, render
from django.utils.crypto import salted_hmac
from django.views.decorators.http import require_http_methods

from articles.models import Article

from .. import services
from ..forms import RefusesUnreadableText, shows_unreadable_text_on_form
from ..models import ArticleComment, Report

REPORTER_SALT = "comments.report"


class FlagForm(RefusesUnreadableText, forms.Form):
    reason = forms.ChoiceField(
        label="What is wrong with this comment?",
        choices=Report.Reason.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Please choose a reason."},
    )
    note = forms.CharField(
        label="Anything a moderator should know? (optional)",
        required=False,
        max_length=300,
        widget=forms.Textarea(attrs={"rows": 3, "maxlength": 300}),
    )


def reporter_for(request):
    if request.user.is_authenticated:
        return f"user:{request.user.pk}"
    ip = request.META.get("REMOTE_ADDR") or ""
    return salted_hmac(REPORTER_SALT, ip, algorithm="sha256").hexdigest()


@shows_unreadable_text_on_form
@require_http_methods(["GET", "POST"])
def flag(request, pk):
    comment = get_object_or_404(
        ArticleComment.objects.visible(), pk=pk, content_type=ContentType.objects.get_for_model(Article)
    )
    article = Article.objects.select_related("section").filter(pk=comment.object_pk).first()
    if article is None or not article.is_public:
        raise Http404("No such comment.")
    form = FlagForm(request.POST or None, label_suffix="")
    if request.method == "POST" and form.is_valid():
        services.comment_flag(
            comment=comment,
            reason=form.cleaned_data["reason"],
            note=form.cleaned_data["note"],
            reporter=reporter_for(request),
        )
        # The same answer for a first or a repeat flag, and whether or not it hid the comment.
        return render(request, "comments/flagged.html", {"article": article})
    status = 400 if form.is_bound else 200
    return render(request, "comments/flag.html", {"comment": comment, "article": article, "form": form}, status=status)
