"""The form renderer: Django's form templates through Jinja2, the same HTML as Django's engine."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django import forms
from django.contrib.admin.widgets import AdminDateWidget
from django.forms.renderers import DjangoTemplates, get_default_renderer

from salama.accounts.forms import AddMemberForm
from salama.cases import forms as case_forms
from salama.core.renderers import FormRenderer
from salama.people import forms as people_forms

pytestmark = pytest.mark.django_db


def _squeeze(html: str) -> str:
    """The HTML with runs of white space (which the two engines lay out differently) as one,
    and quotes escaped one way (MarkupSafe writes &#39; and &#34;, Django &#x27; and &quot;)."""
    html = html.replace("&#39;", "&#x27;").replace("&#34;", "&quot;")
    return re.sub(r">\s+<", "><", re.sub(r"\s+", " ", html)).strip()


class EveryWidget(forms.Form):
    text = forms.CharField(label="Name <b>", help_text="Help & more", max_length=5)
    number = forms.IntegerField(min_value=1)
    day = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}))
    body = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}))
    choice = forms.ChoiceField(choices=[("a", "A & a"), ("b", "B")])
    grouped = forms.ChoiceField(choices=[("Group", [("x", "X"), ("y", "Y")]), ("z", "Z")])
    many = forms.MultipleChoiceField(
        choices=[("a", "A"), ("b", "B")], widget=forms.CheckboxSelectMultiple
    )
    radio = forms.ChoiceField(choices=[("a", "A"), ("b", "B")], widget=forms.RadioSelect)
    tick = forms.BooleanField(required=False)
    upload = forms.FileField(required=False)
    hidden = forms.CharField(widget=forms.HiddenInput, required=False)
    secret = forms.CharField(widget=forms.PasswordInput, required=False)


def _render(form_class: type[forms.Form], renderer: Any, **kwargs: Any) -> str:
    form = form_class(renderer=renderer, **kwargs)
    return "".join(str(field) for field in form) + str(form.non_field_errors()) + str(form)


@pytest.mark.parametrize(
    ("form_class", "kwargs"),
    [
        (EveryWidget, {}),
        # Bound with errors, values that need escaping and a choice from a group.
        (
            EveryWidget,
            {"data": {"text": '<script>"x"</script>', "grouped": "y", "many": ["b"], "day": "x"}},
        ),
        (case_forms.CloseForm, {"initial": {"version": 3}}),
        (case_forms.TaskForm, {}),
        (case_forms.PlanItemForm, {"data": {"action": ""}}),
        (case_forms.CaseFilterForm, {}),
        (people_forms.RegisterForm, {}),
        (people_forms.ConsentForm, {}),
        (AddMemberForm, {}),
    ],
)
def test_the_jinja2_renderer_writes_what_django_templates_write(
    form_class: type[forms.Form], kwargs: dict[str, Any]
) -> None:
    ours = _render(form_class, FormRenderer(), **kwargs)
    django = _render(form_class, DjangoTemplates(), **kwargs)
    assert _squeeze(ours) == _squeeze(django)
    assert "<script>" not in ours


def test_staff_menus_render_the_same(caseworker_a: Any, supervisor_a: Any) -> None:
    organisation = caseworker_a.memberships.get().organisation
    kwargs = {"organisation": organisation, "initial": {"assigned_to": supervisor_a.uuid}}
    ours = _render(case_forms.TaskForm, FormRenderer(), **kwargs)
    django = _render(case_forms.TaskForm, DjangoTemplates(), **kwargs)
    assert _squeeze(ours) == _squeeze(django)
    assert f'<option value="{supervisor_a.uuid}" selected>' in ours


def test_it_is_the_default_renderer() -> None:
    assert isinstance(get_default_renderer(), FormRenderer)


def test_templates_only_django_has_still_render_through_it() -> None:
    # The admin's widgets have no Jinja2 template.
    html = AdminDateWidget().render("when", None)
    assert 'class="vDateField' in html


def test_the_admin_add_page_renders(admin_user: Any, login: Any) -> None:
    response = login(admin_user).get("/system-admin/accounts/organisation/add/")
    assert response.status_code == 200
    assert b'name="name"' in response.content
