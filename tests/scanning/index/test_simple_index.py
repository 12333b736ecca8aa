"""Reading a simple index's project page, JSON or HTML, into one file list, without trust."""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime

import pytest
from packaging.version import Version

from scanning.index import simple_index
from scanning.index.simple_index import (
    IndexFile,
    NotASimplePage,
    PageUnreadable,
    parse_project_page,
)

PAGE = "https://index.example/simple/demo/"
SHA = "a" * 64


def _html(*anchors: str, head: str = "") -> bytes:
    return (
        f"<!DOCTYPE html><html><head>{head}</head><body><h1>Links for demo</h1>\n"
        + "\n".join(f"{a}<br/>" for a in anchors)
        + "\n</body></html>"
    ).encode()


def _only(body: bytes, page_url: str = PAGE) -> IndexFile:
    (found,) = parse_project_page(body, page_url).files
    return found


def test_html_links_resolve_against_the_page_and_lose_their_hash_fragment():
    page = parse_project_page(
        _html(
            f'<a href="../../files/demo-1.0.tar.gz#sha256={SHA}">demo-1.0.tar.gz</a>',
            '<a href="https://files.example/p/demo-1.1-py3-none-any.whl#md5=ABC">whl</a>',
            '<a href="/root/demo-1.2.zip">demo-1.2.zip</a>',
        ),
        PAGE,
    )

    assert page.format == "html"
    assert [(f.filename, f.url, dict(f.hashes)) for f in page.files] == [
        ("demo-1.0.tar.gz", "https://index.example/files/demo-1.0.tar.gz", {"sha256": SHA}),
        (
            "demo-1.1-py3-none-any.whl",
            "https://files.example/p/demo-1.1-py3-none-any.whl",
            {"md5": "abc"},
        ),
        ("demo-1.2.zip", "https://index.example/root/demo-1.2.zip", {}),
    ]


def test_html_fragment_that_is_not_a_hash_gives_no_hash():
    found = _only(_html('<a href="demo-1.0.tar.gz#egg=demo">demo-1.0.tar.gz</a>'))

    assert found.url == "https://index.example/simple/demo/demo-1.0.tar.gz"
    assert found.hashes == {}


def test_html_base_element_changes_where_relative_links_point():
    found = _only(
        _html('<a href="demo-1.0.tar.gz">x</a>', head='<base href="https://mirror.example/f/">')
    )

    assert found.url == "https://mirror.example/f/demo-1.0.tar.gz"


@pytest.mark.parametrize(
    ("attribute", "available"),
    [
        ('data-core-metadata="true"', True),
        (f'data-core-metadata="sha256={SHA}"', True),
        ('data-dist-info-metadata="true"', True),  # PEP 658's name, before PEP 714
        ("data-core-metadata", True),
        ('data-core-metadata="false"', False),
        ("", False),
    ],
)
def test_html_core_metadata_attribute_says_a_metadata_file_exists(attribute, available):
    found = _only(_html(f'<a href="demo-1.0-py3-none-any.whl" {attribute}>x</a>'))

    assert found.core_metadata is available


@pytest.mark.parametrize(
    ("attribute", "yanked"),
    [
        ('data-yanked="broken build"', True),
        ('data-yanked=""', True),
        ("data-yanked", True),
        ("", False),
    ],
)
def test_html_yanked_attribute_yanks_with_or_without_a_reason(attribute, yanked):
    assert _only(_html(f'<a href="demo-1.0.tar.gz" {attribute}>x</a>')).yanked is yanked


def test_html_entities_are_decoded_in_urls_and_attributes():
    found = _only(
        _html(
            '<a href="https://files.example/a&#47;demo-1.0.tar.gz?x=1&amp;y=2#sha256='
            f'{SHA}" data-requires-python="&gt;=3.8,&lt;4">demo</a>'
        )
    )

    assert found.url == "https://files.example/a/demo-1.0.tar.gz?x=1&y=2"
    assert found.filename == "demo-1.0.tar.gz"
    assert found.hashes == {"sha256": SHA}
    assert found.requires_python == ">=3.8,<4"


def test_html_upload_time_is_read_where_the_index_adds_it():
    found = _only(
        _html('<a href="demo-1.0.tar.gz" data-upload-time="2024-07-01T09:45:58.437080Z">x</a>')
    )

    assert found.upload_time == datetime(2024, 7, 1, 9, 45, 58, 437080, tzinfo=UTC)


