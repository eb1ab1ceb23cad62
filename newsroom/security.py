"""Security wiring: the Content-Security-Policy for each part of the site (django-csp writes the header),
and the username django-axes records a failed sign-in under.

Public pages get `CONTENT_SECURITY_POLICY` from settings: no inline script or style, nothing
from another origin. The admin gets `ADMIN_DIRECTIVES`: django-prose-editor loads its modules
through an inline `<script type="importmap">`, which is allowed by a fresh nonce per request
(and nothing else inline is), and the admin's widgets set inline styles.
"""

from csp.constants import NONCE, NONE, SELF, UNSAFE_INLINE
from csp.middleware import CSPMiddleware
from django.urls import reverse
from js_asset import Media

ADMIN_DIRECTIVES = {
    "default-src": [SELF],
    "script-src": [SELF, NONCE],
    "style-src": [SELF, UNSAFE_INLINE],
    "img-src": [SELF, "data:"],
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
