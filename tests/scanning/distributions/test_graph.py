from __future__ import annotations

from scanning.distributions import graph
from scanning.types import DistributionFacts


def _facts(name: str, *requires: str, extras: tuple[str, ...] = ()) -> DistributionFacts:
    return DistributionFacts(name, (name,), "index", requires=requires, extras=extras)


_FACTS = {
    "celery": _facts("celery", "kombu>=5", 'redis>=4; extra == "redis"', extras=("redis",)),
    "kombu": _facts("kombu", "amqp>=5", 'pywin32; sys_platform == "win32"'),
    "requests": _facts("requests", "urllib3", 'PySocks; extra == "socks"', extras=("socks",)),
}


def test_installs_follows_unconditional_edges_with_the_chain():
    chains = graph.Graph(_FACTS).installs([("celery", ())])
    assert chains == {"kombu": ("celery", "kombu"), "amqp": ("celery", "kombu", "amqp")}


def test_an_extra_asked_for_brings_its_packages_and_platform_markers_are_evaluated():
    chains = graph.Graph(_FACTS).installs([("celery", ("redis",))])
    assert chains["redis"] == ("celery", "redis")
    assert "pywin32" not in chains  # only on Windows


def test_through_extras_names_what_a_declared_extra_asks_for():
    found = graph.Graph(_FACTS).through_extras([("requests", ("socks",)), ("celery", ())])
    assert found == {"pysocks": ("requests", "socks")}


def test_offered_by_extra_finds_the_optional_feature_of_a_parent():
    offered = graph.Graph(_FACTS).offered_by_extra("pysocks", ["requests", "celery"])
    assert offered == [("requests", "socks")]


def test_an_unparseable_requirement_is_skipped():
    facts = {"odd": _facts("odd", "not a ][ requirement", "six")}
    assert graph.Graph(facts).installs([("odd", ())]) == {"six": ("odd", "six")}


def test_extra_named_like_an_import_is_an_assumption_without_metadata():
    assert graph.extra_named_like(["redis"], [("celery", ("redis",))]) == ("celery", "redis")
    assert graph.extra_named_like(["redis"], [("celery", ("sqs",))]) is None


def test_a_parents_development_extra_is_no_feature_that_makes_a_package_an_optional_use():
    facts = {
        "flask-redis": _facts(
            "flask-redis",
            "redis",
            'coverage; extra == "dev"',
            'hiredis; extra == "hiredis"',
            extras=("dev", "hiredis"),
        ),
        "fastapi": _facts("fastapi", 'databases; extra == "test"', extras=("test",)),
    }
    found = graph.Graph(facts)
    assert found.offered_by_extra("coverage", ["flask-redis"]) == []
    assert found.offered_by_extra("databases", ["fastapi"]) == []
    assert found.offered_by_extra("hiredis", ["flask-redis"]) == [("flask-redis", "hiredis")]


def test_an_extra_is_for_development_when_a_word_of_its_name_says_so():
    assert graph.is_development_extra("devel-ci")
    assert graph.is_development_extra("ray-testing")
    assert not graph.is_development_extra("socks")
    assert not graph.is_development_extra("standard")


def test_every_development_extra_word_is_canonical_and_one_word():
    from packaging.utils import canonicalize_name

    assert all(canonicalize_name(w) == w and "-" not in w for w in graph.DEVELOPMENT_EXTRA_WORDS)


def test_removal_savings_counts_what_nothing_else_needs_with_known_sizes():
    facts = {
        "celery": DistributionFacts(
            "celery", ("celery",), "index", requires=("kombu", "click"), installed_bytes=3 << 20
        ),
        "kombu": DistributionFacts("kombu", ("kombu",), "index", installed_bytes=1 << 20),
        "flask": DistributionFacts("flask", ("flask",), "index", requires=("click",)),
    }
    savings = graph.removal_savings("celery", [("celery", ()), ("flask", ())], facts)
    assert savings.leaving == ("celery", "kombu")  # click stays: flask needs it
    assert savings.known_bytes == 4 << 20
    assert savings.unsized == ()
    assert savings.describe() == "removes 2 packages (celery, kombu), about 4.0 MB installed"


def test_removal_savings_says_which_sizes_are_not_known():
    savings = graph.removal_savings("six", [("six", ())], {})
    assert savings.describe() == "removes 1 package (six); the size of six is not known"