def test_html_anchors_of_odd_shape_are_read_as_a_browser_would():
    page = parse_project_page(
        _html(
            "<A HREF=demo-1.0.tar.gz>upper case, unquoted</A>",
            '<a href="demo-1.1.tar.gz" href="evil-9.tar.gz">the first href counts</a>',
            "<a name=anchor-without-href>nothing</a>",
            '<a href="">empty</a>',
            '<a href="  demo-1.2.tar.gz\n">padded</a>',
            '<a href="dir/demo 1.3.tar.gz">a space</a>',
            '<a href="../">no file name</a>',
            '<a href="a%2Fb.tar.gz">an encoded slash</a>',
        ),
        PAGE,
    )

    assert [(f.filename, f.url.removeprefix(PAGE)) for f in page.files] == [
        ("demo-1.0.tar.gz", "demo-1.0.tar.gz"),
        ("demo-1.1.tar.gz", "demo-1.1.tar.gz"),
        ("demo-1.2.tar.gz", "demo-1.2.tar.gz"),
        ("demo 1.3.tar.gz", "dir/demo%201.3.tar.gz"),
    ]


def test_html_labelled_or_preceded_by_a_byte_order_mark_and_blank_lines_is_html():
    body = b"\xef\xbb\xbf\n\n  " + _html('<a href="demo-1.0.tar.gz">x</a>')

    assert parse_project_page(body, PAGE).files[0].filename == "demo-1.0.tar.gz"


def test_html_page_without_links_lists_no_files():
    assert parse_project_page(b"<html>Not here</html>", PAGE).files == ()


@pytest.mark.parametrize("body", [b"", b"   ", b"Not Found", b"[1, 2]", b"\x00\xff\x00"])
def test_body_that_is_neither_json_nor_html_is_not_a_simple_page(body):
    with pytest.raises(NotASimplePage):
        parse_project_page(body, PAGE)


def test_json_page_gives_the_same_file_list():
    body = json.dumps(
        {
            "meta": {"api-version": "1.1"},
            "versions": ["1.0", "2.0"],
            "files": [
                {
                    "filename": "demo-1.0-py3-none-any.whl",
                    "url": "../../files/demo-1.0-py3-none-any.whl",
                    "hashes": {"sha256": SHA},
                    "requires-python": ">=3.9",
                    "core-metadata": {"sha256": SHA},
                    "upload-time": "2020-05-01T00:00:00.000000Z",
                    "size": 1234,
                },
                {
                    "filename": "demo-2.0.tar.gz",
                    "url": "https://files.example/demo-2.0.tar.gz",
                    "hashes": {},
                    "yanked": "broken",
                    "dist-info-metadata": True,
                },
                {"filename": "demo-2.0.zip", "url": "demo-2.0.zip", "yanked": False},
            ],
        }
    ).encode()

    page = parse_project_page(body, PAGE)

    assert page.format == "json"
    assert page.versions == ("1.0", "2.0")
    assert page.files == (
        IndexFile(
            "demo-1.0-py3-none-any.whl",
            "https://index.example/files/demo-1.0-py3-none-any.whl",
            {"sha256": SHA},
            ">=3.9",
            yanked=False,
            core_metadata=True,
            upload_time=datetime(2020, 5, 1, tzinfo=UTC),
            size=1234,
        ),
        IndexFile(
            "demo-2.0.tar.gz",
            "https://files.example/demo-2.0.tar.gz",
            yanked=True,
            core_metadata=True,
        ),
        IndexFile("demo-2.0.zip", "https://index.example/simple/demo/demo-2.0.zip"),
    )


def test_json_entries_of_the_wrong_shape_are_skipped():
    body = json.dumps(
        {
            "files": [
                "demo-1.0.tar.gz",
                {"filename": 1, "url": "x"},
                {"filename": "demo-1.0.tar.gz"},
                {"filename": "demo-1.0.tar.gz", "url": "x", "size": "big", "upload-time": 5},
            ]
        }
    ).encode()

    (found,) = parse_project_page(body, PAGE).files
    assert (found.size, found.upload_time) == (None, None)


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (b'{"files": [', "not valid JSON"),
        (b'{"a":' * 100_000, "not valid JSON"),  # deeper than the recursion limit
        (b'{"files": "x"}', "lists no files"),
        (b'{"name": "demo"}', "lists no files"),
    ],
)
def test_malformed_json_page_is_unreadable(body, message):
    with pytest.raises(PageUnreadable, match=message):
        parse_project_page(body, PAGE)


