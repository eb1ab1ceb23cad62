"""Dependencies run one way, as README.md's *Architecture* says: `comments` knows `articles`; `pagecache` knows both;
`api` knows both; `articles` knows none of them; `jobs` (the background queue) is known by any app and knows none; no
app knows `newsroom`, which only wires them together.

Every .py file of the apps is read with `ast`. An import counts wherever it is (top of the module or inside a
function), and so do `importlib.import_module`/`__import__`/`apps.get_model`/`apps.get_app_config` with a literal
name, and each migration's `dependencies` and `run_before`. The failure lists every offence as `file:line imports X`.
"""

import ast
from pathlib import Path

import pytest

BASE_DIR = Path(__file__).resolve().parent.parent
APPS = ("articles", "comments", "pagecache", "api", "jobs", "newsroom")

# What each app must not reach.
FORBIDDEN = {
    "articles": {"comments", "pagecache", "api", "newsroom"},
    "comments": {"pagecache", "api", "newsroom"},
    "pagecache": {"api", "newsroom"},
    "api": {"pagecache", "newsroom"},
    # The queue runs every app's tasks by their dotted paths (JOBS_SCHEDULE, each job's row): it imports none.
    "jobs": {"articles", "comments", "pagecache", "api", "newsroom"},
    # newsroom's other modules (security headers, error pages, ...) are project-wide helpers: they know no app.
    "newsroom": {"articles", "comments", "pagecache", "api", "jobs"},
}
# newsroom's wiring: settings, root URLs, WSGI/ASGI may import every app; that is what they are for.
WIRING = {"newsroom/settings.py", "newsroom/urls.py", "newsroom/wsgi.py", "newsroom/asgi.py"}

# The comments framework is comments' concern: django_comments.get_model() *is* comments.ArticleComment
# (COMMENTS_APP = "comments"), so reaching for it from articles is reaching for comments.
CONCERN = {"django_comments": "comments", "django_comments_xtd": "comments"}

# Offences allowed on purpose, by (file, the app it reaches), each with its reason. An entry no longer needed fails
# the test too, so the list only shrinks.
ALLOWED = {
    # The roles migration made the Moderator group (django_comments.can_moderate, comments' models), so it depends
    # on comments' first migration and django_comments'. Databases have run it, and the desk's roles test re-runs
    # it, so it stays as it is; comments/migrations/0005_moderator_role.py owns the Moderator role from now on.
    ("articles/migrations/0004_desk_roles.py", "comments"),
}

LOOKUPS = {"import_module", "__import__", "get_model", "get_app_config"}


def _name(func):
    return func.attr if isinstance(func, ast.Attribute) else func.id if isinstance(func, ast.Name) else None


def reached(tree):
    """(line, what is reached: a dotted name whose first part is a package or app label) for each reference."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name
        elif isinstance(node, ast.ImportFrom):
            if node.level:  # relative: inside the same package
                continue
            names = [alias.name for alias in node.names]
            yield node.lineno, f"{node.module}.{names[0]}" if len(names) == 1 else f"{node.module} ({', '.join(names)})"
        elif isinstance(node, ast.Call) and _name(node.func) in LOOKUPS and node.args:
            first = node.args[0]
            if isinstance(first, ast.Constant) and isinstance(first.value, str):
                more = [arg.value for arg in node.args[1:2] if isinstance(arg, ast.Constant)]
                yield node.lineno, ".".join([first.value, *more]) + f" ({_name(node.func)})"
        elif isinstance(node, ast.Assign) and any(
            isinstance(target, ast.Name) and target.id in ("dependencies", "run_before") for target in node.targets
        ):
            for element in getattr(node.value, "elts", []):
                parts = getattr(element, "elts", [])
                if len(parts) == 2 and all(isinstance(part, ast.Constant) for part in parts):
                    yield element.lineno, f"{parts[0].value}.{parts[1].value} (migration dependency)"


def offences():
    found = set()
    for app in APPS:
        for path in sorted((BASE_DIR / app).rglob("*.py")):
            relative = path.relative_to(BASE_DIR).as_posix()
            if relative in WIRING:
                continue
            for line, name in reached(ast.parse(path.read_text(encoding="utf-8"), filename=relative)):
                top = name.split(".")[0].split(" ")[0]
                concern = CONCERN.get(top, top)
                if concern in FORBIDDEN[app]:
                    found.add((relative, line, name, concern))
    return found


def test_imports_run_the_way_the_readme_says():
    found = sorted(offences())
    against = [f"{file}:{line} imports {name}" for file, line, name, concern in found if (file, concern) not in ALLOWED]
    stale = [
        f"{file}: the exception for {concern} is no longer needed"
        for file, concern in sorted(ALLOWED)
        if not any((f, c) == (file, concern) for f, _, _, c in found)
    ]
    if against or stale:
        pytest.fail("against the direction in README.md:\n" + "\n".join(against + stale), pytrace=False)
