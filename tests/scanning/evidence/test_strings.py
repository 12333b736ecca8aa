from __future__ import annotations

import textwrap

import pytest

from scanning.evidence.filenames import is_file_name
from scanning.types import ENTRY_POINT, STRING_REFERENCE

from .conftest import Scan, names

SETTINGS = textwrap.dedent(
    """
    import os
    DJANGO_APPS = ["django.contrib.admin", "django.contrib.auth"]
    THIRD_PARTY_APPS = ["rest_framework", "corsheaders", "allauth.account"]
    INSTALLED_APPS = DJANGO_APPS + THIRD_PARTY_APPS
    ALLOWED_HOSTS = ["example.com", "api.example.org"]
    MIDDLEWARE = ["whitenoise.middleware.WhiteNoiseMiddleware"]
    AUTHENTICATION_BACKENDS = ["axes.backends.AxesBackend"]
    EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "anymail.backends.mailgun.EmailBackend")
    DATABASES = {"default": {"ENGINE": "django.db.backends.postgresql", "NAME": "db.sqlite3"}}
    CACHES = {"default": {"BACKEND": "django_redis.cache.RedisCache", "LOCATION": "x"}}
    STORAGES = {"default": {"BACKEND": "storages.backends.s3.S3Storage"}}
    TEMPLATES = [
        {
            "BACKEND": "django.template.backends.django.DjangoTemplates",
            "OPTIONS": {"context_processors": ["constance.context_processors.config"]},
        }
    ]
    REST_FRAMEWORK = {
        "DEFAULT_AUTHENTICATION_CLASSES": ("knox.auth.TokenAuthentication",),
        "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
        "PAGE_SIZE": 50,
        "DATETIME_FORMAT": "iso-8601",
    }
    LOGGING = {"formatters": {"json": {"()": "pythonjsonlogger.jsonlogger.JsonFormatter"}}}
    """
)


def test_django_settings_strings_name_the_modules_they_load(scan: Scan) -> None:
    usages, errors = scan({"config/settings.py": SETTINGS})
    assert errors == []
    referenced = names(usages, kind=STRING_REFERENCE)
    assert {
        "rest_framework",
        "corsheaders",
        "allauth",
        "whitenoise",
        "axes",
        "anymail",
        "django_redis",
        "storages",
        "constance",
        "knox",
        "drf_spectacular",
        "pythonjsonlogger",
        "django",
    } <= referenced
    assert not referenced & {"example", "api", "db", "iso"}


def test_postgresql_engine_implies_either_psycopg_driver(scan: Scan) -> None:
    usages, _ = scan({"config/settings.py": SETTINGS})
    drivers = [u for u in usages if u.name in ("psycopg", "psycopg2")]
    assert {u.name for u in drivers} == {"psycopg", "psycopg2"}
    assert all(u.detail.startswith("alternative") and u.line == 10 for u in drivers)
    assert not any(u.optional for u in drivers)


def test_mysql_engine_set_by_subscript_implies_mysqldb(scan: Scan) -> None:
    source = 'DATABASES = {}\nDATABASES["default"]["ENGINE"] = "django.db.backends.mysql"\n'
    usages, _ = scan({"app/settings.py": source})
    assert "MySQLdb" in names(usages, kind=STRING_REFERENCE)


def test_database_url_default_implies_driver(scan: Scan) -> None:
    source = textwrap.dedent(
        """
        import dj_database_url
        DATABASES = {"default": dj_database_url.config(default="postgres://u@localhost/app")}
        """
    )
    usages, _ = scan({"config/settings.py": source})
    assert {"psycopg", "psycopg2"} <= names(usages, kind=STRING_REFERENCE)


def test_conditional_debug_toolbar_app_is_conditional_but_still_loaded(scan: Scan) -> None:
    source = (
        'DEBUG = True\nINSTALLED_APPS = []\nif DEBUG:\n    INSTALLED_APPS += ["debug_toolbar"]\n'
    )
    usages, _ = scan({"config/settings.py": source})
    toolbar = [u for u in usages if u.name == "debug_toolbar"]
    assert len(toolbar) == 1
    assert not toolbar[0].optional
    assert toolbar[0].detail.endswith("conditional")


