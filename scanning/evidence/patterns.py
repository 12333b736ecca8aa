"""Usage that implies a requirement nobody imports by name: knowledge as data, one source each.

A settings value names a backend that loads a driver; a URL handed to a framework names the
driver the framework loads for its scheme; a library call loads an optional backend. A URL
scheme alone is never an import (``redis://`` in a constant loads nothing): only the pair of a
consumer and a scheme implies a package. Each entry says which import names would do (several:
any one of them), where the fact comes from, and whether the package must be declared
(``required``) or comes with the framework anyway (then the use is optional evidence: it keeps a
declared package used but never makes it missing).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from packaging.utils import canonicalize_name


@dataclass(frozen=True, slots=True)
class Implied:
    modules: tuple[str, ...]  # import names; more than one: any one of them will do
    source: str  # the documentation that says so
    required: bool = True  # False: installed with the framework anyway (a possible use)
    # Extras that install it: declaring ``celery[redis]`` declares what redis:// needs.
    extras: tuple[str, ...] = ()


# How a usage says which extras would provide it: "...; provided by celery[redis]".
EXTRA_MARK = "provided by "
_EXTRA = re.compile(r"([A-Za-z0-9][A-Za-z0-9._-]*)\[([A-Za-z0-9._-]+)\]")


def extras_in(detail: str) -> set[tuple[str, str]]:
    """(canonical distribution, normalised extra) pairs a usage's detail names as providers."""
    _, mark, rest = detail.partition(EXTRA_MARK)
    if not mark:
        return set()
    return {
        (canonicalize_name(name), canonicalize_name(extra))
        for name, extra in _EXTRA.findall(rest.split(";")[0])
    }


_DJANGO_DB = "https://docs.djangoproject.com/en/5.2/ref/databases/"
_DJANGO_CACHE = "https://docs.djangoproject.com/en/5.2/topics/cache/"
_STORAGES = "https://django-storages.readthedocs.io/en/latest/backends/"
_HAYSTACK = "https://django-haystack.readthedocs.io/en/latest/installing_search_engines.html"
_POSTGRES = Implied(("psycopg", "psycopg2"), _DJANGO_DB)
_MYSQL = Implied(("MySQLdb",), _DJANGO_DB)
_ORACLE = Implied(("oracledb", "cx_Oracle"), _DJANGO_DB)


def _storage(module: str, page: str, extra: str) -> Implied:
    return Implied((module,), f"{_STORAGES}{page}.html", extras=(f"django-storages[{extra}]",))


# PyTorch Lightning's experiment loggers import their service's client when made (each class's
# page says which package to install); a logger named is a possible use of that client.
_PL_LOGGERS = {
    "TestTubeLogger": ("test_tube", "https://lightning.ai/docs/pytorch/1.6.5/api/pytorch_lightning.loggers.TestTubeLogger.html"),
    "WandbLogger": ("wandb", "https://lightning.ai/docs/pytorch/stable/extensions/generated/lightning.pytorch.loggers.WandbLogger.html"),
    "MLFlowLogger": ("mlflow", "https://lightning.ai/docs/pytorch/stable/extensions/generated/lightning.pytorch.loggers.MLFlowLogger.html"),
    "CometLogger": ("comet_ml", "https://lightning.ai/docs/pytorch/stable/extensions/generated/lightning.pytorch.loggers.CometLogger.html"),
    "NeptuneLogger": ("neptune", "https://lightning.ai/docs/pytorch/stable/extensions/generated/lightning.pytorch.loggers.NeptuneLogger.html"),
}  # fmt: skip
_PL_LOGGER_HOMES = ("pytorch_lightning.loggers", "lightning.pytorch.loggers")
PL_LOGGERS: dict[tuple[str, str], Implied] = {
    (module, name): Implied((client,), source, required=False)
    for module in _PL_LOGGER_HOMES
    for name, (client, source) in _PL_LOGGERS.items()
}

