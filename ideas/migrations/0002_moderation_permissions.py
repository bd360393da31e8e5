"""Gives Wagtail's Moderators group the model permissions of the participation snippets they edit in the admin
(budget rounds, areas, categories, reason templates).

Ideas, comments and reports need no model permissions: the admin asks ideas/rules.py for them, where being in
the Moderators group is what counts (ideas/moderation/permissions.py). Data only, no schema change.
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

GROUP_PERMISSIONS = {
    "Moderators": [
        "add_budgetround", "change_budgetround", "view_budgetround",
        "add_area", "change_area", "view_area",
        "add_category", "change_category", "view_category",
        "add_reasontemplate", "change_reasontemplate", "delete_reasontemplate", "view_reasontemplate",
    ],
}


def grant(apps, schema_editor):
    # Permissions are normally created after all migrations ran (post_migrate); create them now so that a fresh
    # database gets the grants too. See https://code.djangoproject.com/ticket/23422
    app_config = apps.get_app_config("ideas")
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0)
    app_config.models_module = None

    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for group_name, codenames in GROUP_PERMISSIONS.items():
        group, _created = Group.objects.get_or_create(name=group_name)
        group.permissions.add(
            *Permission.objects.filter(content_type__app_label="ideas", codename__in=codenames)
        )


def revoke(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for group_name, codenames in GROUP_PERMISSIONS.items():
        for group in Group.objects.filter(name=group_name):
            group.permissions.remove(
                *Permission.objects.filter(content_type__app_label="ideas", codename__in=codenames)
            )


class Migration(migrations.Migration):
    dependencies = [
        ("ideas", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("wagtailcore", "0098_apitoken"),
    ]

    operations = [migrations.RunPython(grant, revoke)]
