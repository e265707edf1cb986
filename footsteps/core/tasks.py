from django.conf import settings
from django.core.mail import get_connection
from django.tasks import task

from footsteps.core.mail import data_to_message


@task()
def deliver_email(message: dict) -> None:
    """Send one queued message through the real email backend."""
    connection = get_connection(settings.EMAIL_DELIVERY_BACKEND)
    data_to_message(message, connection).send()