# Dotted settings values (Django ENGINE/BACKEND, STORAGES...) → the driver the backend loads.
BACKENDS: dict[str, Implied] = {
    # A logger's class path in a config (``target: pytorch_lightning.loggers.TestTubeLogger``).
    **{f"{module}.{name}": implied for (module, name), implied in PL_LOGGERS.items()},
    "django.db.backends.postgresql": _POSTGRES,
    "django.contrib.gis.db.backends.postgis": _POSTGRES,
    "django.db.backends.postgresql_psycopg2": Implied(("psycopg2",), _DJANGO_DB),
    "django.db.backends.mysql": _MYSQL,
    "django.contrib.gis.db.backends.mysql": _MYSQL,
    "django.db.backends.oracle": _ORACLE,
    "django.contrib.gis.db.backends.oracle": _ORACLE,
    "django.core.cache.backends.redis.RedisCache": Implied(("redis",), _DJANGO_CACHE),
    "django.core.cache.backends.memcached.PyMemcacheCache": Implied(("pymemcache",), _DJANGO_CACHE),
    "django.core.cache.backends.memcached.PyLibMCCache": Implied(("pylibmc",), _DJANGO_CACHE),
    "django.core.cache.backends.memcached.MemcachedCache": Implied(("memcache",), _DJANGO_CACHE),
    # django-storages installs each backend's SDK through its own extra (django-storages[s3]).
    "storages.backends.s3.S3Storage": _storage("boto3", "s3_compatible", "s3"),
    "storages.backends.s3boto3.S3Boto3Storage": _storage("boto3", "s3_compatible", "s3"),
    "storages.backends.gcloud.GoogleCloudStorage": _storage(
        "google.cloud.storage", "gcloud", "google"
    ),
    "storages.backends.azure_storage.AzureStorage": _storage(
        "azure.storage.blob", "azure", "azure"
    ),
    "storages.backends.dropbox.DropboxStorage": _storage("dropbox", "dropbox", "dropbox"),
    # The backend's name before django-storages 1.14, still an alias of it there.
    "storages.backends.dropbox.DropBoxStorage": _storage("dropbox", "dropbox", "dropbox"),
    "storages.backends.sftpstorage.SFTPStorage": _storage("paramiko", "sftp", "sftp"),
    # django-haystack's search engines, each importing its client library.
    **{
        f"haystack.backends.{module}.{engine}": Implied((client,), _HAYSTACK)
        for module, engine, client in (
            ("elasticsearch_backend", "ElasticsearchSearchEngine", "elasticsearch"),
            ("elasticsearch2_backend", "Elasticsearch2SearchEngine", "elasticsearch"),
            ("elasticsearch5_backend", "Elasticsearch5SearchEngine", "elasticsearch"),
            ("elasticsearch7_backend", "Elasticsearch7SearchEngine", "elasticsearch"),
            ("solr_backend", "SolrEngine", "pysolr"),
            ("whoosh_backend", "WhooshEngine", "whoosh"),
        )
    },
    # Django REST framework's CoreAPI schemas assert coreapi is installed.
    "rest_framework.schemas.coreapi.AutoSchema": Implied(
        ("coreapi",), "https://www.django-rest-framework.org/coreapi/"
    ),
}

_FLASK_CACHING = "https://flask-caching.readthedocs.io/en/latest/#built-in-cache-backends"
_FLASK_SESSION = "https://flask-session.readthedocs.io/en/latest/config.html"
_MEMCACHED = ("pylibmc", "memcache", "pymemcache")
# Settings whose short value names a backend: (setting name, value) → what it loads.
SETTING_VALUES: dict[str, dict[str, Implied]] = {
    "CACHE_TYPE": {  # Flask-Caching
        **{v: Implied(("redis",), _FLASK_CACHING) for v in (
            "redis", "RedisCache", "flask_caching.backends.RedisCache", "RedisSentinelCache",
            "RedisClusterCache")},
        **{v: Implied(_MEMCACHED, _FLASK_CACHING) for v in (
            "memcached", "MemcachedCache", "SASLMemcachedCache", "saslmemcached")},
    },
    "SESSION_TYPE": {  # Flask-Session
        "redis": Implied(("redis",), _FLASK_SESSION),
        "memcached": Implied(_MEMCACHED, _FLASK_SESSION),
        "mongodb": Implied(("pymongo",), _FLASK_SESSION),
        "sqlalchemy": Implied(("flask_sqlalchemy",), _FLASK_SESSION),
        "dynamodb": Implied(("boto3",), _FLASK_SESSION),
    },
}  # fmt: skip

# Who reads a URL: the consumer decides what its scheme loads.
DJANGO = "django"  # dj-database-url, django-environ's db_url
DJANGO_CACHE = "django-cache"  # django-environ's cache_url
SQLALCHEMY = "sqlalchemy"
CELERY_BROKER = "celery-broker"
CELERY_BACKEND = "celery-backend"
HTTP_PROXY = "http-proxy"  # requests/httpx proxies
FSSPEC = "fsspec"  # pandas/dask file paths: a remote URL goes to an fsspec implementation

