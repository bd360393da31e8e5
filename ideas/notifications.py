"""E-mails about ideas, sent through django-tasks, each in the recipient's language.

ideas/services.change_status enqueues `status_changed(change_id)` once the change is committed;
ideas/participation.add_comment enqueues `official_answer(comment_id)` when the municipality answers. The e-mails name the idea, its
status and the public reason, and link to the idea; they never name the staff member who acted.
"""

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.template.loader import render_to_string
from django.utils import translation
from django_tasks import task
from wagtail.models import Site

from ideas.statuses import Status


def describe_event(event):
    from ideas.delivery import describe_event as describe

    return describe(event)


@task()
def status_changed(change_id):
    """Tell the author and the followers that an idea's status changed."""
    from ideas.models import StatusChange

    change = (
        StatusChange.objects.select_related("idea__author__resident_profile", "idea__merged_into")
        .filter(pk=change_id)
        .first()
    )
    if change is None:
        return 0
    idea = change.idea
    # A merged idea's followers have just moved to the idea it went into; they hear about the merge there.
    followed = idea.merged_into if change.to_status == Status.MERGED and idea.merged_into else idea
    context = {
        "idea": idea,
        "status": Status(change.to_status),
        "reason": change.reason,
        "merged_into": idea.merged_into if change.to_status == Status.MERGED else None,
    }
    return _send_to_people_of(idea, followed, "status_changed", context)


@task()
def official_answer(comment_id):
    """Tell the author and the followers that the municipality answered on an idea."""
    from ideas.models import Comment

    comment = (
        Comment.objects.select_related("idea__author__resident_profile")
        .filter(pk=comment_id, is_official=True, is_hidden=False)
        .first()
    )
    if comment is None:
        return 0
    idea = comment.idea
    context = {"idea": idea, "status": Status(idea.status), "comment": comment}
    return _send_to_people_of(idea, idea, "official_answer", context, exclude={comment.author_id})


@task()
def delivery_changed(event_id):
    """Tell the author and the followers of a funded idea what happened in its delivery (ideas/delivery.py)."""
    from ideas.models import DeliveryEvent

    event = DeliveryEvent.objects.select_related("idea__author__resident_profile").filter(pk=event_id).first()
    if event is None:
        return 0
    idea = event.idea
    return _send_to_people_of(
        idea, idea, "delivery_changed", {"idea": idea, "status": Status(idea.status), "event": event}
    )


def _send_to_people_of(idea, followed, kind, context, exclude=frozenset()):
    """One e-mail to the idea's author and one to each follower of `followed` (never a shared To: line)."""
    recipients = []
    if idea.author is not None:
        recipients.append((idea.author, True))
    for follow in followed.follows.select_related("user__resident_profile").order_by("pk"):
        if follow.user_id != idea.author_id:
            recipients.append((follow.user, False))
    messages = [
        _message(user, kind, {**context, "is_author": is_author})
        for user, is_author in recipients
        if user.is_active and user.email and user.pk not in exclude
    ]
    if messages:
        get_connection().send_messages(messages)
    return len(messages)


def _message(user, kind, context):
    profile = getattr(user, "resident_profile", None)
    language = profile.preferred_language if profile else settings.LANGUAGE_CODE
    with translation.override(language):
        idea = context["idea"]
        target = context.get("merged_into") or idea
        context = {
            **context,
            "name": profile.display_name if profile else "",
            "status_label": str(context["status"].label),
            # A delivery step is worded in the recipient's language, here, not when it was recorded.
            "event_text": describe_event(context["event"]) if "event" in context else ("", ""),
            "idea_url": absolute_url(idea.get_absolute_url()),
            "target_url": absolute_url(target.get_absolute_url()),
        }
        subject = " ".join(render_to_string(f"ideas/emails/{kind}_subject.txt", context).split())
        body = render_to_string(f"ideas/emails/{kind}.txt", context)
    return EmailMessage(subject, body, None, [user.email])


def absolute_url(path):
    """A full URL for a path of the site (a page's URL may already be one when there are several sites)."""
    if not path:
        path = "/"
    if path.startswith(("http://", "https://")):
        return path
    site = Site.objects.filter(is_default_site=True).first()
    root = site.root_url if site else settings.WAGTAILADMIN_BASE_URL
    return root.rstrip("/") + path
