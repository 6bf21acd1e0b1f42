"""The signup form: an address, the version of the consent text the reader saw, and which form they used."""

from __future__ import annotations

from django import forms

from minipack.errors import ParseError
from minipack.newsletter import consent_by_version, normalise_email

# Where a signup can come from; the consent record keeps it.
FORM_IDS = ("footer", "page")


class SignupForm(forms.Form):
    # Longer than any address may be, so an over-long one is refused by normalise_email with its reason.
    email = forms.CharField(label="Your email address", max_length=400)
    consent_version = forms.CharField(max_length=16, widget=forms.HiddenInput)
    form_id = forms.ChoiceField(choices=[(f, f) for f in FORM_IDS], widget=forms.HiddenInput)

    def clean_email(self) -> str:
        try:
            return normalise_email(self.cleaned_data["email"])
        except ParseError as exc:
            raise forms.ValidationError(f"This is not an address we can send to: {exc.reason}.") from None

    def clean_consent_version(self) -> str:
        version: str = self.cleaned_data["consent_version"]
        if consent_by_version(version) is None:
            raise forms.ValidationError("This form is out of date; reload the page and try again.")
        return version
