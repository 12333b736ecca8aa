"""Logging configurations and matplotlibrc outside Python load classes and toolkits by name."""

from __future__ import annotations

import textwrap

from .conftest import Scan, names

YAML_CONFIG = textwrap.dedent(
    """
    version: 1
    formatters:
      json:
        (): pythonjsonlogger.jsonlogger.JsonFormatter
    handlers:
      console:
        class: logging.StreamHandler
        formatter: json
      cloud:
        class: watchtower.CloudWatchLogHandler
    root:
      handlers: [console, cloud]
    """
)
INI_CONFIG = textwrap.dedent(
    """
    [loggers]
    keys=root
    [handlers]
    keys=console,rotating
    [formatters]
    keys=json
    [handler_console]
    class=StreamHandler
    args=(sys.stdout,)
    [handler_rotating]
    class=handlers.RotatingFileHandler
    args=('app.log',)
    [formatter_json]
    class=pythonjsonlogger.jsonlogger.JsonFormatter
    """
)


def test_dict_config_yaml_loads_its_classes(scan: Scan) -> None:
    usages, errors = scan({"config/logging.yaml": YAML_CONFIG, "other.yaml": "a: {class: x.Y}\n"})
    assert errors == []
    found = {u.name: u for u in usages}
    assert set(found) == {"pythonjsonlogger", "logging", "watchtower"}
    assert found["watchtower"].line == 11
    assert not found["watchtower"].optional


def test_file_config_ini_loads_its_classes(scan: Scan) -> None:
    usages, errors = scan({"logging.ini": INI_CONFIG})
    assert errors == []
    assert names(usages) == {"pythonjsonlogger"}


def test_matplotlibrc_backend_is_a_possible_use_of_its_toolkit(scan: Scan) -> None:
    usages, _ = scan({"matplotlibrc": "# rc\nbackend: QtAgg  # GUI\nfigure.dpi: 100\n"})
    assert {"PyQt6", "PyQt5", "PySide6", "PySide2"} == names(usages, optional=True)
    assert {u.line for u in usages} == {2}
