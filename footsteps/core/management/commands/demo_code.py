from django.core.management.base import BaseCommand

from footsteps.core.demo_accounts import DEMO_APP_KEY, app_code, seconds_left


class Command(BaseCommand):
    help = (
        "The demo staff's authenticator-app code of the moment (seed_demo). It is "
        "computed from the published demo key alone: no other account's."
    )

    def handle(self, *args, **options):
        left = int(seconds_left())
        self.stdout.write(f"{app_code(DEMO_APP_KEY)}  (for {left} more seconds; each works once)")
