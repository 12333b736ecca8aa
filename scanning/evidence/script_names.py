"""Console scripts mapped to the distribution that installs them (PEP 503 canonical names).

Maintained by hand: add a script when a scan shows a tool we do not recognise.
"""

from __future__ import annotations

# Scripts named exactly like their distribution.
_SAME_NAME = """
    alembic autoflake autopep8 bandit black bump-my-version bump2version celery codespell
    cookiecutter coverage dagster daphne deptry django-upgrade djlint docformatter dramatiq dvc
    flake8 flask gunicorn hatch honcho huey hypercorn interrogate invoke ipython isort jupyter
    locust luigi mkdocs mlflow mypy nbqa nbstripout nox pdm pip-audit pipenv pipx poetry pre-commit
    prefect pycodestyle pydocstyle pyflakes pylint pyright pytest pytype pyupgrade radon rq ruff
    safety scrapy semgrep sphinx-autobuild sqlfluff streamlit towncrier tox twine uv uvicorn uwsgi
    vulture yamllint yapf
"""

SCRIPT_DISTRIBUTIONS: dict[str, str] = {
    **{name: name for name in _SAME_NAME.split()},
    "py.test": "pytest",
    "pybabel": "babel",
    "sphinx-build": "sphinx",
    "sphinx-apidoc": "sphinx",
    "django-admin": "django",
    "django-admin.py": "django",
    "pip-compile": "pip-tools",
    "pip-sync": "pip-tools",
    "waitress-serve": "waitress",
    "huey_consumer": "huey",
    "huey_consumer.py": "huey",
    "airflow": "apache-airflow",
    "dbt": "dbt-core",
    "inv": "invoke",
    "fab": "fabric",
    "supervisord": "supervisor",
    "watchmedo": "watchdog",
    "jupyter-lab": "jupyterlab",
    "jupyter-notebook": "notebook",
    "jupyter-nbconvert": "nbconvert",
    "jupyter-execute": "nbclient",
    "jupyter-book": "jupyter-book",
    "http": "httpie",
    "aws": "awscli",
    "lint-imports": "import-linter",  # its console_scripts entry point
}