def test_celery_autodiscover_include_and_broker_url(scan: Scan) -> None:
    source = textwrap.dedent(
        """
        from celery import Celery
        app = Celery("proj", include=["proj.tasks", "billing.jobs"], backend="rpc://")
        app.config_from_object("django.conf:settings", namespace="CELERY")
        app.autodiscover_tasks(["reports"])
        app.conf.broker_url = "amqp://guest@localhost//"
        CELERY_BROKER_URL = "redis://localhost:6379/0"
        """
    )
    usages, _ = scan({"proj/celery.py": source})
    referenced = names(usages, kind=STRING_REFERENCE)
    assert {"proj", "billing", "reports", "django", "amqp", "redis"} <= referenced


def test_pytest_plugins_in_conftest(scan: Scan) -> None:
    usages, _ = scan({"conftest.py": 'pytest_plugins = ["pytest_factoryboy", "tests.fixtures"]\n'})
    plugins = {u.name: u for u in usages if u.kind == STRING_REFERENCE}
    assert set(plugins) == {"pytest_factoryboy", "tests"}
    assert plugins["pytest_factoryboy"].mode == "test"


def test_gunicorn_conf_worker_class(scan: Scan) -> None:
    usages, _ = scan(
        {
            "gunicorn.conf.py": 'worker_class = "uvicorn.workers.UvicornWorker"\n',
            "deploy/gunicorn_gevent.conf.py": 'worker_class = "gevent"\n',
        }
    )
    assert {"uvicorn", "gevent"} <= names(usages, kind=STRING_REFERENCE)


def test_setup_py_entry_points_name_modules(scan: Scan) -> None:
    source = textwrap.dedent(
        """
        from setuptools import setup
        setup(entry_points={"console_scripts": ["acme = acme_cli.main:run"]})
        """
    )
    usages, _ = scan({"setup.py": source})
    assert names(usages, kind=ENTRY_POINT) == {"acme_cli"}


def test_ordinary_strings_are_not_references(scan: Scan) -> None:
    source = 'GREETING = "hello.world"\nHOST = "smtp.gmail.com"\nURL = "https://x.io"\n'
    usages, _ = scan({"app/consts.py": source})
    assert usages == []


def test_a_url_scheme_alone_is_no_import_but_a_sqlalchemy_driver_url_is(scan: Scan) -> None:
    source = (
        'DEP = "git+https://github.com/acme/lib.git"\n'
        'ENGINE_URL = "mysql+pymysql://u@h/db"\n'
        'RESULTS = "rediss://cache:6380/1"\n'
    )
    usages, _ = scan({"app/conf.py": source})
    assert names(usages) == {"pymysql"}


def test_file_names_in_module_loading_places_are_not_modules(scan: Scan) -> None:
    source = textwrap.dedent(
        """
        import importlib
        MODEL_CLASS = "weights.onnx"
        CHECKPOINT_MODULE = "model.pt"
        FIXTURE_HANDLER = "data.json"
        LOG_HANDLER = "logs/app.log"
        CACHE_BACKEND = "cache.sqlite3"
        SERIALIZATION_MODULES = {"json": "django.core.serializers.json"}
        YAML_ENGINE = "ruamel.yaml.main"
        DB_MODULE = "django.db.backends.sqlite3"
        plugin = importlib.import_module("config.yaml")
        """
    )
    usages, errors = scan({"app/settings.py": source})
    assert errors == []
    assert names(usages) == {"importlib", "django", "ruamel"}


@pytest.mark.parametrize(
    ("text", "file_name"),
    [
        ("weights.onnx", True),
        ("models/best.pt", True),
        ("model.pt", True),
        ("data.json", True),
        ("config.yaml", True),
        ("app.log", True),
        ("django.core.serializers.json", False),
        ("ruamel.yaml", True),  # a bare name.ext: the file reading wins
        ("django.conf:settings", False),
        ("django.db.backends.sqlite3", False),
        ("app.db", False),
        ("proj.tasks", False),
    ],
)
def test_is_file_name(text: str, file_name: bool) -> None:
    assert is_file_name(text) is file_name


def test_scrapy_settings_load_the_classes_they_name_in_keys_and_values(scan: Scan) -> None:
    source = textwrap.dedent(
        """
        EXTENSIONS = {"scrapy_sentry_errors.extensions.Errors": 10}
        ITEM_PIPELINES = {"scrapy_mongodb.MongoDBPipeline": 300}

        class Spider:
            custom_settings = {
                "DOWNLOAD_HANDLERS": {"https": "scrapy_playwright.handler.Handler"},
                "TWISTED_REACTOR": "twisted.internet.asyncioreactor.AsyncioSelectorReactor",
                "FEEDS": {"items.json": {"format": "json"}},
            }
        """
    )
    usages, _ = scan({"crawler/settings.py": source})
    assert names(usages, kind=STRING_REFERENCE) == {
        "scrapy_sentry_errors", "scrapy_mongodb", "scrapy_playwright", "twisted"
    }  # fmt: skip


