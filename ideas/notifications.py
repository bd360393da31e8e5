"""E-mails about ideas, sent through django-tasks in the recipient's language.

(Filled in by the notifications work; the interface used by ideas/services.py is `status_changed(change_id)`.)
"""

from django_tasks import task


@task()
def status_changed(change_id):
    """Tell the author and the followers that an idea's status changed."""
