"""Which distribution provides an import name, and which import names a distribution provides.

Installed metadata answers first (it is exact for what this environment has), then a maintained
table of the well-known mismatches, then the usual convention (``foo-bar`` provides ``foo_bar``).
"""

from __future__ import annotations

import importlib.metadata
from functools import lru_cache

from packaging.utils import canonicalize_name

# import name -> distribution, for the common cases where they differ.
KNOWN_IMPORTS: dict[str, str] = {
    "yaml": "pyyaml",
    "sklearn": "scikit-learn",
    "skimage": "scikit-image",
    "PIL": "pillow",
    "cv2": "opencv-python",
    "bs4": "beautifulsoup4",
    "dateutil": "python-dateutil",
    "dotenv": "python-dotenv",
    "jose": "python-jose",
    "jwt": "pyjwt",
    "magic": "python-magic",
    "multipart": "python-multipart",
    "docx": "python-docx",
    "pptx": "python-pptx",
    "slugify": "python-slugify",
    "telegram": "python-telegram-bot",
    "psycopg2": "psycopg2-binary",
    "MySQLdb": "mysqlclient",
    "Crypto": "pycryptodome",
    "OpenSSL": "pyopenssl",
    "git": "gitpython",
    "github": "pygithub",
    "gitlab": "python-gitlab",
    "serial": "pyserial",
    "usb": "pyusb",
    "zmq": "pyzmq",
    "attr": "attrs",
    "dns": "dnspython",
    "ldap": "python-ldap",
    "memcache": "python-memcached",
    "Levenshtein": "levenshtein",
    "fitz": "pymupdf",
    "win32api": "pywin32",
    "win32com": "pywin32",
    "pkg_resources": "setuptools",
    "setuptools": "setuptools",
    "google": "protobuf",
    "websocket": "websocket-client",
    "socketio": "python-socketio",
    "engineio": "python-engineio",
    "rest_framework": "djangorestframework",
    "corsheaders": "django-cors-headers",
    "debug_toolbar": "django-debug-toolbar",
    "django_filters": "django-filter",
    "environ": "django-environ",
    "storages": "django-storages",
    "allauth": "django-allauth",
    "crispy_forms": "django-crispy-forms",
    "django_celery_beat": "django-celery-beat",
    "django_celery_results": "django-celery-results",
    "flask_sqlalchemy": "flask-sqlalchemy",
    "flask_login": "flask-login",
    "flask_wtf": "flask-wtf",
    "Bio": "biopython",
    "faiss": "faiss-cpu",
    "grpc": "grpcio",
    "OpenGL": "pyopengl",
    "wx": "wxpython",
    "gi": "pygobject",
    "kafka": "kafka-python",
    "nacl": "pynacl",
    "tensorflow_hub": "tensorflow-hub",
    "igraph": "python-igraph",
    "pydantic_settings": "pydantic-settings",
    "sentry_sdk": "sentry-sdk",
    "opentelemetry": "opentelemetry-api",
    "ruamel": "ruamel-yaml",
    "huggingface_hub": "huggingface-hub",
    "umap": "umap-learn",
}

# Distributions that provide a few extra import names of their own.
_EXTRA_IMPORTS: dict[str, tuple[str, ...]] = {
    "psycopg2-binary": ("psycopg2",),
    "psycopg2": ("psycopg2",),
    "psycopg": ("psycopg",),
    "protobuf": ("google",),
    "setuptools": ("setuptools", "pkg_resources"),
    "opencv-python-headless": ("cv2",),
    "opencv-contrib-python": ("cv2",),
    "pillow-simd": ("PIL",),
}


@lru_cache(maxsize=1)
def _installed() -> tuple[dict[str, str], dict[str, frozenset[str]]]:
    import_to_dist: dict[str, str] = {}
    dist_to_imports: dict[str, set[str]] = {}
    for import_name, dists in importlib.metadata.packages_distributions().items():
        if import_name.startswith("_") or not dists:
            continue
        canonical = [canonicalize_name(d) for d in dists]
        import_to_dist.setdefault(import_name, canonical[0])
        for dist in canonical:
            dist_to_imports.setdefault(dist, set()).add(import_name)
    return import_to_dist, {k: frozenset(v) for k, v in dist_to_imports.items()}


@lru_cache(maxsize=1)
def _known_by_dist() -> dict[str, frozenset[str]]:
    by_dist: dict[str, set[str]] = {}
    for import_name, dist in KNOWN_IMPORTS.items():
        by_dist.setdefault(dist, set()).add(import_name.split(".")[0])
    for dist, names in _EXTRA_IMPORTS.items():
        by_dist.setdefault(dist, set()).update(names)
    return {k: frozenset(v) for k, v in by_dist.items()}


def distribution_for_import(import_name: str) -> str:
    """The canonical distribution name most likely to provide top-level ``import_name``."""
    installed, _ = _installed()
    if import_name in installed:
        return installed[import_name]
    if import_name in KNOWN_IMPORTS:
        return KNOWN_IMPORTS[import_name]
    return canonicalize_name(import_name)


def import_names_for(distribution: str) -> frozenset[str]:
    """Top-level import names that ``distribution`` (canonical) may provide."""
    _, installed = _installed()
    names = set(installed.get(distribution, ()))
    names |= _known_by_dist().get(distribution, frozenset())
    conventional = distribution.replace("-", "_")
    names.add(conventional)
    for prefix in ("python_", "py_"):
        if conventional.startswith(prefix):
            names.add(conventional.removeprefix(prefix))
    return frozenset(names)
