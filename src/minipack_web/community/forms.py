"""The comment form: what a POST may set, and the signed timestamp that proves the form came from our page.

Only these fields are read from a POST (RELIABILITY A.10): name, email,
body, the target and parent, the signed ``issued`` token and the honeypot.
Status, dates, addresses and every other column are set by the server.
"""

from __future__ import annotations

import time
from typing import Any

from django import forms
from django.conf import settings
from django.core import signing

from minipack.comment_text import BODY_MAX_CHARS, NAME_MAX_CHARS, normalise_body, text_problem
from minipack.moderation import form_age_problem
from minipack_web.community.selectors import Target, TargetPage, target_page

# A field no person sees (hidden by CSS, skipped by keyboards and screen readers) but form-filling scripts do:
# filled in, the post gets a thank-you page and nothing is stored.
HONEYPOT = "website"
TOKEN_SALT = "minipack.community.comment-form"
TAMPERED = "This form could not be checked (it may have been altered). Your text is kept below: send it again."


def form_token(target: Target, *, now: float | None = None) -> str:
    """A signed note of when a comment form for ``target`` was made."""
    return signing.dumps({"t": round(time.time() if now is None else now, 3), "k": target.value}, salt=TOKEN_SALT)


def token_problem(token: str, target: Target, *, now: float | None = None) -> str | None:
    """Why a form with this ``issued`` token is refused for ``target``, in words; ``None`` when it may be posted."""
    try:
        data = signing.loads(token, salt=TOKEN_SALT)
    except signing.BadSignature:
        return TAMPERED
    if not isinstance(data, dict) or data.get("k") != target.value or not isinstance(data.get("t"), int | float):
        return TAMPERED
    age = (time.time() if now is None else now) - data["t"]
    return form_age_problem(
        age,
        minimum_s=settings.MINIPACK_COMMENT_FORM_MIN_SECONDS,
        maximum_s=settings.MINIPACK_COMMENT_FORM_MAX_SECONDS,
    )


class PlainTextField(forms.CharField):
    """Text that is only ever text: no control characters; a body is stored in ``normalise_body``'s form."""

    def __init__(self, *, multiline: bool, **kwargs: Any) -> None:
        self.multiline = multiline
        super().__init__(**kwargs)

    def to_python(self, value: Any) -> str:
        text = super().to_python(value)
        # Before the length check, so a browser's \r\n line ends count once, as the textarea counted them.
        return normalise_body(text) if self.multiline else text

    def validate(self, value: Any) -> None:
        super().validate(value)
        problem = text_problem(value, multiline=self.multiline)
        if problem:
            raise forms.ValidationError(f"This {problem}.", code="text")


class CommentForm(forms.Form):
    name = PlainTextField(
        multiline=False, max_length=NAME_MAX_CHARS, label="Name", help_text="Shown with your comment."
    )
    email = forms.EmailField(
        max_length=254,
        label="Email",
        help_text="Never shown. Once an editor approves one of your comments, the next appear at once.",
    )
    body = PlainTextField(
        multiline=True,
        max_length=BODY_MAX_CHARS,
        label="Comment",
        help_text=f"Plain text, up to {BODY_MAX_CHARS} characters; web addresses become links.",
    )
    # Hidden fields: a person never sees their errors unless the page was altered, so each says so in words.
    target = forms.CharField(
        max_length=120,
        widget=forms.HiddenInput,
        error_messages={"required": "There is no bag or guide here to comment on."},
    )
    parent = forms.IntegerField(
        required=False,
        widget=forms.HiddenInput,
        min_value=1,
        max_value=2**63 - 1,
        error_messages=dict.fromkeys(("invalid", "min_value", "max_value"), "The comment you reply to is not known."),
    )
    issued = forms.CharField(
        max_length=500, widget=forms.HiddenInput, error_messages={"required": TAMPERED, "max_length": TAMPERED}
    )

    def __init__(self, *args: Any, now: float | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.now = now
        self.page: TargetPage | None = None

    def clean_target(self) -> str:
        target = Target.parse(self.cleaned_data["target"])
        self.page = target_page(target) if target else None
        if self.page is None:
            raise forms.ValidationError("There is no bag or guide here to comment on.", code="target")
        return self.cleaned_data["target"]

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if self.page is not None and "issued" in data:
            problem = token_problem(data["issued"], self.page.target, now=self.now)
            if problem:
                raise forms.ValidationError(problem, code="issued")
        return data
