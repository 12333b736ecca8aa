"""Usage that implies a requirement: each table entry read where it occurs, and the classes."""

from __future__ import annotations

import textwrap

import pytest

from scanning.evidence import patterns

from .conftest import Scan, names


def by_name(usages):
    return {u.name: u for u in usages}


@pytest.mark.parametrize(("backend", "implied"), sorted(patterns.BACKENDS.items()))
def test_each_settings_backend_implies_its_driver(
    scan: Scan, backend: str, implied: patterns.Implied
) -> None:
    assert implied.source.startswith("https://")
    source = f'THINGS = {{"default": {{"BACKEND": "{backend}", "ENGINE": "{backend}"}}}}\n'
    usages, _ = scan({"config/settings.py": source})
    found = by_name(usages)
    assert set(implied.modules) <= set(found)
    assert all(found[m].optional is not implied.required for m in implied.modules)


URL_CASES = [
    (consumer, scheme, implied)
    for consumer, schemes in sorted(patterns.URL_SCHEMES.items())
    for scheme, implied in sorted(schemes.items())
]
CONSUMER_SNIPPETS = {
    patterns.DJANGO: (
        "import dj_database_url\n"
        'DATABASES = {{"default": dj_database_url.config(default="{url}")}}\n'
    ),
    patterns.DJANGO_CACHE: (
        "import environ\nenv = environ.Env()\n"
        'CACHES = {{"default": env.cache_url(default="{url}")}}\n'
    ),
    patterns.SQLALCHEMY: 'from sqlalchemy import create_engine\nengine = create_engine("{url}")\n',
    patterns.CELERY_BROKER: 'CELERY_BROKER_URL = "{url}"\n',
    patterns.CELERY_BACKEND: 'from celery import Celery\napp = Celery("x", backend="{url}")\n',
    patterns.FSSPEC: 'import pandas as pd\nframe = pd.read_csv("{url}")\n',
    patterns.HTTP_PROXY: (
        'import requests\nrequests.get("https://x.org", proxies={{"https": "{url}"}})\n'
    ),
}


@pytest.mark.parametrize(("consumer", "scheme", "implied"), URL_CASES)
def test_each_consumer_and_scheme_pair_implies_its_driver(
    scan: Scan, consumer: str, scheme: str, implied: patterns.Implied
) -> None:
    assert implied.source.startswith("https://")
    url = f"{scheme}://user@host:1234/name"
    usages, _ = scan({"app/settings.py": CONSUMER_SNIPPETS[consumer].format(url=url)})
    found = by_name(usages)
    assert set(implied.modules) <= set(found)
    assert all(found[m].optional is not implied.required for m in implied.modules)


def test_a_bare_url_loads_nothing_without_a_consumer(scan: Scan) -> None:
    source = 'REDIS_URL = "redis://cache:6379/0"\nDSN = "postgresql://db/app"\n'
    usages, _ = scan({"app/constants.py": source})
    assert usages == []


def test_a_bare_url_in_a_file_importing_a_framework_is_only_a_possible_use(scan: Scan) -> None:
    source = 'import sqlalchemy\nDSN = "postgresql://db/app"\nREDIS_URL = "redis://cache/0"\n'
    usages, _ = scan({"app/db.py": source})
    psycopg2 = [u for u in usages if u.name == "psycopg2"]
    assert len(psycopg2) == 1 and psycopg2[0].optional
    assert "redis" not in names(usages)  # SQLAlchemy reads no redis:// URL


def test_plain_urls_beside_a_sqlalchemy_driver_url_are_possibly_sqlalchemy_s(scan: Scan) -> None:
    # A settings module composing URLs for an engine created elsewhere: the driver form says
    # whose URLs they are, so the plain dialect's default driver is a possible use.
    source = textwrap.dedent(
        """
        SYNC_PREFIX = config("SYNC_PREFIX", default="postgresql://")
        ASYNC_PREFIX = config("ASYNC_PREFIX", default="postgresql+asyncpg://")
        REDIS = "redis://cache/0"
        DEPENDENCY = "git+https://github.com/acme/lib.git"
        """
    )
    found = by_name(scan({"app/core/config.py": source})[0])
    assert not found["asyncpg"].optional
    assert found["psycopg2"].optional and found["psycopg2"].line == 2
    assert "redis" not in found  # SQLAlchemy reads no redis:// URL
    assert "https" not in found  # nor a VCS URL
    # Without the driver form, the plain URL alone still loads nothing.
    assert scan({"app/core/config.py": 'SYNC = "postgresql://"\n'})[0] == []


