"""Read rendered pages as a small element tree, with nothing but Python's html.parser."""

import re
from html.parser import HTMLParser

VOID_TAGS = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}


class Element:
    def __init__(self, tag, attrs, parent=None):
        self.tag = tag
        self.attrs = dict(attrs)
        self.parent = parent
        self.children = []  # Elements and text strings, in document order

    def __repr__(self):
        return f"<{self.tag} {self.attrs}>"

    @property
    def classes(self):
        return (self.attrs.get("class") or "").split()

    @property
    def text(self):
        """The element's text with whitespace collapsed, as a reader would hear it."""
        parts = []
        for child in self.children:
            parts.append(child.text if isinstance(child, Element) else child)
        return re.sub(r"\s+", " ", "".join(parts)).strip()

    def iter(self):
        yield self
        for child in self.children:
            if isinstance(child, Element):
                yield from child.iter()

    def find_all(self, tag=None, class_=None, **attrs):
        return [
            element
            for element in self.iter()
            if (tag is None or element.tag == tag)
            and (class_ is None or class_ in element.classes)
            and all(element.attrs.get(name) == value for name, value in attrs.items())
        ]

    def find(self, tag=None, class_=None, **attrs):
        found = self.find_all(tag, class_, **attrs)
        return found[0] if found else None


class _TreeBuilder(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.root = Element("#document", [])
        self.current = self.root

    def handle_starttag(self, tag, attrs):
        element = Element(tag, attrs, self.current)
        self.current.children.append(element)
        if tag not in VOID_TAGS:
            self.current = element

    def handle_startendtag(self, tag, attrs):
        self.current.children.append(Element(tag, attrs, self.current))

    def handle_endtag(self, tag):
        node = self.current
        while node is not self.root and node.tag != tag:
            node = node.parent
        if node is not self.root:  # ignore a stray end tag rather than unwinding the whole page
            self.current = node.parent

    def handle_data(self, data):
        self.current.children.append(data)


def parse(response_or_html):
    """The page as an Element tree; pass a response or a string of HTML."""
    html = response_or_html
    if not isinstance(html, str):
        html = response_or_html.content.decode()
    builder = _TreeBuilder()
    builder.feed(html)
    builder.close()
    return builder.root


def positions(html, *needles):
    """Where each needle first appears in `html` (a missing one fails loudly)."""
    found = []
    for needle in needles:
        index = html.find(needle)
        assert index != -1, f"{needle!r} is not on the page"
        found.append(index)
    return found
