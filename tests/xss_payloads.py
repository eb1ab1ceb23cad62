"""The XSS corpus, tests/data/xss_payloads.txt: one payload a line ("# " lines are notes; {U+XXXX} stands for that
character). Posted by tests/test_xss_corpus.py, and a few of each kind by tests/browser/test_hostile_comments.py."""

import re
from pathlib import Path

PAYLOAD_FILE = Path(__file__).parent / "data" / "xss_payloads.txt"


def load_payloads():
    payloads = []
    for line in PAYLOAD_FILE.read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("# "):
            continue
        payloads.append(re.sub(r"\{U\+([0-9A-F]{4})\}", lambda match: chr(int(match.group(1), 16)), line))
    return payloads


PAYLOADS = load_payloads()
