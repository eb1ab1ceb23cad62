"""A real HTTP server on 127.0.0.1, in a thread, for the import tests: feeds, images, ETag/304,
and servers that misbehave (never answer, trickle bytes, lie about sizes). Used through the
`feed_server` fixture in tests/conftest.py."""

import contextlib
import io
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from PIL import Image

FEEDS = Path(__file__).parent / "feeds"
# Feed files point their images here (the discard port: nothing answers); the server swaps in its own address.
IMAGE_HOST_PLACEHOLDER = b"http://127.0.0.1:9"


@dataclass
class Route:
    body: bytes = b""
    content_type: str = "application/rss+xml; charset=utf-8"
    status: int = 200
    etag: str = ""
    last_modified: str = ""
    hang: bool = False  # read the request, never answer
    drip: float = 0  # send the body a byte at a time, this many seconds apart
    send_length: bool = True  # False: no Content-Length, the body ends when the connection closes
    barrier: threading.Barrier | None = None  # hold the answer until this many requests are waiting
    headers: dict = field(default_factory=dict)


def image_bytes(size=(64, 48), fmt="PNG"):
    buffer = io.BytesIO()
    Image.new("RGB", size, (30, 90, 160)).save(buffer, fmt)
    return buffer.getvalue()


class _Handler(BaseHTTPRequestHandler):
    def log_message(self, format, *args):  # keep the test output clean
        pass

    def do_GET(self):
        server = self.server.feed_server
        server.requests.append((self.path, dict(self.headers)))
        route = server.routes.get(self.path)
        if route is None:
            self.send_error(404)
            return
        if route.barrier is not None:
            with contextlib.suppress(threading.BrokenBarrierError):  # the other request never came: answer anyway
                route.barrier.wait()
        if route.hang:
            server.stopping.wait()
            return
        if (route.etag and self.headers.get("If-None-Match") == route.etag) or (
            route.last_modified and self.headers.get("If-Modified-Since") == route.last_modified
        ):
            self.send_response(304)
            self.end_headers()
            return
        self.send_response(route.status)
        self.send_header("Content-Type", route.content_type)
        if route.send_length:
            self.send_header("Content-Length", str(len(route.body)))
        if route.etag:
            self.send_header("ETag", route.etag)
        if route.last_modified:
            self.send_header("Last-Modified", route.last_modified)
        for name, value in route.headers.items():
            self.send_header(name, value)
        self.end_headers()
        try:
            if route.drip:
                for offset in range(len(route.body)):
                    self.wfile.write(route.body[offset : offset + 1])
                    self.wfile.flush()
                    if server.stopping.wait(route.drip):
                        return
            else:
                self.wfile.write(route.body)
        except (BrokenPipeError, ConnectionResetError):  # the client gave up, as it should
            pass


class FeedServer:
    def __init__(self):
        self.routes = {}
        self.requests = []
        self.stopping = threading.Event()
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
        self.httpd.daemon_threads = True
        self.httpd.block_on_close = False
        self.httpd.feed_server = self
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.stopping.set()
        self.httpd.shutdown()
        self.httpd.server_close()

    @property
    def base(self):
        return f"http://127.0.0.1:{self.httpd.server_address[1]}"

    def url(self, path):
        return self.base + path

    def serve(self, path, body=b"", **options):
        """Answer GET `path` with `body` (Route's options); returns the full URL."""
        self.routes[path] = Route(body=body, **options)
        return self.url(path)

    def feed_body(self, filename):
        """A file of tests/syndication/feeds/, its image links pointed at this server."""
        return (FEEDS / filename).read_bytes().replace(IMAGE_HOST_PLACEHOLDER, self.base.encode())

    def serve_feed(self, path, filename, **options):
        return self.serve(path, self.feed_body(filename), **options)

    def serve_image(self, path, size=(64, 48), fmt="PNG", **options):
        return self.serve(path, image_bytes(size, fmt), content_type=f"image/{fmt.lower()}", **options)

    def hits(self, path):
        return sum(1 for requested, _ in self.requests if requested == path)
