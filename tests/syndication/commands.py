"""`manage.py import_feed` run in the test's process, as the import tests call it."""

import io

from django.core.management import call_command


class TerminalIO(io.StringIO):
    def isatty(self):
        return True


def run(*args, tty=False):
    """`import_feed *args`; what it printed (to a terminal when `tty`: with its progress bar)."""
    out = TerminalIO() if tty else io.StringIO()
    call_command("import_feed", *args, stdout=out, stderr=io.StringIO())
    return out.getvalue()
