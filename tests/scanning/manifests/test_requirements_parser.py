from __future__ import annotations

import time

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from packaging.utils import canonicalize_name

from scanning.manifests.requirements import RequirementsReader, logical_lines, split_option
from scanning.types import EXACT, RANGE, RUNTIME, TEST, UNPINNED


def by_name(manifest):
    return {declaration.name: declaration for declaration in manifest.declarations}


def test_requirement_lines_give_canonical_name_specifier_extras_marker_and_line(scan):
    manifests = scan(
        {
            "requirements.txt": (
                "# pinned for prod\n"
                "\n"
                'Django>=4.2,<5 ; python_version >= "3.10"  # web framework\n'
                "Requests[Socks,security]==2.31.0\n"
                "zope.interface\n"
            )
        }
    )
    manifest = manifests["requirements.txt"]
    assert manifest.kind == "requirements"
    assert manifest.purpose == RUNTIME
    assert manifest.errors == []
    declarations = by_name(manifest)
    assert set(declarations) == {"django", "requests", "zope-interface"}
    django = declarations["django"]
    assert (django.line, django.specifier, django.marker) == (
        3,
        "<5,>=4.2",
        'python_version >= "3.10"',
    )
    assert django.raw == 'Django>=4.2,<5 ; python_version >= "3.10"'
    assert declarations["requests"].extras == ("security", "socks")
    assert declarations["requests"].line == 4


def test_pin_levels_follow_the_specifier(scan):
    manifest = scan(
        {"requirements.txt": ("a\nb>=1\nc==1.2\nd===weird-version\ne==1.*\nf~=1.4\ng==1.0,>=0.9\n")}
    )["requirements.txt"]
    pins = {d.name: (d.pin_level, d.pinned_version) for d in manifest.declarations}
    assert pins == {
        "a": (UNPINNED, ""),
        "b": (RANGE, ""),
        "c": (EXACT, "1.2"),
        "d": (EXACT, "weird-version"),
        "e": (RANGE, ""),
        "f": (RANGE, ""),
        "g": (EXACT, "1.0"),
    }


def test_continuations_and_hashes_are_joined_and_dropped(scan):
    manifest = scan(
        {
            "requirements.txt": (
                "certifi==2024.2.2 \\\n"
                "    --hash=sha256:aaaa \\\n"
                "    --hash=sha256:bbbb\n"
                "idna==3.6 --hash=sha256:cccc\n"
            )
        }
    )["requirements.txt"]
    assert manifest.errors == []
    assert [(d.name, d.line, d.raw) for d in manifest.declarations] == [
        ("certifi", 1, "certifi==2024.2.2"),
        ("idna", 4, "idna==3.6"),
    ]


def test_comment_hash_inside_url_fragment_is_kept(scan):
    manifest = scan({"requirements.txt": "git+https://github.com/o/r.git@abc123#egg=my_lib\n"})[
        "requirements.txt"
    ]
    (declaration,) = manifest.declarations
    assert declaration.name == "my-lib"
    assert declaration.url == "git+https://github.com/o/r.git@abc123#egg=my_lib"
    assert declaration.pin_level == RANGE


def test_editable_vcs_and_direct_url_requirements(scan):
    manifest = scan(
        {
            "requirements.txt": (
                "-e git+https://github.com/o/tool.git#egg=Tool[cli]\n"
                "--editable=git+https://github.com/o/other.git@v2#egg=other\n"
                "wheelpkg @ https://files.example.com/wheelpkg-1.2.3-py3-none-any.whl\n"
                "https://files.example.com/archive/bare_pkg-0.4.tar.gz\n"
                "-e .\n"
                "./libs/local_pkg\n"
            )
        }
    )["requirements.txt"]
    assert manifest.errors == []
    declarations = by_name(manifest)
    assert set(declarations) == {"tool", "other", "wheelpkg", "bare-pkg"}
    assert declarations["tool"].editable and declarations["tool"].extras == ("cli",)
    assert declarations["tool"].pin_level == UNPINNED
    assert declarations["other"].editable and declarations["other"].pin_level == RANGE
    assert (declarations["wheelpkg"].pin_level, declarations["wheelpkg"].pinned_version) == (
        EXACT,
        "1.2.3",
    )
    assert declarations["bare-pkg"].pinned_version == "0.4"


