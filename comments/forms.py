from django import forms
from django_comments_xtd.forms import XtdCommentForm

from articles.models import web_url


class ArticleCommentForm(XtdCommentForm):
    """The "Leave a Reply" form: xtd's form with our labels, privacy note and spam checks."""

    remember = forms.BooleanField(
        required=False,
        label="Save my name, email, and website in this browser for the next time I comment.",
    )

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)
        fields = self.fields
        fields["comment"].label = "Comment"
        fields["comment"].widget = forms.Textarea(attrs={"rows": 6, "maxlength": fields["comment"].max_length})
        fields["name"].label = "Name"
        fields["name"].widget = forms.TextInput(attrs={"autocomplete": "name", "maxlength": 50})
        fields["email"].label = "Email"
        fields["email"].help_text = "Your email address will not be published."
        fields["email"].widget = forms.EmailInput(attrs={"autocomplete": "email"})
        fields["url"] = forms.URLField(
            label="Website", required=False, max_length=200, validators=[web_url], assume_scheme="https"
        )
        fields["url"].widget.attrs["autocomplete"] = "url"
        fields["followup"].label = "Notify me of replies to my comment by email"
        fields["followup"].widget = forms.CheckboxInput()
        fields["honeypot"].label = "If you are a person, leave this field empty"
        fields["honeypot"].widget.attrs.update({"tabindex": "-1", "autocomplete": "off"})
        self.order_fields(["comment", "name", "email", "url", "followup", "remember"])
