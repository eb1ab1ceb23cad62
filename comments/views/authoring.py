"""A commenter changes or deletes their own comment: from the browser that posted it, within the edit window."""

from django import forms
from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods

from .. import ownership, policy, services
from ..forms import (
    COMMENT_MISSING,
    RefusesUnreadableText,
    clean_comment_text,
    comment_text_field,
    shows_unreadable_text_on_form,
)
from ..models import ArticleComment
from .reading import article_of


class CommentEditForm(RefusesUnreadableText, forms.Form):
    """The comment's text, checked as the "Leave a Reply" form checks it."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)
        self.fields["comment"] = comment_text_field(required=COMMENT_MISSING)

    def clean_comment(self):
        return clean_comment_text(self.cleaned_data["comment"])


def _not_yours(request):
    minutes = policy.rule("EDIT_WINDOW_MINUTES")
    message = (
        f"You can change or delete a comment only from the browser you posted it from, "
        f"and only for {minutes} minutes after posting."
    )
    return render(request, "comments/problem.html", {"message": message}, status=403)


def _own_comment(request, pk):
    """(comment, article, None) when this browser may still change the comment, else (…, a 403 response)."""
    comment = get_object_or_404(ArticleComment, pk=pk)
    article = article_of(comment)
    if not ownership.owns(request, comment) or not policy.edit_allowed(comment):
        return comment, article, _not_yours(request)
    return comment, article, None


@shows_unreadable_text_on_form
@require_http_methods(["GET", "POST"])
def edit(request, pk):
    comment, article, refusal = _own_comment(request, pk)
    if refusal:
        return refusal
    if not policy.comments_open(article):
        context = {"message": "Comments are closed on this story.", "article": article}
        return render(request, "comments/problem.html", context, status=403)
    context = {"comment": comment, "article": article, "edits_reviewed": policy.rule("HOLD_EDITS")}
    if request.method == "GET":
        form = CommentEditForm(initial={"comment": comment.comment})
        return render(request, "comments/comment_edit.html", {**context, "form": form})

    form = CommentEditForm(request.POST)
    if not form.is_valid():
        return render(request, "comments/comment_edit.html", {**context, "form": form}, status=400)
    verdict = services.comment_edit(comment=comment, text=form.cleaned_data["comment"])
    if verdict.rejected:
        context.update(form=form, message=verdict.reason)
        return render(request, "comments/comment_edit.html", context, status=verdict.status)
    if comment.is_public:
        return redirect("comments:permalink", comment.pk)
    return render(request, "comments/posted.html", context)


@require_http_methods(["GET", "POST"])
def delete(request, pk):
    comment, article, refusal = _own_comment(request, pk)
    if refusal:
        return refusal
    if request.method == "GET":
        return render(request, "comments/comment_confirm_delete.html", {"comment": comment, "article": article})
    services.comment_delete_by_author(comment=comment)
    messages.success(request, "Your comment was deleted.")
    return redirect(f"{article.get_absolute_url()}#comments")
