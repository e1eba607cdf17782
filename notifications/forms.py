"""A person's choice of channels, and a unit's group robot as its office sets it."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from notifications.webhooks import WEBHOOK_MAX_LENGTH
from orgs.models import mobile_validator

CHANNEL_LABELS = {
    "email": _("E-mail"),
    "sms": _("SMS to my mobile"),
    "wecom": _("My unit's WeCom group"),
    "dingtalk": _("My unit's DingTalk group"),
}


def channel_choices() -> list[tuple[str, str]]:
    """The outside channels switched on in settings, to choose from."""
    return [(name, CHANNEL_LABELS[name]) for name in settings.NOTIFICATION_CHANNELS if name in CHANNEL_LABELS]


class NoticePreferencesForm(forms.Form):
    channels = forms.MultipleChoiceField(
        label=_("Notify me by"),
        choices=channel_choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text=_(
            "Every notice is in the notification centre too. Urgent notices (incident alarms, "
            "an overdue report) go to every channel you can be reached on, whatever you choose."
        ),
    )
    mobile = forms.CharField(
        label=_("Mobile for SMS"), max_length=11, required=False, validators=[mobile_validator]
    )


class GroupRobotForm(forms.Form):
    """The webhook and secret are never filled in with the saved ones: blank keeps them."""

    webhook_url = forms.CharField(
        label=_("Webhook address"),
        max_length=WEBHOOK_MAX_LENGTH,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
        help_text=_("Copy it from the robot's settings in the group. Leave blank to keep the saved one."),
    )
    secret = forms.CharField(
        label=_("Signing secret"),
        max_length=200,
        required=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=_(
            "The secret of the DingTalk robot's signing security setting. Leave blank to keep the saved one."
        ),
    )
    clear_secret = forms.BooleanField(label=_("Remove the signing secret"), required=False)
    enabled = forms.BooleanField(label=_("Post notices to the group"), required=False, initial=True)

    def __init__(self, *args, kind: str, **kwargs) -> None:
        super().__init__(*args, prefix=kind, **kwargs)
        if kind != "dingtalk":
            del self.fields["secret"], self.fields["clear_secret"]
