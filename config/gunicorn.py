"""gunicorn's settings for production: `gunicorn -c config/gunicorn.py config.wsgi`.

Environment: GUNICORN_BIND (default 127.0.0.1:8000), WEB_CONCURRENCY (workers,
default 2 × cores + 1), GUNICORN_TIMEOUT (seconds, default 60).
"""

import gc
import os

bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("WEB_CONCURRENCY", 2 * (os.cpu_count() or 1) + 1))

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
from django.conf import settings  # noqa: E402 (after the settings module is named)

from config.env import refuse_per_process_cache  # noqa: E402

# The settings check WEB_CONCURRENCY; the default above is checked here.
refuse_per_process_cache(settings.CACHES, workers=workers)
timeout = int(os.environ.get("GUNICORN_TIMEOUT", 60))
# Django, the URL map and the translation catalogues are loaded once, in the master.
preload_app = True
accesslog = None


def pre_fork(server, worker):
    # What the master loaded (config/wsgi.py loads the URL map and every view module) lives as
    # long as the worker: move it out of the collector's sight, so a request's garbage
    # collections do not walk the whole application each time.
    gc.freeze()


def post_fork(server, worker):
    # A worker never shares the master's database connections (the master should hold none).
    from django.db import connections

    connections.close_all()
