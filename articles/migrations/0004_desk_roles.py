"""The newsroom's roles as groups. Run again (by a later migration) whenever a role's permissions change:
each group ends up with exactly the permissions listed, whatever was added or removed by hand."""

from django.apps import apps as global_apps
from django.contrib.auth.management import create_permissions
from django.db import migrations

VIEW = ["view"]
MANAGE = ["add", "change", "delete", "view"]

ROLES = {
    # Writes and edits their own drafts, submits them for review; cannot publish.
    "Reporter": [
        ("articles", "article", ["add", "change", "view"]),
        # To pick them in the story form (autocomplete asks for view permission).
        ("articles", "section", VIEW),
        ("articles", "source", VIEW),
        ("articles", "author", VIEW),
        ("articles", "tag", VIEW),
        ("articles", "correction", VIEW),
    ],
    # Edits any story, publishes, schedules, unpublishes, corrects, shares previews; manages what stories hang on.
    # Deleting a story stays with superusers: editors unpublish, so no story vanishes without a trace.
    "Editor": [
        ("articles", "article", ["add", "change", "view", "publish", "edit_any"]),
        ("articles", "section", MANAGE),
        ("articles", "source", MANAGE),
        ("articles", "author", MANAGE),
        ("articles", "tag", MANAGE),
        ("articles", "correction", ["add", "change", "view"]),
        ("articles", "previewlink", ["add", "change", "view"]),
    ],
    # Reader comments only: the moderation queue, bans and unconfirmed comments (see the package comments/admin/:
    # queue.py, bans.py, pending.py; who may moderate is can_moderate in comments/admin/access.py).
    "Moderator": [
        ("django_comments", "comment", ["can_moderate"]),
        ("comments", "articlecomment", VIEW),
        ("comments", "ban", MANAGE),
        ("comments", "pendingcomment", VIEW),
    ],
}


def codename(action, model):
    # Django's own permissions are "<action>_<model>"; can_moderate is django_comments' own name.
    return action if action.startswith("can_") else f"{action}_{model}"


def sync_roles(apps, schema_editor):
    db = schema_editor.connection.alias
    # Permissions are normally created after all migrations (post_migrate): create them now.
    for label in ("auth", "articles", "comments", "django_comments"):
        create_permissions(global_apps.get_app_config(label), apps=apps, verbosity=0, using=db)
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name, grants in ROLES.items():
        wanted = [
            Permission.objects.using(db).get(
                content_type__app_label=app_label, content_type__model=model, codename=codename(action, model)
            )
            for app_label, model, actions in grants
            for action in actions
        ]
        group, _ = Group.objects.using(db).get_or_create(name=name)
        group.permissions.set(wanted)


class Migration(migrations.Migration):
    dependencies = [
        ("articles", "0003_desk_workflow"),
        ("comments", "0001_initial"),
        ("django_comments", "0004_add_object_pk_is_removed_index"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(sync_roles, migrations.RunPython.noop, elidable=False)]
