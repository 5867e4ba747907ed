"""Uploaded files are parsed, not sniffed: one place that decides what Salama accepts.

A file's first bytes prove nothing (an executable can start with ``%PDF``, a script can follow a
PNG signature), so every accepted type is opened by a library that understands it:

- PDF: parsed by ``pypdf`` (cross-reference table, trailer, page tree). Encrypted PDFs are
  refused, and so is active content anywhere in the document's object graph: JavaScript, launch
  and remote-file actions, form submission and data import, embedded files, rich media, XFA forms.
- JPEG and PNG: opened and fully decoded by Pillow, with a pixel cap against decompression bombs.
- DOCX: a real zip (checked member by member) starting at byte 0, with the OOXML content types of a
  Word document, without macros (``vbaProject.bin``) or ActiveX controls, and a cap on its
  unpacked size.
- Text: valid UTF-8 without NUL bytes.

The extension decides what the file must be; the parsed content and the type the browser declared
must agree with it (a declared ``application/octet-stream`` says nothing and is accepted).

Photos of people are decoded and re-encoded (:func:`clean_photo`): only pixels survive, turned
upright by their EXIF orientation, at most ``PHOTO_MAX_EDGE`` pixels on the long edge. EXIF
(with GPS position and camera serial numbers), XMP, ICC profiles, comments and anything appended
after the image are dropped. Case attachments are evidence and are kept byte for byte once they
have passed the checks; they are only ever served as downloads, with ``nosniff``.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any, Protocol

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from PIL import Image, ImageOps, UnidentifiedImageError
from pypdf import PdfReader
from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject, NameObject

PDF = "application/pdf"
JPEG = "image/jpeg"
PNG = "image/png"
TEXT = "text/plain"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"

# The attachment types Salama accepts and the extensions each may carry.
ATTACHMENT_TYPES: dict[str, tuple[str, ...]] = {
    PDF: (".pdf",),
    JPEG: (".jpg", ".jpeg"),
    PNG: (".png",),
    TEXT: (".txt",),
    DOCX: (".docx",),
}
PHOTO_TYPES: dict[str, tuple[str, ...]] = {JPEG: ATTACHMENT_TYPES[JPEG], PNG: ATTACHMENT_TYPES[PNG]}
# Other names browsers and operating systems give the same types.
_DECLARED_ALIASES: dict[str, frozenset[str]] = {
    PDF: frozenset({"application/x-pdf"}),
    JPEG: frozenset({"image/jpg", "image/pjpeg"}),
    PNG: frozenset({"image/x-png"}),
    TEXT: frozenset(),
    DOCX: frozenset(),
}
# Declared types that say nothing about the file (sent when the client does not know).
_UNSPECIFIC_DECLARED = frozenset({"", "application/octet-stream", "binary/octet-stream"})
_KIND: dict[str, Any] = {
    PDF: "PDF",
    JPEG: "JPEG",
    PNG: "PNG",
    TEXT: gettext_lazy("plain text"),
    DOCX: gettext_lazy("Word (.docx)"),
}

# Images: above this many pixels a file is refused before it is decoded (a 10 MB PNG can
# unpack to gigabytes). 50 megapixels is more than any phone or scanner produces by default.
MAX_IMAGE_PIXELS = 50_000_000
PHOTO_MAX_EDGE = 1600
PHOTO_JPEG_QUALITY = 85
# Pillow formats that count as each image type (phones write multi-picture JPEGs as MPO).
_PILLOW_FORMATS: dict[str, tuple[str, ...]] = {JPEG: ("JPEG", "MPO"), PNG: ("PNG",)}

# PDF: dictionary keys and action types that run code, start programs, fetch or send data, or
# carry other files. Hyperlinks (/URI) and moves inside the document (/GoTo) are allowed.
_PDF_ACTIVE_KEYS = frozenset(
    {"/JS", "/JavaScript", "/EmbeddedFiles", "/EF", "/RichMedia", "/RichMediaContent", "/XFA"}
)
_PDF_ACTIVE_ACTIONS = frozenset(
    {
        "/JavaScript",
        "/Launch",
        "/GoToR",
        "/GoToE",
        "/SubmitForm",
        "/ImportData",
        "/RichMediaExecute",
        "/Rendition",
    }
)
_PDF_ACTIVE_TYPES = frozenset({"/EmbeddedFile"})
# Dictionaries and arrays visited at most. pypdf reads about 13,000 a second here; a scan or a
# letter holds hundreds, a 1,000-page report with ten links a page about 35,000, and a crafted
# 10 MB file (compressed object streams) millions.
_PDF_MAX_OBJECTS = 100_000
_PDF_CONTAINERS = (IndirectObject, DictionaryObject, ArrayObject)
# Readers look for the end-of-file marker in the last 1,024 bytes (ISO 32000-1, annex H).
_PDF_EOF_WINDOW = 1024

# DOCX: the content type of a Word document's main part, and what marks macros or controls.
_DOCX_MAIN = b"application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"
_DOCX_ACTIVE_MEMBERS = ("vbaproject.bin", "vbadata.xml")
_DOCX_ACTIVE_TYPES = (b"macroenabled", b"vbaproject", b"activex")
_DOCX_MAX_MEMBERS = 10_000
_DOCX_MAX_UNPACKED = 200 * 1024 * 1024


class Upload(Protocol):
    """What is needed of an upload: Django's ``UploadedFile`` or any ``File`` over bytes."""

    name: str | None

    def seek(self, offset: int, whence: int = ..., /) -> int: ...

    def read(self, size: int = ..., /) -> bytes: ...


