from __future__ import annotations

import datetime as dt

from django import forms
from django.utils import timezone
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from config import bounds
from orgs.models import OrgUnit
from patrols import governance
from patrols.models import (
    CAMPAIGN_ITEMS_MAX,
    CAMPAIGN_NAME_MAX_LENGTH,
    DEPARTMENTS_MAX_LENGTH,
    TARGET_MAX,
    Establishment,
    PatrolKind,
    RectificationPolicy,
    SpecialCampaign,
)

# How many days back a phone may send the start of a record it began without signal.
OFFLINE_START_DAYS = 1


class DateInput(forms.DateInput):
    input_type = "date"


class EstablishmentForm(forms.ModelForm):
    """The register's fields; those the user may not set (patrols.governance) are shown, not editable."""

    change_reason = forms.CharField(
        label=_("Reason for the change"),
        max_length=governance.CHANGE_REASON_MAX_LENGTH,
        required=False,
        help_text=_("Needed when the risk class, a list, the grade or the model-unit status changes."),
    )

    class Meta:
        model = Establishment
        fields = [
            "name",
            "address",
            "community",
            "grid",
            "category",
            "status",
            "licence_no",
            "legal_representative",
            "phone",
            "risk_class",
            "tightened_interval_months",
            "watch_list",
            "food_grade",
            "food_graded_on",
            "model_status",
            "registered_on",
            "last_visited_on",
            "latitude",
            "longitude",
        ]
        widgets = {
            "food_graded_on": DateInput,
            "registered_on": DateInput,
            "last_visited_on": DateInput,
            "phone": forms.TextInput(attrs={"inputmode": "tel"}),
        }

    def __init__(self, *args, user, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        visible = OrgUnit.objects.visible_to(user)
        communities = visible.communities()
        self.fields["community"].queryset = communities
        self.fields["grid"].queryset = visible.filter(parent__in=communities, kind="grid")
        if user.tier == "community" and not self.instance.pk:
            self.fields["community"].initial = user.org_unit_id
        for name in governance.closed_fields(user):
            field = self.fields[name]
            field.disabled = True  # the posted value is ignored; the register's stays
            field.help_text = governance.REFUSED[governance.setter_of(name)]
        if not governance.decides_for_district(user):
            del self.fields["change_reason"]


class ImportForm(forms.Form):
    file = forms.FileField(
        label=_("Excel workbook (.xlsx)"),
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx"}),
    )
    # 10 MB is several thousand rows; anything larger is a mistake.
    MAX_BYTES = 10 * 1024 * 1024

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > self.MAX_BYTES:
            raise forms.ValidationError(_("The file is larger than 10 MB."))
        return upload


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultiplePhotoField(forms.FileField):
    """Several photos from one input; each is checked by the photo service."""

    def __init__(self, *args, **kwargs) -> None:
        kwargs.setdefault(
            "widget",
            MultipleFileInput(attrs={"accept": "image/*", "capture": "environment", "multiple": True}),
        )
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        if isinstance(data, list | tuple):
            return [super(MultiplePhotoField, self).clean(item, initial) for item in data if item]
        return [super().clean(data, initial)] if data else []


class PatrolStartForm(forms.Form):
    team = forms.ModelMultipleChoiceField(
        label=_("Team"), queryset=None, widget=forms.CheckboxSelectMultiple, required=False
    )
    notes = forms.CharField(label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    # Made when the page is, so that a start sent from the phone later is stored once, on its day.
    client_id = forms.UUIDField(required=False, widget=forms.HiddenInput)
    date = forms.DateField(required=False, widget=forms.HiddenInput)
    # The kind is the page's (the start page of a night check, ...), sent with the form so that a
    # start kept on the phone is stored as the kind it was.
    kind = forms.ChoiceField(
        label=_("Kind"),
        choices=PatrolKind.choices,
        initial=PatrolKind.DAILY,
        required=False,
        widget=forms.HiddenInput,
    )
    campaign = forms.ModelChoiceField(label=_("Special campaign"), queryset=None, required=False)
    joint_departments = forms.CharField(
        label=_("Departments taking part"),
        max_length=DEPARTMENTS_MAX_LENGTH,
        required=False,
        help_text=_("For a joint check, e.g. market regulation, health, urban management, police."),
    )

    def __init__(self, *args, user, kind: str = PatrolKind.DAILY, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        from orgs.models import User

        self.fields["team"].queryset = User.objects.inspectors().filter(org_unit_id=user.org_unit_id)
        self.fields["team"].label_from_instance = lambda u: f"{u}（{u.certificate_no}）"
        self.initial.setdefault("team", [user.pk])
        self.initial.setdefault("kind", kind)
        # The district's campaigns running today or the day before (a start sent late); the
        # service checks the record's own day.
        today = timezone.localdate()
        self.fields["campaign"].queryset = (
            SpecialCampaign.objects.visible_to(user)
            .filter(starts_on__lte=today, ends_on__gte=today - dt.timedelta(days=OFFLINE_START_DAYS))
            .order_by("-starts_on", "name")
        )
        if kind != PatrolKind.CAMPAIGN:
            del self.fields["campaign"]
        if kind != PatrolKind.JOINT:
            del self.fields["joint_departments"]

    def clean_kind(self) -> str:
        return self.cleaned_data["kind"] or PatrolKind.DAILY

    def clean_date(self) -> dt.date:
        """The day the start page was opened on: today, or the day before for a start sent late."""
        today = timezone.localdate()
        date = self.cleaned_data["date"] or today
        if not today - dt.timedelta(days=OFFLINE_START_DAYS) <= date <= today:
            raise forms.ValidationError(
                _("This start page is from an earlier day; open today's patrol again.")
            )
        return date


CHECK_CHOICES = [("ok", _("Yes")), ("fail", _("No"))]
YES_NO = [("yes", _("Rectified")), ("no", _("Not rectified"))]


class VisitForm(forms.Form):
    """A visit as the inspector fills it in on the phone: checklist, result, finding, photos."""

    client_id = forms.UUIDField(widget=forms.HiddenInput)
    result = forms.ChoiceField(label=_("Result"), choices=[], widget=forms.RadioSelect)
    findings = forms.CharField(label=_("Findings"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    action_taken = forms.CharField(
        label=_("Action on the spot"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    # Pills rather than drop-downs: one tap each on a phone.
    finding_kind = forms.ChoiceField(
        label=_("Problem to follow up"), required=False, choices=[], widget=forms.RadioSelect
    )
    finding_category = forms.ChoiceField(
        label=_("Kind of problem"), required=False, choices=[], widget=forms.RadioSelect
    )
    severity = forms.TypedChoiceField(
        label=_("Severity"), required=False, choices=[], coerce=int, empty_value=1, widget=forms.RadioSelect
    )
    rectification_deadline = forms.DateField(label=_("Rectify by"), required=False, widget=DateInput)
    follow_up_of = forms.ModelChoiceField(
        label=_("Follow-up of"),
        queryset=None,
        required=False,
        widget=forms.RadioSelect,
        empty_label=_("Not a follow-up"),
        blank=True,
    )
    rectified = forms.ChoiceField(
        label=_("Put right?"), choices=YES_NO, required=False, widget=forms.RadioSelect
    )
    photos = MultiplePhotoField(label=_("Photos"), required=False)
    # Where the phone was when the visit was saved (visit-form.js, the Geolocation API); empty when
    # the inspector declined or the phone could not tell.
    latitude = forms.DecimalField(
        required=False,
        widget=forms.HiddenInput,
        max_digits=8,
        decimal_places=6,
        min_value=-bounds.LATITUDE_MAX,
        max_value=bounds.LATITUDE_MAX,
    )
    longitude = forms.DecimalField(
        required=False,
        widget=forms.HiddenInput,
        max_digits=9,
        decimal_places=6,
        min_value=-bounds.LONGITUDE_MAX,
        max_value=bounds.LONGITUDE_MAX,
    )
    accuracy_m = forms.DecimalField(
        required=False,
        widget=forms.HiddenInput,
        max_digits=7,
        decimal_places=1,
        min_value=0,
        max_value=bounds.ACCURACY_MAX_METRES,
    )

    def __init__(self, *args, checklist: list[str], open_findings, **kwargs) -> None:
        from patrols.models import Finding, FindingCategory, FindingKind, Severity, VisitResult

        super().__init__(*args, **kwargs)
        self.checklist = checklist
        self.fields["result"].choices = VisitResult.choices
        self.fields["finding_kind"].choices = [("", _("None")), *FindingKind.choices]
        self.fields["finding_category"].choices = FindingCategory.choices
        self.fields["severity"].choices = Severity.choices
        self.fields["severity"].initial = Severity.MINOR
        if open_findings.exists():
            self.fields["follow_up_of"].queryset = open_findings.most_urgent_first()
            self.fields["follow_up_of"].label_from_instance = Finding.choice_label
        else:
            del self.fields["follow_up_of"], self.fields["rectified"]
        for index, item in enumerate(checklist):
            self.fields[f"check-{index}"] = forms.ChoiceField(
                label=item, choices=CHECK_CHOICES, required=False, widget=forms.RadioSelect
            )

    def checklist_rows(self) -> list[dict]:
        rows = []
        for index, item in enumerate(self.checklist):
            answer = self.cleaned_data.get(f"check-{index}")
            rows.append({"item": item, "ok": {"ok": True, "fail": False}.get(answer), "note": ""})
        return rows

    def check_fields(self):
        return [self[f"check-{index}"] for index in range(len(self.checklist))]


class RectificationPolicyForm(forms.ModelForm):
    """A district's days to rectify per severity, and when the district office hears of the overdue."""

    class Meta:
        model = RectificationPolicy
        fields = ["minor_days", "major_days", "serious_days", "district_after_days"]


class EvidenceForm(forms.Form):
    """A photo showing a risk put right; the rectification service checks and re-encodes it."""

    image = forms.FileField(
        label=_("Photo of the rectified risk"),
        widget=forms.ClearableFileInput(attrs={"accept": "image/*", "capture": "environment"}),
    )


class FollowUpForm(forms.Form):
    """The follow-up (复查) of a rectification: put right or not, and what was seen."""

    passed = forms.ChoiceField(label=_("Put right?"), choices=YES_NO, widget=forms.RadioSelect)
    note = forms.CharField(
        label=_("Note"), required=False, max_length=500, widget=forms.Textarea(attrs={"rows": 2})
    )


class VisitEditForm(forms.Form):
    result = forms.ChoiceField(label=_("Result"), choices=[], widget=forms.RadioSelect)
    findings = forms.CharField(label=_("Findings"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    action_taken = forms.CharField(
        label=_("Action on the spot"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args, **kwargs) -> None:
        from patrols.models import VisitResult

        super().__init__(*args, **kwargs)
        self.fields["result"].choices = VisitResult.choices


class SendBackForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 2}))


class AmendForm(forms.Form):
    target = forms.ChoiceField(label=_("What to correct"), choices=[])
    corrected = forms.CharField(label=_("Correction"), widget=forms.Textarea(attrs={"rows": 2}))
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, patrol, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        choices = [("notes", _("Notes of the record"))]
        for visit in patrol.visits.all():
            choices += [
                (f"{visit.pk}:findings", _("%(name)s: findings") % {"name": visit.establishment}),
                (
                    f"{visit.pk}:action_taken",
                    _("%(name)s: action on the spot") % {"name": visit.establishment},
                ),
            ]
        self.fields["target"].choices = choices


class ChecklistForm(forms.Form):
    items = forms.CharField(
        label=_("Items, one per line"), widget=forms.Textarea(attrs={"rows": 10}), max_length=5000
    )

    def clean_items(self) -> list[str]:
        items = [line.strip() for line in self.cleaned_data["items"].splitlines() if line.strip()]
        if not items:
            raise forms.ValidationError(_("Give at least one item."))
        return items


class ChangeProposalForm(forms.ModelForm):
    """A community's proposal: new values for the district's fields, and why. It validates on a copy
    of the establishment (the form's instance), so the register is untouched."""

    reason = forms.CharField(
        label=_("Reason"),
        max_length=governance.CHANGE_REASON_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    class Meta:
        model = Establishment
        fields = list(governance.PROPOSABLE_FIELDS)
        widgets = {"food_graded_on": DateInput}

    def changes(self) -> dict:
        return {
            name: self.cleaned_data[name]
            for name in self.changed_data
            if name in governance.PROPOSABLE_FIELDS
        }


class DecisionForm(forms.Form):
    note = forms.CharField(
        label=_("Note"), max_length=200, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class SpecialCampaignForm(forms.Form):
    """A district's special campaign: its name, its period and, one a line, its own checks."""

    name = forms.CharField(label=_("Name"), max_length=CAMPAIGN_NAME_MAX_LENGTH)
    starts_on = forms.DateField(label=_("Starts on"), widget=DateInput, validators=[bounds.validate_day])
    ends_on = forms.DateField(label=_("Ends on"), widget=DateInput, validators=[bounds.validate_day])
    checklist_items = forms.CharField(
        label=_("Campaign checks"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=format_lazy(
            _("One check a line, at most {max}; added to every visit of the campaign."),
            max=CAMPAIGN_ITEMS_MAX,
        ),
        max_length=CAMPAIGN_ITEMS_MAX * 210,
    )

    def clean_checklist_items(self) -> list[str]:
        return [line.strip() for line in self.cleaned_data["checklist_items"].splitlines() if line.strip()]


class PatrolTargetForm(forms.Form):
    """The district's monthly minimum per community of each kind of record (blank: none)."""

    def __init__(self, *args, targets: dict[str, int], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        for value, label in PatrolKind.choices:
            self.fields[value] = forms.IntegerField(
                label=label,
                required=False,
                min_value=1,
                max_value=TARGET_MAX,
                initial=targets.get(value),
            )
