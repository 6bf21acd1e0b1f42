"""JSON-LD for a page: schema.org data serialised so that catalog text can never end its <script> element."""

from __future__ import annotations

import json

from django.utils.safestring import SafeString, mark_safe


def script_json(data: object) -> SafeString:
    """JSON safe inside any <script> element: <, > and & escaped as json_script does (it cannot set the type).

    Marking it safe is sound because no text survives as markup: every '<' becomes \\u003C, so a bag
    named '</script>…' cannot end the element, and JSON.parse reads the escapes back as the same text.
    """
    return mark_safe(json.dumps(data, ensure_ascii=False).translate(_JSON_SCRIPT_ESCAPES))  # noqa: S308


_JSON_SCRIPT_ESCAPES = {ord(">"): "\\u003E", ord("<"): "\\u003C", ord("&"): "\\u0026"}