def test_celery_broker_redis_needs_redis_but_amqp_comes_with_kombu(scan: Scan) -> None:
    source = textwrap.dedent(
        """
        from celery import Celery
        app = Celery("proj", broker="amqp://guest@localhost//")
        app.conf.result_backend = "redis://localhost/1"
        """
    )
    found = by_name(scan({"proj/celery.py": source})[0])
    assert found["amqp"].optional
    assert not found["redis"].optional
    assert found["redis"].line == 4


def test_sqlalchemy_urls_name_their_driver_or_the_dialect_default(scan: Scan) -> None:
    source = textwrap.dedent(
        """
        DATABASE_URL = "postgresql+asyncpg://u@db/app"
        SQLALCHEMY_DATABASE_URI = "postgresql://u@db/app"
        OTHER = "mysql+pymysql://u@db/app"
        LITE = "sqlite+pysqlite:///x.db"
        CELERY_RESULT_BACKEND = "db+mysql+mysqldb://u@db/results"
        """
    )
    found = by_name(scan({"app/config.py": source})[0])
    assert {"asyncpg", "psycopg2", "pymysql", "MySQLdb", "sqlalchemy"} <= set(found)
    assert not any(u.optional for u in found.values())
    assert found["asyncpg"].line == 2
    assert found["psycopg2"].line == 3


def test_framework_features_that_need_a_library_imply_it(scan: Scan) -> None:
    # A model's ImageField needs Pillow; a CoreAPI schema class needs coreapi.
    model = "from django.db import models\n\nclass Coach(models.Model):\n"
    model += "    photo = models.ImageField(upload_to='coach/')\n"
    found = by_name(scan({"coach/models.py": model})[0])
    assert found["PIL"].optional and found["PIL"].line == 4
    settings = "REST_FRAMEWORK = {\n"
    settings += '    "DEFAULT_SCHEMA_CLASS": "rest_framework.schemas.coreapi.AutoSchema",\n}\n'
    found = by_name(scan({"config/settings.py": settings})[0])
    assert not found["coreapi"].optional
    # Another field of the same module needs nothing.
    other = "from django.db import models\nname = models.CharField(max_length=9)\n"
    assert "PIL" not in names(scan({"app/models.py": other})[0])


def test_environment_defaults_are_read_with_their_setting_name(scan: Scan) -> None:
    source = (
        'import os\nCELERY_BROKER_URL = os.environ.get("CELERY_BROKER_URL", "redis://r:6379")\n'
    )
    assert "redis" in names(scan({"config/settings.py": source})[0], optional=False)


@pytest.mark.parametrize("pattern", patterns.CALL_BACKENDS, ids=lambda p: p.function)
def test_each_call_backend_entry_is_read(scan: Scan, pattern: patterns.CallBackend) -> None:
    assert pattern.source.startswith("https://")
    receiver = pattern.receivers[0] if pattern.receivers else "pandas"
    value, expected = (
        next(iter(pattern.values.items())) if pattern.values else ("", pattern.default)
    )
    if not expected:  # the default applies when the call leaves the argument out
        value, expected = "", pattern.default
    argument = ""
    if value and pattern.keyword:
        literal = value if value == "True" else repr(value)
        argument = f", {pattern.keyword}={literal}"
        if pattern.keyword in ("algorithms",):
            argument = f", {pattern.keyword}=[{literal}]"
    call = (
        f"lib.{pattern.function}('x'{argument})"
        if pattern.receivers
        else f"frame.{pattern.function}('x'{argument})"
    )
    source = f"import {receiver} as lib\nframe = None\n{call}\n"
    found = by_name(scan({"app/job.py": source})[0])
    assert set(expected) <= set(found), source
    assert all(found[m].optional is not pattern.required for m in expected)