@dataclass(frozen=True)
class CleanPhoto:
    """A photo re-encoded from its pixels alone."""

    data: bytes
    content_type: str
    width: int
    height: int


def _refuse(field: str, message: str, code: str) -> ValidationError:
    return ValidationError({field: ValidationError(message, code=code)})


def _mb(size: int) -> str:
    return f"{size / 1048576:.1f}".removesuffix(".0")


def read_upload(upload: Upload, *, max_bytes: int, field: str) -> bytes:
    """The upload's bytes, refused when empty or larger than `max_bytes` (whatever it claims)."""
    upload.seek(0)
    data = upload.read(max_bytes + 1)
    upload.seek(0)
    if not data:
        raise _refuse(field, _("The file is empty."), "empty")
    if len(data) > max_bytes:
        size = max(len(data), getattr(upload, "size", None) or 0)
        raise _refuse(
            field,
            _("The file is %(size)s MB; the limit is %(limit)s MB.")
            % {"size": _mb(size), "limit": _mb(max_bytes)},
            "too_large",
        )
    return data


def _extension(name: str) -> str:
    base = name.replace("\\", "/").rsplit("/", 1)[-1].lower()
    return "." + base.rsplit(".", 1)[-1] if "." in base else ""


def type_for_name(name: str, allowed: dict[str, tuple[str, ...]]) -> str | None:
    """The type a file name's extension stands for among `allowed`, or None."""
    extension = _extension(name)
    for content_type, extensions in allowed.items():
        if extension in extensions:
            return content_type
    return None


def _declared(upload: Upload) -> str:
    raw = getattr(upload, "content_type", None) or ""
    return str(raw).split(";", 1)[0].strip().lower()


def _check_declared(upload: Upload, expected: str, field: str) -> None:
    declared = _declared(upload)
    if declared in _UNSPECIFIC_DECLARED or declared == expected:
        return
    if declared in _DECLARED_ALIASES[expected]:
        return
    raise _refuse(
        field,
        _(
            "The file was sent as “%(declared)s”, which does not match what it is (%(kind)s). "
            "Check that it really is a %(kind)s file, save it again in that format and upload it."
        )
        % {"declared": declared[:100], "kind": _KIND[expected]},
        "declared_mismatch",
    )


