"""Find executable markup in a page, parsed as a browser parses it (html5lib follows the HTML5 algorithm).

Our own pages run no script but same-origin files (static files, the admin's) and data blocks
(JSON-LD): anything else that could run — a script, an event handler, a javascript: or data: URL,
SVG or MathML, a frame, an object, a style sheet, a refresh — is reported.
"""

import re

import html5lib

FORBIDDEN_TAGS = {
    "script",  # unless ours: see _own_script
    "iframe",
    "frame",
    "frameset",
    "object",
    "embed",
    "applet",
    "portal",
    "svg",
    "math",
    "base",
    "style",
    "template",
}
URL_ATTRIBUTES = {
    "href",
    "src",
    "action",
    "formaction",
    "data",
    "background",
    "poster",
    "lowsrc",
    "dynsrc",
    "code",
    "codebase",
    "ping",
    "srcset",
}
DANGEROUS_SCHEMES = ("javascript:", "vbscript:", "livescript:", "data:")
DATA_BLOCK_TYPES = {"application/ld+json", "application/json"}
# Browsers drop these anywhere in a URL (tab, newline) or around it (controls, space) before reading its scheme.
IGNORED_IN_URLS = re.compile(r"[\x00-\x20\x7f]")


def _name(qualified):
    return qualified.rsplit("}", 1)[-1].lower()


def _dangerous_url(value):
    value = IGNORED_IN_URLS.sub("", value or "").lower()
    return value.startswith(DANGEROUS_SCHEMES)


def _own_script(element):
    src = element.get("src")
    if src is not None:
        return src.startswith("/") and not src.startswith("//")  # same origin
    return (element.get("type") or "").strip().lower() in DATA_BLOCK_TYPES


def executable_markup(html):
    """A list of what in `html` (a page or a fragment) could run or load code; empty when inert."""
    root = html5lib.parse(html, namespaceHTMLElements=False)
    problems = []
    for element in root.iter():
        if not isinstance(element.tag, str):
            continue  # comments and processing instructions
        tag = _name(element.tag)
        attributes = {_name(name): value for name, value in element.attrib.items()}
        if tag in FORBIDDEN_TAGS and not (tag == "script" and _own_script(element)):
            problems.append(f"<{tag}> element")
        if tag == "meta" and (attributes.get("http-equiv") or "").strip().lower() in ("refresh", "set-cookie"):
            problems.append("<meta http-equiv> refresh")
        if tag == "link" and set((attributes.get("rel") or "").lower().split()) & {"stylesheet", "import", "preload"}:
            href = attributes.get("href") or ""
            if not href.startswith("/") or href.startswith("//"):
                problems.append(f"<link> loading {href!r}")
        for name, value in attributes.items():
            if name.startswith("on"):
                problems.append(f"{name} attribute on <{tag}>")
            elif name == "srcdoc":
                problems.append(f"srcdoc attribute on <{tag}>")
            elif name in URL_ATTRIBUTES and _dangerous_url(value.split(",")[0] if name == "srcset" else value):
                problems.append(f"{name}={value!r} on <{tag}>")
            elif name == "style" and re.search(r"expression\s*\(|javascript:|url\s*\(|behavior", value, re.I):
                problems.append(f"style={value!r} on <{tag}>")
    return problems