_DJ_DATABASE_URL = "https://github.com/jazzband/dj-database-url#url-schema"
_ENVIRON_CACHE = "https://django-environ.readthedocs.io/en/latest/types.html#environ-env-cache-url"
SQLALCHEMY_DIALECTS_SOURCE = _SA_DIALECTS = "https://docs.sqlalchemy.org/en/20/dialects/"
_CELERY_BROKERS = "https://docs.celeryq.dev/en/stable/getting-started/backends-and-brokers/"
_CELERY_BACKENDS = "https://docs.celeryq.dev/en/stable/userguide/configuration.html#result-backend"
_KOMBU = "https://docs.celeryq.dev/projects/kombu/en/stable/introduction.html#transport-comparison"
_CELERY_BUNDLES = "https://docs.celeryq.dev/en/stable/getting-started/introduction.html#bundles"
_REDIS_BROKER = Implied(("redis",), f"{_CELERY_BROKERS}redis.html", extras=("celery[redis]",))
_FSSPEC = "https://filesystem-spec.readthedocs.io/en/latest/api.html#other-known-implementations"
_REQUESTS_SOCKS = "https://requests.readthedocs.io/en/latest/user/advanced/#socks"
_SOCKS = Implied(("socks", "socksio"), _REQUESTS_SOCKS, extras=("requests[socks]", "httpx[socks]"))

URL_SCHEMES: dict[str, dict[str, Implied]] = {
    DJANGO: {
        "postgres": Implied(_POSTGRES.modules, _DJ_DATABASE_URL),
        "postgresql": Implied(_POSTGRES.modules, _DJ_DATABASE_URL),
        "pgsql": Implied(_POSTGRES.modules, _DJ_DATABASE_URL),
        "postgis": Implied(_POSTGRES.modules, _DJ_DATABASE_URL),
        "mysql": Implied(_MYSQL.modules, _DJ_DATABASE_URL),
        "mysqlgis": Implied(_MYSQL.modules, _DJ_DATABASE_URL),
        "oracle": Implied(_ORACLE.modules, _DJ_DATABASE_URL),
        "oraclegis": Implied(_ORACLE.modules, _DJ_DATABASE_URL),
    },
    DJANGO_CACHE: {
        "redis": Implied(("django_redis",), _ENVIRON_CACHE),
        "rediss": Implied(("django_redis",), _ENVIRON_CACHE),
        "pymemcache": Implied(("pymemcache",), _ENVIRON_CACHE),
        "pylibmc": Implied(("pylibmc",), _ENVIRON_CACHE),
        "memcache": Implied(("memcache",), _ENVIRON_CACHE),
    },
    # Plain dialect names: the default DBAPI of each dialect.
    SQLALCHEMY: {
        "postgresql": Implied(("psycopg2",), f"{_SA_DIALECTS}postgresql.html"),
        "mysql": Implied(("MySQLdb",), f"{_SA_DIALECTS}mysql.html"),
        "mariadb": Implied(("MySQLdb",), f"{_SA_DIALECTS}mysql.html"),
        "oracle": Implied(("oracledb", "cx_Oracle"), f"{_SA_DIALECTS}oracle.html"),
        "mssql": Implied(("pyodbc",), f"{_SA_DIALECTS}mssql.html"),
    },
    CELERY_BROKER: {
        "redis": _REDIS_BROKER,
        "rediss": _REDIS_BROKER,
        "sentinel": _REDIS_BROKER,
        # kombu's default transport: py-amqp is a requirement of kombu, no extra to declare.
        "amqp": Implied(("amqp",), _KOMBU, required=False),
        "amqps": Implied(("amqp",), _KOMBU, required=False),
        "pyamqp": Implied(("amqp",), _KOMBU, required=False),
        "librabbitmq": Implied(("librabbitmq",), _KOMBU, extras=("celery[librabbitmq]",)),
        "sqs": Implied(("boto3",), f"{_CELERY_BROKERS}sqs.html", extras=("celery[sqs]",)),
        "mongodb": Implied(("pymongo",), _KOMBU, extras=("celery[mongodb]",)),
        "zookeeper": Implied(("kazoo",), _KOMBU, extras=("celery[zookeeper]",)),
        "confluentkafka": Implied(("confluent_kafka",), _KOMBU, extras=("celery[confluentkafka]",)),
    },
    CELERY_BACKEND: {
        "redis": Implied(("redis",), _CELERY_BACKENDS, extras=("celery[redis]",)),
        "rediss": Implied(("redis",), _CELERY_BACKENDS, extras=("celery[redis]",)),
        "sentinel": Implied(("redis",), _CELERY_BACKENDS, extras=("celery[redis]",)),
        "mongodb": Implied(("pymongo",), _CELERY_BACKENDS, extras=("celery[mongodb]",)),
        "elasticsearch": Implied(
            ("elasticsearch",), _CELERY_BACKENDS, extras=("celery[elasticsearch]",)
        ),
        "django-db": Implied(("django_celery_results",), _CELERY_BACKENDS),
        "django-cache": Implied(("django_celery_results",), _CELERY_BACKENDS),
        "dynamodb": Implied(("boto3",), _CELERY_BACKENDS, extras=("celery[dynamodb]",)),
        "s3": Implied(("boto3",), _CELERY_BACKENDS, extras=("celery[s3]",)),
        "azureblockblob": Implied(
            ("azure.storage.blob",), _CELERY_BACKENDS, extras=("celery[azureblockblob]",)
        ),
    },
    HTTP_PROXY: {"socks4": _SOCKS, "socks4a": _SOCKS, "socks5": _SOCKS, "socks5h": _SOCKS},
    # https://pandas.pydata.org/docs/user_guide/io.html#reading-writing-remote-files and
    # https://filesystem-spec.readthedocs.io/en/latest/api.html#other-known-implementations
    FSSPEC: {
        "s3": Implied(("s3fs",), _FSSPEC),
        "s3a": Implied(("s3fs",), _FSSPEC),
        "gs": Implied(("gcsfs",), _FSSPEC),
        "gcs": Implied(("gcsfs",), _FSSPEC),
        "az": Implied(("adlfs",), _FSSPEC),
        "abfs": Implied(("adlfs",), _FSSPEC),
        "abfss": Implied(("adlfs",), _FSSPEC),
        "adl": Implied(("adlfs",), _FSSPEC),
        "hf": Implied(("huggingface_hub",), _FSSPEC),
    },
}
# SQLAlchemy's ``dialect+driver://``: the driver names the DBAPI module, except these.
SQLALCHEMY_DIALECTS = frozenset(
    {"postgresql", "mysql", "mariadb", "sqlite", "oracle", "mssql", "cockroachdb"}
)
SQLALCHEMY_DRIVER_MODULES: dict[str, Implied] = {
    "mysqldb": Implied(
        ("MySQLdb",), f"{_SA_DIALECTS}mysql.html#module-sqlalchemy.dialects.mysql.mysqldb"
    ),
    "cx_oracle": Implied(("cx_Oracle",), f"{_SA_DIALECTS}oracle.html"),
    "pysqlite": Implied((), f"{_SA_DIALECTS}sqlite.html"),  # the standard library's sqlite3
}
# Celery URLs that wrap another one: ``sqla+postgresql://`` (broker), ``db+postgresql://``
# (result backend) hand the rest to SQLAlchemy.
CELERY_SQLALCHEMY_PREFIXES = {
    CELERY_BROKER: ("sqla", Implied(("sqlalchemy",), f"{_CELERY_BROKERS}sqlalchemy.html")),
    CELERY_BACKEND: ("db", Implied(("sqlalchemy",), _CELERY_BACKENDS)),
}

