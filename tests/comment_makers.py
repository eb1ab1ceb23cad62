"""Make comments for the reader-side tests quickly, through the same service the site uses."""

import itertools

from comments import policy, services

_counter = itertools.count(1)


def make_comment(article, text=None, *, name="Pat Reader", email=None, url="", parent=None, held=False, ip=None):
    """A comment on `article`: published unless `held`; a reply when `parent` is given."""
    n = next(_counter)
    verdict = policy.hold("First comment from this address.") if held else policy.publish("Trusted commenter.")
    return services.comment_create(
        article=article,
        user_name=name,
        user_email=email or f"reader{n}@example.com",
        user_url=url,
        comment=text or f"Comment number {n}.",
        verdict=verdict,
        parent=parent,
        ip_address=ip,
    )
