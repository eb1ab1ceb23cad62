from django.conf import settings
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from PIL import Image

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
