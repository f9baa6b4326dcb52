"""POST a JSON body to an adapter outside the platform (a WeChat template-message adapter, a 政务微信
work-notice adapter): the one way the notice backends talk HTTP. The URL must be http(s); a refusal or an
unreachable adapter raises WebhookError with a short reason (never the body: it may carry personal data)."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from typing import Any


class WebhookError(Exception):
    """The adapter did not take the message."""


def webhook_post_json(*, url: str, payload: dict[str, Any], timeout: float = 5.0) -> None:
    if not url.startswith(("http://", "https://")):
        raise WebhookError("the webhook URL is not an http(s) URL")
    body = json.dumps(payload, ensure_ascii=False).encode()
    request = urllib.request.Request(  # noqa: S310 - scheme checked above
        url, data=body, method="POST", headers={"Content-Type": "application/json"}
    )
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310
            if not 200 <= response.status < 300:
                raise WebhookError(f"webhook answered {response.status}")
    except urllib.error.HTTPError as error:
        raise WebhookError(f"webhook answered {error.code}") from error
    except (urllib.error.URLError, TimeoutError, OSError) as error:
        raise WebhookError(f"webhook unreachable: {type(error).__name__}") from error
