"""Gives Wagtail's Editors and Moderators groups the permissions of this app's models.

Wagtail's own migrations create both groups, their page permissions (editors add and change, moderators also
publish) and the "Moderators approval" workflow on the root page; this adds snippets, settings and registrations.
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

GROUP_PERMISSIONS = {
    "Editors": [
        "add_department", "change_department", "view_department",
        "view_sitetext",
        "view_eventregistration",
    ],
    "Moderators": [
        "add_department", "change_department", "delete_department", "view_department",
        "add_sitetext", "change_sitetext", "view_sitetext",
        "change_sitesettings",
        "view_eventregistration", "change_eventregistration",
    ],
}


def grant(apps, schema_editor):
    # Permissions are normally created after all migrations ran (post_migrate); create them now so that a fresh
    # database gets the grants too. See https://code.djangoproject.com/ticket/23422
    app_config = apps.get_app_config("home")
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0)
    app_config.models_module = None

    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for group_name, codenames in GROUP_PERMISSIONS.items():
        group, _created = Group.objects.get_or_create(name=group_name)
        group.permissions.add(*Permission.objects.filter(content_type__app_label="home", codename__in=codenames))


def revoke(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for group_name, codenames in GROUP_PERMISSIONS.items():
        for group in Group.objects.filter(name=group_name):
            group.permissions.remove(
                *Permission.objects.filter(content_type__app_label="home", codename__in=codenames)
            )


class Migration(migrations.Migration):
    dependencies = [
        ("home", "0001_initial"),
        ("wagtailcore", "0098_apitoken"),
        ("auth", "0012_alter_user_first_name_max_length"),
    ]

    operations = [migrations.RunPython(grant, revoke)]
