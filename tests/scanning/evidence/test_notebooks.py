from __future__ import annotations

import json

from scanning.evidence.notebooks import FRONT_ENDS
from scanning.evidence.sources import MAX_NOTEBOOK_BYTES, TOO_LARGE
from scanning.types import CONFIG

from .conftest import Scan
from .conftest import names as all_names


def names(usages, **where) -> set[str]:
    """The code's evidence, without what the notebook file itself says (its front end)."""
    return all_names([u for u in usages if u.kind != CONFIG], **where)


def notebook(*cells: tuple[str, str]) -> str:
    return json.dumps(
        {
            "nbformat": 4,
            "nbformat_minor": 5,
            "metadata": {},
            "cells": [
                {"cell_type": kind, "metadata": {}, "source": source.splitlines(keepends=True)}
                for kind, source in cells
            ],
        }
    )


def test_code_cells_are_read_with_magics_and_shell_lines_removed(scan: Scan) -> None:
    document = notebook(
        ("markdown", "import not_code\n"),
        ("code", "%matplotlib inline\n!pip install seaborn\nimport pandas as pd\n"),
        ("code", "%%bash\npip install x\nimport bash_thing\n"),
        ("code", "files = !ls\nfrom sklearn import tree\ntree?\n"),
        ("code", "%%time\nimport numpy\n"),
    )
    usages, errors = scan({"analysis/explore.ipynb": document})
    assert errors == []
    assert {n.split(".")[0] for n in names(usages)} == {"pandas", "sklearn", "numpy"}
    pandas = next(u for u in usages if u.name == "pandas")
    assert pandas.mode == "notebook"
    assert pandas.line == 3
    assert pandas.detail == "cell 2 line 3"


def test_cell_with_syntax_error_reports_cell_and_other_cells_still_count(scan: Scan) -> None:
    document = notebook(("code", "def broken(:\n"), ("code", "import polars\n"))
    usages, errors = scan({"nb.ipynb": document})
    assert "polars" in names(usages)
    assert len(errors) == 1
    assert errors[0].message.startswith("cell 1:")


def test_invalid_notebook_json_becomes_file_error(scan: Scan) -> None:
    usages, errors = scan({"bad.ipynb": "{not json", "nested.ipynb": "[" * 100_000})
    assert usages == []
    assert {e.path for e in errors} == {"bad.ipynb", "nested.ipynb"}
    assert all("notebook" in e.message for e in errors)


def test_notebook_without_cells_list_becomes_file_error(scan: Scan) -> None:
    usages, errors = scan({"odd.ipynb": json.dumps({"cells": "nope"})})
    assert usages == []
    assert errors[0].path == "odd.ipynb"


def test_old_worksheets_format_is_read(scan: Scan) -> None:
    document = {"worksheets": [{"cells": [{"cell_type": "code", "input": ["import scipy\n"]}]}]}
    usages, _ = scan({"old.ipynb": json.dumps(document)})
    assert names(usages) == {"scipy"}


def test_huge_notebook_is_skipped(scan: Scan) -> None:
    document = notebook(("code", "import pandas\n" + "#" * (MAX_NOTEBOOK_BYTES + 1)))
    usages, errors = scan({"huge.ipynb": document})
    assert usages == []
    assert errors[0].message == TOO_LARGE


def test_magics_inside_indented_blocks_keep_the_cell_parseable(scan: Scan) -> None:
    document = notebook(
        (
            "code",
            "import os\nfor name in os.listdir('.'):\n    !cp $name out/\n"
            "    %time os.stat(name)\nif True:\n    files = !ls\nimport sklearn\n",
        ),
        ("code", "!pip install \\\n    seaborn\nimport seaborn as sns\n"),
    )
    usages, errors = scan({"nb/explore.ipynb": document})
    assert errors == []
    assert names(usages) == {"os", "sklearn", "seaborn"}


def test_line_magics_that_run_python_are_read_as_python(scan: Scan) -> None:
    document = notebook(("code", "%time import polars as pl\n%timeit -n 3 -r 2 import torch\n"))
    usages, errors = scan({"nb.ipynb": document})
    assert errors == []
    assert names(usages) == {"polars", "torch"}


def test_writefile_cell_is_read_as_the_python_file_it_writes(scan: Scan) -> None:
    document = notebook(
        ("code", "%%writefile src/train.py\nimport lightgbm\n\nprint(lightgbm.__version__)\n"),
        ("code", "%%writefile -a tests/test_train.py\nimport pytest\n"),
        ("code", "%%writefile notes.txt\nimport not_python\n"),
    )
    usages, errors = scan({"analysis.ipynb": document})
    assert errors == []
    assert names(usages) == {"lightgbm", "pytest"}
    lightgbm = next(u for u in usages if u.name == "lightgbm")
    assert lightgbm.line == 2
    assert lightgbm.detail == "cell 1 line 2; written to src/train.py"
    assert next(u for u in usages if u.name == "pytest").mode == "test"


def test_a_cell_calls_what_an_earlier_cell_imported(scan: Scan) -> None:
    document = notebook(
        ("code", "import gymnasium as gym\nimport pandas as pd\n"),
        ("code", 'env = gym.make("LunarLander-v3")\nframe = pd.read_parquet("x.parquet")\n'),
    )
    usages, _ = scan({"rl.ipynb": document})
    assert {"Box2D", "pyarrow"} <= names(usages)


def test_a_notebook_possibly_uses_a_jupyter_front_end(scan: Scan) -> None:
    usages, _ = scan({"analysis.ipynb": notebook(("code", "import pandas\n"))})
    front = [u for u in usages if u.name in FRONT_ENDS]
    assert {u.name for u in front} == {"jupyterlab", "notebook", "nbclassic"}
    assert all(u.optional for u in front)  # any one of them: never missing


def test_a_saved_widget_output_is_a_use_of_ipywidgets(scan: Scan) -> None:
    document = json.loads(notebook(("code", "from huggingface_hub import hf_hub_download\n")))
    document["cells"][0]["outputs"] = [
        {
            "output_type": "display_data",
            "data": {"application/vnd.jupyter.widget-view+json": {"model_id": "ab12"}},
            "metadata": {},
        }
    ]
    usages, _ = scan({"download.ipynb": json.dumps(document)})
    widgets = [u for u in usages if u.name == "ipywidgets"]
    assert len(widgets) == 1 and widgets[0].optional and "cell 1" in widgets[0].detail
    plain, _ = scan({"plain.ipynb": notebook(("code", "print(1)\n"))})
    assert "ipywidgets" not in all_names(plain)
