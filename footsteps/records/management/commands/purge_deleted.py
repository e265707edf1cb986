from django.core.management.base import BaseCommand

from footsteps.exports.services import expire_exports
from footsteps.records.services import purge_due
from footsteps.subject_access.services import expire_subject_access
from footsteps.transfers.services import expire_transfers


class Command(BaseCommand):
    help = (
        "Delete for good what has stayed in the deleted area past its setting's delay: "
        "rows and every stored file; and PDF journals, subject access exports and journal "
        "transfer packages older than a week. Run it daily (cron). Safe to stop and run again."
    )

    def add_arguments(self, parser):
        parser.add_argument("--batch-size", type=int, default=200)
        parser.add_argument(
            "--pause",
            type=float,
            default=0.0,
            help="Seconds between batches, to spare the database.",
        )

    def handle(self, *args, batch_size, pause, **options):
        done = purge_due(batch_size=batch_size, pause=pause)
        self.stdout.write(f"Deleted for good: {done}")
        self.stdout.write(f"PDF journals older than a week removed: {expire_exports()}")
        self.stdout.write(
            f"Subject access exports older than a week removed: {expire_subject_access()}"
        )
        self.stdout.write(
            f"Journal transfer packages older than a week removed: {expire_transfers()}"
        )
