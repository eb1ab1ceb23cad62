import re
import time

from django import forms
from django.conf import settings
from django_comments_xtd.forms import XtdCommentForm

from articles.models import WebURLFormField

from . import policy, templating

# NUL and other control characters (tab and newlines are fine) never belong in a comment.
# The largest id a comment can have (a 64-bit primary key).
MAX_ID = 2**63 - 1

CONTROL_CHARS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\u202a-\u202e\u2066-\u2069]")

# What Django puts where the bytes sent were not UTF-8. newsroom's middleware lets such text reach only
# views marked with shows_unreadable_text_on_form, so in their forms it means text that could not be read.
REPLACEMENT_CHARACTER = "\ufffd"
UNREADABLE_TEXT = "This text could not be read (it was not sent as UTF-8). Please type it again."


def shows_unreadable_text_on_form(view):
    """Mark a view whose form shows text that was not UTF-8 as an error on the field.

    Contract: the attribute name `shows_unreadable_text_on_form`, read by newsroom.security.UnreadableTextMiddleware
    (which otherwise answers such a request with a 400 page itself); the view's form must be RefusesUnreadableText.
    """
    view.shows_unreadable_text_on_form = True
    return view


class RefusesUnreadableText:
    """A form mixin: a field sent with text that could not be read has that one error, whatever its type
    (an email or a choice would otherwise say "Enter a valid …"), and no cleaned value."""

    def full_clean(self):
        super().full_clean()
        if not self.is_bound:
            return
        for name in self.fields:
            value = self[name].data
            values = value if isinstance(value, list | tuple) else [value]
            if any(isinstance(item, str) and REPLACEMENT_CHARACTER in item for item in values):
                self.errors.pop(name, None)
                self.add_error(name, forms.ValidationError(UNREADABLE_TEXT, code="unreadable"))

    def unreadable_text_message(self, otherwise):
        """The message over the form: that some text could not be read, when that is among its errors."""
        if any(self.has_error(name, code="unreadable") for name in self.fields):
            return "Some of the text you sent could not be read. Please type it again where marked below."
        return otherwise


COMMENT_MISSING = "Please write a comment."
COMMENT_TOO_LONG = "Please keep your comment under %(limit_value)d characters (it has %(show_value)d)."


def comment_text_field(**error_messages):
    """The comment's text, as the "Leave a Reply" form and the edit form ask for it.

    COMMENT_MAX_LENGTH is read each time a form is made, so a changed setting applies at once.
    """
    limit = settings.COMMENT_MAX_LENGTH
    return forms.CharField(
        label="Comment",
        max_length=limit,
        widget=forms.Textarea(attrs={"rows": 6, "maxlength": limit}),
        error_messages={"max_length": COMMENT_TOO_LONG, **error_messages},
    )


def clean_comment_text(value):
    """A comment's text as stored: readable, no control characters, trimmed, not empty."""
    text = clean_text(value)
    if not text:
        raise forms.ValidationError(COMMENT_MISSING)
    return text


def clean_text(value):
    if REPLACEMENT_CHARACTER in (value or ""):
        raise forms.ValidationError(UNREADABLE_TEXT, code="unreadable")
    if CONTROL_CHARS.search(value or ""):
        raise forms.ValidationError("Please remove the invisible control characters from this field.")
    return value.strip()


