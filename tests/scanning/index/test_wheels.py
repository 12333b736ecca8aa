"""Reading what a wheel installs from a package index, over Range requests, without trust."""

from __future__ import annotations

import io
import json
import time
import zipfile

import pytest

from scanning.index import wheels
from tests.package_index import wheel

FULL_DOWNLOAD = 5 * wheels.MB


def _http(timeout: float = 2.0) -> wheels.Http:
    return wheels.Http(timeout=timeout, deadline=time.monotonic() + 30, opener=wheels.opener())


def _names(index, name: str, version: str = "", **options: object) -> wheels.WheelNames:
    options.setdefault("max_download", FULL_DOWNLOAD)
    return wheels.wheel_import_names(name, version, index_url=index.url, http=_http(), **options)


def _tails(index) -> int:
    return sum(1 for path, asked in index.requests if asked.startswith("bytes=-"))


def test_names_come_from_record_when_there_is_no_top_level_txt(package_index):
    package_index.add(
        "chrono-parse-toolkit",
        {
            "chrono_parse_toolkit-2.0-py3-none-any.whl": wheel(
                "chrono-parse-toolkit",
                "2.0",
                {"chronoparse/__init__.py": "", "chronoparse/parser.py": ""},
            )
        },
    )

    found = _names(package_index, "chrono-parse-toolkit", "2.0")

    assert found.import_names == ("chronoparse",)
    assert found.version == "2.0"
    assert found.note == ""


def test_top_level_txt_is_used_when_present(package_index):
    body = wheel(
        "chrono-parse-toolkit",
        "2.0",
        {"chronoparse/__init__.py": "", "ignored/__init__.py": ""},
        top_level="chronoparse\n",
    )
    package_index.add("chrono-parse-toolkit", {"chrono_parse_toolkit-2.0-py3-none-any.whl": body})

    assert _names(package_index, "chrono-parse-toolkit").import_names == ("chronoparse",)


def test_namespace_package_is_named_by_its_dotted_prefix(package_index):
    body = wheel(
        "google-cloud-widgets",
        "1.0",
        {"google/cloud/widgets/__init__.py": "", "google/cloud/widgets/client.py": ""},
        top_level="google\n",  # what setuptools writes for a namespace package
    )
    package_index.add("google-cloud-widgets", {"google_cloud_widgets-1.0-py3-none-any.whl": body})

    assert _names(package_index, "google-cloud-widgets").import_names == ("google.cloud.widgets",)


def test_pep_420_namespace_not_in_any_table_is_found_from_the_file_list(package_index):
    body = wheel("acme-widgets", "1.0", {"acmecorp/widgets/__init__.py": ""})
    package_index.add("acme-widgets", {"acme_widgets-1.0-py3-none-any.whl": body})

    assert _names(package_index, "acme-widgets").import_names == ("acmecorp.widgets",)


def test_declared_version_is_read_and_a_missing_one_falls_back_to_the_latest(package_index):
    package_index.add(
        "chrono-parse-toolkit",
        {
            "chrono_parse_toolkit-1.0-py3-none-any.whl": wheel(
                "chrono-parse-toolkit", "1.0", {"oldchrono/__init__.py": ""}
            ),
            "chrono_parse_toolkit-2.0-py3-none-any.whl": wheel(
                "chrono-parse-toolkit", "2.0", {"chronoparse/__init__.py": ""}
            ),
            "chrono_parse_toolkit-3.0b1-py3-none-any.whl": wheel(
                "chrono-parse-toolkit", "3.0b1", {"nextchrono/__init__.py": ""}
            ),
        },
    )

    assert _names(package_index, "chrono-parse-toolkit", "1.0").import_names == ("oldchrono",)
    latest = _names(package_index, "chrono-parse-toolkit", "1.5")
    assert (latest.version, latest.import_names) == ("2.0", ("chronoparse",))
    assert latest.note == "no wheel of 1.5 on the index; read 2.0"


def test_a_big_wheel_is_read_by_range_requests_not_downloaded(package_index):
    body = wheel(
        "chrono-parse-toolkit", "2.0", {"chronoparse/__init__.py": ""}, padding=3 * wheels.MB
    )
    package_index.add("chrono-parse-toolkit", {"chrono_parse_toolkit-2.0-py3-none-any.whl": body})

    found = _names(package_index, "chrono-parse-toolkit", max_download=wheels.MB)

    assert found.import_names == ("chronoparse",)
    assert _tails(package_index) == 1
    assert package_index.sent_bytes < wheels.TAIL_BYTES + 64 * 1024  # the page and the tail
    assert len(body) > 3 * wheels.MB


def test_members_outside_the_first_tail_are_fetched_by_further_ranges(package_index, monkeypatch):
    monkeypatch.setattr(wheels, "TAIL_BYTES", 64)  # only the end of the central directory
    body = wheel("chrono-parse-toolkit", "2.0", {"chronoparse/__init__.py": ""}, padding=200_000)
    package_index.add("chrono-parse-toolkit", {"chrono_parse_toolkit-2.0-py3-none-any.whl": body})

    assert _names(package_index, "chrono-parse-toolkit").import_names == ("chronoparse",)
    ranges = [asked for path, asked in package_index.requests if path.startswith("/files/")]
    assert len(ranges) > 1
    assert all(asked.startswith("bytes=") for asked in ranges)


