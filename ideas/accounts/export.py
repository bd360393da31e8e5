"""Everything the site keeps about one resident, as a JSON-ready dict (GDPR art. 15 and 20: access and
portability). The "download my data" view in ideas/accounts/views.py sends it as a file."""

from allauth.account.models import EmailAddress
from django.db.models import Prefetch, Q
from django.utils import timezone

from home.models import EventRegistration
from ideas.models import Comment, Follow, Idea, Report, StatusChange, Support

FORMAT_VERSION = 1


def _iso(moment):
    return moment.isoformat() if moment is not None else None


def _number(value):
    # Decimals as strings: JSON numbers would round euro amounts and coordinates through floats.
    return str(value) if value is not None else None


def email_addresses(user):
    """All addresses of an account, lower-cased: allauth's list plus the one on the user row."""
    addresses = {
        address.lower() for address in EmailAddress.objects.filter(user=user).values_list("email", flat=True)
    }
    if user.email:
        addresses.add(user.email.lower())
    return sorted(addresses)


def registrations_of(addresses):
    """Event registrations made with any of the addresses (registrations have no link to accounts)."""
    if not addresses:
        return EventRegistration.objects.none()
    query = Q()
    for address in addresses:
        query |= Q(email__iexact=address)
    return EventRegistration.objects.filter(query)


def personal_data(user):
    """The account, e-mail addresses, profile, ideas with their history, comments, supports, follows,
    reports and event registrations of `user`."""
    return {
        "format_version": FORMAT_VERSION,
        "exported_at": _iso(timezone.now()),
        "account": {
            "username": user.get_username(),
            "email": user.email,
            "date_joined": _iso(user.date_joined),
            "last_login": _iso(user.last_login),
        },
        "email_addresses": [
            {"email": address.email, "verified": address.verified, "primary": address.primary}
            for address in EmailAddress.objects.filter(user=user).order_by("-primary", "email")
        ],
        "profile": _profile(user),
        "ideas": [_idea(idea) for idea in _ideas(user)],
        "comments": [_comment(comment) for comment in _comments(user)],
        "supports": [
            {
                "idea_id": support.idea_id,
                "idea_title": support.idea.title,
                "given_at": _iso(support.created_at),
            }
            for support in Support.objects.filter(user=user)
            .select_related("idea")
            .order_by("created_at", "pk")
        ],
        "follows": [
            {"idea_id": follow.idea_id, "idea_title": follow.idea.title, "since": _iso(follow.created_at)}
            for follow in Follow.objects.filter(user=user).select_related("idea").order_by("created_at", "pk")
        ],
        "reports": [
            {
                "idea_id": report.idea_id,
                "comment_id": report.comment_id,
                "reason": report.reason,
                "reported_at": _iso(report.created_at),
                "resolved_at": _iso(report.resolved_at),
            }
            for report in Report.objects.filter(reporter=user).order_by("created_at", "pk")
        ],
        "event_registrations": [
            _registration(registration)
            for registration in registrations_of(email_addresses(user))
            .select_related("event")
            .order_by("created_at", "pk")
        ],
    }


def _profile(user):
    profile = getattr(user, "resident_profile", None)
    if profile is None:
        return None
    area = profile.area
    return {
        "display_name": profile.display_name,
        "area": {"code": area.code, "name": area.localized_name()} if area else None,
        "birth_year": profile.birth_year,
        "preferred_language": profile.preferred_language,
        "privacy_consent_at": _iso(profile.privacy_consent_at),
    }


def _ideas(user):
    return (
        Idea.objects.filter(author=user)
        .select_related("round", "category", "area")
        .prefetch_related(
            "images", Prefetch("history", queryset=StatusChange.objects.order_by("created_at", "pk"))
        )
        .order_by("created_at", "pk")
    )


def _idea(idea):
    return {
        "id": idea.pk,
        "round": idea.round.name,
        "status": idea.status,
        "status_reason": idea.status_reason,
        "title": idea.title,
        "summary": idea.summary,
        "description": idea.description,
        # A draft may have neither yet (ideas/models/ideas.py REQUIRED_TO_SUBMIT).
        "category": idea.category.localized_name() if idea.category else "",
        "area": idea.area.localized_name() if idea.area else "",
        "address": idea.address,
        "latitude": _number(idea.latitude),
        "longitude": _number(idea.longitude),
        "estimated_cost_eur": _number(idea.estimated_cost),
        "language": idea.language,
        "trees_planted": idea.trees_planted,
        "area_greened_m2": idea.area_greened_m2,
        "path_length_m": idea.path_length_m,
        "co2_tonnes_per_year": _number(idea.co2_tonnes_per_year),
        "images": [{"description": image.alt_text, "file": image.file.name} for image in idea.images.all()],
        "created_at": _iso(idea.created_at),
        "updated_at": _iso(idea.updated_at),
        "submitted_at": _iso(idea.submitted_at),
        "published_at": _iso(idea.published_at),
        "status_history": [
            {
                "from": change.from_status or None,
                "to": change.to_status,
                "by": change.role,
                "reason": change.reason,
                "at": _iso(change.created_at),
            }
            for change in idea.history.all()
        ],
    }


def _comments(user):
    return Comment.objects.filter(author=user).select_related("idea").order_by("created_at", "pk")


def _comment(comment):
    return {
        "id": comment.pk,
        "idea_id": comment.idea_id,
        "idea_title": comment.idea.title,
        "reply_to": comment.parent_id,
        "text": comment.text,
        "hidden_by_moderator": comment.is_hidden,
        "hidden_reason": comment.hidden_reason,
        "written_at": _iso(comment.created_at),
    }


def _registration(registration):
    return {
        "event": registration.event.title,
        "event_start": _iso(registration.event.start),
        "name": registration.name,
        "email": registration.email,
        "status": registration.status,
        "language": registration.language,
        "registered_at": _iso(registration.created_at),
        "cancelled_at": _iso(registration.cancelled_at),
    }
