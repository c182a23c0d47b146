"""Uploaded media in a private S3-compatible bucket, behind the media gate.

Built on django-storages' ``S3Storage`` (boto3), which does all the talking
to the bucket: AWS S3, MinIO, Ceph, Garage, Cloudflare R2, … Settings pick it
with ``MEDIA_STORAGE=s3`` (``masthead/settings.py``, docs/media-storage.md);
the local disk stays the default. Three things differ from django-storages'
own behaviour, so that a bucket behaves like the local folder everywhere
Masthead reads it:

- **Addresses go through the gate.** ``url()`` is ``MEDIA_URL`` + the name,
  exactly as on disk, never the bucket's own (signed) address: the bucket
  stays private, and every reader's request passes the visibility rule of
  ``site/media.py``. A signed URL would let anyone who saw it fetch the
  image of an embargoed story for as long as it lives.
- **A missing file is ``FileNotFoundError``**, as on disk: django-storages
  lets botocore's "404 Not Found" ``ClientError`` escape from
  ``get_modified_time``, which would turn the gate's 404 into a 500.
- **A name with a ``..`` part is ``SuspiciousFileOperation``**, as on disk:
  django-storages lets ``../x`` through when there is no prefix (a bucket
  has no parent folder, but such a name is never one Masthead made) and
  raises the parent class when it would leave the prefix.
"""

from __future__ import annotations

from pathlib import PurePosixPath
from urllib.parse import urljoin

from botocore.exceptions import ClientError
from django.conf import settings
from django.core.exceptions import SuspiciousFileOperation, SuspiciousOperation
from django.utils.encoding import filepath_to_uri
from storages.backends.s3 import S3Storage


def _is_missing(error: ClientError) -> bool:
    return error.response.get("ResponseMetadata", {}).get("HTTPStatusCode") == 404


class PrivateBucketStorage(S3Storage):
    """``S3Storage`` for a private bucket whose files readers get through the media gate."""

    def url(self, name, parameters=None, expire=None, http_method=None) -> str:
        self._normalize_name(name)  # refuses a name that climbs out, as the disk does
        return urljoin(settings.MEDIA_URL, filepath_to_uri(name).lstrip("/"))

    def get_modified_time(self, name):
        try:
            return super().get_modified_time(name)
        except ClientError as error:
            if _is_missing(error):
                raise FileNotFoundError(f"File does not exist: {name}") from None
            raise

    def _normalize_name(self, name: str) -> str:
        if ".." in PurePosixPath(name).parts:
            raise SuspiciousFileOperation(f"Attempted access to {name!r} denied.")
        try:
            return super()._normalize_name(name)
        except SuspiciousFileOperation:
            raise
        except SuspiciousOperation as error:
            raise SuspiciousFileOperation(str(error)) from None
