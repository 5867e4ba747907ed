"""Playing ODK Collect's part over HTTP, written from the OpenRosa and ODK encryption specs.

Nothing here calls Salama's own code on the device side: the form list, manifest and answers
are parsed as XML, the multipart body is built by hand, and an encrypted submission is encrypted
here as the ODK encrypted-forms specification says (RSA-OAEP/SHA-256 key wrapping, AES-CFB with
PKCS#5 padding, an IV from the MD5 of instanceID and key with one byte bumped per file, and the
MD5 element signature). Only the enrolment (app user) is made through the service.
"""

from __future__ import annotations

import base64
import hashlib
import os
import uuid
from typing import Any

import pytest
from cryptography.hazmat.decrepit.ciphers.modes import CFB  # ODK's mode; no longer recommended
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives import padding as sym_padding
from cryptography.hazmat.primitives.asymmetric import padding
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms
from defusedxml import ElementTree as ET
from django.test import Client

from conftest import principal
from salama.fieldforms import services
from salama.fieldforms.models import Submission, SubmissionFile
from salama.fieldforms.tests.workbooks import simple_form

pytestmark = pytest.mark.django_db
LIST_NS = "{http://openrosa.org/xforms/xformsList}"
MANIFEST_NS = "{http://openrosa.org/xforms/xformsManifest}"
RESPONSE_NS = "{http://openrosa.org/http/response}"
HEADERS = {"HTTP_X_OPENROSA_VERSION": "1.0"}
PHOTO = b"\xff\xd8\xff\xe0" + b"a photo of a face" * 50


def multipart(parts: list[tuple[str, str, str, bytes]]) -> tuple[bytes, str]:
    """(body, content type) for parts of (field name, file name, content type, bytes)."""
    boundary = f"----collect{uuid.uuid4().hex}"
    body = b""
    for field, filename, kind, data in parts:
        body += (
            (
                f"--{boundary}\r\n"
                f'Content-Disposition: form-data; name="{field}"; filename="{filename}"\r\n'
                f"Content-Type: {kind}\r\n\r\n"
            ).encode()
            + data
            + b"\r\n"
        )
    body += f"--{boundary}--\r\n".encode()
    return body, f"multipart/form-data; boundary={boundary}"


def submission_xml(form_id: str, version: str, instance_id: str, name: str) -> bytes:
    return (
        f'<?xml version="1.0"?><data xmlns:jr="http://openrosa.org/javarosa" '
        f'xmlns:orx="http://openrosa.org/xforms" id="{form_id}" version="{version}">'
        f"<given_name>{name}</given_name><sex>female</sex><photo>face.jpg</photo>"
        f"<meta><instanceID>{instance_id}</instanceID></meta></data>"
    ).encode()


@pytest.fixture
def enrolled(supervisor_a: Any) -> dict[str, Any]:
    def enrol(encrypt: bool) -> dict[str, Any]:
        actor = principal(supervisor_a)
        version = services.upload_form(
            actor=actor,
            content=simple_form(form_id="enc" if encrypt else "intake"),
            filename="form.xlsx",
            encrypt=encrypt,
            media=[("logo.png", b"\x89PNG logo")],
        )
        app_user, token = services.create_app_user(
            actor=actor, name="Border team phone", forms=[version.form]
        )
        return {"version": version, "app_user": app_user, "base": f"/fieldforms/key/{token}"}

    return {"enrol": enrol}


