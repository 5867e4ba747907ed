"""The form renderer: Django's own form and widget templates through Jinja2.

Django ships every built-in form, field and widget template twice, for its template engine and
for Jinja2, with the same output. Rendering them with Jinja2 takes a fraction of the time; the
case page, with eight forms, spent a quarter of its time in widget templates. Templates that
exist only for Django's engine (the admin's widgets) are rendered by it, as before.
"""

from __future__ import annotations

from typing import Any

from django.forms.renderers import BaseRenderer, DjangoTemplates, Jinja2
from django.template import TemplateDoesNotExist


class FormRenderer(BaseRenderer):
    def __init__(self) -> None:
        self.jinja = Jinja2()
        self.django = DjangoTemplates()

    def get_template(self, template_name: str) -> Any:
        try:
            return self.jinja.get_template(template_name)
        except TemplateDoesNotExist:
            return self.django.get_template(template_name)
