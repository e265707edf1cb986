from django.core.management.base import BaseCommand

from footsteps.records.services import reapply_erasures


class Command(BaseCommand):
    help = (
        "After restoring a backup: delete again every record the erasure log says was "
        "deleted for good, with its files, so a restore never brings it back."
    )

    def handle(self, *args, **options):
        found = reapply_erasures()
        self.stdout.write(f"Erased again: {found}")
