"""Wagtail's migration 0048 names the default workflow and its task after the group ("Moderators approval").

Workflow and task names are data, not translatable text, so staff saw English in the Latvian admin ("Nodot
apstiprināšanai: Moderators approval"). This gives them the Latvian name, the site's default language; a name
staff have changed is left alone.
"""

from django.db import migrations

WAGTAIL_NAME = "Moderators approval"
LATVIAN_NAME = "Moderatoru apstiprinājums"


def rename(apps, schema_editor, old=WAGTAIL_NAME, new=LATVIAN_NAME):
    for model in ("Workflow", "Task"):
        apps.get_model("wagtailcore", model).objects.filter(name=old).update(name=new)


def rename_back(apps, schema_editor):
    rename(apps, schema_editor, old=LATVIAN_NAME, new=WAGTAIL_NAME)


class Migration(migrations.Migration):
    dependencies = [("home", "0002_editorial_permissions"), ("wagtailcore", "0098_apitoken")]

    operations = [migrations.RunPython(rename, rename_back)]
