"""Pages and API answers are gzipped for a browser that accepts it (GZipMiddleware): ward networks are slow."""

import gzip

import pytest


@pytest.mark.parametrize("path", ["/", "/references/"])
def test_pages_are_gzipped_when_the_browser_accepts_it(client, path):
    plain = client.get(path)
    packed = client.get(path, HTTP_ACCEPT_ENCODING="gzip")
    assert packed["Content-Encoding"] == "gzip"
    assert gzip.decompress(packed.content).decode().count("<form") == plain.content.decode().count("<form")
    assert len(packed.content) < len(plain.content) / 3
    assert "Accept-Encoding" in packed["Vary"]