def check_attachment(upload: Upload, *, max_bytes: int, field: str = "file") -> str:
    """Check a case attachment; returns its content type or raises ValidationError on `field`.

    The bytes are not changed: the caller stores the upload as it came.
    """
    data = read_upload(upload, max_bytes=max_bytes, field=field)
    name = upload.name or ""
    content_type = type_for_name(name, ATTACHMENT_TYPES)
    if content_type is None:
        allowed = ", ".join(sorted({ext for exts in ATTACHMENT_TYPES.values() for ext in exts}))
        raise _refuse(
            field,
            _("This type of file is not accepted. Allowed: %(types)s.") % {"types": allowed},
            "type_not_accepted",
        )
    if content_type == PDF:
        check_pdf(data, field=field)
    elif content_type in (JPEG, PNG):
        check_image(data, content_type, field=field, ext=_extension(name))
    elif content_type == DOCX:
        check_docx(data, field=field)
    else:
        check_text(data, field=field)
    _check_declared(upload, content_type, field)
    return content_type


def _content_mismatch(field: str, ext: str, hint: str) -> ValidationError:
    return _refuse(
        field,
        _("The file's content does not match its extension (%(ext)s). %(hint)s")
        % {"ext": ext, "hint": hint},
        "content_mismatch",
    )


# PDF ---------------------------------------------------------------------------------------


def _pdf_dictionaries(reader: PdfReader) -> Iterator[DictionaryObject]:
    """Every dictionary reachable from the trailer, each indirect object visited once."""
    seen: set[tuple[int, int]] = set()
    stack: list[Any] = [reader.trailer]
    containers = 0
    while stack:
        node = stack.pop()
        if isinstance(node, IndirectObject):
            ref = (node.idnum, node.generation)
            if ref in seen:
                continue
            seen.add(ref)
            node = node.get_object()
        if isinstance(node, DictionaryObject):
            yield node
            children: Iterable[Any] = node.values()
        elif isinstance(node, ArrayObject):
            children = node
        else:
            continue
        containers += 1
        if containers > _PDF_MAX_OBJECTS:
            raise _PdfTooComplex
        stack.extend(child for child in children if isinstance(child, _PDF_CONTAINERS))


class _PdfTooComplex(Exception):
    pass


def _pdf_name(node: DictionaryObject, key: str) -> str:
    value = node.get(key)
    if isinstance(value, IndirectObject):
        value = value.get_object()
    return str(value) if isinstance(value, NameObject) else ""


def _pdf_is_active(node: DictionaryObject) -> bool:
    if not _PDF_ACTIVE_KEYS.isdisjoint(node.keys()):
        return True
    return (
        _pdf_name(node, "/S") in _PDF_ACTIVE_ACTIONS
        or _pdf_name(node, "/Type") in _PDF_ACTIVE_TYPES
    )


def check_pdf(data: bytes, *, field: str = "file") -> None:
    """Parse a PDF with pypdf; refuse it if unreadable, encrypted or carrying active content."""
    unreadable = _content_mismatch(
        field,
        ".pdf",
        _(
            "It could not be read as a PDF. If it is one, it may be damaged: open it, save or "
            "print it to a new PDF, and upload that."
        ),
    )
    if not data.startswith(b"%PDF-") or b"%%EOF" not in data[-_PDF_EOF_WINDOW:]:
        raise unreadable
    active = False
    try:
        reader = PdfReader(io.BytesIO(data))
        encrypted = reader.is_encrypted
        if not encrypted:
            if len(reader.pages) < 1:
                raise unreadable
            active = any(_pdf_is_active(node) for node in _pdf_dictionaries(reader))
    except ValidationError:
        raise
    except _PdfTooComplex:
        raise _refuse(
            field,
            _(
                "This PDF has too many parts to be checked (more than %(limit)s objects). Split "
                "it into smaller files and upload those."
            )
            % {"limit": f"{_PDF_MAX_OBJECTS:,}"},
            "pdf_too_complex",
        ) from None
    except Exception:  # any failure of the parser on hostile input means "not a PDF we accept"
        raise unreadable from None
    if encrypted:
        raise _refuse(
            field,
            _(
                "This PDF is protected by a password or encrypted. Save a copy without the "
                "protection (or print it to a new PDF) and upload that."
            ),
            "pdf_encrypted",
        )
    if active:
        raise _refuse(
            field,
            _(
                "This PDF contains scripts, embedded files or actions that open other programs "
                "or files, which are not accepted. Print it to a new PDF (“Save as PDF”) and "
                "upload that."
            ),
            "pdf_active_content",
        )


