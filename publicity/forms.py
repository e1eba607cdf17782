from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from orgs.models import OrgUnit, User
from publicity.models import (
    OUTSIDERS_MAX,
    TRAINING_TARGET_MAX,
    Activity,
    BoardUpdate,
    BoxCollection,
    BrochureDrop,
    Campaign,
    CollectionBox,
    TrainingAudience,
    TrainingMeasure,
    TrainingOutsider,
    TrainingSession,
    validate_training_hours,
)

NAME_MAX = TrainingOutsider._meta.get_field("name").max_length
WORKPLACE_MAX = TrainingOutsider._meta.get_field("workplace").max_length

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
    """A session with its hours and named attendees; a district officer also names the community."""

    community = forms.ModelChoiceField(label=_("Held in community"), queryset=OrgUnit.objects.none())
    hours = forms.DecimalField(
        label=_("Hours"),
        validators=[validate_training_hours],
        widget=forms.NumberInput(attrs={"step": "0.5", "min": "0.5", "max": "24"}),
    )
    attendees = forms.ModelMultipleChoiceField(
        label=_("Attendees (people of the system)"),
        queryset=User.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    outsiders = forms.CharField(
        label=_("Other named attendees"),
        required=False,
        max_length=OUTSIDERS_MAX * 160,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("One per line: name, workplace."),
    )

    class Meta:
        model = TrainingSession
        fields = ["kind", "audience", "date", "topic", "hours", "attendance"]
        widgets = {"date": DATE}

    def __init__(self, *args, communities=None, people=None, own_community=True, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["audience"].initial = None
        self.fields["audience"].choices = [("", "---------"), *TrainingAudience.choices]
        self.fields["attendees"].queryset = people if people is not None else User.objects.none()
        if own_community:
            del self.fields["community"]
        else:
            self.fields["community"].queryset = (
                communities if communities is not None else OrgUnit.objects.none()
            )

    def clean_outsiders(self) -> list[tuple[str, str]]:
        rows = []
        for number, line in enumerate(self.cleaned_data.get("outsiders", "").splitlines(), start=1):
            line = line.strip()
            if not line:
                continue
            name, _sep, workplace = line.replace("，", ",").replace("\t", ",").partition(",")
            name, workplace = name.strip(), workplace.strip()
            if not name or len(name) > NAME_MAX or len(workplace) > WORKPLACE_MAX:
                raise forms.ValidationError(
                    _("Line %(line)d: a name (at most %(name)d), a comma, a workplace (at most %(place)d).")
                    % {"line": number, "name": NAME_MAX, "place": WORKPLACE_MAX}
                )
            rows.append((name, workplace))
        if len(rows) > OUTSIDERS_MAX:
            raise forms.ValidationError(_("Name at most %(max)d outside attendees.") % {"max": OUTSIDERS_MAX})
        return rows


class TrainingTargetForm(forms.Form):
    measure = forms.ChoiceField(label=_("Measure"), choices=TrainingMeasure.choices)
    audience = forms.ChoiceField(
        label=_("Audience"), choices=[("", "---------"), *TrainingAudience.choices], required=False
    )
    target = forms.IntegerField(label=_("Target"), min_value=1, max_value=TRAINING_TARGET_MAX)


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
