from django.core.mail import mailers
from django.tasks import task

from footsteps.core.mail import data_to_message


@task()
def deliver_email(message: dict) -> None:
    """Send one queued message through the "delivery" mailer (see settings.MAILERS)."""
    data_to_message(message, mailers["delivery"]).send()
