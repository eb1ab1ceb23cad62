"""Security wiring: the Content-Security-Policy for each part of the site (django-csp writes the header),
the username django-axes records a failed sign-in under, and the 400 for text that is not UTF-8.

Public pages get `CONTENT_SECURITY_POLICY` from settings: no inline script or style, nothing
from another origin (but images from the media bucket, with MEDIA_STORAGE_URL). The admin gets
`ADMIN_DIRECTIVES`: django-prose-editor loads its modules through an inline `<script type="importmap">`,
which is allowed by a fresh nonce per request (and nothing else inline is), and the admin's widgets set
inline styles.
"""

from urllib.parse import parse_qsl, unquote_to_bytes, urlencode

from csp.constants import NONCE, NONE, SELF, UNSAFE_INLINE
from csp.middleware import CSPMiddleware
from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.core.handlers.wsgi import WSGIRequest, get_bytes_from_wsgi
from django.http import JsonResponse, QueryDict, UnreadablePostError
from django.shortcuts import render
from django.urls import reverse
from django.utils.deprecation import MiddlewareMixin
from js_asset import Media

ADMIN_DIRECTIVES = {
    "default-src": [SELF],
    "script-src": [SELF, NONCE],
    "style-src": [SELF, UNSAFE_INLINE],
    # The lead image's thumbnail, from the media bucket with MEDIA_STORAGE_URL.
    "img-src": [SELF, "data:", *([settings.MEDIA_URL] if getattr(settings, "MEDIA_STORAGE_URL", "") else [])],
    "font-src": [SELF],
    "connect-src": [SELF],
    "object-src": [NONE],
    "base-uri": [NONE],
    "form-action": [SELF],
    "frame-ancestors": [NONE],
}


def is_admin(request):
    return request.path_info.startswith(reverse("admin:index"))


class ContentSecurityPolicyMiddleware(CSPMiddleware):
    def process_template_response(self, request, response):
        # The admin renders form media with `{{ media }}`; js_asset's Media puts the nonce on
        # every tag it renders, the import map included.
        context = response.context_data
        if is_admin(request) and context and context.get("media") is not None:
            context["media"] = Media.from_media(context["media"], nonce=request.csp_nonce)
        return response

    def get_policy_parts(self, request, response, report_only=False):
        parts = super().get_policy_parts(request, response, report_only=report_only)
        if not report_only and parts.config is None and is_admin(request):
            parts.config = ADMIN_DIRECTIVES
        return parts


def sign_in_username(request, credentials=None):
    """What was typed as the username, cut to the longest a username can be (150), for django-axes:
    its record of an attempt holds 255 characters, and a longer name was a 500 on PostgreSQL."""
    username = credentials.get("username") if credentials else request.POST.get("username")
    return username[:150] if isinstance(username, str) else username


# --- text that is not UTF-8 -----------------------------------------------------------------------

UNREADABLE_API_DETAIL = "The request could not be read: some of its text is not valid UTF-8."
REPLACEMENT_CHARACTER = "\ufffd"


def _fields(raw):
    """The (name, value) pairs of a query string or form body, each as the bytes that were sent.

    Split and percent-decoded as Django splits them (parse_qsl, `+` as a space), but through latin-1,
    which maps every byte to one character and back: nothing is decoded as text yet.
    """
    pairs = parse_qsl(
        raw.decode("latin-1"),
        keep_blank_values=True,
        encoding="latin-1",
        max_num_fields=settings.DATA_UPLOAD_MAX_NUMBER_FIELDS,
    )
    return [(name.encode("latin-1"), value.encode("latin-1")) for name, value in pairs]


def _read_strictly(raw):
    """(a QueryDict of the fields, U+FFFD where they are not UTF-8; the names of those fields).

    (None, set()) when every field is UTF-8 (Django's own parse is then exact), and when there are more
    fields than DATA_UPLOAD_MAX_NUMBER_FIELDS (Django refuses those itself, 413).
    """
    if raw.isascii() and b"%" not in raw:
        return None, set()
    try:
        # Every field is UTF-8 exactly when the whole is: the separators are ASCII, never part of a character.
        unquote_to_bytes(raw).decode("utf-8")
        return None, set()
    except UnicodeDecodeError:
        pass
    try:
        fields = _fields(raw)
    except ValueError:  # too many fields
        return None, set()
    decoded, unreadable = [], set()
    for name, value in fields:
        try:
            decoded.append((name.decode("utf-8"), value.decode("utf-8")))
        except UnicodeDecodeError:
            # U+FFFD where the bytes could not be read, as Django does (a form shows the rest of the text).
            decoded.append((name.decode("utf-8", "replace"), value.decode("utf-8", "replace")))
            unreadable.add(decoded[-1][0])
    return QueryDict(urlencode(decoded), encoding="utf-8"), unreadable


def _raw_query_string(request):
    # Under WSGI the server hands the bytes over as latin-1 text; under ASGI Django decoded them as UTF-8.
    if isinstance(request, WSGIRequest):
        return get_bytes_from_wsgi(request.META, "QUERY_STRING", "")
    return request.META.get("QUERY_STRING", "").encode("utf-8")


class UnreadableTextMiddleware(MiddlewareMixin):
    """Refuse text that is not UTF-8 with a 400 that says so, before any view (or CSRF) reads it.

    Django decodes such bytes in a query string or form with U+FFFD in their place (or a whole form
    body as latin-1), and would store what it guessed. This checks the bytes as sent: the query
    string, a urlencoded body, and the text fields of a multipart body (read through Django's parser,
    which leaves U+FFFD for bytes it could not decode; files are not text and are never checked).

    A view with the attribute `shows_unreadable_text_on_form = True` (set by
    comments.forms.shows_unreadable_text_on_form) answers itself, its form showing the error next to
    each field: it gets `request.unreadable_fields` (the names) and request.GET / request.POST with
    U+FFFD in place of what could not be read, the other fields exactly as sent. Any other view
    never runs: the API answers 400 with a JSON `detail`, the rest of the site with 400_unreadable.html.
    """

    def process_view(self, request, view_func, view_args, view_kwargs):
        get, unreadable = _read_strictly(_raw_query_string(request))
        post = None
        if request.method == "POST":
            if request.content_type == "application/x-www-form-urlencoded":
                try:
                    body = request.body
                except (RequestDataTooBig, UnreadablePostError):
                    body = b""  # Django answers as ever when the view or CSRF reads the form (413, or an empty form)
                if (request.encoding or "utf-8").lower() == "utf-8":  # else Django refuses the form itself (400)
                    post, unreadable_in_body = _read_strictly(body)
                    unreadable |= unreadable_in_body
            elif request.content_type == "multipart/form-data":
                # Malformed and oversized forms raise here as they would in CSRF's check (a 4xx page).
                try:
                    fields = request.POST.lists()
                except UnreadablePostError:
                    fields = []
                unreadable |= {
                    name
                    for name, values in fields
                    if REPLACEMENT_CHARACTER in name or any(REPLACEMENT_CHARACTER in value for value in values)
                }
        if not unreadable:
            return None
        if getattr(view_func, "shows_unreadable_text_on_form", False):
            request.unreadable_fields = unreadable
            if get is not None:
                request.GET = get
            if post is not None:
                request.FILES  # noqa: B018 -- parsed first (none in a urlencoded form), so POST is not parsed again
                request.POST = post
            return None
        if request.path_info.startswith(reverse("api:api-root")):
            return JsonResponse({"detail": UNREADABLE_API_DETAIL}, status=400)
        return render(request, "400_unreadable.html", status=400)
