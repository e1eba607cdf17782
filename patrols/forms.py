from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from orgs.models import OrgUnit
from patrols.models import Establishment


class DateInput(forms.DateInput):
    input_type = "date"


class EstablishmentForm(forms.ModelForm):
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