def test_server_ignoring_range_gets_a_capped_full_download(package_index):
    package_index.ignore_range = True
    small = wheel("chrono-parse-toolkit", "2.0", {"chronoparse/__init__.py": ""})
    package_index.add("chrono-parse-toolkit", {"chrono_parse_toolkit-2.0-py3-none-any.whl": small})

    assert _names(package_index, "chrono-parse-toolkit").import_names == ("chronoparse",)

    big = wheel("big-chrono", "1.0", {"bigchrono/__init__.py": ""}, padding=2 * wheels.MB)
    package_index.add("big-chrono", {"big_chrono-1.0-py3-none-any.whl": big})
    with pytest.raises(wheels.LookupFailed, match="ignores Range requests"):
        _names(package_index, "big-chrono", max_download=wheels.MB)


@pytest.mark.parametrize(
    "body",
    [
        b"not a zip at all",
        wheel("chrono-parse-toolkit", "2.0", {"chronoparse/__init__.py": ""})[:-300],
        wheel("chrono-parse-toolkit", "2.0", {"chronoparse/__init__.py": ""})[:200],
    ],
    ids=["garbage", "truncated-end", "truncated-start"],
)
def test_garbage_or_truncated_wheel_is_a_lookup_failure(package_index, body):
    package_index.add("chrono-parse-toolkit", {"chrono_parse_toolkit-2.0-py3-none-any.whl": body})

    with pytest.raises(wheels.LookupFailed, match="not a readable wheel") as failure:
        _names(package_index, "chrono-parse-toolkit")
    assert not isinstance(failure.value, wheels.IndexUnreachable)


def test_wheel_without_dist_info_is_a_lookup_failure(package_index):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("chronoparse/__init__.py", "")
    package_index.add(
        "chrono-parse-toolkit", {"chrono_parse_toolkit-2.0-py3-none-any.whl": buffer.getvalue()}
    )

    with pytest.raises(wheels.LookupFailed, match=r"\.dist-info"):
        _names(package_index, "chrono-parse-toolkit")


def test_record_bigger_than_the_limit_is_refused_before_it_is_inflated(package_index, monkeypatch):
    monkeypatch.setattr(wheels, "MAX_RECORD_BYTES", 1000)
    modules = {f"chronoparse/m{i}.py": "" for i in range(100)}
    body = wheel("chrono-parse-toolkit", "2.0", modules)
    package_index.add("chrono-parse-toolkit", {"chrono_parse_toolkit-2.0-py3-none-any.whl": body})

    with pytest.raises(wheels.LookupFailed, match="RECORD is over 1000 bytes"):
        _names(package_index, "chrono-parse-toolkit")


def test_unknown_project_is_a_404_failure_not_an_unreachable_index(package_index):
    with pytest.raises(wheels.LookupFailed, match="HTTP 404") as failure:
        _names(package_index, "no-such-project")
    assert not isinstance(failure.value, wheels.IndexUnreachable)


def test_project_with_only_an_sdist_is_a_lookup_failure(package_index):
    package_index.add("chrono-parse-toolkit", {"chrono-parse-toolkit-2.0.tar.gz": b"sdist"})

    with pytest.raises(wheels.LookupFailed, match="no wheel"):
        _names(package_index, "chrono-parse-toolkit")


def test_wheels_of_another_project_on_the_page_are_ignored(package_index):
    other = wheel("evil-other", "9.0", {"evil/__init__.py": ""})
    package_index.add("chrono-parse-toolkit", {"evil_other-9.0-py3-none-any.whl": other})

    with pytest.raises(wheels.LookupFailed, match="no wheel"):
        _names(package_index, "chrono-parse-toolkit")


CHRONO_WHEEL = "chrono_parse_toolkit-2.0-py3-none-any.whl"


def _chrono_wheel() -> bytes:
    return wheel("chrono-parse-toolkit", "2.0", {"chronoparse/__init__.py": ""})


def test_json_is_asked_for_and_html_accepted(package_index):
    package_index.add("chrono-parse-toolkit", {CHRONO_WHEEL: _chrono_wheel()})

    _names(package_index, "chrono-parse-toolkit")

    accept = package_index.accepts["/simple/chrono-parse-toolkit/"]
    assert accept.startswith("application/vnd.pypi.simple.v1+json,")
    assert "text/html;q=" in accept


@pytest.mark.parametrize("content_type", ["text/html", "application/vnd.pypi.simple.v1+json"])
def test_wheel_is_found_through_an_html_page_however_it_is_labelled(package_index, content_type):
    package_index.add(
        "chrono-parse-toolkit",
        {CHRONO_WHEEL: _chrono_wheel()},
        html_page=True,
        content_type=content_type,
    )

    found = _names(package_index, "chrono-parse-toolkit", "2.0")

    assert (found.import_names, found.version, found.filename) == (
        ("chronoparse",),
        "2.0",
        CHRONO_WHEEL,
    )


