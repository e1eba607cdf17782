from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from publicity.models import (
    Activity,
    BoardUpdate,
    BoxCollection,
    BrochureDrop,
    Campaign,
    CollectionBox,
    TrainingSession,
)

DATE = forms.DateInput(attrs={"type": "date"})
PHOTO = forms.ClearableFileInput(attrs={"accept": "image/*", "capture": "environment"})


class BoardUpdateForm(forms.ModelForm):
    photo = forms.ImageField(label=_("Photo"), widget=PHOTO)

    class Meta:
        model = BoardUpdate
        fields = ["kind", "date", "summary"]
        widgets = {"date": DATE}


class ActivityForm(forms.ModelForm):
    photo = forms.ImageField(label=_("Photo"), widget=PHOTO, required=False)

    class Meta:
        model = Activity
        fields = ["campaign", "title", "date", "place", "attendance", "summary"]
        widgets = {"date": DATE, "summary": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, campaigns=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["campaign"].queryset = campaigns if campaigns is not None else Campaign.objects.none()


class BrochureDropForm(forms.ModelForm):
    class Meta:
        model = BrochureDrop
        fields = ["date", "households", "copies", "area"]
        widgets = {"date": DATE}


class TrainingSessionForm(forms.ModelForm):
    class Meta:
        model = TrainingSession
        fields = ["kind", "date", "topic", "attendance"]
        widgets = {"date": DATE}


class CollectionBoxForm(forms.ModelForm):
    class Meta:
        model = CollectionBox
        fields = ["location", "pharmacy", "installed_on"]
        widgets = {"installed_on": DATE}

    def __init__(self, *args, pharmacies=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["pharmacy"].queryset = pharmacies


class BoxCollectionForm(forms.ModelForm):
    class Meta:
        model = BoxCollection
        fields = ["box", "date", "items", "weight_kg"]
        widgets = {"date": DATE}

    def __init__(self, *args, boxes=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["box"].queryset = boxes


class CampaignForm(forms.ModelForm):
    class Meta:
        model = Campaign
        fields = ["name", "starts_on", "ends_on"]
        widgets = {"starts_on": DATE, "ends_on": DATE}

    def clean(self):
        data = super().clean()
        if data.get("starts_on") and data.get("ends_on") and data["ends_on"] < data["starts_on"]:
            self.add_error("ends_on", _("A campaign cannot end before it starts."))
        return data


def initial_today() -> dict:
    return {"date": timezone.localdate(), "installed_on": timezone.localdate()}
