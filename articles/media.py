"""The media store, Django's default storage: files under MEDIA_ROOT, or an S3-compatible bucket with
MEDIA_STORAGE_URL. What it raises when it cannot take or give a file, and what editors are told then."""

from boto3.exceptions import Boto3Error
from botocore.exceptions import BotoCoreError, ClientError

# The disk (OSError), or the object store: unreachable or timed out (BotoCoreError), refusing the request or our
# keys (ClientError), an upload that failed (Boto3Error).
STORE_ERRORS = (OSError, BotoCoreError, ClientError, Boto3Error)

STORE_DOWN = (
    "The image could not be stored: the media store is not answering. Nothing was saved, and everything else "
    "you typed is still on this page. Choose the image again and save in a minute, or save without it."
)

STORE_DOWN_RESTORE = (
    "the media store is not answering, and that revision's lead image is in it. Nothing was changed; "
    "try again in a minute."
)


class MediaStoreUnavailable(Exception):
    """The media store failed while a story was saved: the save was rolled back, nothing of it was kept."""
