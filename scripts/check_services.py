"""Fail fast, with a clear message, when the configured PostgreSQL or Redis does not answer."""

from __future__ import annotations

import os
import sys


def check_postgres(url: str) -> str | None:
    import psycopg

    try:
        with psycopg.connect(url, connect_timeout=5) as conn:
            conn.execute("SELECT 1")
    except psycopg.Error as exc:
        return f"PostgreSQL at DATABASE_URL={url} does not answer: {exc}".strip()
    return None


def check_redis(url: str) -> str | None:
    import redis

    try:
        redis.Redis.from_url(url, socket_connect_timeout=5).ping()
    except redis.RedisError as exc:
        return f"Redis at REDIS_URL={url} does not answer: {exc}"
    return None


def main() -> int:
    problems = []
    if url := os.environ.get("DATABASE_URL"):
        if url.startswith(("postgres://", "postgresql://")):
            problems.append(check_postgres(url))
        print(f"checked DATABASE_URL={url}")
    if url := os.environ.get("REDIS_URL"):
        problems.append(check_redis(url))
        print(f"checked REDIS_URL={url}")
    problems = [p for p in problems if p]
    for problem in problems:
        print(f"ERROR: {problem}", file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