def test_yanked_wheel_on_an_html_page_is_not_read(package_index):
    old = wheel("chrono-parse-toolkit", "1.0", {"chronoparse/__init__.py": ""})
    page = (
        '<html><body><a href="../../files/chrono_parse_toolkit-1.0-py3-none-any.whl">1.0</a>'
        f'<a href="../../files/{CHRONO_WHEEL}" data-yanked="">2.0</a></body></html>'
    ).encode()
    package_index.add(
        "chrono-parse-toolkit",
        {"chrono_parse_toolkit-1.0-py3-none-any.whl": old, CHRONO_WHEEL: _chrono_wheel()},
        page=page,
    )

    found = _names(package_index, "chrono-parse-toolkit")

    assert found.version == "1.0"


def test_html_page_without_links_has_no_wheel(package_index):
    package_index.add("chrono-parse-toolkit", {}, page=b"<html>simple</html>", html_page=True)

    with pytest.raises(wheels.LookupFailed, match="no wheel") as failure:
        _names(package_index, "chrono-parse-toolkit")
    assert not isinstance(failure.value, wheels.IndexUnreachable)


def test_page_neither_json_nor_html_means_the_index_does_not_speak_the_simple_api(package_index):
    package_index.add("chrono-parse-toolkit", {}, page=b"Service temporarily unavailable")

    with pytest.raises(wheels.IndexUnreachable, match="neither JSON nor HTML"):
        _names(package_index, "chrono-parse-toolkit")


def test_hostile_html_page_fails_that_lookup_only(package_index):
    package_index.add("chrono-parse-toolkit", {}, page=b"<html><!--" + b"<a" * 300_000)

    with pytest.raises(wheels.LookupFailed, match="unterminated markup") as failure:
        _names(package_index, "chrono-parse-toolkit")
    assert not isinstance(failure.value, wheels.IndexUnreachable)


def test_malformed_json_page_is_a_lookup_failure(package_index):
    package_index.add("chrono-parse-toolkit", {}, page=b'{"files": [')
    with pytest.raises(wheels.LookupFailed, match="not valid JSON"):
        _names(package_index, "chrono-parse-toolkit")

    package_index.add("chrono-parse-toolkit", {}, page=json.dumps({"files": "x"}).encode())
    with pytest.raises(wheels.LookupFailed, match="lists no files"):
        _names(package_index, "chrono-parse-toolkit")


def test_slow_index_times_out_as_unreachable(package_index):
    package_index.delay_seconds = 1.0

    started = time.monotonic()
    with pytest.raises(wheels.IndexUnreachable, match="unreachable"):
        wheels.wheel_import_names(
            "chrono-parse-toolkit",
            "",
            index_url=package_index.url,
            http=_http(timeout=0.2),
            max_download=FULL_DOWNLOAD,
        )
    assert time.monotonic() - started < 1.0


def test_no_request_starts_after_the_deadline(package_index):
    spent = wheels.Http(timeout=2, deadline=time.monotonic() - 1, opener=wheels.opener())

    with pytest.raises(wheels.IndexUnreachable, match="out of time"):
        wheels.wheel_import_names(
            "x", "", index_url=package_index.url, http=spent, max_download=FULL_DOWNLOAD
        )
    assert package_index.requests == []


def test_only_http_urls_are_fetched(package_index):
    page = json.dumps(
        {"files": [{"filename": "x-1.0-py3-none-any.whl", "url": "file:///etc/passwd"}]}
    ).encode()
    package_index.add("x", {}, page=page)

    with pytest.raises(wheels.LookupFailed, match="not an http"):
        _names(package_index, "x")


@pytest.mark.parametrize(
    ("paths", "names"),
    [
        (["six.py", "six-1.16.dist-info/RECORD"], ["six"]),
        (["_cffi_backend.cpython-311-x86_64-linux-gnu.so", "cffi/__init__.py"], ["cffi"]),
        (["speedups.cp311-win_amd64.pyd", "speedups.abi3.so"], ["speedups"]),
        (["pkg.data/purelib/fromdata/__init__.py", "pkg.data/scripts/tool"], ["fromdata"]),
        (["numpy/__init__.py", "numpy.libs/libopenblas.so", "numpy-stubs/x.pyi"], ["numpy"]),
        (["tests/__init__.py", "docs/conf.py", "realpkg/core.py"], ["realpkg"]),
        (["realpkg/__pycache__/x.cpython-311.pyc", "/etc/passwd", "../up.py"], []),
        (
            ["google/__init__.py", "google/cloud/__init__.py", "google/cloud/widgets/a.py"],
            ["google.cloud.widgets"],
        ),
        (["share/doc/readme.txt"], []),
        (
            ["google/cloud/_storage_v2/__init__.py", "google/cloud/storage/__init__.py"],
            ["google.cloud.storage"],
        ),
        (["_only_private.py"], ["_only_private"]),
    ],
)
def test_import_names_from_installed_paths(paths, names):
    assert wheels.import_names_from_paths(paths) == names
