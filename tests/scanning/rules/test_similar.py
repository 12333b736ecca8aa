from __future__ import annotations

import pytest

from scanning.rules.similar import looks_like

from .conftest import kinds_and_subjects


@pytest.mark.parametrize(
    ("module", "distribution", "expected"),
    [
        ("sorl", "sorl-thumbnail", True),
        ("strawberry_django", "strawberry-graphql-django", True),
        ("timezone_field", "django-timezone-field", True),
        ("social_core", "social-auth-core", True),
        ("social_core", "social-auth-app-django", False),
        ("django", "django-anything", False),  # a generic word alone ties nothing
        ("api_client", "shop-api-client", False),
        ("redis", "redis-om", True),
        ("yaml", "ruamel-yaml-clib", True),
        ("requests", "request-id", False),
    ],
)
def test_an_import_looks_like_a_package_when_all_its_words_are_in_the_name(
    module, distribution, expected
):
    assert looks_like(module, distribution) is expected


def test_an_unknown_package_and_an_import_like_its_name_are_neither_unused_nor_missing(scan):
    found = kinds_and_subjects(
        scan(
            {
                "requirements.txt": "sorl-thumbnail==12.10\nstrawberry-graphql==0.2\n"
                "strawberry-graphql-django==0.4\n",
                "app/views.py": "import sorl\nimport strawberry\nimport strawberry_django\n",
            }
        )
    )
    assert not {f for f in found if f[0] in ("unused", "missing")}


def test_the_assumption_is_recorded_and_the_closest_name_wins(tmp_path):
    from scanning.engine.pipeline import scan_tree
    from tests.factories import write_tree

    tree = scan_tree(
        write_tree(
            tmp_path,
            {
                "requirements.txt": "strawberry-graphql==0.2\nstrawberry-graphql-django==0.4\n",
                "app/views.py": "import strawberry\nimport strawberry_django\n",
            },
        )
    )
    assert tree.provided["strawberry-graphql"].import_names == ("strawberry",)
    assert tree.provided["strawberry-graphql"].source == "similar"
    assert tree.provided["strawberry-graphql-django"].import_names == ("strawberry_django",)
    assert "looks like its name" in tree.provided["strawberry-graphql"].reason


def test_a_package_imported_by_its_own_name_is_never_given_another(scan):
    found = kinds_and_subjects(
        scan(
            {
                "requirements.txt": "fancy-widgets==1.0\n",
                "app/views.py": "import fancy_widgets\nimport widgets\n",
            }
        )
    )
    assert ("missing", "widgets") in found


def test_an_import_like_no_declared_name_is_still_missing(scan):
    found = kinds_and_subjects(
        scan({"requirements.txt": "sorl-thumbnail==12.10\n", "app/v.py": "import sorl, botocore\n"})
    )
    assert ("missing", "botocore") in found
    assert ("unused", "sorl-thumbnail") not in found


def test_an_import_named_like_a_widely_used_distribution_is_never_tied_to_another(scan):
    # keras-core's wheel installs keras_core; ``import keras`` is the keras distribution's, so
    # without metadata keras-core is unused and keras missing, not one assumed pair.
    found = kinds_and_subjects(
        scan({"requirements.txt": "keras-core==0.1.7\n", "app/model.py": "import keras.layers\n"})
    )
    assert ("unused", "keras-core") in found
    assert ("missing", "keras") in found


def test_an_import_the_knowledge_table_maps_is_never_tied_to_another(scan):
    # yaml is PyYAML's per the table: a declared yaml-tools of unknown names does not get it.
    found = kinds_and_subjects(
        scan({"requirements.txt": "yaml-tools==1.0\n", "app/conf.py": "import yaml\n"})
    )
    assert ("missing", "pyyaml") in found
    assert ("unused", "yaml-tools") in found