# Images ------------------------------------------------------------------------------------


def _too_many_pixels(field: str, width: int, height: int) -> ValidationError:
    return _refuse(
        field,
        _(
            "The image is %(width)s × %(height)s pixels; the limit is %(limit)s megapixels. "
            "Make it smaller and upload it again."
        )
        % {"width": width, "height": height, "limit": MAX_IMAGE_PIXELS // 1_000_000},
        "image_too_large",
    )


def _decode_image(data: bytes, accepted: tuple[str, ...]) -> tuple[Image.Image, str]:
    """Open and fully decode an image with Pillow as one of the `accepted` content types.

    Raises ``_Unreadable`` when Pillow cannot decode it as one of them, ``_TooManyPixels`` when
    it is larger than ``MAX_IMAGE_PIXELS`` (checked from the header, before decoding).
    """
    # Only these decoders are tried; Pillow's JPEG opener itself hands multi-picture files to MPO.
    openers = tuple(_PILLOW_FORMATS[content_type][0] for content_type in accepted)
    try:
        image = Image.open(io.BytesIO(data), formats=openers)
    except Image.DecompressionBombError:
        raise _TooManyPixels(0, 0) from None
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError):
        raise _Unreadable from None
    width, height = image.size
    if width * height > MAX_IMAGE_PIXELS:
        raise _TooManyPixels(width, height)
    try:
        image.load()
    except Exception:  # truncated or corrupt pixel data, whatever the decoder calls it
        raise _Unreadable from None
    for content_type in accepted:
        if image.format in _PILLOW_FORMATS[content_type]:
            return image, content_type
    raise _Unreadable


class _Unreadable(Exception):
    pass


class _TooManyPixels(Exception):
    def __init__(self, width: int, height: int) -> None:
        super().__init__(width, height)
        self.width, self.height = width, height


def check_image(data: bytes, expected: str, *, field: str = "file", ext: str = "") -> None:
    """A JPEG or PNG that Pillow decodes completely as `expected` within the pixel cap."""
    try:
        _decode_image(data, (expected,))
    except _TooManyPixels as exc:
        raise _too_many_pixels(field, exc.width, exc.height) from None
    except _Unreadable:
        raise _content_mismatch(
            field,
            ext or ATTACHMENT_TYPES[expected][0],
            _(
                "It could not be read as a %(kind)s image; it may be damaged or of another "
                "type. Save it again as JPEG or PNG and upload that."
            )
            % {"kind": _KIND[expected]},
        ) from None


def clean_photo(upload: Upload, *, max_bytes: int, field: str = "photo") -> CleanPhoto:
    """Decode a JPEG or PNG photo and re-encode its pixels alone.

    The photo is turned upright by its EXIF orientation, shrunk to at most ``PHOTO_MAX_EDGE``
    pixels on the long edge, and written as JPEG (PNG when it has transparency) into a new image
    that carries no metadata: no EXIF or GPS, no XMP, no ICC profile, no comments, and nothing that
    followed the image in the upload. A file name without an extension is judged by its content.
    """
    data = read_upload(upload, max_bytes=max_bytes, field=field)
    name = upload.name or ""
    accepted: tuple[str, ...] = (JPEG, PNG)
    if _extension(name):
        expected = type_for_name(name, PHOTO_TYPES)
        if expected is None:
            raise _refuse(
                field,
                _("The photo must be a JPEG or PNG image (.jpg, .jpeg or .png)."),
                "type_not_accepted",
            )
        accepted = (expected,)
    try:
        image, content_type = _decode_image(data, accepted)
    except _TooManyPixels as exc:
        raise _too_many_pixels(field, exc.width, exc.height) from None
    except _Unreadable:
        raise _refuse(
            field,
            _(
                "The photo must be a JPEG or PNG image, and this file could not be read as "
                "%(kind)s. Take or save the photo again as JPEG or PNG and upload that."
            )
            % {"kind": " / ".join(_KIND[t] for t in accepted)},
            "photo_unreadable",
        ) from None
    _check_declared(upload, content_type, field)
    try:
        upright = ImageOps.exif_transpose(image)
    except Exception:  # a broken orientation tag: keep the pixels as they are
        upright = image
    has_alpha = upright.mode in ("RGBA", "LA", "PA", "RGBa", "La") or (
        upright.mode == "P" and "transparency" in upright.info
    )
    if has_alpha:
        pixels = upright.convert("RGBA")
    elif upright.mode in ("1", "L"):
        pixels = upright.convert("L")
    else:
        pixels = upright.convert("RGB")
    pixels.thumbnail((PHOTO_MAX_EDGE, PHOTO_MAX_EDGE), Image.Resampling.LANCZOS)
    # A new image from the raw pixels: it has no info dictionary, so nothing is carried over.
    bare = Image.frombytes(pixels.mode, pixels.size, pixels.tobytes())
    out = io.BytesIO()
    if has_alpha:
        bare.save(out, format="PNG", optimize=True)
        content_type = PNG
    else:
        bare.save(out, format="JPEG", quality=PHOTO_JPEG_QUALITY, optimize=True)
        content_type = JPEG
    return CleanPhoto(
        data=out.getvalue(), content_type=content_type, width=bare.width, height=bare.height
    )


