"""Changing an idea's status: the one place that checks the lifecycle, records the public history, writes
Wagtail's audit log and queues the e-mails (ideas/notifications.py)."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from wagtail.log_actions import log

from ideas.models import Comment, Follow, Idea, StatusChange, Support
from ideas.statuses import NEEDS_REASON, Status, can_follow

ROLE_FOR = {
    Status.SUBMITTED: StatusChange.Role.AUTHOR,
}


def change_status(idea, new_status, *, user=None, role=None, reason="", merged_into=None):
    """Move an idea to `new_status`, or raise ValidationError saying why it cannot go there."""
    new_status = Status(new_status)
    if not can_follow(idea.status, new_status):
        raise ValidationError(
            _("An idea that is “%(current)s” cannot become “%(new)s”.")
            % {"current": Status(idea.status).label, "new": new_status.label}
        )
    reason = (reason or "").strip()
    if new_status in NEEDS_REASON and not reason:
        raise ValidationError(_("Please give a reason; the author and the public will see it."))
    if new_status == Status.MERGED:
        _check_merge_target(idea, merged_into)
    if new_status == Status.SUBMITTED and (missing := idea.missing_for_submission()):
        # Drafts may be saved half-written; what moderators and the public see must be complete.
        raise ValidationError(
            _("Fill in these before submitting: %(fields)s.")
            % {"fields": ", ".join(str(name) for name in missing)}
        )
    role = role or ROLE_FOR.get(new_status, StatusChange.Role.MODERATOR)

    with transaction.atomic():
        idea = Idea.objects.select_for_update().get(pk=idea.pk)
        if not can_follow(idea.status, new_status):  # changed meanwhile
            raise ValidationError(_("Someone else has just changed this idea. Please reload and try again."))
        change = StatusChange.objects.create(
            idea=idea, from_status=idea.status, to_status=new_status, role=role, reason=reason
        )
        idea.status = new_status
        now = timezone.now()
        if new_status == Status.SUBMITTED:
            idea.submitted_at = now
        if new_status == Status.PUBLISHED and idea.published_at is None:
            idea.published_at = now
        if new_status in NEEDS_REASON:
            idea.status_reason = reason
        if new_status == Status.MERGED:
            idea.merged_into = merged_into
            _move_participation(idea, merged_into)
        idea.save()
        log(instance=idea, action=f"ideas.status.{new_status}", user=user, data={"reason": reason})
        transaction.on_commit(lambda: _notify(change.pk))
    return idea


def _check_merge_target(idea, target):
    if target is None:
        raise ValidationError(_("Choose the idea to merge into."))
    if target.pk == idea.pk:
        raise ValidationError(_("An idea cannot be merged into itself."))
    if target.round_id != idea.round_id:
        raise ValidationError(_("Ideas can only be merged within the same round."))
    if target.status in {Status.MERGED, Status.REJECTED} or not target.is_public:
        raise ValidationError(_("Merge into a published idea."))


def _move_participation(idea, target):
    """Supports, comments and followers of a merged idea go to the idea it was merged into."""
    already_supporting = Support.objects.filter(idea=target).values("user_id")
    Support.objects.filter(idea=idea).exclude(user_id__in=already_supporting).update(idea=target)
    Support.objects.filter(idea=idea).delete()
    already_following = Follow.objects.filter(idea=target).values("user_id")
    Follow.objects.filter(idea=idea).exclude(user_id__in=already_following).update(idea=target)
    Follow.objects.filter(idea=idea).delete()
    Comment.objects.filter(idea=idea).update(idea=target)
    if idea.author_id and not Follow.objects.filter(idea=target, user_id=idea.author_id).exists():
        Follow.objects.create(idea=target, user_id=idea.author_id)


def _notify(change_id):
    from ideas import notifications

    notifications.status_changed.enqueue(change_id)
