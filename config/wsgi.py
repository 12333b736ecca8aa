from __future__ import annotations

import os

from django.core.wsgi import get_wsgi_application

from config import memory

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.production")

application = get_wsgi_application()
memory.tune_for_serving()
