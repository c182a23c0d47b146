"""Media storage for the tests: the local folder, or a real S3-compatible server.

The server is moto's (``moto[server]``, from PyPI): a real HTTP endpoint on
127.0.0.1 at a free port, one per test process, that boto3 talks to over
the network exactly as it would to MinIO or AWS. No client-side mock is
switched on. Each test gets a bucket of its own, and ``STORAGES`` set by
``masthead.settings.media_storage_from_env`` from the variables an operator
would set; changing ``STORAGES`` makes Django drop its cached storages
(``default_storage`` and the image field's) through ``setting_changed``.
"""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass
from pathlib import Path

import boto3
import pytest
from moto.server import ThreadedMotoServer

from masthead.settings import media_storage_from_env

REGION = "eu-central-1"


@pytest.fixture(scope="session")
def s3_endpoint():
    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # one line per request otherwise
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    yield f"http://{host}:{port}"
    server.stop()


@dataclass
class Bucket:
    """A bucket on the test server, read with a client of its own (not the storage's)."""

    name: str
    client: object

    def names(self) -> list[str]:
        listing = self.client.list_objects_v2(Bucket=self.name)
        return sorted(entry["Key"] for entry in listing.get("Contents", []))

    def read(self, key: str) -> bytes:
        return self.client.get_object(Bucket=self.name, Key=key)["Body"].read()

    def put(self, key: str, content: bytes) -> None:
        self.client.put_object(Bucket=self.name, Key=key, Body=content)


@pytest.fixture
def s3_bucket(s3_endpoint, settings, monkeypatch) -> Bucket:
    """An empty private bucket that ``STORAGES["default"]`` points at, for one test."""
    # Credentials as in production: from the environment, read by boto3.
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "masthead-test")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "masthead-test-secret")
    name = f"media-{uuid.uuid4().hex[:16]}"
    client = boto3.client(
        "s3",
        endpoint_url=s3_endpoint,
        region_name=REGION,
        aws_access_key_id="masthead-test",
        aws_secret_access_key="masthead-test-secret",
    )
    client.create_bucket(Bucket=name, CreateBucketConfiguration={"LocationConstraint": REGION})
    settings.STORAGES = {
        **settings.STORAGES,
        "default": media_storage_from_env(
            {
                "MEDIA_STORAGE": "s3",
                "AWS_STORAGE_BUCKET_NAME": name,
                "AWS_S3_ENDPOINT_URL": s3_endpoint,
                "AWS_S3_REGION_NAME": REGION,
                "AWS_S3_ADDRESSING_STYLE": "path",
            }
        ),
    }
    bucket = Bucket(name, client)
    yield bucket
    for key in bucket.names():
        client.delete_object(Bucket=name, Key=key)
    client.delete_bucket(Bucket=name)


@pytest.fixture(params=["local", "s3"])
def media_storage(request, settings):
    """Run the test on each storage; returns a function listing every stored file's name."""
    if request.param == "s3":
        return request.getfixturevalue("s3_bucket").names
    root = Path(settings.MEDIA_ROOT)

    def names() -> list[str]:
        if not root.exists():
            return []
        return sorted(str(path.relative_to(root)) for path in root.rglob("*") if path.is_file())

    return names
