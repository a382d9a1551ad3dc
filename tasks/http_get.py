"""One polite, capped GET — for ``jtai-watch parse URL`` (the ingest has its own fetcher).

Streams the body and stops at the size cap instead of buffering an arbitrary download;
follows at most five redirects, and only to http(s).
"""

from __future__ import annotations

import httpx

USER_AGENT = "jtai-watch/0.1 (+https://github.com/jtai-watch/jtai-watch)"


class FetchError(Exception):
    """A document could not be downloaded; ``code`` names the failure for summaries."""

    def __init__(self, message: str, code: str = "fetch_error") -> None:
        super().__init__(message)
        self.code = code


def fetch_once(url: str, *, max_bytes: int, timeout_s: float = 30.0) -> bytes:
    try:
        with httpx.Client(
            follow_redirects=True, max_redirects=5, timeout=timeout_s, headers={"User-Agent": USER_AGENT}
        ) as client:
            with client.stream("GET", url) as resp:
                if resp.url.scheme not in ("http", "https"):
                    raise FetchError(f"redirected to a non-http URL: {resp.url}", "bad_redirect")
                if resp.status_code >= 400:
                    raise FetchError(f"HTTP {resp.status_code} for {url}", f"http_{resp.status_code}")
                chunks: list[bytes] = []
                total = 0
                for chunk in resp.iter_bytes():
                    total += len(chunk)
                    if total > max_bytes:
                        raise FetchError(
                            f"document larger than the {max_bytes / 1048576:.0f} MB limit", "too_large"
                        )
                    chunks.append(chunk)
                return b"".join(chunks)
    except httpx.TooManyRedirects as exc:
        raise FetchError(f"too many redirects for {url}", "too_many_redirects") from exc
    except httpx.TimeoutException as exc:
        raise FetchError(f"timed out fetching {url}", "timeout") from exc
    except httpx.HTTPError as exc:
        raise FetchError(f"could not fetch {url}: {type(exc).__name__}: {exc}", "network") from exc
