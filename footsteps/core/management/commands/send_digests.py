from django.core.management.base import BaseCommand

from footsteps.journal.tasks import send_daily_digests


class Command(BaseCommand):
    help = "Queue the daily digest emails for parents who chose them (run once a day)."

    def handle(self, *args, **options):
        send_daily_digests.enqueue()
        self.stdout.write("Daily digests queued.")
