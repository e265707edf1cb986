import uuid

from django.core.mail import mailers
from django.tasks import task

from footsteps.core.mail import data_to_message, unseal


@task(takes_context=True)
def deliver_email(context, sealed_message: str) -> None:
    """Send one queued message through the "delivery" mailer (see settings.MAILERS),
    then wipe the queued copy: it may hold a sign-in link (R2)."""
    data_to_message(unseal(sealed_message), mailers["delivery"]).send()
    _forget_payload(context.task_result.id)


def _forget_payload(task_id: str) -> None:
    from django_tasks_db.models import DBTaskResult

    try:
        uuid.UUID(task_id)
    except ValueError:
        return  # not the database queue (the immediate backend keeps nothing)
    DBTaskResult.objects.filter(id=task_id).update(args_kwargs={"args": [], "kwargs": {}})
