"""Console scripts mapped to the distribution that installs them (PEP 503 canonical names).

Only for where a distribution's own console-script metadata (its ``entry_points.txt``) is not
at hand. A script named exactly like its distribution is that distribution's script of the
same name; one named otherwise says where the distribution documents it.
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

# Scripts named otherwise, with where the distribution documents its command.
RENAMED_SCRIPTS: dict[str, tuple[str, str]] = {
    "py.test": ("pytest", "https://docs.pytest.org/en/stable/how-to/usage.html"),
    "pybabel": ("babel", "https://babel.pocoo.org/en/latest/cmdline.html"),
    "sphinx-build": ("sphinx", "https://www.sphinx-doc.org/en/master/man/sphinx-build.html"),
    "sphinx-apidoc": ("sphinx", "https://www.sphinx-doc.org/en/master/man/sphinx-apidoc.html"),
    "django-admin": ("django", "https://docs.djangoproject.com/en/5.2/ref/django-admin/"),
    "django-admin.py": ("django", "https://docs.djangoproject.com/en/5.2/ref/django-admin/"),
    "pip-compile": ("pip-tools", "https://pip-tools.readthedocs.io/en/stable/cli/pip-compile/"),
    "pip-sync": ("pip-tools", "https://pip-tools.readthedocs.io/en/stable/cli/pip-sync/"),
    "waitress-serve": (
        "waitress", "https://docs.pylonsproject.org/projects/waitress/en/stable/runner.html"
    ),
    "huey_consumer": ("huey", "https://huey.readthedocs.io/en/latest/consumer.html"),
    "huey_consumer.py": ("huey", "https://huey.readthedocs.io/en/latest/consumer.html"),
    "airflow": (
        "apache-airflow",
        "https://airflow.apache.org/docs/apache-airflow/stable/cli-and-env-variables-ref.html",
    ),
    "dbt": ("dbt-core", "https://docs.getdbt.com/reference/dbt-commands"),
    "inv": ("invoke", "https://docs.pyinvoke.org/en/stable/invoke.html"),
    "fab": ("fabric", "https://docs.fabfile.org/en/latest/cli.html"),
    "supervisord": ("supervisor", "https://supervisord.org/running.html"),
    "watchmedo": ("watchdog", "https://github.com/gorakhargosh/watchdog#shell-utilities"),
    "jupyter-lab": ("jupyterlab", "https://jupyterlab.readthedocs.io/en/stable/getting_started/starting.html"),
    "jupyter-notebook": ("notebook", "https://jupyter-notebook.readthedocs.io/en/stable/notebook.html"),
    "jupyter-nbconvert": ("nbconvert", "https://nbconvert.readthedocs.io/en/latest/usage.html"),
    "jupyter-execute": ("nbclient", "https://nbclient.readthedocs.io/en/latest/client.html"),
    "jupyter-book": ("jupyter-book", "https://jupyterbook.org/en/stable/reference/cli.html"),
    "http": ("httpie", "https://httpie.io/docs/cli/usage"),
    "poe": ("poethepoet", "https://poethepoet.natn.io/installation.html"),
    "git-nbdiffdriver": ("nbdime", "https://nbdime.readthedocs.io/en/latest/vcs.html"),
    "nbdiff": ("nbdime", "https://nbdime.readthedocs.io/en/latest/cli.html"),
    "pypi-server": ("pypiserver", "https://github.com/pypiserver/pypiserver#quickstart-installation-and-usage"),
    "aws": ("awscli", "https://docs.aws.amazon.com/cli/latest/userguide/cli-chap-install.html"),
    "lint-imports": ("import-linter", "https://import-linter.readthedocs.io/en/stable/usage.html"),
}  # fmt: skip

SCRIPT_DISTRIBUTIONS: dict[str, str] = {
    **{name: name for name in _SAME_NAME.split()},
    **{script: distribution for script, (distribution, _) in RENAMED_SCRIPTS.items()},
}
