"""Repository credentials are encrypted in the database and survive key rotation."""

from __future__ import annotations

import io

import pytest
from cryptography.fernet import Fernet
from django.core.management import CommandError, call_command
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from inventory import locations, secrets
from inventory.models import ArtifactStore, Repository
from tests import factories

SECRET = "ghp_At4RestT0kenValue"
USER = "deploy-bot"


def _stored(repository: Repository) -> tuple[str, str]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT credential_username, credential_secret FROM inventory_repository WHERE id = %s",
            [repository.pk],
        )
        return cursor.fetchone()


def _with_credentials() -> Repository:
    repository = factories.repository()
    repository.set_credentials(USER, SECRET)
    repository.save()
    return repository


@pytest.mark.django_db
def test_the_database_holds_neither_the_secret_nor_the_user_name():
    repository = _with_credentials()
    username, secret = _stored(repository)
    assert USER not in username and SECRET not in secret
    assert secret and username
    assert Repository.objects.get(pk=repository.pk).credentials == locations.Credentials(
        USER, SECRET
    )


@pytest.mark.django_db
def test_the_same_secret_encrypts_differently_each_time():
    first, second = _with_credentials(), _with_credentials()
    assert _stored(first)[1] != _stored(second)[1]


@pytest.mark.django_db
def test_a_new_secret_key_with_the_old_as_fallback_still_opens_them(settings):
    repository = _with_credentials()
    settings.SECRET_KEY_FALLBACKS = [settings.SECRET_KEY]
    settings.SECRET_KEY = "a-brand-new-secret-key-for-this-install"
    assert Repository.objects.get(pk=repository.pk).credentials.password == SECRET

    call_command("rotate_credentials", stdout=io.StringIO())
    settings.SECRET_KEY_FALLBACKS = []
    assert Repository.objects.get(pk=repository.pk).credentials.password == SECRET


@pytest.mark.django_db
def test_a_dedicated_key_encrypts_and_losing_it_is_a_clear_error(settings):
    settings.DEBTBOARD_CREDENTIAL_KEYS = [Fernet.generate_key().decode()]
    repository = _with_credentials()
    assert Fernet(settings.DEBTBOARD_CREDENTIAL_KEYS[0]).decrypt(_stored(repository)[1]) == (
        SECRET.encode()
    )

    settings.DEBTBOARD_CREDENTIAL_KEYS = []
    with pytest.raises(secrets.SecretUnreadable, match="enter them again") as caught:
        Repository.objects.get(pk=repository.pk).credentials  # noqa: B018
    assert SECRET not in str(caught.value)


@pytest.mark.django_db
def test_rotation_names_what_it_cannot_open_and_rotates_the_rest(settings):
    settings.DEBTBOARD_CREDENTIAL_KEYS = [Fernet.generate_key().decode()]
    lost = _with_credentials()
    settings.DEBTBOARD_CREDENTIAL_KEYS = []
    kept = _with_credentials()
    new_key = Fernet.generate_key().decode()
    settings.DEBTBOARD_CREDENTIAL_KEYS = [new_key]

    with pytest.raises(CommandError, match=lost.name):
        call_command("rotate_credentials", stdout=io.StringIO())
    assert Fernet(new_key).decrypt(_stored(kept)[1]) == SECRET.encode()


@pytest.mark.django_db
def test_removing_credentials_stores_nothing():
    repository = _with_credentials()
    repository.set_credentials("", "")
    repository.save()
    assert _stored(repository) == ("", "")
    assert repository.credentials is None


@pytest.mark.django_db(transaction=True)
def test_the_migration_encrypts_credentials_stored_in_plain_text():
    executor = MigrationExecutor(connection)
    executor.migrate([("inventory", "0004_repository_credentials")])
    old_apps = executor.loader.project_state([("inventory", "0004_repository_credentials")]).apps
    team = old_apps.get_model("inventory", "Team").objects.create(name="Old", slug="old")
    old = old_apps.get_model("inventory", "Repository").objects.create(
        team=team,
        name="legacy",
        location="https://git.example.com/org/legacy.git",
        credential_username=USER,
        credential_secret=SECRET,
    )

    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())

    repository = Repository.objects.get(pk=old.pk)
    assert SECRET not in _stored(repository)[1]
    assert repository.credentials == locations.Credentials(USER, SECRET)


@pytest.mark.django_db
def test_rotation_re_encrypts_artifact_store_keys_too(settings):
    settings.DEBTBOARD_CREDENTIAL_KEYS = [Fernet.generate_key().decode()]
    store = factories.artifact_store(factories.repository(), credentials=("AKIAROTATE", SECRET))
    new_key = Fernet.generate_key().decode()
    settings.DEBTBOARD_CREDENTIAL_KEYS = [new_key, *settings.DEBTBOARD_CREDENTIAL_KEYS]

    out = io.StringIO()
    call_command("rotate_credentials", stdout=out)
    settings.DEBTBOARD_CREDENTIAL_KEYS = [new_key]  # the old key dropped after rotating
    assert ArtifactStore.objects.get(pk=store.pk).credentials() == ("AKIAROTATE", SECRET)
    assert "1 artifact stores" in out.getvalue()


@pytest.mark.django_db
def test_rotation_names_the_artifact_store_it_cannot_open(settings):
    settings.DEBTBOARD_CREDENTIAL_KEYS = [Fernet.generate_key().decode()]
    lost = factories.artifact_store(factories.repository(), credentials=("AKIALOST", SECRET))
    settings.DEBTBOARD_CREDENTIAL_KEYS = [Fernet.generate_key().decode()]
    with pytest.raises(CommandError, match=f"artifact stores: {lost.name}"):
        call_command("rotate_credentials", stdout=io.StringIO())