def test_page_with_more_files_than_the_limit_is_refused(monkeypatch):
    monkeypatch.setattr(simple_index, "MAX_FILES", 3)
    anchors = [f'<a href="demo-1.{n}.tar.gz">x</a>' for n in range(4)]
    entries = [{"filename": "demo-1.0.tar.gz", "url": "x"}] * 4

    with pytest.raises(PageUnreadable, match="over 3 files"):
        parse_project_page(_html(*anchors), PAGE)
    with pytest.raises(PageUnreadable, match="over 3 files"):
        parse_project_page(json.dumps({"files": entries}).encode(), PAGE)
    assert len(parse_project_page(_html(*anchors[:3]), PAGE).files) == 3


def test_json_page_with_more_values_than_the_limit_is_refused_before_it_is_built(monkeypatch):
    monkeypatch.setattr(simple_index, "MAX_JSON_VALUES", 1000)

    with pytest.raises(PageUnreadable, match="more JSON values"):
        parse_project_page(b'{"files": [], "x": [' + b"{}," * 1000 + b"{}]}", PAGE)


def test_page_with_more_markup_than_the_limit_is_refused(monkeypatch):
    monkeypatch.setattr(simple_index, "MAX_MARKUP_EVENTS", 1000)

    with pytest.raises(PageUnreadable, match="more markup"):
        parse_project_page(b"<html>" + b"<br>" * 1000, PAGE)
    with pytest.raises(PageUnreadable, match="more markup"):
        parse_project_page(b"<html>" + b"<" * 2000, PAGE)  # each "<" is text on its own


@pytest.mark.parametrize(
    "opening", [b"<!--", b"<a ", b'<a href="', b"</", b"<!DOCTYPE", b"<?php", b"<![CDATA["]
)
def test_markup_left_open_past_the_limit_is_refused_without_quadratic_work(opening):
    body = _html('<a href="demo-1.0.tar.gz">x</a>') + opening + b"<a" * 200_000

    started = time.monotonic()
    with pytest.raises(PageUnreadable, match="unterminated markup"):
        parse_project_page(body, PAGE)
    assert time.monotonic() - started < 5  # html.parser's close() took minutes on this


def test_short_unterminated_markup_at_the_end_still_gives_the_files_before_it():
    body = _html('<a href="demo-1.0.tar.gz">x</a>') + b"</" * 120_000  # under the limit

    started = time.monotonic()
    assert [f.filename for f in parse_project_page(body, PAGE).files] == ["demo-1.0.tar.gz"]
    assert time.monotonic() - started < 5  # html.parser's close() took over a minute on this


@pytest.mark.parametrize("declaration", [b"<![<![", b"<!DOCTYPE x [<!y", b"<![if !IE]>"])
def test_malformed_declarations_are_unreadable_or_ignored_never_a_crash(declaration):
    body = _html('<a href="demo-1.0.tar.gz">x</a>') + declaration + b">" + _html()

    try:
        files = parse_project_page(body, PAGE).files
    except PageUnreadable as exc:
        assert "markup" in str(exc)
    else:
        assert [f.filename for f in files] == ["demo-1.0.tar.gz"]


def test_release_reads_wheel_and_sdist_names_only():
    assert simple_index.release("Demo_Pkg-1.0-py3-none-any.whl") == ("demo-pkg", Version("1.0"))
    assert simple_index.release("python-dateutil-2.9.0.post0.tar.gz") == (
        "python-dateutil",
        Version("2.9.0.post0"),
    )
    assert simple_index.release("demo-1.0.zip") == ("demo", Version("1.0"))
    assert simple_index.release("demo-1.0-py2.7.egg") is None
    assert simple_index.release("demo-notaversion.tar.gz") is None
    assert simple_index.release("demo.whl") is None


@pytest.mark.parametrize(
    ("value", "moment"),
    [
        ("2024-07-01T09:45:58Z", datetime(2024, 7, 1, 9, 45, 58, tzinfo=UTC)),
        ("2024-07-01T09:45:58", None),  # no zone: not comparable with the others
        ("yesterday", None),
        ("2024-07-01T09:45:58Z" * 10, None),
        (20240701, None),
    ],
)
def test_timestamps_need_a_zone(value, moment):
    assert simple_index.timestamp(value) == moment
