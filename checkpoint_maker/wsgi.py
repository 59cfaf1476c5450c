"""WSGI entry point (gunicorn checkpoint_maker.wsgi)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "checkpoint_maker.settings")
application = get_wsgi_application()
