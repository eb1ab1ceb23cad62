"""Browsers ask every site for /favicon.ico, on public pages and in the admin: it is there (root_files/, served by
WhiteNoise), so no page costs a 404 and a logged "Not Found"."""

import io

from PIL import Image


def test_the_favicon_is_served_at_the_root(client):
    response = client.get("/favicon.ico")
    assert response.status_code == 200
    assert response["Content-Type"] in ("image/x-icon", "image/vnd.microsoft.icon")
    icon = Image.open(io.BytesIO(b"".join(response.streaming_content)))
    assert icon.format == "ICO"
    assert (32, 32) in icon.info["sizes"]
