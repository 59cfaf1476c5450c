"""WSGI entry point (gunicorn checkpoint_maker.wsgi)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "checkpoint_maker.settings")
application = get_wsgi_application()

from checkpoint_maker.errors import RefuseNonTextCharset  # noqa: E402 (needs Django set up)

application = RefuseNonTextCharset(application)
