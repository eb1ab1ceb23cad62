"""Model fields the stories use: web addresses, upright images, sanitized story HTML."""

from django import forms
from django.core.validators import URLValidator
from django.db import models
from django_prose_editor.fields import ProseEditorField

from ..html import BODY_EXTENSIONS, sanitize_html
from ..images import ImageUploadField, StoredImageDescriptor, UprightImageFieldFile

# Only links a reader's browser can safely follow: no javascript:, ftp: or data:.
web_url = URLValidator(schemes=["http", "https"], message="Enter a web address starting with http:// or https://.")


class WebURLFormField(forms.URLField):
    default_validators = [web_url]
    default_error_messages = {"invalid": web_url.message}

    def __init__(self, **kwargs):
        kwargs.setdefault("assume_scheme", "https")
        super().__init__(**kwargs)


class WebURLField(models.URLField):
    """A URL of up to 2048 characters that must be http or https (real source URLs are long)."""

    default_validators = [web_url]

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("max_length", 2048)
        super().__init__(*args, **kwargs)

    def formfield(self, **kwargs):
        # The form must check the same rule with the same message: a ModelForm replaces a model
        # validator's message with its field's own for the same code ("invalid").
        return super().formfield(**{"form_class": WebURLFormField, **kwargs})


class UprightImageField(models.ImageField):
    """An image field that stores the width and height of the picture as shown (EXIF orientation applied)."""

    attr_class = UprightImageFieldFile
    descriptor_class = StoredImageDescriptor

    def formfield(self, **kwargs):
        return super().formfield(**{"form_class": ImageUploadField, **kwargs})


class SanitizedHTMLField(ProseEditorField):
    """Story HTML, cleaned by the one allowlist whenever it is validated or saved, whatever the path."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("extensions", BODY_EXTENSIONS)
        kwargs.setdefault("sanitize", sanitize_html)
        super().__init__(*args, **kwargs)

    def pre_save(self, model_instance, add):
        value = sanitize_html(getattr(model_instance, self.attname))
        setattr(model_instance, self.attname, value)
        return value