def test_path_parts_and_lower_case_app_lists_are_no_modules(scan: Scan) -> None:
    source = (
        "engine = tmp_path / 'model.engine'\n"
        "info = PackageInfo(expected_apps=['testapp'])\n"
        "INSTALLED_APPS = ['django.contrib.admin', 'rest_framework']\n"
    )
    usages, _ = scan({"tests/test_x.py": source})
    assert {"model", "testapp"}.isdisjoint(names(usages))
    assert {"django", "rest_framework"} <= names(usages)


def test_a_dotted_class_path_anywhere_is_a_possible_use_of_its_package(scan: Scan) -> None:
    source = (
        "panels = []\n"
        "panels.append('flask_debugtoolbar_warnings.WarningsPanel')\n"
        "print('see os.path for details', 'v1.2', 'Foo.Bar')\n"
    )
    usages, _ = scan({"app/debug.py": source})
    found = {u.name: u for u in usages}
    assert found["flask_debugtoolbar_warnings"].optional
    assert "Foo" not in found and "v1" not in found


def test_a_settings_dict_of_data_still_yields_the_modules_under_its_loading_keys(scan: Scan):
    rows = "".join(f'    "k{n}": {n},\n    "t{n}": ("a", "b.c"),\n' for n in range(500))
    source = (
        "SETTINGS = {\n"
        f"{rows}"
        '    "BACKEND": "first_backend.Cache",\n'
        '    "nested": {"ENGINE": "second_engine.db", "plain": "not.loaded"},\n'
        '    "MIDDLEWARE": ["third_mw.Middleware", 3],\n'
        "}\n"
    )
    usages, _ = scan({"config/settings.py": source})
    settings = [u for u in usages if u.kind == STRING_REFERENCE and "setting" in u.detail]
    found = [(u.name, u.line) for u in settings]
    # Popped from a stack: the last key's values first.
    assert found == [("third_mw", 1004), ("second_engine", 1003), ("first_backend", 1002)]


def test_a_setting_named_for_its_own_package_is_only_a_possible_use(scan: Scan) -> None:
    # sendfile reads SENDFILE_BACKEND: where sendfile is not used, nothing loads the value.
    source = (
        'SENDFILE_BACKEND = "sendfile.backends.development"\n'
        'EMAIL_BACKEND = "anymail.backends.mailgun.EmailBackend"\n'
    )
    usages, _ = scan({"config/settings/development.py": source})
    assert "sendfile" in names(usages, optional=True)
    assert "sendfile" not in names(usages, optional=False)
    assert "anymail" in names(usages, optional=False)  # Django itself reads EMAIL_BACKEND


def test_a_setting_always_assigned_again_further_down_loads_nothing(scan: Scan) -> None:
    source = textwrap.dedent(
        """
        import os
        html_theme = "alabaster"
        extensions = ["sphinx.ext.autodoc"]
        if os.environ.get("READTHEDOCS"):
            html_theme = "default"
        else:
            html_theme = "sphinx_rtd_theme"
        EMAIL_BACKEND = "anymail.backends.mailgun.EmailBackend"
        if os.environ.get("X"):
            EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
        """
    )
    found = names(scan({"docs/conf.py": source})[0])
    assert "alabaster" not in found
    assert "sphinx_rtd_theme" in found
    assert "anymail" in found  # replaced only on one branch: still possible


def test_a_reactor_scrapy_loads_from_its_own_requirement_is_a_possible_use(scan: Scan) -> None:
    source = (
        "custom_settings = {\n"
        '    "TWISTED_REACTOR": "twisted.internet.asyncioreactor.AsyncioSelectorReactor",\n'
        '    "DOWNLOAD_HANDLERS": {"https": "scrapy_playwright.handler.Handler"},\n'
        "}\n"
    )
    usages, _ = scan({"spiders/transit.py": source})
    assert "twisted" in names(usages, optional=True)
    assert "twisted" not in names(usages, optional=False)
    assert "scrapy_playwright" in names(usages, optional=False)
