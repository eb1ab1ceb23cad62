"""The Moderator role, owned by the comments app: the moderation queue, bans and unconfirmed comments
(see comments/admin/: queue.py, bans.py, pending.py).

The group was first made by articles' 0004_desk_roles, which databases have already run, so this one
only ensures it: the group is created if missing and given any of its permissions it lacks. Permissions
added to the group by hand stay. Running it again changes nothing.
"""

from django.apps import apps as global_apps
from django.contrib.auth.management import create_permissions
from django.db import migrations

ROLE = "Moderator"
PERMISSIONS = [
    ("django_comments", "comment", "can_moderate"),
    ("comments", "articlecomment", "view_articlecomment"),
    ("comments", "ban", "add_ban"),
    ("comments", "ban", "change_ban"),
    ("comments", "ban", "delete_ban"),
    ("comments", "ban", "view_ban"),
    ("comments", "pendingcomment", "view_pendingcomment"),
]


def ensure_moderator_role(apps, schema_editor):
    db = schema_editor.connection.alias
    # Permissions are normally created after all migrations (post_migrate): create them now.
    for label in ("comments", "django_comments"):
        create_permissions(global_apps.get_app_config(label), apps=apps, verbosity=0, using=db)
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group, _ = Group.objects.using(db).get_or_create(name=ROLE)
    group.permissions.add(
        *[
            Permission.objects.using(db).get(
                content_type__app_label=app_label, content_type__model=model, codename=codename
            )
            for app_label, model, codename in PERMISSIONS
        ]
    )


class Migration(migrations.Migration):
    dependencies = [
        ("comments", "0004_commenter_email_index"),
        ("django_comments", "0004_add_object_pk_is_removed_index"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(ensure_moderator_role, migrations.RunPython.noop, elidable=False)]
