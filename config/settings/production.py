"""Production: secrets have no defaults, so a missing one fails at start-up."""

from __future__ import annotations

from django.core.exceptions import ImproperlyConfigured

from config.settings.base import *  # noqa: F403
from config.settings.env import env_bool, env_int, env_list, env_str

DEBUG = False
SECRET_KEY = env_str("DJANGO_SECRET_KEY")
ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS")
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS")

SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env_bool("DJANGO_SECURE_SSL_REDIRECT", True)
SECURE_HSTS_SECONDS = env_int("DJANGO_SECURE_HSTS_SECONDS", 60 * 60 * 24 * 365)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"

# Login rate limits and locks must be shared by every gunicorn worker and Celery process: a
# per-process cache lets each worker count failures on its own. DEBTBOARD_CACHE_URL names the
# cache (DJANGO_CACHE_URL is still read), else the broker's Redis is reused; without either the
# cache stays per-process and ``check --deploy`` says so (debtboard.E008).
DEBTBOARD_CACHE_URL = env_str("DEBTBOARD_CACHE_URL", env_str("DJANGO_CACHE_URL", ""))
_CACHE_URL = DEBTBOARD_CACHE_URL
if _CACHE_URL and not _CACHE_URL.startswith(("redis://", "rediss://")):
    raise ImproperlyConfigured(
        f"DEBTBOARD_CACHE_URL must be a redis:// or rediss:// URL, not {_CACHE_URL.split(':')[0]}:"
    )
if not _CACHE_URL and CELERY_BROKER_URL.startswith(("redis://", "rediss://")):  # noqa: F405
    _CACHE_URL = CELERY_BROKER_URL  # noqa: F405
if _CACHE_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": _CACHE_URL,
        }
    }

STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
