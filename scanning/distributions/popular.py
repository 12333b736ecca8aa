"""Canonical names of widely used PyPI distributions: the names typosquatters imitate.

A committed table (no network at scan time), drawn from the most downloaded distributions and
the frameworks our users' repositories declare most. A name in this table is never a suspect.
"""

from __future__ import annotations

_NAMES = """
absl-py accelerate aiobotocore aiofiles aiohappyeyeballs aiohttp aioitertools aiosignal
alabaster alembic amqp aniso8601 annotated-types anthropic anyio appdirs argcomplete
argon2-cffi arrow asgiref astroid asttokens async-timeout attrs autopep8 avro azure-core azure-
identity azure-storage-blob babel backcall backoff bandit bcrypt beautifulsoup4 billiard black
bleach blinker boto boto3 botocore build cachetools celery certifi cffi chardet charset-
normalizer click click-didyoumean click-plugins click-repl cloudpickle colorama coloredlogs
comm contourpy coverage cryptography cssselect cycler cython dask databricks-sdk dataclasses-
json datadog datasets db-dtypes debugpy decorator defusedxml deprecated deprecation dill
diskcache distlib distro dj-database-url django django-allauth django-celery-beat django-
celery-results django-cors-headers django-crispy-forms django-debug-toolbar django-environ
django-extensions django-filter django-htmx django-redis django-storages djangorestframework
dnspython docker docopt docutils duckdb dulwich ecdsa elasticsearch email-validator entrypoints
et-xmlfile exceptiongroup executing fabric factory-boy faker fastapi fastjsonschema filelock
flake8 flask flask-cors flask-login flask-migrate flask-sqlalchemy flask-wtf flatbuffers
fonttools freezegun frozenlist fsspec future gast gevent gitdb gitpython google-api-core
google-api-python-client google-auth google-auth-httplib2 google-auth-oauthlib google-cloud-
bigquery google-cloud-core google-cloud-storage google-crc32c google-pasta google-resumable-
media googleapis-common-protos gradio graphql-core greenlet grpcio grpcio-status grpcio-tools
gunicorn h11 h2 h5py hpack html5lib httpcore httplib2 httptools httpx huggingface-hub
humanfriendly hyperframe hypothesis identify idna imageio importlib-metadata importlib-
resources iniconfig invoke ipykernel ipython ipywidgets isodate isort itsdangerous jaraco-
classes jax jaxlib jedi jeepney jinja2 jmespath joblib jsonpatch jsonpointer jsonschema
jsonschema-specifications jupyter jupyter-client jupyter-core jupyterlab keras keyring
kiwisolver kombu kubernetes langchain langchain-core lazy-object-proxy libcst lightgbm llvmlite
lxml lz4 mako markdown markdown-it-py markupsafe marshmallow matplotlib matplotlib-inline
mccabe mdurl mistune mkdocs mkdocs-material mock more-itertools moto msal msgpack multidict
mypy mypy-extensions mysqlclient nbclient nbconvert nbformat nest-asyncio networkx nltk nodeenv
notebook nox numba numpy oauthlib onnx onnxruntime openai opencv-python opencv-python-headless
openpyxl opensearch-py opentelemetry-api opentelemetry-sdk opt-einsum orjson packaging pandas
paramiko parso pathspec pbr peft pendulum pexpect pillow pip pip-tools pkginfo platformdirs
playwright plotly pluggy ply poetry poetry-core polars portalocker pre-commit prometheus-client
prompt-toolkit propcache proto-plus protobuf psutil psycopg psycopg-binary psycopg2
psycopg2-binary ptyprocess pure-eval py py-cpuinfo pyarrow pyasn1 pyasn1-modules pycodestyle
pycparser pycryptodome pydantic pydantic-core pydantic-settings pyflakes pygments pyinstaller
pyjwt pylint pymongo pymysql pynacl pyodbc pyopenssl pyparsing pyproject-hooks pyright
pyrsistent pyserial pysocks pyspark pytest pytest-asyncio pytest-cov pytest-django pytest-mock
pytest-runner pytest-timeout pytest-xdist python-dateutil python-dotenv python-json-logger
python-multipart python-slugify pytz pywin32 pyyaml pyzmq rapidfuzz redis referencing regex
requests requests-mock requests-oauthlib requests-toolbelt responses retry rich rpds-py rsa
ruamel-yaml ruff s3fs s3transfer safetensors scikit-image scikit-learn scipy scramp scrapy
seaborn secretstorage selenium semver sentencepiece sentry-sdk setuptools shapely simplejson
six smart-open smmap sniffio snowflake-connector-python sortedcontainers soupsieve sphinx
sphinx-rtd-theme sqlalchemy sqlparse stack-data starlette streamlit structlog sympy tabulate
tenacity tensorboard tensorflow termcolor terminado threadpoolctl tiktoken tinycss2 tokenizers
toml tomli tomlkit toolz torch torchvision tornado tox tqdm traitlets transformers trio twine
typer types-python-dateutil types-pytz types-pyyaml types-requests types-setuptools typing-
extensions typing-inspect tzdata tzlocal ujson uritemplate urllib3 uv uvicorn uvloop vine
virtualenv waitress watchdog wcwidth webencodings websocket-client websockets werkzeug wheel
whitenoise widgetsnbextension wrapt xgboost xlrd xlsxwriter xmltodict yarl zipp zope-interface
zstandard
"""
POPULAR = frozenset(_NAMES.split())
