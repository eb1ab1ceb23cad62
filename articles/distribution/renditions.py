"""Renditions of lead images: several widths, in AVIF (where this Pillow has it), WebP and JPEG.

django-imagekit makes every rendition once, when a story is saved with a new lead image (its
"optimistic" strategy), and from then on a page only computes their addresses: no file is opened,
checked or re-rendered on a request, and no query is run. `manage.py generateimages` makes any that
are missing (for images uploaded before a rendition was added here).

When a story's lead image is replaced or removed, the old image's renditions are deleted once the save has
committed (unless another story shows that image), through the storage API, so on disk and in a bucket alike.
The original stays: a revision may bring it back, and its renditions are then made again.
"""

import contextlib
import logging
import os
from dataclasses import dataclass
from functools import partial

from django.core.exceptions import ValidationError
from django.core.files.storage import FileSystemStorage
from django.db import transaction
from django.db.models.signals import post_init, post_save
from imagekit import ImageSpec, register
from imagekit.cachefiles import ImageCacheFile
from imagekit.registry import generator_registry
from imagekit.specs.sourcegroups import ImageFieldSourceGroup
from PIL import ImageOps, features
from pilkit.processors import ResizeToFill, ResizeToFit

from ..images import open_image
from ..media import STORE_ERRORS
from ..models import Article

logger = logging.getLogger(__name__)

# The story column is at most 44rem wide: 480 for phones, 800 for 1x desktops, 1200 for 2x screens
# and share cards (which want 1200 pixels across).
LEAD_WIDTHS = (480, 800, 1200)
LEAD_SIZES = "(min-width: 46rem) 44rem, calc(100vw - 2rem)"
# List-page thumbnails: 16:9, cropped, at 1x and 2x of their 12rem column.
CARD_SIZES = ((320, 180), (640, 360))
CARD_SIZES_ATTR = "(min-width: 40rem) 12rem, calc(100vw - 2rem)"

# Best first: a browser takes the first <source> type it supports; JPEG is the <img> everyone can show.
FORMATS = [name for name in ("AVIF", "WEBP") if features.check(name.lower())] + ["JPEG"]
MIME_TYPES = {"AVIF": "image/avif", "WEBP": "image/webp", "JPEG": "image/jpeg"}
ENCODER_OPTIONS = {
    "AVIF": {"quality": 60, "speed": 8},  # speed 8: a tenth of the default's time for much the same size
    "WEBP": {"quality": 80, "method": 4},
    "JPEG": {"quality": 82, "optimize": True, "progressive": True},
}


class Normalize:
    """Turn the picture upright (EXIF orientation), make it RGB(A), and drop its EXIF/XMP metadata
    (camera serials, GPS positions) while keeping its colour profile."""

    def process(self, image):
        image = ImageOps.exif_transpose(image)
        if image.mode not in ("RGB", "RGBA"):
            has_alpha = image.mode in ("LA", "PA") or "transparency" in image.info
            image = image.convert("RGBA" if has_alpha else "RGB")
        for key in ("exif", "xmp", "XML:com.adobe.xmp"):
            image.info.pop(key, None)
        return image


class AcceptedImageSpec(ImageSpec):
    """imagekit opens the source with every format Pillow knows; check it is one of ours first (a file stored
    before that rule, or put in storage by hand, is never decoded)."""

    def generate(self):
        if self.source:
            closed = self.source.closed
            if closed:
                self.source.open()
            try:
                self.source.seek(0)
                with open_image(self.source):
                    pass
            except ValidationError as error:
                raise ValueError(f"{self.source.name}: {error.messages[0]}") from None
            finally:
                if closed:
                    self.source.close()
        return super().generate()


def _spec_class(processors, image_format):
    return type(
        f"{image_format.title()}Rendition",
        (AcceptedImageSpec,),
        {
            "processors": [Normalize(), *processors],
            "format": image_format,
            "options": ENCODER_OPTIONS[image_format],
            "cachefile_strategy": "imagekit.cachefiles.strategies.Optimistic",
        },
    )


def lead_spec_id(width, image_format):
    return f"articles:lead:{width}:{image_format.lower()}"


def card_spec_id(width, image_format):
    return f"articles:card:{width}:{image_format.lower()}"


lead_images = ImageFieldSourceGroup(Article, "lead_image")
SPEC_IDS = []  # every rendition a lead image has
for _format in FORMATS:
    for _width in LEAD_WIDTHS:
        _id = lead_spec_id(_width, _format)
        register.generator(_id, _spec_class([ResizeToFit(width=_width, upscale=False)], _format))
        register.source_group(_id, lead_images)
        SPEC_IDS.append(_id)
    for _width, _height in CARD_SIZES:
        _id = card_spec_id(_width, _format)
        register.generator(_id, _spec_class([ResizeToFill(_width, _height)], _format))
        register.source_group(_id, lead_images)
        SPEC_IDS.append(_id)


