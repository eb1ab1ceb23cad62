"""Make sure the site has at least one superuser, for `make run`.

- A superuser already exists: nothing to do.
- DJANGO_SUPERUSER_USERNAME and DJANGO_SUPERUSER_PASSWORD are set (and
  optionally DJANGO_SUPERUSER_EMAIL): create that superuser.
- Otherwise: create `admin` with a random password and print it once,
  with the admin URL built from HOST and PORT (default 127.0.0.1:8000).
"""

import os
import secrets

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.urls import NoReverseMatch, reverse

DEFAULT_USERNAME = "admin"


class Command(BaseCommand):
    help = (
        "Create a superuser if none exists: from DJANGO_SUPERUSER_USERNAME/"
        "DJANGO_SUPERUSER_PASSWORD/DJANGO_SUPERUSER_EMAIL, else 'admin' with "
        "a random password that is printed once."
    )

    def handle(self, *args, **options):
        user_model = get_user_model()
        if user_model._default_manager.filter(is_superuser=True).exists():
            if options["verbosity"] >= 2:
                self.stdout.write("A superuser already exists; nothing to do.")
            return

        username = os.environ.get("DJANGO_SUPERUSER_USERNAME", "").strip()
        password = os.environ.get("DJANGO_SUPERUSER_PASSWORD", "")
        email = os.environ.get("DJANGO_SUPERUSER_EMAIL", "").strip()

        if username or password:
            if not username:
                raise CommandError(
                    "DJANGO_SUPERUSER_PASSWORD is set but DJANGO_SUPERUSER_USERNAME "
                    "is not. Set both, or neither to get a generated 'admin' account."
                )
            if not password:
                raise CommandError(
                    f"DJANGO_SUPERUSER_USERNAME is set ({username!r}) but "
                    "DJANGO_SUPERUSER_PASSWORD is empty or unset. Set both, or "
                    "neither to get a generated 'admin' account."
                )
            self._create(user_model, username, password, email)
            if options["verbosity"] >= 1:
                self.stdout.write(f"Created superuser {username}.")
            return

        password = secrets.token_urlsafe(12)
        self._create(user_model, DEFAULT_USERNAME, password, email)
        host = os.environ.get("HOST", "").strip() or "127.0.0.1"
        port = os.environ.get("PORT", "").strip() or "8000"
        if ":" in host and not host.startswith("["):
            host = f"[{host}]"  # IPv6 literal
        try:
            admin_path = reverse("admin:index")
        except NoReverseMatch:
            admin_path = "/admin/"
        # Printed whatever the verbosity: this is the only chance to see it.
        self.stdout.write(
            "\n".join(
                [
                    "",
                    "=" * 64,
                    "Created a superuser for the admin:",
                    f"  Username: {DEFAULT_USERNAME}",
                    f"  Password: {password}",
                    f"  Admin:    http://{host}:{port}{admin_path}",
                    "This password will not be shown again; note it now.",
                    "=" * 64,
                    "",
                ]
            )
        )

    def _create(self, user_model, username, password, email):
        username_field = user_model.USERNAME_FIELD
        manager = user_model._default_manager
        if manager.filter(**{username_field: username}).exists():
            raise CommandError(
                f"A user named {username!r} already exists but is not a superuser. "
                "Promote it (manage.py shell / the admin) or set "
                "DJANGO_SUPERUSER_USERNAME and DJANGO_SUPERUSER_PASSWORD to "
                "another name."
            )
        fields = {username_field: username, "password": password}
        email_field = user_model.get_email_field_name()
        if email_field != username_field:
            fields[email_field] = email
        manager.create_superuser(**fields)
