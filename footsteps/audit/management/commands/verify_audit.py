from django.core.management.base import BaseCommand, CommandError

from footsteps.audit.chain import verify_chains
from footsteps.tenancy.models import Setting


class Command(BaseCommand):
    help = (
        "Check the activity log's hash chains (R39): every row as written, none missing. "
        "Prints each chain's count and last hash (keep them elsewhere to catch a chain "
        "rewritten whole); names the first broken row of a chain and exits 1."
    )

    def add_arguments(self, parser):
        parser.add_argument("--setting", metavar="SLUG", help="Check this setting's chain only.")

    def handle(self, *args, setting=None, **options):
        only = None
        if setting is not None:
            only = Setting.objects.filter(slug=setting).first()
            if only is None:
                raise CommandError(f"No setting with the slug {setting!r}.")
        reports = verify_chains(setting=only)
        names = dict(Setting.objects.values_list("pk", "slug"))
        broken = 0
        for report in reports:
            if report.setting_id is None:
                name = "outside any setting"
            else:
                name = names.get(report.setting_id, f"setting {report.setting_id} (deleted)")
            if report.broken:
                broken += 1
                self.stderr.write(f"BROKEN {name}: {report.broken}")
            else:
                self.stdout.write(
                    f"OK {name}: {report.events} events, last hash {report.last_hash}"
                )
        chains = f"{len(reports)} chain{'' if len(reports) == 1 else 's'}"
        if broken:
            raise CommandError(f"{broken} of {chains} broken.", returncode=1)
        total = sum(report.events for report in reports)
        self.stdout.write(f"OK: {chains}, {total} events.")
