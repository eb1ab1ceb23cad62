from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db.models.fields.files import FieldFile, ImageFieldFile, ImageFileDescriptor
from django.template.defaultfilters import filesizeformat
from PIL import ExifTags, Image

# Anything bigger than a high-end camera frame is refused before it is decoded.
MAX_IMAGE_PIXELS = 50_000_000
Image.MAX_IMAGE_PIXELS = MAX_IMAGE_PIXELS  # Pillow's decompression-bomb guard, tightened

# The formats we publish. Every Image.open of a file that came from outside is limited to these, so that
# Pillow never runs another format's parser or decoder on it (its PSD and FITS decoders, among others,
# have had published vulnerabilities): a file in any other format is refused from its first bytes.
ACCEPTED_FORMATS = ("JPEG", "PNG", "GIF", "WEBP")
# A file's extension by its format (MPO is a JPEG with more frames, as some cameras write).
FILE_EXTENSIONS = {"JPEG": "jpg", "MPO": "jpg", "PNG": "png", "GIF": "gif", "WEBP": "webp"}
NOT_AN_ACCEPTED_IMAGE = "This file is not an image we can read (JPEG, PNG, GIF or WebP)."
DECOMPRESSION_BOMB = "This image is too large to publish (decompression bomb guard)."


def open_image(file):
    """Image.open for one of ACCEPTED_FORMATS (headers read, nothing decoded); ValidationError otherwise."""
    try:
        return Image.open(file, formats=ACCEPTED_FORMATS)
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise ValidationError(DECOMPRESSION_BOMB) from None
    except Exception:
        raise ValidationError(NOT_AN_ACCEPTED_IMAGE) from None


def validate_image(file):
    """Refuse files that are too large, not images, or would decode into a huge bitmap; else its format."""
    if getattr(file, "_committed", False):
        # Already in storage, so checked when it was uploaded. Re-reading it would fetch it
        # from storage on every save, and Django may have closed it after measuring it.
        return
    if file.size > settings.MAX_IMAGE_UPLOAD_BYTES:
        raise ValidationError(
            f"This image is {filesizeformat(file.size)}; the limit is "
            f"{filesizeformat(settings.MAX_IMAGE_UPLOAD_BYTES)}. Please upload a smaller file."
        )
    try:
        file.seek(0)
        with open_image(file) as image:
            width, height = image.size
            if width * height > MAX_IMAGE_PIXELS:
                raise ValidationError(f"This image is {width}×{height} pixels, too large to publish.")
            image.verify()
        # verify() reads the structure only: a file cut short passes it, then fails when the renditions
        # are made on save. Decode it once here (the pixel limit above has already been checked).
        file.seek(0)
        with open_image(file) as image:
            image.load()
            return image.format
    except ValidationError:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise ValidationError(DECOMPRESSION_BOMB) from None
    except Exception:
        raise ValidationError(NOT_AN_ACCEPTED_IMAGE) from None
    finally:
        file.seek(0)


# EXIF orientations 5 to 8 turn the picture a quarter turn (phones store portraits on their side).
QUARTER_TURNS = {5, 6, 7, 8}


def upright_size(file):
    """(width, height) of the image as it is shown, its EXIF orientation applied; (None, None) if unreadable."""
    position = file.tell()
    try:
        file.seek(0)
        with open_image(file) as image:
            width, height = image.size
            if image.getexif().get(ExifTags.Base.Orientation) in QUARTER_TURNS:
                return height, width
            return width, height
    except Exception:
        return None, None
    finally:
        file.seek(position)


class ImageUploadField(forms.ImageField):
    """The form's image field. Django's own opens the upload with every format Pillow knows; this one leaves
    all reading to `validate_image` (the model field's validator), which opens only ACCEPTED_FORMATS."""

    def to_python(self, data):
        return forms.FileField.to_python(self, data)


class UprightImageFieldFile(ImageFieldFile):
    """An image whose width and height are those of the picture turned upright, as its renditions are."""

    def _get_image_dimensions(self):
        if not hasattr(self, "_dimensions_cache"):
            close = self.closed
            self.open()
            try:
                self._dimensions_cache = upright_size(self)
            finally:
                if close:
                    self.close()
        return self._dimensions_cache


class StoredImageDescriptor(ImageFileDescriptor):
    """Django re-reads an image's size from storage whenever the field is assigned, even the file it already holds
    (a form's unchanged image field, refresh_from_db): a download of the whole original from an object store on
    every save of the story, and a failed save while the store is down. The stored file assigned again keeps the
    size the story has; a new file or another stored one is measured as before."""

    def __set__(self, instance, value):
        previous = instance.__dict__.get(self.field.attname)
        stored = isinstance(value, str) or (isinstance(value, FieldFile) and value._committed)
        if (
            previous is not None
            and stored
            and (getattr(previous, "name", previous) or "") == (getattr(value, "name", value) or "")
        ):
            instance.__dict__[self.field.attname] = value
            return
        super().__set__(instance, value)
