"""The page cache: anonymous readers' public pages, served from Django's cache until the content changes.

freshness.py decides which generation of the site's content pages are cached under; middleware.py serves
and stores pages; csrf.py keeps each visitor's CSRF token out of the cached copy.
"""
