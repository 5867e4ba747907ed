"""Forms for cases: they check the shape of the input; the services own the rules."""

from __future__ import annotations

from collections.abc import Iterator
from functools import partial
from typing import Any, cast

from django import forms
from django.db.models import QuerySet
from django.forms.models import ModelChoiceIterator
from django.utils.translation import gettext_lazy as _

from salama.accounts.models import Organisation, User
from salama.cases import exploitation, htcds_sets, services
from salama.cases.choices import CaseType, PlanItemStatus, Stage, TaskStatus
from salama.cases.plan_links import AgreedAtContact, contact_field
from salama.cases.queries import (
    ASSIGNED_TO_ME,
    STAFF_ROLES,
    CaseSort,
    CaseStatusFilter,
    staff_of,
)
from salama.core.countries import country_choices
from salama.core.roles import Role


class StaffDirectory:
    """An organisation's active staff, read once and shared by the forms of one page.

    A `ModelChoiceField` reads its choices with a fresh query each time its widget renders (on
    PostgreSQL a server-side cursor: four round trips). The case page shows three staff menus;
    with one directory they cost one query.
    """

    def __init__(self, organisation: Organisation | None) -> None:
        self.organisation = organisation
        self._lists: dict[tuple[str, ...], list[User]] = {}

    def queryset(self, roles: tuple[str, ...]) -> QuerySet[User]:
        return staff_of(self.organisation, roles)

    def listed(self, roles: tuple[str, ...]) -> list[User]:
        if roles not in self._lists:
            self._lists[roles] = list(self.queryset(roles))
        return self._lists[roles]


class _StaffChoices(ModelChoiceIterator):  # type: ignore[type-arg]
    def __iter__(self) -> Iterator[tuple[Any, Any]]:
        field = cast(StaffChoiceField, self.field)
        if field.empty_label is not None:
            yield ("", field.empty_label)
        for user in field.listed():
            yield self.choice(user)

    def __len__(self) -> int:
        field = cast(StaffChoiceField, self.field)
        return len(field.listed()) + (field.empty_label is not None)

    def __bool__(self) -> bool:
        return len(self) > 0


class StaffChoiceField(forms.ModelChoiceField):  # type: ignore[type-arg]
    """A member of staff: choices from a `StaffDirectory`, a submitted value checked against
    the same organisation-scoped query."""

    iterator = _StaffChoices

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.directory: StaffDirectory = StaffDirectory(None)
        self.roles: tuple[str, ...] = ()

    def limit(self, directory: StaffDirectory, roles: tuple[str, ...]) -> None:
        self.directory, self.roles = directory, roles
        self.queryset = directory.queryset(roles)

    def listed(self) -> list[User]:
        return self.directory.listed(self.roles)

    def label_from_instance(self, obj: Any) -> str:
        return str(obj.full_name or obj.email)


class _StaffForm(forms.Form):
    """A form whose staff menus (``staff_menus``: field name → roles) list an organisation's staff,
    from the page's shared ``staff`` directory or, without one, from ``organisation``."""

    staff_menus: dict[str, tuple[str, ...]] = {}

    def __init__(
        self,
        *args: Any,
        organisation: Organisation | None = None,
        staff: StaffDirectory | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        staff = staff or StaffDirectory(organisation)
        for name, roles in self.staff_menus.items():
            cast(StaffChoiceField, self.fields[name]).limit(staff, roles)


def _staff_field(label: Any, required: bool = False) -> StaffChoiceField:
    return StaffChoiceField(
        queryset=User.objects.none(), label=label, required=required, to_field_name="uuid"
    )


class VersionedForm(forms.Form):
    """A form that carries the case version the user saw (for the optimistic check)."""

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)


class CaseFilterForm(_StaffForm):
    """The case list's filters: the fields of salama.cases.queries.CaseListQuery.

    The caseworker menu (``assignee``) is there only for those who see ``everyone``'s cases.
    """

    staff_menus = {"assignee": STAFF_ROLES}

    stage = forms.ChoiceField(
        label=_("Stage"), required=False, choices=[("", _("Any stage")), *Stage.choices]
    )
    case_type = forms.ChoiceField(
        label=_("Case type"), required=False, choices=[("", _("Any type")), *CaseType.choices]
    )
    assigned = forms.ChoiceField(
        label=_("Assigned to"),
        required=False,
        choices=[("", _("Anyone")), (ASSIGNED_TO_ME, _("Me"))],
    )
    assignee = StaffChoiceField(
        queryset=User.objects.none(),
        label=_("Caseworker"),
        required=False,
        to_field_name="uuid",
        empty_label=_("Any caseworker"),
    )
    status = forms.ChoiceField(
        label=_("Open or closed"), required=False, choices=CaseStatusFilter.choices
    )
    reference = forms.CharField(label=_("Reference"), required=False, max_length=40)
    overdue = forms.BooleanField(label=_("Only with overdue tasks"), required=False)
    sort = forms.ChoiceField(label=_("Sort by"), required=False, choices=CaseSort.choices)

    def __init__(self, *args: Any, everyone: bool = False, **kwargs: Any) -> None:
        if not everyone:
            self.staff_menus = {}
        super().__init__(*args, **kwargs)
        if not everyone:
            del self.fields["assignee"]

    def clean_assignee(self) -> str:
        user = self.cleaned_data.get("assignee")
        return str(user.uuid) if user else ""