class ArticleCommentForm(RefusesUnreadableText, XtdCommentForm):
    """The "Leave a Reply" form: xtd's form with our labels, privacy note and spam checks."""

    # Its widgets through Jinja2 (the same bytes as Django's templates): a third faster on every page with the form.
    default_renderer = templating.FORM_RENDERER

    remember = forms.BooleanField(
        required=False,
        label="Save my name, email, and website in this browser for the next time I comment.",
    )

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)
        fields = self.fields
        fields["comment"] = comment_text_field()
        fields["name"].label = "Name"
        fields["name"].widget = forms.TextInput(attrs={"autocomplete": "name", "maxlength": 50})
        # A new field, not django_comments' own: setting max_length on a built field adds no check, and a
        # longer address would overflow the database column (a 500 on PostgreSQL).
        fields["email"] = forms.EmailField(
            label="Email",
            max_length=254,
            help_text="Your email address will not be published.",
            widget=forms.EmailInput(attrs={"autocomplete": "email", "maxlength": 254}),
        )
        fields["url"] = WebURLFormField(label="Website", required=False, max_length=200)
        fields["url"].widget.attrs["autocomplete"] = "url"
        fields["followup"].label = "Notify me of replies to my comment by email"
        fields["followup"].widget = forms.CheckboxInput()
        fields["honeypot"].label = "If you are a person, leave this field empty"
        fields["honeypot"].widget.attrs.update({"tabindex": "-1", "autocomplete": "off"})
        self.order_fields(["comment", "name", "email", "url", "followup", "remember"])

    def clean_comment(self):
        # django_comments' own check is a profanity list we don't use; the policy owns word lists.
        return clean_comment_text(self.cleaned_data["comment"])

    def clean_name(self):
        name = clean_text(self.cleaned_data["name"])
        if not name:
            raise forms.ValidationError("Please tell us your name.")
        return name

    def clean_email(self):
        return self.cleaned_data["email"].strip().lower()

    def clean_honeypot(self):
        if self.cleaned_data["honeypot"]:
            raise forms.ValidationError("This comment looks automated and was not accepted.")
        return ""

    def clean_timestamp(self):
        """Reject forms sent faster than a person could write, or loaded too long ago."""
        timestamp = self.cleaned_data["timestamp"]
        age = time.time() - timestamp
        if age < policy.rule("MIN_SECONDS_TO_POST"):
            raise forms.ValidationError(
                "That was too fast to be written by a person. Please wait a moment and try again."
            )
        if age > policy.rule("MAX_FORM_AGE_HOURS") * 3600:
            raise forms.ValidationError("This form is too old. Please reload the story and post your comment again.")
        return timestamp

    def clean_reply_to(self):
        reply_to = max(self.cleaned_data.get("reply_to") or 0, 0)
        if reply_to > MAX_ID:  # no such comment, and too large for the database to look up
            raise forms.ValidationError("The comment you are replying to is no longer available.")
        return reply_to

    def security_errors(self):
        # Form age and honeypot are spam checks with messages of their own; only a
        # missing or forged hash is a security failure.
        errors = super().security_errors()
        return {name: error for name, error in errors.items() if name == "security_hash"}


class AppealForm(RefusesUnreadableText, forms.Form):
    """A commenter's appeal against a moderator's decision: why it is wrong, in their words."""

    statement = forms.CharField(
        label="Why is the decision wrong?",
        max_length=3000,
        help_text="A moderator who did not make the decision reads it. Up to 3000 characters.",
        widget=forms.Textarea(attrs={"rows": 8, "maxlength": 3000}),
        error_messages={
            "required": "Please tell us why the decision is wrong.",
            "max_length": "Please keep it under %(limit_value)d characters (it has %(show_value)d).",
        },
    )

    def clean_statement(self):
        statement = clean_text(self.cleaned_data["statement"]).strip()
        if not statement:
            raise forms.ValidationError("Please tell us why the decision is wrong.")
        return statement


class IllegalContentReportForm(RefusesUnreadableText, forms.Form):
    """A reader's notice that a comment is illegal (Digital Services Act, article 16): where, why, who."""

    location = forms.CharField(
        label="Where is it? (the comment's address)",
        max_length=2048,
        error_messages={"required": "Please give the address of the comment."},
    )
    law = forms.CharField(
        label="Which law does it break? (optional)",
        required=False,
        max_length=300,
    )
    explanation = forms.CharField(
        label="Why is it illegal?",
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 8, "maxlength": 5000}),
        error_messages={
            "required": "Please explain why the content is illegal.",
            "max_length": "Please keep it under %(limit_value)d characters (it has %(show_value)d).",
        },
    )
    reporter_name = forms.CharField(
        label="Your name",
        max_length=100,
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
        error_messages={"required": "Please give your name."},
    )
    reporter_email = forms.EmailField(
        label="Your email address",
        max_length=254,
        help_text="We email you that we received the report, and what we decide.",
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
        error_messages={
            "required": "Please enter your email address.",
            "invalid": "Please enter a valid email address.",
        },
    )
    good_faith = forms.BooleanField(
        label="I believe in good faith that the information in this report is accurate and complete.",
        error_messages={"required": "Please confirm that you make this report in good faith."},
    )

    def clean_explanation(self):
        explanation = clean_text(self.cleaned_data["explanation"]).strip()
        if not explanation:
            raise forms.ValidationError("Please explain why the content is illegal.")
        return explanation

    def clean_reporter_email(self):
        return self.cleaned_data["reporter_email"].strip().lower()