# Django management command options that load an optional package: the parallel test runner
# pickles failures' tracebacks with tblib when it is installed.
DJANGO_COMMAND_OPTIONS: dict[tuple[str, str], Implied] = {
    ("test", "--parallel"): Implied(
        ("tblib",),
        "https://docs.djangoproject.com/en/5.2/ref/django-admin/#cmdoption-test-parallel",
        required=False,
    ),
}

# Calls whose URL arguments a consumer reads (the last part of the called name).
URL_CONSUMER_CALLS: dict[str, str] = {
    "create_engine": SQLALCHEMY,  # https://docs.sqlalchemy.org/en/20/core/engines.html
    "create_async_engine": SQLALCHEMY,
    "make_url": SQLALCHEMY,
    "db_url": DJANGO,  # django-environ: env.db_url("DATABASE_URL", default=...)
    "db": DJANGO,  # env.db(...)
    "db_url_config": DJANGO,
    "cache_url": DJANGO_CACHE,  # env.cache_url(...)
    "cache": DJANGO_CACHE,  # env.cache(...)
}
# Callers named so, with a receiver: dj_database_url.config(default=...), .parse(url).
URL_CONSUMER_QUALIFIED_CALLS: dict[tuple[str, str], str] = {
    ("dj_database_url", "config"): DJANGO,
    ("dj_database_url", "parse"): DJANGO,
}
# Settings names (upper case) whose URL value a consumer reads.
URL_CONSUMER_KEYS: dict[str, str] = {
    "BROKER_URL": CELERY_BROKER,  # https://docs.celeryq.dev/en/stable/userguide/configuration.html
    "CELERY_BROKER_URL": CELERY_BROKER,
    "BROKER": CELERY_BROKER,  # Celery(broker=...)
    "RESULT_BACKEND": CELERY_BACKEND,
    "CELERY_RESULT_BACKEND": CELERY_BACKEND,
    # https://flask-sqlalchemy.readthedocs.io/en/stable/config/
    "SQLALCHEMY_DATABASE_URI": SQLALCHEMY,
    "SQLALCHEMY_DATABASE_URL": SQLALCHEMY,
    "SQLALCHEMY_BINDS": SQLALCHEMY,
    "SQLALCHEMY.URL": SQLALCHEMY,  # alembic.ini, engine_from_config
    "PROXIES": HTTP_PROXY,  # requests: proxies={"https": "socks5://..."}
    "PROXY": HTTP_PROXY,  # httpx: proxy="socks5://..."
}
# A bare URL in a file that imports one of these is possibly read by that consumer (an
# optional use: the URL may as well be read by something else).
FRAMEWORK_IMPORTS: dict[str, tuple[str, ...]] = {
    "dj_database_url": (DJANGO,),
    "environ": (DJANGO,),
    "django": (DJANGO,),
    "sqlalchemy": (SQLALCHEMY,),
    "flask_sqlalchemy": (SQLALCHEMY,),
    "sqlmodel": (SQLALCHEMY,),
    "alembic": (SQLALCHEMY,),
    "celery": (CELERY_BROKER, CELERY_BACKEND),
    "pandas": (FSSPEC,),
    "dask": (FSSPEC,),
    "fsspec": (FSSPEC,),
}
# Readers and writers that hand a path to fsspec: ``pd.read_parquet("s3://...")``, any
# ``df.to_csv("gs://...")`` (the receivers' import roots; ``to_*`` methods on any object).
FSSPEC_READER_PREFIX = "read_"
FSSPEC_WRITER_PREFIX = "to_"
FSSPEC_RECEIVERS = frozenset({"pandas", "dask", "modin", "geopandas", "fsspec"})


