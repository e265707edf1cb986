from django.core.management.base import BaseCommand

from footsteps.assessments.loading import load_shipped, shipped


class Command(BaseCommand):
    help = (
        "Load the EYFS frameworks shipped in footsteps/assessments/frameworks/ "
        "(every migrate does this too). Files newer than what is stored update it in place."
    )

    def handle(self, *args, **options):
        loaded = {framework.key for framework in load_shipped()}
        for data in shipped():
            state = "loaded" if data.key in loaded else "up to date"
            self.stdout.write(f"{data.name} (version {data.version}): {state}")
