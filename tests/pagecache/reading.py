"""Reading pages as an anonymous reader does, for the page-cache tests."""


def cached(browser, url):
    """Load `url` until it comes from the cache (the first load stores it); return that response."""
    first = browser.get(url)
    assert first["X-Page-Cache"] in ("miss", "hit")
    second = browser.get(url)
    assert second["X-Page-Cache"] == "hit", url
    return second


def text_of(response):
    return response.content.decode()