def rendition_files(name):
    """The renditions of the lead image stored as `name`, as imagekit names them (from the name alone: nothing is
    read), whether they exist or not."""
    field = Article._meta.get_field("lead_image")
    source = field.attr_class(None, field, name)
    return [ImageCacheFile(generator_registry.get(spec_id, source=source)) for spec_id in SPEC_IDS]


def delete_renditions(name):
    """Delete the renditions of the lead image stored as `name`, and imagekit's note that they exist (so they
    are made again if the image comes back)."""
    folders = set()
    for file in rendition_files(name):
        file.storage.delete(file.name)
        file.cachefile_backend.cache.delete(file.cachefile_backend.get_key(file))
        folders.add((file.storage, os.path.dirname(file.name)))
    for storage, folder in folders:
        if isinstance(storage, FileSystemStorage):  # a bucket has no folders to leave behind
            with contextlib.suppress(OSError):  # not empty, or gone
                os.rmdir(storage.path(folder))


def _delete_renditions_if_unused(name):
    if Article.objects.filter(lead_image=name).exists():
        return  # another story shows it (or shows it again)
    try:
        delete_renditions(name)
    except STORE_ERRORS as error:
        # The story is saved; only the old image's renditions stay behind, unused, until deleted by hand.
        logger.warning("Could not delete the renditions of %s, the lead image replaced: %r", name, error)


def _stored_name(value):
    return (getattr(value, "name", value) or "") if value is not None else None


def remember_lead_image(sender, instance, **kwargs):
    # The lead image as loaded (None when the field was deferred: then nothing is deleted on save).
    instance._lead_image_loaded = _stored_name(instance.__dict__.get("lead_image"))


def delete_replaced_renditions(sender, instance, created, update_fields=None, raw=False, **kwargs):
    if raw or (update_fields is not None and "lead_image" not in update_fields):
        return
    old, new = getattr(instance, "_lead_image_loaded", None), instance.lead_image.name or ""
    instance._lead_image_loaded = new
    if not created and old and old != new:
        transaction.on_commit(partial(_delete_renditions_if_unused, old))


post_init.connect(remember_lead_image, sender=Article, dispatch_uid="renditions.remember_lead_image")
post_save.connect(delete_replaced_renditions, sender=Article, dispatch_uid="renditions.delete_replaced")


def fitted_size(width, height, target_width):
    """The size ResizeToFit(width=target_width, upscale=False) gives an image of width×height (same arithmetic)."""
    ratio = float(target_width) / width
    new_width, new_height = int(round(width * ratio)), int(round(height * ratio))
    if new_width < width and new_height < height:
        return new_width, new_height
    return width, height


def _url(spec_id, source):
    return ImageCacheFile(generator_registry.get(spec_id, source=source)).url


@dataclass(frozen=True)
class Rendition:
    url: str
    width: int
    height: int


@dataclass(frozen=True)
class Picture:
    """Everything a <picture> needs: a srcset per modern format, the JPEG fallback, and the box to reserve."""

    sources: list  # [(mime type, srcset)] best format first, JPEG excluded
    fallback: Rendition  # the JPEG the <img> loads when no srcset entry fits
    srcset: str  # JPEG srcset of the <img>
    sizes: str
    width: int
    height: int


def _picture(renditions_by_format, fallback_index, sizes):
    def srcset(renditions):
        return ", ".join(f"{r.url} {r.width}w" for r in renditions)

    jpeg = renditions_by_format["JPEG"]
    fallback = jpeg[min(fallback_index, len(jpeg) - 1)]
    return Picture(
        sources=[(MIME_TYPES[name], srcset(renditions_by_format[name])) for name in FORMATS if name != "JPEG"],
        fallback=fallback,
        srcset=srcset(jpeg),
        sizes=sizes,
        width=fallback.width,
        height=fallback.height,
    )


def lead_renditions(article, image_format="JPEG"):
    """The lead image's renditions in one format, smallest first, one per distinct width (none wider than
    the original)."""
    width, height = article.lead_image_width, article.lead_image_height
    if not article.lead_image or not width or not height:
        return []
    renditions, seen = [], set()
    for target in LEAD_WIDTHS:
        size = fitted_size(width, height, target)
        if size not in seen:
            seen.add(size)
            renditions.append(Rendition(_url(lead_spec_id(target, image_format), article.lead_image), *size))
    return renditions


def lead_picture(article):
    """The story page's lead image; None when it has none."""
    by_format = {name: lead_renditions(article, name) for name in FORMATS}
    if not by_format["JPEG"]:
        return None
    return _picture(by_format, fallback_index=1, sizes=LEAD_SIZES)


def card_picture(article):
    """A list page's thumbnail of the lead image; None when the story has none."""
    if not article.lead_image:
        return None
    by_format = {
        name: [Rendition(_url(card_spec_id(w, name), article.lead_image), w, h) for w, h in CARD_SIZES]
        for name in FORMATS
    }
    return _picture(by_format, fallback_index=0, sizes=CARD_SIZES_ATTR)


def share_image(article):
    """The largest JPEG rendition (up to 1200 pixels wide), for share cards, feeds and structured data."""
    renditions = lead_renditions(article)
    return renditions[-1] if renditions else None
