"""Wagtail permission policies for the moderation models, answered by django-rules (ideas/rules.py).

Wagtail asks a model's permission policy whether a user may add, change, delete or view its instances. For
ideas, comments and reports the answer must be the same as everywhere else on the site, so the policy maps
each admin action to a permission in ideas/rules.py and asks `user.has_perm`. No Django model permission needs
to be granted for these models: membership of the Moderators group is what counts.
"""

from django.contrib.auth import get_user_model
from django.db.models import Q
from wagtail.permission_policies import ModelPermissionPolicy

from ideas.rules import MODERATORS_GROUP

IDEA_PERMISSIONS = {
    # "change" opens an idea's moderation page; each action there asks its own rule.
    "view": "ideas.view_moderation_queue",
    "change": "ideas.view_moderation_queue",
    # Ideas come from residents only; deleting one (spam, a court order) stays with superusers.
    "add": None,
    "delete": "ideas.delete_idea",
}
COMMENT_PERMISSIONS = {
    "view": "ideas.hide_comment",
    "change": "ideas.hide_comment",
    "add": None,
    "delete": None,
}
REPORT_PERMISSIONS = {
    "view": "ideas.view_moderation_queue",
    "change": "ideas.view_moderation_queue",
    "add": None,
    "delete": None,
}


class RulesPermissionPolicy(ModelPermissionPolicy):
    """Admin actions mapped to rules permissions; registered for Idea, Comment, Report (wagtail_hooks)."""

    def __init__(self, model, permissions):
        super().__init__(model)
        self.permissions = permissions

    def user_has_permission(self, user, action):
        name = self.permissions.get(action)
        # An action mapped to nothing is closed to everyone, superusers included.
        return name is not None and user.has_perm(name)

    def users_with_any_permission(self, actions):
        names = {self.permissions.get(action) for action in actions} - {None}
        users = get_user_model().objects.filter(is_active=True)
        if not names:
            return users.none()
        if names <= {"ideas.delete_idea"}:
            return users.filter(is_superuser=True)
        # Every other mapped rule is granted by membership of the Moderators group (ideas/rules.py).
        return users.filter(Q(is_superuser=True) | Q(groups__name=MODERATORS_GROUP)).distinct()
