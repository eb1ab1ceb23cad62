"""The articles app's admin, by concern (Django's autodiscovery imports only this module)."""

from articles.desk import admin as desk_admin  # noqa: F401
from articles.syndication import admin as syndication_admin  # noqa: F401

from . import catalogue  # noqa: F401
