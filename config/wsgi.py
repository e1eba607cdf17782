"""The WSGI application, for gunicorn (`gunicorn -c config/gunicorn.py config.wsgi`) or any WSGI server.

See https://docs.djangoproject.com/en/5.2/howto/deployment/wsgi/
"""

import os

from django.core.wsgi import get_wsgi_application
from django.urls import resolve

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

application = get_wsgi_application()

# Django loads the URL map, and through it every view module (WeasyPrint, openpyxl), on the first
# request; load it now, so that no worker pays for it on its first request. With gunicorn's
# preload_app this runs once, in the master, before it watches for its children's exits: the
# helper programs that WeasyPrint's library lookup starts are then not mistaken for workers
# that exited with an error.
resolve("/healthz/")