def test_credentials_are_redacted_in_raw_url_and_errors(scan):
    manifest = scan(
        {
            "requirements.txt": (
                "--index-url https://user:s3cret@pypi.example.com/simple\n"
                "--extra-index-url=https://token@extra.example.com/simple\n"
                "-i https://user:s3cret@other.example.com/simple\n"
                "-e git+https://user:s3cret@github.com/o/r.git#egg=private\n"
                "lib @ https://deploy:s3cret@files.example.com/lib-1.0.tar.gz\n"
                "broken @@ https://user:s3cret@host/x\n"
                "-r https://user:s3cret@host/remote.txt\n"
            )
        }
    )["requirements.txt"]
    assert "s3cret" not in repr(manifest)
    assert "token@" not in repr(manifest)
    declarations = by_name(manifest)
    assert set(declarations) == {"private", "lib"}
    assert declarations["private"].url == "git+https://***@github.com/o/r.git#egg=private"
    assert declarations["lib"].raw == "lib @ https://***@files.example.com/lib-1.0.tar.gz"
    assert {error.line for error in manifest.errors} == {6, 7}


def test_environment_variables_are_left_unexpanded(scan):
    manifest = scan({"requirements.txt": "pkg @ https://${TOKEN}@host.example/pkg-1.0.tar.gz\n"})[
        "requirements.txt"
    ]
    (declaration,) = manifest.declarations
    assert "${TOKEN}" not in declaration.url  # user-info is redacted even when it is a variable
    assert declaration.url == "https://***@host.example/pkg-1.0.tar.gz"


def test_nested_includes_become_their_own_manifests_once(scan):
    manifests = scan(
        {
            "requirements/dev.in": "-r base.in\n-c ../constraints.txt\npytest\n",
            "requirements/test.txt": "-r base.in\n-r dev.in\ncoverage\n",
            "requirements/base.in": "-r shared/common.txt\ndjango\n",
            "requirements/shared/common.txt": "attrs\n",
            "constraints.txt": "django==5.0\n",
        }
    )
    assert sorted(manifests) == [
        "constraints.txt",
        "requirements/base.in",
        "requirements/dev.in",
        "requirements/shared/common.txt",
        "requirements/test.txt",
    ]
    assert manifests["constraints.txt"].kind == "constraints"
    assert [d.name for d in manifests["requirements/shared/common.txt"].declarations] == ["attrs"]
    assert [d.name for d in manifests["requirements/dev.in"].declarations] == ["pytest"]
    assert manifests["requirements/test.txt"].purpose == TEST
    assert all(not manifest.errors for manifest in manifests.values())


def test_file_named_only_by_dash_c_is_a_constraints_manifest(scan):
    manifests = scan(
        {"requirements.txt": "-c pins/lock.txt\nflask\n", "pins/lock.txt": "flask==3.0\n"}
    )
    assert manifests["pins/lock.txt"].kind == "constraints"
    assert manifests["pins/lock.txt"].declarations[0].pin_level == EXACT


def test_include_cycle_stops(scan):
    manifests = scan(
        {
            "requirements.txt": "-r requirements-b.txt\na\n",
            "requirements-b.txt": "-r requirements.txt\nb\n",
        }
    )
    assert [d.name for d in manifests["requirements.txt"].declarations] == ["a"]
    assert [d.name for d in manifests["requirements-b.txt"].declarations] == ["b"]


def test_escaping_missing_and_remote_includes_are_errors(scan, tmp_path):
    (tmp_path / "outside.txt").write_text("stolen\n")
    manifests = scan(
        {
            "requirements.txt": (
                "-r ../../etc/passwd\n"
                "-r ../outside.txt\n"
                "-r /etc/passwd\n"
                "-r missing.txt\n"
                "-r https://example.com/reqs.txt\n"
                "ok\n"
            )
        }
    )
    manifest = manifests["requirements.txt"]
    assert [d.name for d in manifest.declarations] == ["ok"]
    assert [(e.line, e.message.split(":")[0]) for e in manifest.errors] == [
        (1, "include outside the repository"),
        (2, "include outside the repository"),
        (3, "include outside the repository"),
        (4, "included file not found"),
        (5, "remote include not followed"),
    ]
    assert list(manifests) == ["requirements.txt"]


def test_symlink_leaving_the_repository_is_not_followed(scan, tmp_path):
    (tmp_path / "secret.txt").write_text("secretpkg\n")
    root = tmp_path / "repo"
    root.mkdir()
    (root / "leak.txt").symlink_to(tmp_path / "secret.txt")
    manifest = scan({"requirements.txt": "-r leak.txt\n"})["requirements.txt"]
    assert manifest.errors[0].message.startswith("include outside the repository")


