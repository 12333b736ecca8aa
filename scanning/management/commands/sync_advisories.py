from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError, CommandParser

from scanning.advisories import download, sources, store


class Command(BaseCommand):
    help = (
        "Mirror OSV advisories (PyPI only) from a directory of OSV files, an OSV all.zip, "
        "a .tar.gz of such a directory (a GitHub archive, say), or an https:// URL of an "
        "archive. Incremental by 'modified' unless --full."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("source", help="directory, .zip or .tar.gz file, or https:// URL")
        parser.add_argument("--full", action="store_true", help="read every record again")
        parser.add_argument("--batch-size", type=int, default=store.BATCH_SIZE)
        parser.add_argument(
            "--allow-mass-retire",
            action="store_true",
            help="retire advisories missing from the source even when they are many",
        )

    def handle(
        self,
        *args: object,
        source: str,
        full: bool,
        batch_size: int,
        allow_mass_retire: bool,
        **options: object,
    ):
        try:
            sync = store.advisories_sync(
                source=source,
                full=full,
                batch_size=batch_size,
                progress=lambda message: self.stdout.write(message),
                allow_mass_retire=allow_mass_retire,
            )
        except (download.DownloadError, sources.UnreadableSource, OSError) as exc:
            raise CommandError(str(exc)) from exc
        for error in sync.errors:
            self.stderr.write(f"malformed: {error['path']}: {error['reason']}")
        if sync.removal_note:
            self.stderr.write(f"advisories no longer in the source: {sync.removal_note}")
        seconds = (sync.finished_at - sync.started_at).total_seconds()
        self.stdout.write(
            self.style.SUCCESS(
                f"Synced {sync.source} in {seconds:.1f} s: {sync.records_seen} records read, "
                f"{sync.created} new, {sync.updated} updated, {sync.retired} withdrawn, "
                f"{sync.removed} retired as deleted, {sync.restored} restored, "
                f"{sync.unchanged} unchanged, {sync.malformed} malformed"
            )
        )
