from django.core.management.base import BaseCommand, CommandError
from django.utils.text import slugify

from footsteps.tenancy.services import setting_create


class Command(BaseCommand):
    help = "Open a new setting and email an invitation to its first manager."

    def add_arguments(self, parser):
        parser.add_argument("name")
        parser.add_argument("manager_email")
        parser.add_argument("manager_name")

    def handle(self, *args, name, manager_email, manager_name, **options):
        from django.core.exceptions import ValidationError

        try:
            setting, manager = setting_create(
                name=name,
                slug=slugify(name),
                manager_email=manager_email,
                manager_name=manager_name,
            )
        except ValidationError as error:
            raise CommandError("; ".join(error.messages)) from None
        self.stdout.write(f"Created {setting}; invitation sent to {manager.user.email}.")