def test_include_depth_is_limited(scan):
    files = {f"requirements-{i}.txt": f"-r requirements-{i + 1}.txt\npkg{i}\n" for i in range(15)}
    manifests = scan(files)
    assert any("depth limit" in e.message for m in manifests.values() for e in m.errors)


def test_bad_lines_become_errors_and_parsing_goes_on(scan):
    manifest = scan(
        {
            "requirements.txt": (
                "good==1\nnot a requirement!!\n--weird-option x\nbad==1.0 ; nonsense\nalso-good\n"
            )
        }
    )["requirements.txt"]
    assert [d.name for d in manifest.declarations] == ["good", "also-good"]
    assert [e.line for e in manifest.errors] == [2, 3, 4]


def test_logical_lines_number_from_the_first_physical_line():
    assert list(logical_lines("a \\\n b\r\n# note\n\nc # x\n")) == [(1, "a   b"), (5, "c")]


def test_five_thousand_requirements_parse_well_under_a_second(tmp_path):
    # Shaped like pip-compile output: a pin, sometimes a marker, two hash continuation lines.
    markers = ("", ' ; python_version < "3.12"')
    lines = [
        f"package-{i}=={i % 9}.{i % 5}.0{markers[i % 2]} \\\n"
        f"    --hash=sha256:{i:064x} \\\n"
        f"    --hash=sha256:{i + 1:064x}"
        for i in range(5000)
    ]
    (tmp_path / "requirements.txt").write_text("\n".join(lines))
    reader = RequirementsReader(tmp_path, {})
    started = time.process_time()  # CPU time: other processes do not count
    manifest = reader.read("requirements.txt")
    assert time.process_time() - started < 1.0
    assert len(manifest.declarations) == 5000
    assert manifest.errors == []
    assert manifest.declarations[-1].line == 3 * 4999 + 1


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.characters(codec="utf-8"), max_size=400))
def test_requirements_parser_never_raises_and_names_are_canonical(tmp_path_factory, text):
    root = tmp_path_factory.mktemp("fuzz")
    (root / "requirements.txt").write_text(text, encoding="utf-8")
    manifest = RequirementsReader(root, {}).read("requirements.txt")
    for declaration in manifest.declarations:
        assert declaration.name == canonicalize_name(declaration.name)
        assert declaration.name
    for error in manifest.errors:
        assert error.path == "requirements.txt"


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.sampled_from(
            [
                "-r ",
                "-c ",
                "-e ",
                "pkg",
                "==",
                "1.0",
                "[x]",
                " ; ",
                "python_version",
                "<",
                "'3'",
                " #",
                "\\\n",
                "\n",
                "git+https://u:p@h/r.git#egg=",
                "@",
                " ",
                "--hash=sha256:0",
                ".",
            ]
        ),
        max_size=40,
    )
)
def test_requirements_parser_survives_requirement_shaped_noise(tmp_path_factory, pieces):
    root = tmp_path_factory.mktemp("noise")
    (root / "requirements.txt").write_text("".join(pieces))
    manifest = RequirementsReader(root, {}).read("requirements.txt")
    assert all(d.name == canonicalize_name(d.name) for d in manifest.declarations)
    assert "u:p@" not in repr(manifest)


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("-r base.txt", ("-r", "base.txt")),
        ("-rbase.txt", ("-r", "base.txt")),
        ("--requirement=base.txt", ("--requirement", "base.txt")),
        ("--requirement\tbase.txt", ("--requirement", "base.txt")),
        ("--pre", ("--pre", "")),
    ],
)
def test_split_option_accepts_every_pip_spelling(line, expected):
    assert split_option(line) == expected


def test_template_tags_in_a_cookiecutter_project_are_not_requirements(tmp_path):
    from scanning.manifests import parse_manifests

    folder = tmp_path / "{{cookiecutter.project_slug}}"
    folder.mkdir()
    (folder / "requirements.txt").write_text(
        "django==5.2\n{%- if cookiecutter.use_celery == 'y' %}\ncelery==5.4\n{%- endif %}\n"
    )
    (tmp_path / "requirements.txt").write_text("{% if x %}\nflask==3.0\n")
    manifests = {
        m.path: m
        for m in parse_manifests(
            tmp_path, ["{{cookiecutter.project_slug}}/requirements.txt", "requirements.txt"]
        )
    }
    templated = manifests["{{cookiecutter.project_slug}}/requirements.txt"]
    assert [d.name for d in templated.declarations] == ["django", "celery"]
    assert templated.errors == []
    assert manifests["requirements.txt"].errors  # outside a template it is a broken line