@dataclass(frozen=True, slots=True)
class CallBackend:
    """A call that loads an optional backend, chosen by one argument.

    ``receivers`` are the import roots the called name must come from (``pd.read_parquet`` with
    ``import pandas as pd``); empty for methods of objects any code may hold (``df.to_parquet``).
    ``keyword``/``position`` select the argument; ``values`` map its literal to what it loads;
    ``default`` is what loads when the argument is absent.
    """

    function: str
    receivers: tuple[str, ...]
    source: str
    keyword: str = ""
    position: int = -1
    values: dict[str, tuple[str, ...]] | None = None
    default: tuple[str, ...] = ()
    required: bool = True
    extras: tuple[str, ...] = ()  # extras of the host that install the backend
    # Only where the call's first argument is a string (``df.eval("a + b")``, not a model's
    # ``model.eval()``) and the file imports one of ``importing`` (empty: any file).
    text_first: bool = False
    importing: tuple[str, ...] = ()
    # What loads when the argument is passed at all, unless as a literal that turns it off
    # (0, False, None, "").
    given: tuple[str, ...] = ()


_PANDAS = "https://pandas.pydata.org/docs/reference/api/"
_FRAMES = ("pandas", "dask", "modin", "geopandas")
_PARQUET = {"pyarrow": ("pyarrow",), "fastparquet": ("fastparquet",)}
_EXCEL_READERS = {
    "openpyxl": ("openpyxl",),
    "xlrd": ("xlrd",),
    "odf": ("odf",),
    "pyxlsb": ("pyxlsb",),
    "calamine": ("python_calamine",),
}
_EXCEL_WRITERS = {"openpyxl": ("openpyxl",), "xlsxwriter": ("xlsxwriter",), "odf": ("odf",)}
_QT = ("PyQt6", "PySide6", "PyQt5", "PySide2")
_MPL_BACKENDS = "https://matplotlib.org/stable/users/explain/figure/backends.html"
_JWT_CRYPTO = ("cryptography",)
_PANDAS_EVAL = f"{_PANDAS}pandas.eval.html"
_EVAL_ENGINES = {"numexpr": ("numexpr",), "python": ()}

