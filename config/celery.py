"""The Celery application. Tasks run in-process unless REDIS_URL is set.

Run a worker and the beat in production (see README.md, "Background jobs"):
    celery -A config worker -l info
    celery -A config beat -l info
"""

import os

from celery import Celery
from celery.signals import worker_ready

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("config")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@worker_ready.connect
def flush_outbox_on_start(**kwargs) -> None:
    """A worker coming up sends what piled up while the broker was away, without waiting for beat."""
    from notifications.tasks import flush_outbox

    flush_outbox.delay()


def registered_task(name: str):
    """The task of that name, importing the apps' tasks modules first if this process has not yet."""
    if name not in app.tasks:
        app.loader.import_default_modules()
    return app.tasks[name]