# DOCX --------------------------------------------------------------------------------------


def check_docx(data: bytes, *, field: str = "file") -> None:
    """A Word document: a sound zip from byte 0 with Word's content types and no macros."""
    not_docx = _content_mismatch(
        field,
        ".docx",
        _(
            "It is not a Word document. Save it from your word processor as “Word Document "
            "(.docx)” and upload that."
        ),
    )
    if not data.startswith(b"PK\x03\x04"):
        raise not_docx
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            members = archive.infolist()
            if not members or len(members) > _DOCX_MAX_MEMBERS:
                raise not_docx
            # Nothing may precede the first entry (an executable with a zip appended is not a
            # document) and the unpacked size is capped before anything is decompressed.
            if min(member.header_offset for member in members) != 0:
                raise not_docx
            if sum(member.file_size for member in members) > _DOCX_MAX_UNPACKED:
                raise _refuse(
                    field,
                    _(
                        "This Word document unpacks to more than %(limit)s MB. Split it into "
                        "smaller documents, or save it as PDF, and upload those."
                    )
                    % {"limit": _DOCX_MAX_UNPACKED // 1048576},
                    "docx_too_large",
                )
            names = {member.filename.lower(): member.filename for member in members}
            if "[content_types].xml" not in names or "word/document.xml" not in names:
                raise not_docx
            content_types = archive.read(names["[content_types].xml"])
            if archive.testzip() is not None:  # reads every member and checks its CRC
                raise not_docx
    except ValidationError:
        raise
    except Exception:  # a bad or encrypted zip, an unsupported compression method, ...
        raise not_docx from None
    macros = any(name.rsplit("/", 1)[-1] in _DOCX_ACTIVE_MEMBERS for name in names) or any(
        marker in content_types.lower() for marker in _DOCX_ACTIVE_TYPES
    )
    if macros:
        raise _refuse(
            field,
            _(
                "This Word document contains macros or ActiveX controls, which are not "
                "accepted. Save it as “Word Document (.docx)”, not as a macro-enabled document, "
                "and upload that."
            ),
            "docx_macros",
        )
    if _DOCX_MAIN not in content_types:
        raise not_docx


# Text --------------------------------------------------------------------------------------


def check_text(data: bytes, *, field: str = "file") -> None:
    """Plain text: UTF-8 (a byte-order mark is allowed) without NUL bytes."""
    if b"\x00" in data:
        raise _content_mismatch(
            field,
            ".txt",
            _("It contains binary data, so it is not plain text. Upload it as what it really is."),
        )
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        raise _refuse(
            field,
            _(
                "The text file is not in UTF-8. Open it in a text editor, save it with the UTF-8 "
                "encoding, and upload it again."
            ),
            "text_not_utf8",
        ) from None
