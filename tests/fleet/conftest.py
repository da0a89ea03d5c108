"""The real services the fleet uses: Redis and RabbitMQ (PostgreSQL: `pg_database`)."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from typing import Any

import pytest

from tests.databases import unavailable


@pytest.fixture(scope="session")
def redis_client() -> Iterator[Any]:
    import redis

    url = os.environ.get("MAPC_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
    client = redis.Redis.from_url(url, socket_connect_timeout=2)
    try:
        client.ping()
    except Exception as exc:
        unavailable(f"Redis at {url}", exc)
    yield client
    client.close()


@pytest.fixture
def scope() -> str:
    """A limiter scope no other test (or other checkout) shares."""
    return f"test-{uuid.uuid4().hex[:12]}"


@pytest.fixture(scope="session")
def rabbitmq_url() -> str:
    import pika

    url = os.environ.get("MAPC_TEST_BROKER_URL", "amqp://guest:guest@127.0.0.1:5672/%2F")
    try:
        params = pika.URLParameters(url)
        params.socket_timeout = 2
        pika.BlockingConnection(params).close()
    except Exception as exc:
        unavailable(f"RabbitMQ at {url.split('@')[-1]}", exc or type(exc).__name__)
    return url
