"""Photos in S3-compatible object storage, as production keeps them: against a
real S3 endpoint on loopback (moto's server), through django-storages (R31)."""

import socket
import subprocess  # noqa: S404
import sys
import time
import urllib.error
import urllib.request
from urllib.parse import urlsplit, urlunsplit

import boto3
import pytest
from django.urls import reverse
from django.utils import timezone

from footsteps.journal import services as journal
from footsteps.media.models import Media

BUCKET = "footsteps-test-media"


@pytest.fixture(scope="module")
def s3_endpoint():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = subprocess.Popen(  # noqa: S603
        [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    for _ in range(100):
        try:
            urllib.request.urlopen(url, timeout=1)  # noqa: S310 (loopback)
            break
        except urllib.error.HTTPError:
            break
        except OSError:
            time.sleep(0.1)
    yield url
    server.terminate()
    server.wait(timeout=10)


@pytest.fixture
def s3(s3_endpoint, settings, monkeypatch):
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "test")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "test")
    client = boto3.client(
        "s3",
        endpoint_url=s3_endpoint,
        region_name="eu-west-2",
        aws_access_key_id="test",
        aws_secret_access_key="test",
    )
    client.create_bucket(
        Bucket=BUCKET, CreateBucketConfiguration={"LocationConstraint": "eu-west-2"}
    )
    # The production configuration (config.settings), pointed at the endpoint.
    settings.S3_BUCKET = BUCKET
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "storages.backends.s3.S3Storage",
            "OPTIONS": {
                "bucket_name": BUCKET,
                "endpoint_url": s3_endpoint,
                "region_name": "eu-west-2",
                "access_key": "test",
                "secret_key": "test",
                "default_acl": "private",
                "querystring_auth": True,
                "querystring_expire": 300,
                "file_overwrite": False,
            },
        },
    }
    yield client
    for page in client.get_paginator("list_objects_v2").paginate(Bucket=BUCKET):
        for item in page.get("Contents", []):
            client.delete_object(Bucket=BUCKET, Key=item["Key"])
    client.delete_bucket(Bucket=BUCKET)


def test_photos_live_in_the_bucket_and_are_served_by_urls_that_expire(
    world, upload, small_photo, s3
):
    """R31: pieces and processed files go to the bucket; a reader allowed by the
    policy is sent to a signed URL that expires in minutes; without the
    signature the bucket answers nothing; another family gets 404."""
    item = upload(world.actor("senior"), small_photo)
    assert item.status == Media.Status.READY, item.problem
    keys = {entry["Key"] for entry in s3.list_objects_v2(Bucket=BUCKET).get("Contents", [])}
    assert {item.original, item.display, item.thumbnail} <= keys
    assert not any(key.startswith("uploads/") for key in keys)  # pieces gone once processed
    journal.observation_create(
        actor=world.actor("senior"),
        children=[world.children["amy"]],
        title="Outside",
        observed_at=timezone.now(),
        publish=True,
        media=[item.key],
    )

    response = world.client("parent_amy").get(reverse("media_file", args=[item.key, "display"]))

    assert response.status_code == 302
    signed = response["Location"]
    assert "X-Amz-Expires=300" in signed
    assert "X-Amz-Signature=" in signed
    assert "no-store" in response["Cache-Control"]
    with urllib.request.urlopen(signed, timeout=10) as fetched:  # noqa: S310 (loopback)
        data = fetched.read()
        assert fetched.headers["Cache-Control"] == "private, no-store"
    assert data[:4] == b"RIFF"
    assert data[8:12] == b"WEBP"
    unsigned_url = urlunsplit(urlsplit(signed)._replace(query=""))
    with pytest.raises(urllib.error.HTTPError) as unsigned:
        urllib.request.urlopen(unsigned_url, timeout=10)  # noqa: S310 (loopback)
    assert unsigned.value.code == 403
    other = world.client("parent_ben").get(reverse("media_file", args=[item.key, "display"]))
    assert other.status_code == 404
