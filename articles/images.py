from django.conf import settings
from django.core.exceptions import ValidationError
from django.db.models.fields.files import ImageFieldFile
from django.template.defaultfilters import filesizeformat
from PIL import ExifTags, Image

# Anything bigger than a high-end camera frame is refused before it is decoded.
MAX_IMAGE_PIXELS = 50_000_000
Image.MAX_IMAGE_PIXELS = MAX_IMAGE_PIXELS  # Pillow's decompression-bomb guard, tightened


def validate_image(file):
    """Refuse files that are too large, not images, or would decode into a huge bitmap."""
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
        with Image.open(file) as image:
            width, height = image.size
            if width * height > MAX_IMAGE_PIXELS:
                raise ValidationError(f"This image is {width}×{height} pixels, too large to publish.")
            image.verify()
        # verify() reads the structure only: a file cut short passes it, then fails when the renditions
        # are made on save. Decode it once here (the pixel limit above has already been checked).
        file.seek(0)
        with Image.open(file) as image:
            image.load()
    except ValidationError:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise ValidationError("This image is too large to publish (decompression bomb guard).") from None
    except Exception:
        raise ValidationError("This file is not an image we can read (JPEG, PNG, GIF or WebP).") from None
    finally:
        file.seek(0)


# EXIF orientations 5 to 8 turn the picture a quarter turn (phones store portraits on their side).
QUARTER_TURNS = {5, 6, 7, 8}


def upright_size(file):
    """(width, height) of the image as it is shown, its EXIF orientation applied; (None, None) if unreadable."""
    position = file.tell()
    try:
        file.seek(0)
        with Image.open(file) as image:
            width, height = image.size
            if image.getexif().get(ExifTags.Base.Orientation) in QUARTER_TURNS:
                return height, width
            return width, height
    except Exception:
        return None, None
    finally:
        file.seek(position)


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
