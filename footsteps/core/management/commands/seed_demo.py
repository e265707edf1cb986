from django.core.management.base import BaseCommand

from footsteps.core.demo import DEMO_APP_KEY, DEMO_PASSWORD, build_demo, demo_exists

SIGN_INS = [
    ("Manager", "manager@demo.test"),
    ("Senior practitioner", "senior@demo.test"),
    ("Practitioner", "practitioner@demo.test"),
    ("Parent of Amy", "parent.amy@demo.test"),
    ("Parent of Ben", "parent.ben@demo.test"),
]


class Command(BaseCommand):
    help = "Create a demo setting with staff, parents, children and observations (once)."

    def handle(self, *args, **options):
        if demo_exists():
            self.stdout.write("Demo setting already present.")
        else:
            build_demo()
            build_demo(
                name="Oak Tree Pre-school", slug="oak-tree", domain="oak.test", observations=False
            )
            self.stdout.write(self.style.SUCCESS("Demo settings created."))
        self.stdout.write(
            f"\nSign in at http://127.0.0.1:8000 with any of these (password: {DEMO_PASSWORD}):"
        )
        for role, email in SIGN_INS:
            self.stdout.write(f"  {role:<22} {email}")
        self.stdout.write("  A second setting, Oak Tree Pre-school, uses the same names @oak.test.")
        self.stdout.write(
            "\nStaff then type their authenticator app's code (the settings ask staff for a\n"
            f"second step): add the key {DEMO_APP_KEY} to any authenticator\n"
            "app, or run `.venv/bin/python manage.py demo_code` for the code of the moment."
        )