class CaseOpenForm(_StaffForm):
    case_type = forms.ChoiceField(label=_("Case type"), choices=CaseType.choices)
    summary = forms.CharField(
        label=_("Summary"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Stored encrypted. Write only what the work needs."),
    )
    assigned_to = _staff_field(_("Caseworker"), required=True)
    supervisor = _staff_field(_("Supervisor"))

    staff_menus = {"assigned_to": STAFF_ROLES, "supervisor": (Role.SUPERVISOR,)}


class MoveForm(VersionedForm):
    target = forms.ChoiceField(choices=Stage.choices)


class CloseForm(VersionedForm):
    reason = forms.ChoiceField(label=_("Reason for closing"), choices=())
    note = forms.CharField(
        label=_("Closing note"),
        required=False,
        max_length=20000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["reason"]).choices = services.closure_reason_choices()


class ReopenForm(VersionedForm):
    pass


class SummaryForm(VersionedForm):
    summary = forms.CharField(
        label=_("Summary"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )


class AssignForm(_StaffForm):
    to_user = _staff_field(_("Assign to"), required=True)

    staff_menus = {"to_user": STAFF_ROLES}


class DecideReassignmentForm(forms.Form):
    approve = forms.TypedChoiceField(
        choices=[("yes", _("Approve")), ("no", _("Reject"))], coerce=lambda v: v == "yes"
    )


class NoteForm(forms.Form):
    body = forms.CharField(
        label=_("New note"), max_length=20000, widget=forms.Textarea(attrs={"rows": 3})
    )


class AttachmentForm(forms.Form):
    file = forms.FileField(label=_("File"))
    description = forms.CharField(label=_("Description"), required=False, max_length=500)


class TaskForm(AgreedAtContact, _StaffForm):
    title = forms.CharField(label=_("Task"), max_length=300)
    due_on = forms.DateField(
        label=_("Due"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    assigned_to = _staff_field(_("For"))
    contact = contact_field()

    staff_menus = {"assigned_to": STAFF_ROLES}


class TaskStatusForm(forms.Form):
    status = forms.ChoiceField(choices=TaskStatus.choices)


class PlanItemForm(AgreedAtContact, _StaffForm):
    goal = forms.CharField(label=_("Goal"), required=False, max_length=500)
    action = forms.CharField(
        label=_("Action"), max_length=1000, widget=forms.Textarea(attrs={"rows": 2})
    )
    service_type = forms.CharField(label=_("Service type"), required=False, max_length=32)
    responsible = _staff_field(_("Responsible"))
    due_on = forms.DateField(
        label=_("Due"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    contact = contact_field()

    staff_menus = {"responsible": STAFF_ROLES}


class PlanItemStatusForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), choices=PlanItemStatus.choices)


# The exploitation record and perpetrators (HTCDS value sets, labels in words) ----------------


def _checks(
    label: Any, value_set: str, help_text: Any = "", *, short: bool = False
) -> forms.MultipleChoiceField:
    field = forms.MultipleChoiceField(
        label=label,
        required=False,
        choices=partial(htcds_sets.choices, value_set),
        widget=forms.CheckboxSelectMultiple,
        help_text=help_text,
    )
    field.short_labels = short  # type: ignore[attr-defined]  # two columns even on a phone
    return field


def _blank(choices: Any, empty: Any = "—") -> Any:
    return lambda: [("", empty), *(choices() if callable(choices) else choices)]


class ExploitationForm(forms.Form):
    """The exploitation record's codes; the places and dates are the EventFormSet beside it."""

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=0)
    types_of_exploitation = _checks(_("Types of exploitation"), htcds_sets.TYPE_OF_EXPLOITATION)
    types_of_sex_exploitation = _checks(
        _("Forms of sexual exploitation"),
        htcds_sets.TYPE_OF_SEX_EXPLOITATION,
        _("Only with sexual exploitation ticked above."),
    )
    forced_labour_industries = _checks(
        _("Industry or sector where the person was exploited"),
        htcds_sets.FORCED_LABOUR_INDUSTRY,
        _("Sections of the UN's International Standard Industrial Classification (ISIC Rev.4)."),
    )
    duration_months = forms.IntegerField(
        label=_("How long the exploitation lasted (months)"),
        required=False,
        min_value=0,
        max_value=exploitation.MAX_DURATION_MONTHS,
        help_text=_("Whole months; 0 for less than a month. Leave empty if not known."),
    )
    methods_of_recruitment = _checks(
        _("How the person was recruited"), htcds_sets.METHOD_OF_RECRUITMENT
    )
    relationship_to_trafficker = _checks(
        _("Who the recruiter was to the person"), htcds_sets.RELATIONSHIP_TO_TRAFFICKER
    )
    recruitment_websites = _checks(
        _("Websites and apps used to recruit"), htcds_sets.RECRUITMENT_WEBSITES, short=True
    )
    methods_of_control = _checks(_("Means of control"), htcds_sets.METHODS_OF_CONTROL)
    exploitation_websites = _checks(
        _("Websites and apps used in the exploitation"),
        htcds_sets.EXPLOITATION_WEBSITES,
        short=True,
    )

    # How the page groups the fields.
    groups = (
        (_("What happened"), ("types_of_exploitation", "types_of_sex_exploitation")),
        (_("Industry and duration"), ("forced_labour_industries", "duration_months")),
        (
            _("Recruitment"),
            ("methods_of_recruitment", "relationship_to_trafficker", "recruitment_websites"),
        ),
        (_("Control"), ("methods_of_control", "exploitation_websites")),
    )

    def grouped(self) -> list[tuple[Any, list[forms.BoundField]]]:
        return [(title, [self[name] for name in names]) for title, names in self.groups]


def _months() -> list[tuple[Any, Any]]:
    from django.utils.dates import MONTHS

    return [("", "—"), *((number, name) for number, name in MONTHS.items())]


def _event_type_choices() -> list[tuple[str, Any]]:
    return htcds_sets.choices(htcds_sets.EVENT_TYPE)


class EventForm(forms.Form):
    """One stage's place and date (HTCDS hte_Type, hte_Country, hte_Date to the precision known).

    A row without a country is left out (the page offers blank rows for the stages not yet
    recorded); a date without a country is an error."""

    event_type = forms.ChoiceField(
        label=_("Stage"), required=False, choices=_blank(_event_type_choices)
    )
    country = forms.ChoiceField(label=_("Country"), required=False, choices=_blank(country_choices))
    year = forms.IntegerField(
        label=_("Year"),
        required=False,
        min_value=exploitation.EARLIEST_YEAR,
        max_value=2100,
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )
    month = forms.TypedChoiceField(
        label=_("Month"), required=False, choices=_months, coerce=int, empty_value=None
    )
    day = forms.IntegerField(
        label=_("Day"),
        required=False,
        min_value=1,
        max_value=31,
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        dated = any(data.get(k) is not None for k in ("year", "month", "day"))
        if not data.get("country"):
            if dated:
                self.add_error("country", _("Choose the country where this happened."))
            data["skip"] = True
            return data
        if not data.get("event_type"):
            self.add_error("event_type", _("Choose recruitment, transit or exploitation."))
        data["skip"] = False
        return data

    def to_input(self) -> exploitation.EventInput | None:
        data = self.cleaned_data
        if not data or data.get("skip", True):
            return None
        return exploitation.EventInput(
            event_type=data["event_type"],
            country=data["country"],
            year=data.get("year"),
            month=data.get("month"),
            day=data.get("day"),
        )


EventFormSet = forms.formset_factory(
    EventForm,
    extra=0,
    max_num=exploitation.MAX_EVENTS,
    absolute_max=exploitation.MAX_EVENTS,
    validate_max=True,
)


class PerpetratorForm(forms.Form):
    """A perpetrator as the person describes them. Names and details are stored encrypted."""

    first_name = forms.CharField(
        label=_("First name"), required=False, max_length=exploitation.NAME_LENGTH
    )
    second_name = forms.CharField(
        label=_("Family name"), required=False, max_length=exploitation.NAME_LENGTH
    )
    alias = forms.CharField(
        label=_("Alias or nickname"), required=False, max_length=exploitation.NAME_LENGTH
    )
    identifying_details = forms.CharField(
        label=_("Identifying details"),
        required=False,
        max_length=exploitation.DETAILS_LENGTH,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Appearance, phone numbers, vehicles, places they use."),
    )
    roles = _checks(_("The part they played"), htcds_sets.ROLE_IN_PROCESS)
    role_details = forms.CharField(
        label=_("What they did"),
        required=False,
        max_length=exploitation.DETAILS_LENGTH,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    citizenship = forms.ChoiceField(
        label=_("Citizenship"), required=False, choices=_blank(country_choices, _("Not known"))
    )
    sex = forms.ChoiceField(
        label=_("Sex"), required=False, choices=_blank(htcds_sets.STAND_INS[htcds_sets.SEX])
    )
    age_band = forms.ChoiceField(
        label=_("Age (years)"),
        required=False,
        choices=_blank(htcds_sets.STAND_INS[htcds_sets.AGE_BAND], _("Not known")),
    )

    def to_input(self) -> exploitation.PerpetratorInput:
        return exploitation.PerpetratorInput(**self.cleaned_data)

    @classmethod
    def initial_for(cls, perpetrator: Any) -> dict[str, Any]:
        return {name: getattr(perpetrator, name) for name in cls.base_fields}


class PerpetratorChangeForm(PerpetratorForm):
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)

    def to_input(self) -> exploitation.PerpetratorInput:
        data = {k: v for k, v in self.cleaned_data.items() if k != "version"}
        return exploitation.PerpetratorInput(**data)


class RemovePerpetratorForm(VersionedForm):
    pass
