"""One front door for residents' actions on a public idea: support and withdraw it, comment and reply, follow
and unfollow, report an idea or a comment.

Each action is one function here that asks django-rules (ideas/rules.py) first, writes the change and an entry
in Wagtail's audit log (labels: PARTICIPATION_ACTIONS in ideas/wagtail_hooks.py), and raises `Refused` (not
allowed now) or `Invalid` (nothing to accept), each carrying the message for the resident. The website
(ideas/views.py) and the API (ideas/api/views.py) call these and only turn a refusal into their kind of
response; status changes stay in ideas/services.py.

Speed limits: what writes something new (a comment, a support, a follow, a report, and through `count_new_idea`
a new idea) counts against the person's budget and their address's (ideas/limits.py ACTION_LIMITS) once it is
allowed and valid, and raises `Limited` (HTTP 429 at both doors) when one is used up; nothing is written then.
Withdrawing a support and unfollowing are never limited. `address` is the client's (ideas.limits.client_address);
callers without a request (the demo, the shell) leave it out and only the person's budget applies.
"""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from wagtail.log_actions import log

from ideas import limits, notifications
from ideas.models import Comment, Follow, Idea, Report, Support
from ideas.phases import Feature, phase_allows
from ideas.rules import is_verified_resident

COMMENT_MAX_LENGTH = Comment._meta.get_field("text").max_length
REASON_MAX_LENGTH = Report._meta.get_field("reason").max_length


class Refused(PermissionDenied):
    """The person may not do this now; `message` says why, in the active language."""

    def __init__(self, message):
        super().__init__(message)
        self.message = str(message)


class LoginRequired(Refused):
    """Nobody is logged in: the website sends them to the login page, the API answers 401."""


class Invalid(ValidationError):
    """What was sent cannot be accepted; `message_dict` names the field (text, parent, reason)."""


# Too many actions in a short time: `message` says to wait, `retry_after` for how many seconds (ideas/limits.py).
Limited = limits.Limited


def _count(action, user, address):
    """Count one allowed, valid action of `user` from `address`, or raise Limited (nothing is written then)."""
    limits.take(action, account=user.pk, address=address)


def _require(user, permission, obj, idea, feature, otherwise):
    """Raise the most useful refusal unless `user` has `permission` on `obj` (an idea or a comment)."""
    if user.has_perm(permission, obj):
        return
    if not user.is_authenticated:
        raise LoginRequired(_("Please log in first."))
    if not is_verified_resident(user):
        raise Refused(_("Please verify your e-mail address first: we sent you a link when you registered."))
    if feature is not None and not phase_allows(idea.round.current_phase(), feature):
        raise Refused(_("This is not possible in the current phase of the round."))
    raise Refused(otherwise)


# Supports -------------------------------------------------------------------------------------------------


def _require_support(user, idea):
    _require(
        user,
        "ideas.support_idea",
        idea,
        idea,
        Feature.SUPPORT,
        _("Only published ideas that are still in the running can be supported."),
    )


def give_support(user, idea, *, address=None):
    """Support `idea`; True if this added a support, False if the resident already supported it."""
    _require_support(user, idea)
    _count("support", user, address)
    return _add_once(Support, "ideas.support.give", user, idea)


def withdraw_support(user, idea):
    """Withdraw one's support, only while supports count (the support phase); True if there was one."""
    _require_support(user, idea)
    return _remove(Support, "ideas.support.withdraw", user, idea)


def _add_once(model, action, user, idea):
    """Add the person's row (a support, a follow) to `idea` once, logged; True if it is new."""
    with transaction.atomic():
        row, created = model.objects.get_or_create(idea=idea, user=user)
        if created:
            log(instance=row, action=action, user=user, title=idea.title)
    return created


def _remove(model, action, user, idea):
    """Remove the person's row (a support, a follow) from `idea`, logged; True if there was one."""
    with transaction.atomic():
        row = model.objects.select_for_update().filter(idea=idea, user=user).first()
        if row is None:
            return False
        # Logged before the row goes: the entry needs its id.
        log(instance=row, action=action, user=user, title=idea.title, deleted=True)
        row.delete()
    return True


# Following ------------------------------------------------------------------------------------------------