def test_a_function_the_file_defines_is_no_library_call(scan: Scan) -> None:
    # A local to_markdown() is not pandas' DataFrame.to_markdown (which needs tabulate); an
    # imported plot_model() still is Keras' (which needs pydot).
    source = textwrap.dedent(
        """
        import json
        def to_markdown(data):
            return json.dumps(data)
        print(to_markdown({}))
        """
    )
    assert "tabulate" not in names(scan({"tools/report.py": source})[0])
    method = "import pandas as pd\nframe = pd.DataFrame()\nframe.to_markdown()\n"
    assert "tabulate" in names(scan({"tools/frame.py": method})[0])
    imported = "from keras.utils import plot_model\nplot_model(None)\n"
    assert "pydot" in names(scan({"tools/graph.py": imported})[0])


def test_pandas_parquet_needs_one_of_two_engines(scan: Scan) -> None:
    source = textwrap.dedent(
        """
        import pandas as pd
        import polars as pl
        frame = pd.read_parquet("data.parquet")
        pl.read_parquet("other.parquet")  # polars reads parquet itself
        frame.to_excel("out.xlsx", engine="xlsxwriter")
        """
    )
    usages, _ = scan({"etl/load.py": source})
    engines = [u for u in usages if u.name in ("pyarrow", "fastparquet")]
    assert {(u.name, u.line) for u in engines} == {("pyarrow", 4), ("fastparquet", 4)}
    assert all(u.detail.startswith("alternative") and not u.optional for u in engines)
    assert "xlsxwriter" in names(usages, optional=False)
    assert "openpyxl" not in names(usages)


def test_beautifulsoup_parser_and_matplotlib_backend(scan: Scan) -> None:
    source = textwrap.dedent(
        """
        import matplotlib
        from bs4 import BeautifulSoup
        matplotlib.use("QtAgg")
        matplotlib.use("module://mplcairo.base")
        soup = BeautifulSoup(html, "html5lib")
        plain = BeautifulSoup(html, features="html.parser")
        """
    )
    found = by_name(scan({"scrape.py": source})[0])
    assert not found["html5lib"].optional
    assert {"PyQt6", "PySide6", "PyQt5", "PySide2"} <= set(found)
    assert found["PyQt5"].optional  # a GUI toolkit is a possible use
    assert not found["mplcairo"].optional
    assert "lxml" not in found


def test_a_url_reaches_its_consumer_through_settings_variables(scan: Scan) -> None:
    source = textwrap.dedent(
        """
        import environ
        env = environ.Env()
        REDIS_URL = env("REDIS_URL", default="redis://redis:6379/0")
        CELERY_BROKER_URL = REDIS_URL
        CELERY_RESULT_BACKEND = CELERY_BROKER_URL
        """
    )
    usages, _ = scan({"config/settings/base.py": source})
    redis = [u for u in usages if u.name == "redis"]
    assert redis and all(not u.optional and u.line == 4 for u in redis)


def test_remote_paths_handed_to_pandas_need_their_fsspec_filesystem(scan: Scan) -> None:
    source = textwrap.dedent(
        """
        import pandas as pd
        frame = pd.read_parquet("s3://bucket/trips.parquet")
        frame.to_csv("gs://bucket/out.csv")
        OUTPUT = f"az://container/{frame.name}.parquet"
        open("s3://not/pandas")
        """
    )
    found = by_name(scan({"etl/job.py": source})[0])
    assert not found["s3fs"].optional and found["s3fs"].line == 3
    assert not found["gcsfs"].optional
    assert found["adlfs"].optional  # a path in a variable: a possible use


SETTING_CASES = [
    (key, value, implied)
    for key, values in sorted(patterns.SETTING_VALUES.items())
    for value, implied in sorted(values.items())
]


@pytest.mark.parametrize(("key", "value", "implied"), SETTING_CASES)
def test_each_short_backend_setting_implies_its_driver(scan: Scan, key, value, implied) -> None:
    assert implied.source.startswith("https://")
    source = f'import os\n{key} = os.environ.get("{key}", "{value}")\n'
    found = by_name(scan({"app/config.py": source})[0])
    assert set(implied.modules) <= set(found)
    assert not any(found[m].optional for m in implied.modules)


def test_a_short_backend_name_elsewhere_is_no_evidence(scan: Scan) -> None:
    usages, _ = scan({"app/config.py": 'KIND = "redis"\nCACHE_TYPE = "SimpleCache"\n'})
    assert usages == []


