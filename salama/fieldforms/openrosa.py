"""The OpenRosa 1.0 endpoints ODK Collect, KoboCollect and Enketo talk to.

An enrolled device's server URL is ``<site>/fieldforms/key/<token>``, as with ODK Central's app
users: the clients append ``/formList`` (Form List API) and ``/submission`` (Form Submission API).
The token is the credential: an unknown or revoked one gets 403, a form the app user is not
granted is 404. Every answer carries ``X-OpenRosa-Version: 1.0``; the submission endpoint answers
``HEAD`` with 204 and ``X-OpenRosa-Accept-Content-Length`` (the pre-flight), and ``POST``
(multipart: ``xml_submission_file`` and the attachments) with an OpenRosaResponse: 201 when the
submission (or more of its attachments) is stored, 202 when the same submission arrives again
and nothing is new, 409 when another submission already used its instanceID.

These are not part of the REST API (no session, no CSRF token: a device has neither; the token in
the path is not a cookie, so cross-site requests cannot ride on it). They are rate-limited per
token, and failed token look-ups per address.
"""

from __future__ import annotations

from typing import Any
from xml.sax.saxutils import escape

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods

from salama.core import ratelimit
from salama.fieldforms import services
from salama.fieldforms.models import AppUser, FieldForm, FormVersion

OPENROSA_VERSION = "1.0"
XML = "text/xml; charset=utf-8"


def _limit(name: str, default: int) -> int:
    return int(getattr(settings, name, default))


def openrosa_response(body: str, status: int = 200, content_type: str = XML) -> HttpResponse:
    response = HttpResponse(body, status=status, content_type=content_type)
    response["X-OpenRosa-Version"] = OPENROSA_VERSION
    return response


def message(text: str, status: int, nature: str = "") -> HttpResponse:
    body = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<OpenRosaResponse xmlns="http://openrosa.org/http/response" items="0">'
        f'<message nature="{escape(nature)}">{escape(text)}</message></OpenRosaResponse>'
    )
    response = openrosa_response(body, status=status)
    response["X-OpenRosa-Accept-Content-Length"] = str(services.MAX_SUBMISSION_BYTES)
    return response


def _client_address(request: HttpRequest) -> str:
    return str(request.META.get("REMOTE_ADDR", ""))


def _app_user(request: HttpRequest, token: str) -> AppUser | HttpResponse:
    if not ratelimit.allow(
        f"openrosa-addr:{_client_address(request)}",
        limit=_limit("SALAMA_OPENROSA_PER_MINUTE", 240),
    ):
        return message(_("Too many requests; try again in a minute."), 429)
    app_user = services.app_user_for_token(token)
    if app_user is None:
        return message(
            _("This device's access was revoked or never existed; ask for a new QR code."), 403
        )
    return app_user


def _current(app_user: AppUser) -> list[tuple[FieldForm, FormVersion]]:
    found = []
    for form in app_user.forms.filter(organisation_id=app_user.organisation_id).order_by("title"):
        version = form.current_version()
        if version is not None:
            found.append((form, version))
    return found


def _absolute(request: HttpRequest, name: str, **kwargs: Any) -> str:
    return request.build_absolute_uri(reverse(f"fieldforms:{name}", kwargs=kwargs))


@require_GET
def form_list(request: HttpRequest, token: str) -> HttpResponse:
    """OpenRosa Form List API: the forms this app user may fill, current versions only."""
    app_user = _app_user(request, token)
    if isinstance(app_user, HttpResponse):
        return app_user
    wanted = request.GET.get("formID", "")
    items = []
    for form, version in _current(app_user):
        if wanted and form.form_id != wanted:
            continue
        manifest = (
            f"<manifestUrl>{escape(_absolute(request, 'openrosa-manifest', token=token, form_id=form.form_id))}</manifestUrl>"
            if version.media.exists()
            else ""
        )
        items.append(
            "<xform>"
            f"<formID>{escape(form.form_id)}</formID>"
            f"<name>{escape(form.title)}</name>"
            f"<version>{escape(version.version)}</version>"
            f"<hash>md5:{version.xform_md5}</hash>"
            f"<downloadUrl>{escape(_absolute(request, 'openrosa-form', token=token, form_id=form.form_id))}</downloadUrl>"
            f"{manifest}"
            "</xform>"
        )
    body = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<xforms xmlns="http://openrosa.org/xforms/xformsList">' + "".join(items) + "</xforms>"
    )
    return openrosa_response(body)


def _granted_version(app_user: AppUser, form_id: str) -> FormVersion:
    form = get_object_or_404(
        app_user.forms.filter(organisation_id=app_user.organisation_id), form_id=form_id
    )
    version = form.current_version()
    if version is None:
        raise Http404("no version")
    return version


@require_GET
def form_download(request: HttpRequest, token: str, form_id: str) -> HttpResponse:
    app_user = _app_user(request, token)
    if isinstance(app_user, HttpResponse):
        return app_user
    version = _granted_version(app_user, form_id)
    return openrosa_response(version.xform)


@require_GET
def form_manifest(request: HttpRequest, token: str, form_id: str) -> HttpResponse:
    app_user = _app_user(request, token)
    if isinstance(app_user, HttpResponse):
        return app_user
    version = _granted_version(app_user, form_id)
    files = "".join(
        "<mediaFile>"
        f"<filename>{escape(media.filename)}</filename>"
        f"<hash>md5:{media.md5}</hash>"
        f"<downloadUrl>{escape(_absolute(request, 'openrosa-media', token=token, form_id=form_id, filename=media.filename))}</downloadUrl>"
        "</mediaFile>"
        for media in version.media.all()
    )
    body = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        f'<manifest xmlns="http://openrosa.org/xforms/xformsManifest">{files}</manifest>'
    )
    return openrosa_response(body)


@require_GET
def form_media(request: HttpRequest, token: str, form_id: str, filename: str) -> HttpResponse:
    app_user = _app_user(request, token)
    if isinstance(app_user, HttpResponse):
        return app_user
    version = _granted_version(app_user, form_id)
    media = get_object_or_404(version.media, filename=filename)
    response = openrosa_response(bytes(media.content), content_type="application/octet-stream")
    response["Content-Disposition"] = "attachment"
    return response


@csrf_exempt
@require_http_methods(["HEAD", "POST"])
def submission(request: HttpRequest, token: str) -> HttpResponse:
    """OpenRosa Form Submission API: the HEAD pre-flight and the multipart POST."""
    app_user = _app_user(request, token)
    if isinstance(app_user, HttpResponse):
        return app_user
    if request.method == "HEAD":
        response = openrosa_response("", status=204)
        response["X-OpenRosa-Accept-Content-Length"] = str(services.MAX_SUBMISSION_BYTES)
        return response
    if not ratelimit.allow(
        f"openrosa-submit:{app_user.pk}", limit=_limit("SALAMA_SUBMISSIONS_PER_MINUTE", 60)
    ):
        return message(_("Too many submissions; the device will retry."), 429)
    upload = request.FILES.get("xml_submission_file")
    if upload is None:
        return message(_("The request has no xml_submission_file part."), 400)
    xml = upload.read()
    files = {
        (part.name or key): part.read()
        for key, part in request.FILES.items()
        if key != "xml_submission_file"
    }
    try:
        received = services.receive_submission(app_user=app_user, xml=xml, files=files)
    except services.SubmissionRefused as refused:
        return message(refused.message, refused.status, nature="error")
    if received.outcome == "duplicate":
        return message(_("This submission was already received."), 202, nature="submit_success")
    return message(_("Full submission upload was successful!"), 201, nature="submit_success")