CALL_BACKENDS: tuple[CallBackend, ...] = (
    CallBackend("read_parquet", _FRAMES, f"{_PANDAS}pandas.read_parquet.html", "engine",
                values=_PARQUET, default=("pyarrow", "fastparquet"), extras=("pandas[parquet]",)),
    CallBackend("to_parquet", (), f"{_PANDAS}pandas.DataFrame.to_parquet.html", "engine",
                values=_PARQUET, default=("pyarrow", "fastparquet"), extras=("pandas[parquet]",)),
    CallBackend("read_feather", _FRAMES, f"{_PANDAS}pandas.read_feather.html",
                default=("pyarrow",)),
    CallBackend("to_feather", (), f"{_PANDAS}pandas.DataFrame.to_feather.html",
                default=("pyarrow",)),
    CallBackend("read_orc", _FRAMES, f"{_PANDAS}pandas.read_orc.html", default=("pyarrow",)),
    CallBackend("read_excel", _FRAMES, f"{_PANDAS}pandas.read_excel.html", "engine",
                values=_EXCEL_READERS, default=("openpyxl",), extras=("pandas[excel]",)),
    CallBackend("to_excel", (), f"{_PANDAS}pandas.DataFrame.to_excel.html", "engine",
                values=_EXCEL_WRITERS, default=("openpyxl", "xlsxwriter"),
                extras=("pandas[excel]",)),
    CallBackend("read_hdf", _FRAMES, f"{_PANDAS}pandas.read_hdf.html", default=("tables",)),
    CallBackend("to_hdf", (), f"{_PANDAS}pandas.DataFrame.to_hdf.html", default=("tables",)),
    CallBackend("HDFStore", _FRAMES, f"{_PANDAS}pandas.HDFStore.html", default=("tables",)),
    # The "bs4" and "html5lib" flavors are synonyms: both parse with BeautifulSoup over
    # html5lib, so either needs both (two entries: each is needed, not one of them).
    CallBackend("read_html", _FRAMES, f"{_PANDAS}pandas.read_html.html", "flavor",
                values={"lxml": ("lxml",), "bs4": ("html5lib",), "html5lib": ("html5lib",)},
                default=("lxml", "html5lib")),
    CallBackend("read_html", _FRAMES, f"{_PANDAS}pandas.read_html.html", "flavor",
                values={"bs4": ("bs4",), "html5lib": ("bs4",)}),
    CallBackend("read_xml", _FRAMES, f"{_PANDAS}pandas.read_xml.html", "parser",
                values={"lxml": ("lxml",), "etree": ()}, default=("lxml",)),
    CallBackend("to_markdown", (), f"{_PANDAS}pandas.DataFrame.to_markdown.html",
                default=("tabulate",)),
    CallBackend("read_csv", _FRAMES, f"{_PANDAS}pandas.read_csv.html", "engine",
                values={"pyarrow": ("pyarrow",)}),
    CallBackend("BeautifulSoup", ("bs4",),
                "https://www.crummy.com/software/BeautifulSoup/bs4/doc/#installing-a-parser",
                "features", 1,
                values={"lxml": ("lxml",), "lxml-xml": ("lxml",), "xml": ("lxml",),
                        "html5lib": ("html5lib",), "html.parser": ()},
                extras=("beautifulsoup4[lxml]", "beautifulsoup4[html5lib]")),
    # A GUI backend loads its toolkit; which Qt binding is installed is the user's choice, and
    # a script may set a backend it never reaches: a possible use.
    CallBackend("use", ("matplotlib",), _MPL_BACKENDS, "backend", 0, required=False,
                values={"qtagg": _QT, "qt5agg": _QT, "qtcairo": _QT, "qt5cairo": _QT,
                        "gtk3agg": ("gi",), "gtk3cairo": ("gi",), "gtk4agg": ("gi",),
                        "gtk4cairo": ("gi",), "wxagg": ("wx",), "wx": ("wx",),
                        "webagg": ("tornado",), "cairo": ("cairo", "cairocffi")}),
    CallBackend("open_dataset", ("xarray",),
                "https://docs.xarray.dev/en/stable/generated/xarray.open_dataset.html", "engine",
                values={"netcdf4": ("netCDF4",), "h5netcdf": ("h5netcdf",), "scipy": ("scipy",),
                        "zarr": ("zarr",)},
                default=("netCDF4", "h5netcdf", "scipy")),
    CallBackend("run", ("uvicorn",), "https://www.uvicorn.org/settings/#implementation", "loop",
                values={"uvloop": ("uvloop",)}, extras=("uvicorn[standard]",)),
    CallBackend("run", ("uvicorn",), "https://www.uvicorn.org/settings/#implementation", "http",
                values={"httptools": ("httptools",)}, extras=("uvicorn[standard]",)),
    CallBackend("Client", ("httpx",), "https://www.python-httpx.org/http2/", "http2",
                values={"True": ("h2",)}, extras=("httpx[http2]",)),
    CallBackend("AsyncClient", ("httpx",), "https://www.python-httpx.org/http2/", "http2",
                values={"True": ("h2",)}, extras=("httpx[http2]",)),
    # Gymnasium's Box2D environments import Box2D when made (gymnasium[box2d] installs it).
    CallBackend("make", ("gymnasium", "gym"), "https://gymnasium.farama.org/environments/box2d/",
                "id", 0, values={name: ("Box2D",) for name in (
                    "LunarLander-v2", "LunarLander-v3", "LunarLanderContinuous-v2",
                    "BipedalWalker-v3", "BipedalWalkerHardcore-v3", "CarRacing-v2",
                    "CarRacing-v3")},
                extras=("gymnasium[box2d]",)),
    # pandas evaluates expressions with numexpr when it is installed (engine=None picks it):
    # pd.eval, DataFrame.eval and DataFrame.query.
    CallBackend("eval", ("pandas",), _PANDAS_EVAL, "engine", values=_EVAL_ENGINES,
                default=("numexpr",), required=False, text_first=True),
    *(
        CallBackend(method, (), _PANDAS_EVAL, "engine", values=_EVAL_ENGINES,
                    default=("numexpr",), required=False, text_first=True, importing=_FRAMES)
        for method in ("eval", "query")
    ),
    # Keras' TensorBoard callback profiles batches for TensorBoard's profile plugin, a plugin
    # TensorBoard loads by entry point: nothing imports it.
    CallBackend("TensorBoard", (), "https://www.tensorflow.org/tensorboard/tensorboard_profiling_keras",
                "profile_batch", given=("tensorboard_plugin_profile",), required=False,
                importing=("tensorflow", "keras", "tf_keras")),
    # Keras draws the model with pydot (tf.keras.utils.plot_model, keras.utils.plot_model).
    CallBackend("plot_model", (), "https://keras.io/api/utils/model_plotting_utils/",
                default=("pydot",), required=False),
    # networkx lays a graph out by Kamada-Kawai with scipy.optimize (it raises without SciPy).
    CallBackend("kamada_kawai_layout", ("networkx",),
                "https://networkx.org/documentation/stable/reference/generated/networkx.drawing.layout.kamada_kawai_layout.html",
                default=("scipy",), required=False),
    CallBackend("AsyncResolver", ("aiohttp",),
                "https://docs.aiohttp.org/en/stable/client_reference.html#aiohttp.AsyncResolver",
                default=("aiodns",), extras=("aiohttp[speedups]",)),
    # An image field validates uploads with Pillow (Django's system check fails without it);
    # a possible use: labels and users count what the code imports as missing, not this.
    *(
        CallBackend("ImageField", (receiver,), source, default=("PIL",), required=False)
        for receiver, source in (
            ("django", "https://docs.djangoproject.com/en/5.2/ref/models/fields/#imagefield"),
            ("rest_framework", "https://www.django-rest-framework.org/api-guide/fields/#imagefield"),
        )
    ),
    CallBackend("Email", ("wtforms",),
                "https://wtforms.readthedocs.io/en/3.1.x/validators/#wtforms.validators.Email",
                default=("email_validator",), extras=("wtforms[email]",)),
    *(
        CallBackend(function, ("jwt",),
                    "https://pyjwt.readthedocs.io/en/stable/installation.html", keyword,
                    values={name: _JWT_CRYPTO for name in (
                        "RS256", "RS384", "RS512", "ES256", "ES256K", "ES384", "ES512",
                        "PS256", "PS384", "PS512", "EdDSA")},
                    extras=("pyjwt[crypto]",))
        for function, keyword in (("encode", "algorithm"), ("decode", "algorithms"))
    ),
    # django-markupfield renders each markup type with its library (markupfield/markup.py
    # registers "markdown" when markdown imports, "restructuredtext" when docutils does).
    *(
        CallBackend("MarkupField", ("markupfield",),
                    "https://django-markupfield.readthedocs.io/en/latest/#settings", keyword,
                    values={"markdown": ("markdown",), "restructuredtext": ("docutils",)})
        for keyword in ("markup_type", "default_markup_type")
    ),
)  # fmt: skip
CALLED_NAMES = frozenset(pattern.function for pattern in CALL_BACKENDS)

