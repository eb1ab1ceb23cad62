# Varnish in front of the newsroom's app servers (Debian: apt-get install varnish varnish-modules).
#
# Anonymous readers' public pages are the same bytes for everyone (pagecache/middleware.py), so Varnish keeps
# them for the s-maxage the app gives (EDGE_MAX_AGE, or until the next scheduled change) and forgets them when
# the app says what changed: a PURGE with the keys in `xkey-purge` (pagecache/edge.py, EDGE_PURGE=varnish), from
# an address in `purgers`. Readers with a cookie of their own, the admin and every POST go to the app.
#
# Set the app server below (scripts/varnish writes a copy with its own backend for tests and the benchmark).
vcl 4.1;

import cookie;
import std;
import xkey;

backend app {
    .host = "127.0.0.1";
    .port = "8000";
    .probe = {
        .url = "/healthz";
        .interval = 5s;
        .timeout = 2s;
        .window = 5;
        .threshold = 3;
        .initial = 3;
    }
}

# Who may purge: the app servers.
acl purgers {
    "127.0.0.1";
    "::1";
}

sub vcl_recv {
    if (req.method == "PURGE") {
        if (client.ip !~ purgers) {
            return (synth(403, "Not allowed to purge."));
        }
        if (!req.http.xkey-purge) {
            return (synth(400, "Name the keys to purge in the xkey-purge header."));
        }
        set req.http.x-purged = xkey.purge(req.http.xkey-purge);
        return (synth(200, "Purged " + req.http.x-purged + " objects."));
    }
    if (req.url ~ "^/(healthz|readyz)(\?.*)?$") { return (pass); }  # the app's health, never from the cache
    if ((req.method != "GET" && req.method != "HEAD") || req.http.Authorization || req.url ~ "^/admin(/|$)") {
        return (pass);
    }
    # The cookies that make a page a reader's own (pagecache.middleware.personal): an account, a message
    # waiting, a commenter's remembered details or comments still editable. Any other cookie (csrftoken,
    # analytics) changes nothing on a public page, so it is dropped and the page is shared.
    if (req.http.Cookie) {
        cookie.parse(req.http.Cookie);
        cookie.keep("sessionid,messages,comment_author,own_comments");
        set req.http.Cookie = cookie.get_string();
        if (req.http.Cookie != "") {
            return (pass);
        }
        unset req.http.Cookie;
    }
    # A page past its s-maxage is fetched afresh while the app answers (a scheduled story appears on time);
    # only when the app is down do readers get the last copy (beresp.grace below).
    if (std.healthy(req.backend_hint)) {
        set req.grace = 0s;
    }
    return (hash);
}

sub vcl_backend_response {
    if (beresp.http.Surrogate-Key) {
        set beresp.http.xkey = beresp.http.Surrogate-Key;
    }
    set beresp.grace = 6h;
}

sub vcl_deliver {
    unset resp.http.xkey;
}