def fetch_form(client: Client, base: str) -> dict[str, Any]:
    """Form list → download → manifest → media, checking the OpenRosa headers on each."""
    listing = client.get(f"{base}/formList", **HEADERS)
    assert listing.status_code == 200 and listing["X-OpenRosa-Version"] == "1.0"
    xform = ET.fromstring(listing.content).find(f"{LIST_NS}xform")
    assert xform is not None
    download = xform.findtext(f"{LIST_NS}downloadUrl")
    form = client.get(download.replace("http://testserver", ""), **HEADERS)
    assert form.status_code == 200 and form["X-OpenRosa-Version"] == "1.0"
    assert (
        xform.findtext(f"{LIST_NS}hash")
        == f"md5:{hashlib.md5(form.content, usedforsecurity=False).hexdigest()}"
    )
    manifest_url = xform.findtext(f"{LIST_NS}manifestUrl")
    manifest = client.get(manifest_url.replace("http://testserver", ""), **HEADERS)
    assert manifest["X-OpenRosa-Version"] == "1.0"
    media = ET.fromstring(manifest.content).find(f"{MANIFEST_NS}mediaFile")
    assert media.findtext(f"{MANIFEST_NS}filename") == "logo.png"
    logo = client.get(media.findtext(f"{MANIFEST_NS}downloadUrl").replace("http://testserver", ""))
    assert logo.content == b"\x89PNG logo"
    assert (
        media.findtext(f"{MANIFEST_NS}hash")
        == f"md5:{hashlib.md5(logo.content, usedforsecurity=False).hexdigest()}"
    )
    root = ET.fromstring(form.content)
    instance = next(el for el in root.iter() if el.tag.endswith("}data") and el.get("id"))
    public_key = next(
        (el.get("base64RsaPublicKey") for el in root.iter() if el.tag.endswith("}submission")),
        None,
    )
    return {
        "form_id": instance.get("id"),
        "version": instance.get("version"),
        "public_key": public_key,
    }


def preflight(client: Client, base: str) -> None:
    head = client.head(f"{base}/submission", **HEADERS)
    assert head.status_code == 204
    assert head["X-OpenRosa-Version"] == "1.0"
    assert int(head["X-OpenRosa-Accept-Content-Length"]) >= 10_000_000


def post(client: Client, base: str, parts: list[tuple[str, str, str, bytes]]) -> Any:
    body, kind = multipart(parts)
    response = client.generic("POST", f"{base}/submission", body, content_type=kind, **HEADERS)
    assert response["X-OpenRosa-Version"] == "1.0"
    assert ET.fromstring(response.content).tag == f"{RESPONSE_NS}OpenRosaResponse"
    return response


def test_collect_fetches_a_form_and_submits_with_a_photo_once_however_often_it_resends(
    enrolled: dict[str, Any],
) -> None:
    setup = enrolled["enrol"](False)
    client = Client()
    form = fetch_form(client, setup["base"])
    assert form["public_key"] is None
    preflight(client, setup["base"])
    instance_id = f"uuid:{uuid.uuid4()}"
    xml = submission_xml(form["form_id"], form["version"], instance_id, "Hana Demo")
    parts = [
        ("xml_submission_file", "submission.xml", "text/xml", xml),
        ("face.jpg", "face.jpg", "image/jpeg", PHOTO),
    ]
    first = post(client, setup["base"], parts)
    assert first.status_code == 201
    again = post(client, setup["base"], parts)
    assert again.status_code == 202
    assert Submission.objects.filter(instance_id=instance_id).count() == 1
    stored = Submission.objects.get(instance_id=instance_id)
    assert stored.status == "received" and stored.person is None
    assert SubmissionFile.objects.filter(submission=stored).count() == 1
    changed = post(
        client,
        setup["base"],
        [("xml_submission_file", "submission.xml", "text/xml", xml.replace(b"Hana", b"Huda"))],
    )
    assert changed.status_code == 409


def test_a_revoked_device_can_neither_list_nor_submit(
    enrolled: dict[str, Any], supervisor_a: Any
) -> None:
    setup = enrolled["enrol"](False)
    services.revoke_app_user(actor=principal(supervisor_a), app_user=setup["app_user"])
    client = Client()
    assert client.get(f"{setup['base']}/formList").status_code == 403
    assert client.head(f"{setup['base']}/submission").status_code == 403
    assert client.get("/fieldforms/key/not-a-token/formList").status_code == 403


