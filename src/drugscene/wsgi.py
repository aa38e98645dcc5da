"""WSGI entry point (gunicorn drugscene.wsgi)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "drugscene.settings")
application = get_wsgi_application()