# Sphinx's own HTML themes: nothing to install
# (https://www.sphinx-doc.org/en/master/usage/theming.html#builtin-themes).
SPHINX_BUILTIN_THEMES = frozenset(
    [
        "basic",
        "classic",
        "default",
        "sphinxdoc",
        "scrolls",
        "agogo",
        "traditional",
        "nature",
        "haiku",
        "pyramid",
        "bizstyle",
        "epub",
    ]
)

# Python-Markdown's extensions named by string (``Markdown(extensions=["codehilite"])``, a
# settings list such as Flask-FlatPages' ``FLATPAGES_MARKDOWN_EXTENSIONS``): the extension's
# module (``markdown.extensions.codehilite``) loads what it needs when that is installed.
_CODEHILITE = Implied(
    ("pygments",), "https://python-markdown.github.io/extensions/code_hilite/", required=False
)
MARKDOWN_EXTENSIONS: dict[str, Implied] = {
    "codehilite": _CODEHILITE,
    "markdown.extensions.codehilite": _CODEHILITE,
}
# A file importing one of these hands extension names to Markdown.
MARKDOWN_IMPORTS = frozenset({"markdown", "flask_flatpages"})

# Names whose import alone means an optional dependency is needed when they are used:
# (module root, name) → what it loads. ``from pydantic import EmailStr`` validates with
# email-validator; FastAPI's form parameters parse with python-multipart.
# FastAPI's standard extra bundles both (https://fastapi.tiangolo.com/#dependencies).
# fastapi 0.115+ also names the bundle standard-no-fastapi-cloud-cli (its METADATA).
_FASTAPI_EXTRAS = ("fastapi[standard]", "fastapi[standard-no-fastapi-cloud-cli]", "fastapi[all]")
_FASTAPI_FORMS = Implied(
    ("python_multipart", "multipart"),
    "https://fastapi.tiangolo.com/tutorial/request-forms/",
    extras=_FASTAPI_EXTRAS,
)
_TESTCLIENT = Implied(
    ("httpx",), "https://fastapi.tiangolo.com/tutorial/testing/", extras=_FASTAPI_EXTRAS
)
_PYDANTIC_DSN = "https://docs.pydantic.dev/latest/api/networks/"
IMPORTED_NAMES: dict[tuple[str, str], Implied] = {
    **PL_LOGGERS,  # from pytorch_lightning.loggers import WandbLogger
    # A settings field typed PostgresDsn holds a PostgreSQL URL (its allowed schemes are
    # postgres and postgresql with SQLAlchemy's driver suffixes), handed to a driver whose
    # name the URL may leave out: a possible use of the PostgreSQL drivers.
    ("pydantic", "PostgresDsn"): Implied(
        ("psycopg2", "psycopg", "asyncpg", "pg8000"),
        f"{_PYDANTIC_DSN}#pydantic.networks.PostgresDsn",
        required=False,
    ),
    ("pydantic", "EmailStr"): Implied(
        ("email_validator",), "https://docs.pydantic.dev/latest/api/networks/#pydantic.networks.EmailStr",
        extras=("pydantic[email]", *_FASTAPI_EXTRAS),
    ),
    ("pydantic", "NameEmail"): Implied(
        ("email_validator",), "https://docs.pydantic.dev/latest/api/networks/#pydantic.networks.NameEmail",
        extras=("pydantic[email]", *_FASTAPI_EXTRAS),
    ),
    ("fastapi", "Form"): _FASTAPI_FORMS,
    ("fastapi", "File"): _FASTAPI_FORMS,
    ("fastapi", "UploadFile"): _FASTAPI_FORMS,
    ("fastapi", "OAuth2PasswordRequestForm"): _FASTAPI_FORMS,
    ("fastapi", "TestClient"): _TESTCLIENT,
    ("starlette", "TestClient"): _TESTCLIENT,
    # torch/utils/tensorboard/__init__.py imports tensorboard and raises without it.
    ("torch", "SummaryWriter"): Implied(
        ("tensorboard",), "https://pytorch.org/docs/stable/tensorboard.html",
    ),
    # Keyed by the whole module: tqdm.notebook's bars are ipywidgets (tqdm.auto falls back).
    # Flask-FlatPages renders with Markdown's codehilite unless FLATPAGES_MARKDOWN_EXTENSIONS
    # says otherwise.
    ("flask_flatpages", "FlatPages"): Implied(
        ("pygments",), "https://flask-flatpages.readthedocs.io/en/latest/#configuration",
        required=False,
    ),
    ("tqdm.notebook", "tqdm"): Implied(
        ("ipywidgets",), "https://tqdm.github.io/docs/notebook/", required=False,
        extras=("tqdm[notebook]",),
    ),
    ("tqdm.notebook", "trange"): Implied(
        ("ipywidgets",), "https://tqdm.github.io/docs/notebook/", required=False,
        extras=("tqdm[notebook]",),
    ),
}  # fmt: skip

# Names whose import needs several optional packages at once, each its own fact.
# Django REST framework's OpenAPI schemas: schemas/openapi.py asserts uritemplate and
# inflection; get_schema_view's default renderers include OpenAPIRenderer, which asserts
# pyyaml (renderers.py), beside a JSON one (so yaml is a possible use).
_DRF_SCHEMAS = "https://www.django-rest-framework.org/api-guide/schemas/#install-dependencies"
_DRF_URITEMPLATE = Implied(("uritemplate",), _DRF_SCHEMAS)
_DRF_INFLECTION = Implied(("inflection",), _DRF_SCHEMAS)
_DRF_YAML = Implied(("yaml",), _DRF_SCHEMAS, required=False)
IMPORTED_NAME_SETS: dict[tuple[str, str], tuple[Implied, ...]] = {
    ("rest_framework.schemas", "get_schema_view"): (_DRF_URITEMPLATE, _DRF_INFLECTION, _DRF_YAML),
    ("rest_framework.schemas.openapi", "AutoSchema"): (_DRF_URITEMPLATE, _DRF_INFLECTION),
    ("rest_framework.schemas.openapi", "SchemaGenerator"): (_DRF_URITEMPLATE, _DRF_INFLECTION),
}