def follow(user, idea, *, address=None):
    """Follow `idea` to hear of its status changes and official answers; True if newly followed."""
    _require(
        user, "ideas.follow_idea", idea, idea, Feature.FOLLOW, _("Only published ideas can be followed.")
    )
    _count("follow", user, address)
    return _add_once(Follow, "ideas.follow.start", user, idea)


def unfollow(user, idea):
    """Stop following `idea`, in any phase; True if the person followed it."""
    _require(user, "ideas.unfollow_idea", idea, idea, None, _("You cannot do this with this idea."))
    return _remove(Follow, "ideas.follow.stop", user, idea)


# Comments -------------------------------------------------------------------------------------------------


def add_comment(user, idea, text, parent=None, official=False, *, address=None):
    """Publish a comment on `idea`, or a reply to one of its top-level comments, and return it.

    One level of replies: a reply to a reply and a reply to a hidden comment are refused. `official` marks the
    municipality's answer (moderators only), which e-mails the author and the followers once committed.
    """
    check_comment(user, idea, official=official)
    text = _cleaned_text(text, "text", COMMENT_MAX_LENGTH, _("Write something before sending."))
    if parent is not None:
        _check_parent(idea, parent)
    _count("comment", user, address)
    with transaction.atomic():
        comment = Comment.objects.create(
            idea=idea, author=user, parent=parent, text=text, is_official=bool(official)
        )
        log(
            instance=comment,
            action="ideas.comment.add",
            user=user,
            data={"idea": idea.pk, "parent": parent.pk if parent else None, "official": comment.is_official},
        )
        if comment.is_official:
            transaction.on_commit(lambda: notifications.official_answer.enqueue(comment.pk))
    return comment


def check_comment(user, idea, official=False):
    """Refuse unless `user` may comment on `idea` now (and answer for the municipality, if `official`)."""
    _require(user, "ideas.comment_idea", idea, idea, Feature.COMMENT, _("Comments on this idea are closed."))
    if official:
        _require(
            user,
            "ideas.moderate_idea",
            idea,
            idea,
            None,
            _("Only moderators answer on behalf of the municipality, while the round's ideas are moderated."),
        )


def _check_parent(idea, parent):
    if parent.idea_id != idea.pk:
        raise Invalid({"parent": [_("You can only reply to a comment on the same idea.")]})
    if parent.parent_id is not None:
        raise Invalid(
            {"parent": [_("Replies cannot be answered in turn; reply to the comment they belong to.")]}
        )
    if parent.is_hidden:
        raise Invalid({"parent": [_("This comment was removed and cannot be answered.")]})


def _cleaned_text(text, field, max_length, empty_message):
    text = (text or "").strip()
    if not text:
        raise Invalid({field: [empty_message]})
    if len(text) > max_length:
        raise Invalid({field: [_("Please keep it to %(limit)d characters at most.") % {"limit": max_length}]})
    return text


# Reports --------------------------------------------------------------------------------------------------


def check_report(user, target):
    """Refuse unless `user` may report `target` (an Idea or a Comment) now; the report form asks this first."""
    if isinstance(target, Idea):
        _require(
            user,
            "ideas.report_idea",
            target,
            target,
            Feature.REPORT,
            _("Only published ideas can be reported."),
        )
        return
    if target.is_hidden:
        otherwise = _("A moderator has already removed this comment.")
    else:
        otherwise = _("Only comments on published ideas can be reported.")
    _require(user, "ideas.report_comment", target, target.idea, Feature.REPORT, otherwise)


def report(user, target, reason, *, address=None):
    """Tell the moderators that `target` (an Idea or a Comment) breaks the rules; returns the Report."""
    check_report(user, target)
    reason = _cleaned_text(reason, "reason", REASON_MAX_LENGTH, _("Please say what is wrong."))
    _count("report", user, address)
    about = {"idea": target} if isinstance(target, Idea) else {"comment": target}
    with transaction.atomic():
        new_report = Report.objects.create(reporter=user, reason=reason, **about)
        log(instance=new_report, action="ideas.report.add", user=user)
    return new_report


# New ideas ------------------------------------------------------------------------------------------------


def count_new_idea(user, *, address=None):
    """Count a new idea (a draft) of `user` about to be saved, or raise Limited.

    Ideas are written by the website's idea form (ideas/views.py _idea_form) and the API's serializer
    (IdeaViewSet.create), each after its own validation; both call this just before saving, so that the budget
    is shared and a refused idea is never saved. Edits of one's own draft are not counted.
    """
    _count("idea", user, address)
