"""The app served the way production serves it: gunicorn, DEBUG off, in a subprocess."""

from __future__ import annotations

import os
import secrets
import socket
import subprocess
import sys
import time
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def production_env(database_url: str) -> dict[str, str]:
    """Production settings, except that cookies travel over plain HTTP on the loopback."""
    env = dict(os.environ)
    env.update(
        DEBUG="false",
        # The bench's own process writes the sessions the server reads: one key for both.
        SECRET_KEY=os.environ.setdefault("SECRET_KEY", secrets.token_urlsafe(64)),
        ALLOWED_HOSTS="127.0.0.1",
        DATABASE_URL=database_url,
        SECURE_COOKIES="false",
        SECURE_SSL_REDIRECT="false",
        LOG_LEVEL="WARNING",
    )
    # Celery tasks run in the web process; the cache is shared as production's is, when a Redis is given.
    env.pop("REDIS_URL", None)
    cache_url = os.environ.get("CACHE_URL") or os.environ.get("REDIS_URL")
    if cache_url:
        env["CACHE_URL"] = cache_url
    return env


class Gunicorn:
    """`with Gunicorn(...) as url:` serves the app on a free port until the block ends."""

    def __init__(self, *, database_url: str, workers: int) -> None:
        self.env = production_env(database_url)
        self.workers = workers
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.process: subprocess.Popen | None = None

    def __enter__(self) -> str:
        python = sys.executable
        if self._static_stale():
            # The manifest storage of DEBUG=false needs collected static files (slow: it compresses them).
            subprocess.run(
                [python, "manage.py", "collectstatic", "--noinput", "-v0"], cwd=ROOT, env=self.env, check=True
            )
        gunicorn = Path(python).with_name("gunicorn")
        self.process = subprocess.Popen(
            [str(gunicorn), "-c", "config/gunicorn.py", "config.wsgi", "-b", f"127.0.0.1:{self.port}"]
            + ["-w", str(self.workers), "--log-level", "warning", "--timeout", "120"],
            cwd=ROOT,
            env=self.env,
        )
        try:
            self._wait_ready()
        except BaseException:
            self.__exit__()
            raise
        return self.url

    @staticmethod
    def _static_stale() -> bool:
        manifest = ROOT / "var" / "static" / "staticfiles.json"
        if not manifest.exists():
            return True
        built = manifest.stat().st_mtime
        return any(path.stat().st_mtime > built for path in (ROOT / "static").rglob("*") if path.is_file())

    def _wait_ready(self, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError("gunicorn exited; see its output above")
            try:
                if requests.get(f"{self.url}/healthz/", timeout=10).status_code == 200:
                    return
            except requests.RequestException:
                pass  # still booting
            time.sleep(0.3)
        raise RuntimeError("gunicorn did not answer /healthz/ in time")

    def __exit__(self, *exc) -> None:
        if self.process is not None:
            self.process.terminate()
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