@pytest.mark.parametrize(("imported", "implied"), sorted(patterns.IMPORTED_NAMES.items()))
def test_each_imported_name_implies_its_optional_dependency(scan: Scan, imported, implied) -> None:
    module, name = imported
    assert implied.source.startswith("https://")
    # A root (fastapi) matches its sub-modules too; a dotted key (tqdm.notebook) only itself.
    importing = module if "." in module else f"{module}.sub"
    found = by_name(scan({"app/api.py": f"from {importing} import {name}\n"})[0])
    assert set(implied.modules) <= set(found)
    assert all(found[m].optional is not implied.required for m in implied.modules)


@pytest.mark.parametrize(("imported", "several"), sorted(patterns.IMPORTED_NAME_SETS.items()))
def test_each_name_needing_several_packages_implies_each(scan: Scan, imported, several) -> None:
    module, name = imported
    found = by_name(scan({"app/api.py": f"from {module} import {name}\n"})[0])
    for implied in several:
        assert implied.source.startswith("https://")
        assert set(implied.modules) <= set(found)
        assert all(found[m].optional is not implied.required for m in implied.modules)


def test_a_backend_class_imported_to_subclass_needs_what_the_backend_loads(scan: Scan) -> None:
    source = (
        "from storages.backends.s3boto3 import S3Boto3Storage\n\nclass Media(S3Boto3Storage): ...\n"
    )
    found = by_name(scan({"custom_storages/storages.py": source})[0])
    assert "boto3" in found and not found["boto3"].optional
    assert "django-storages[s3]" in found["boto3"].detail


def test_a_search_engine_setting_needs_its_client(scan: Scan) -> None:
    source = (
        'HAYSTACK_CONNECTIONS = {"default": {"ENGINE": '
        '"haystack.backends.elasticsearch7_backend.Elasticsearch7SearchEngine"}}\n'
    )
    found = by_name(scan({"settings.py": source})[0])
    assert "elasticsearch" in found and not found["elasticsearch"].optional


def test_drf_schema_view_needs_uritemplate_and_inflection_and_may_render_yaml(scan: Scan) -> None:
    found = by_name(
        scan({"api/urls.py": "from rest_framework.schemas import get_schema_view\n"})[0]
    )
    assert not found["uritemplate"].optional and not found["inflection"].optional
    assert found["yaml"].optional


def test_a_markup_field_of_markdown_needs_markdown(scan: Scan) -> None:
    source = (
        "from markupfield.fields import MarkupField\n"
        "body = MarkupField(markup_type='markdown')\n"
        "notes = MarkupField(default_markup_type='restructuredtext')\n"
        "plain = MarkupField(markup_type='plain')\n"
    )
    found = by_name(scan({"app/models.py": source})[0])
    assert found["markdown"].line == 2 and found["docutils"].line == 3


# (dialect, driver) pairs, joined in the test so this file names no driver by itself
@pytest.mark.parametrize(
    ("dialect", "driver"), [("mysql", "asyncmy"), ("postgresql", "asyncpg"), ("mysql", "pymysql")]
)
def test_a_sqlalchemy_drivername_alone_names_its_driver(
    scan: Scan, dialect: str, driver: str
) -> None:
    source = (
        "from sqlalchemy import URL\n"
        f"url = URL.create(drivername='{dialect}+{driver}' if MYSQL else 'sqlite+aiosqlite')\n"
    )
    found = by_name(scan({"db.py": source})[0])
    assert driver in found
    assert "aiosqlite" in found


@pytest.mark.parametrize("text", ["mysql+", "postgresql + asyncpg", "git+https", "foo+bar"])
def test_strings_that_are_no_sqlalchemy_drivername_name_nothing(scan: Scan, text: str) -> None:
    usages, _ = scan({"db.py": f"x = {text!r}\n"})
    assert usages == []


def test_a_module_keyed_imported_name_needs_that_module(scan: Scan) -> None:
    found = by_name(scan({"app/api.py": "from tqdm import tqdm\n"})[0])
    assert "ipywidgets" not in found


def test_pandas_expressions_possibly_use_numexpr(scan: Scan) -> None:
    source = textwrap.dedent(
        """
        import pandas as pd
        df = pd.DataFrame({"a": [1]})
        df.eval("b = a * 2")
        df.query("a > 0")
        """
    )
    found = by_name(scan({"analysis.py": source})[0])
    assert found["numexpr"].optional  # only when installed: a possible use