def _encrypt_for(
    public_key_b64: str, form: dict[str, Any], instance_id: str, files: list[tuple[str, bytes]]
) -> list[tuple[str, str, str, bytes]]:
    """Encrypt like Collect: media files first, submission.xml last; returns multipart parts."""
    public = serialization.load_der_public_key(base64.b64decode(public_key_b64))
    aes_key = os.urandom(32)
    oaep = padding.OAEP(mgf=padding.MGF1(hashes.SHA256()), algorithm=hashes.SHA256(), label=None)
    encrypted_key = base64.b64encode(public.encrypt(aes_key, oaep)).decode()
    seed = bytearray(hashlib.md5(instance_id.encode() + aes_key, usedforsecurity=False).digest())
    signature_lines = [form["form_id"], form["version"], encrypted_key, instance_id]
    parts = []
    for counter, (name, data) in enumerate(files):
        seed[counter % 16] = (seed[counter % 16] + 1) % 256
        padder = sym_padding.PKCS7(128).padder()
        padded = padder.update(data) + padder.finalize()
        encryptor = Cipher(algorithms.AES(aes_key), CFB(bytes(seed))).encryptor()
        parts.append(
            (
                f"{name}.enc",
                f"{name}.enc",
                "application/octet-stream",
                encryptor.update(padded) + encryptor.finalize(),
            )
        )
        signature_lines.append(f"{name}::{hashlib.md5(data, usedforsecurity=False).hexdigest()}")
    digest = hashlib.md5(
        ("\n".join(signature_lines) + "\n").encode(), usedforsecurity=False
    ).digest()
    signature = base64.b64encode(public.encrypt(digest, oaep)).decode()
    media = "".join(f"<file>{name}.enc</file>" for name, _ in files[:-1])
    manifest = (
        f'<data xmlns="http://opendatakit.org/submissions" encrypted="yes" id="{form["form_id"]}" version="{form["version"]}">'
        f"<base64EncryptedKey>{encrypted_key}</base64EncryptedKey>"
        f'<meta xmlns="http://openrosa.org/xforms"><instanceID>{instance_id}</instanceID></meta>'
        f"<media>{media}</media><encryptedXmlFile>submission.xml.enc</encryptedXmlFile>"
        f"<base64EncryptedElementSignature>{signature}</base64EncryptedElementSignature></data>"
    ).encode()
    return [("xml_submission_file", "submission.xml", "text/xml", manifest), *parts]


def test_an_encrypted_submission_is_stored_unreadable_until_a_caseworker_reviews_it(
    enrolled: dict[str, Any], caseworker_a: Any
) -> None:
    setup = enrolled["enrol"](True)
    client = Client()
    form = fetch_form(client, setup["base"])
    assert form["public_key"]
    preflight(client, setup["base"])
    instance_id = f"uuid:{uuid.uuid4()}"
    xml = submission_xml(form["form_id"], form["version"], instance_id, "Zahra Qasim")
    parts = _encrypt_for(
        form["public_key"], form, instance_id, [("face.jpg", PHOTO), ("submission.xml", xml)]
    )
    assert post(client, setup["base"], parts).status_code == 201
    assert post(client, setup["base"], parts).status_code == 202
    stored = Submission.objects.get(instance_id=instance_id)
    assert stored.encrypted
    everything = stored.manifest.encode() + b"".join(bytes(f.content) for f in stored.files.all())
    assert b"Zahra" not in everything and b"a photo of a face" not in everything
    opened = services.open_submission(reviewer=principal(caseworker_a), submission=stored)
    assert opened.error == ""
    assert opened.answers["given_name"] == "Zahra Qasim"
    assert opened.attachments["face.jpg"] == PHOTO


def test_a_tampered_encrypted_submission_is_reported_not_opened(
    enrolled: dict[str, Any], caseworker_a: Any
) -> None:
    setup = enrolled["enrol"](True)
    client = Client()
    form = fetch_form(client, setup["base"])
    instance_id = f"uuid:{uuid.uuid4()}"
    xml = submission_xml(form["form_id"], form["version"], instance_id, "Zahra")
    parts = _encrypt_for(form["public_key"], form, instance_id, [("submission.xml", xml)])
    name, filename, kind, data = parts[-1]
    parts[-1] = (name, filename, kind, data[:-1] + bytes([data[-1] ^ 1]))
    assert post(client, setup["base"], parts).status_code == 201
    stored = Submission.objects.get(instance_id=instance_id)
    opened = services.open_submission(reviewer=principal(caseworker_a), submission=stored)
    assert "signature" in opened.error and opened.answers == {}


def test_a_plain_submission_to_an_encrypted_form_is_refused(enrolled: dict[str, Any]) -> None:
    setup = enrolled["enrol"](True)
    client = Client()
    form = fetch_form(client, setup["base"])
    xml = submission_xml(form["form_id"], form["version"], f"uuid:{uuid.uuid4()}", "Plain")
    response = post(
        client, setup["base"], [("xml_submission_file", "submission.xml", "text/xml", xml)]
    )
    assert response.status_code == 400
    assert not Submission.objects.exists()