def test_evaluating_a_model_or_querying_without_pandas_is_no_use_of_numexpr(scan: Scan) -> None:
    torch = "import torch\nmodel = torch.nn.Linear(1, 1)\nmodel.eval()\n"
    database = "import sqlite3\ncursor = sqlite3.connect('x').cursor()\ncursor.query('SELECT 1')\n"
    python_engine = "import pandas as pd\npd.eval('1 + 1', engine='python')\n"
    for source in (torch, database, python_engine):
        assert "numexpr" not in names(scan({"job.py": source})[0]), source


@pytest.mark.parametrize("name", sorted(patterns.MARKDOWN_EXTENSIONS))
def test_a_markdown_extension_named_by_string_possibly_uses_what_it_loads(
    scan: Scan, name: str
) -> None:
    implied = patterns.MARKDOWN_EXTENSIONS[name]
    assert implied.source.startswith("https://")
    source = (
        f"import markdown\nEXTENSIONS = [{name!r}, 'toc']\n"
        "markdown.Markdown(extensions=EXTENSIONS)\n"
    )
    found = by_name(scan({"app/render.py": source})[0])
    assert set(implied.modules) <= set(found)
    assert all(found[m].optional for m in implied.modules)


def test_a_markdown_extension_name_in_settings_of_flask_flatpages_counts(scan: Scan) -> None:
    settings = (
        'from markdown.extensions.toc import TocExtension\nPAGES_EXTENSIONS = ["codehilite"]\n'
    )
    assert "pygments" in names(scan({"site/config.py": settings})[0])


def test_an_extension_name_in_a_file_not_using_markdown_is_no_evidence(scan: Scan) -> None:
    usages, _ = scan({"app/colors.py": 'STYLE = "codehilite"\n'})
    assert "pygments" not in names(usages)


def test_profiling_batches_for_tensorboard_possibly_uses_its_profile_plugin(scan: Scan) -> None:
    source = textwrap.dedent(
        """
        import tensorflow as tf
        profiled = tf.keras.callbacks.TensorBoard("logs", profile_batch=(100, 200))
        """
    )
    found = by_name(scan({"train.py": source})[0])
    assert found["tensorboard_plugin_profile"].optional


def test_tensorboard_without_profiling_is_no_use_of_its_profile_plugin(scan: Scan) -> None:
    source = textwrap.dedent(
        """
        import tensorflow as tf
        plain = tf.keras.callbacks.TensorBoard("logs")
        off = tf.keras.callbacks.TensorBoard("logs", profile_batch=0)
        """
    )
    assert "tensorboard_plugin_profile" not in names(scan({"train.py": source})[0])
    elsewhere = "from mylib import TensorBoard\nTensorBoard(profile_batch=5)\n"
    assert "tensorboard_plugin_profile" not in names(scan({"viz.py": elsewhere})[0])


def test_pandas_read_html_with_the_html5lib_flavor_needs_beautifulsoup_and_html5lib(
    scan: Scan,
) -> None:
    source = 'from pandas import read_html\ntables = read_html("page.html", flavor="html5lib")\n'
    found = by_name(scan({"etl/scrape.py": source})[0])
    assert not found["bs4"].optional
    assert not found["html5lib"].optional
    assert "lxml" not in found


def test_a_logger_class_path_in_a_config_dict_possibly_uses_its_client(scan: Scan) -> None:
    source = textwrap.dedent(
        """
        import pytorch_lightning as pl
        default_logger_cfgs = {
            "testtube": {"target": "pytorch_lightning.loggers.TestTubeLogger", "params": {}},
        }
        """
    )
    found = by_name(scan({"main.py": source})[0])
    assert found["test_tube"].optional


def test_a_layout_that_needs_scipy_possibly_uses_it(scan: Scan) -> None:
    source = "import networkx as nx\npos = nx.kamada_kawai_layout(graph)\nnx.spring_layout(g)\n"
    found = by_name(scan({"app/graph.py": source})[0])
    assert found["scipy"].optional
    assert "scipy" not in by_name(
        scan({"app/other.py": "import networkx as nx\nnx.spring_layout(g)\n"})[0]
    )


def test_a_postgres_dsn_setting_possibly_uses_a_postgres_driver(scan: Scan) -> None:
    source = "from pydantic import PostgresDsn\n\nclass Settings:\n    database_url: PostgresDsn\n"
    found = by_name(scan({"app/core/settings.py": source})[0])
    assert found["psycopg2"].optional and found["asyncpg"].optional
