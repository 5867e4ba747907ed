"""Small real files for upload tests, made on the fly with Pillow, pypdf and zipfile.

Tests that upload files use these instead of fake bytes: the upload checks parse what they get
(salama.core.uploads), so only a real PDF, image or document passes.
"""

from __future__ import annotations

import io
import zipfile

from PIL import Image, PngImagePlugin
from pypdf import PdfWriter
from pypdf.actions import JavaScript
from pypdf.generic import DictionaryObject, NameObject, TextStringObject

# EXIF tags
ORIENTATION = 0x0112
GPS_IFD = 0x8825
MAKE = 0x010F


def png_bytes(
    size: tuple[int, int] = (8, 6),
    *,
    mode: str = "RGB",
    color: tuple[int, ...] = (200, 30, 30),
    text: dict[str, str] | None = None,
    trailing: bytes = b"",
) -> bytes:
    """A PNG of one colour; `text` adds tEXt chunks, `trailing` is appended after IEND."""
    info = PngImagePlugin.PngInfo()
    for key, value in (text or {}).items():
        info.add_text(key, value)
    out = io.BytesIO()
    Image.new(mode, size, color).save(out, format="PNG", pnginfo=info)
    return out.getvalue() + trailing


def jpeg_bytes(
    size: tuple[int, int] = (8, 6),
    *,
    color: tuple[int, int, int] = (30, 30, 200),
    gps: bool = False,
    orientation: int | None = None,
) -> bytes:
    """A JPEG of one colour; `gps` adds an EXIF GPS position and camera make."""
    exif = Image.Exif()
    if gps:
        exif[MAKE] = "PhoneCam"
        exif[GPS_IFD] = {1: "N", 2: (1.0, 17.0, 33.0), 3: "E", 4: (36.0, 49.0, 2.0)}
    if orientation is not None:
        exif[ORIENTATION] = orientation
    out = io.BytesIO()
    Image.new("RGB", size, color).save(out, format="JPEG", exif=exif.tobytes(), quality=90)
    return out.getvalue()


def pdf_bytes(
    *,
    javascript: bool = False,
    launch: bool = False,
    attachment: bool = False,
    password: str | None = None,
) -> bytes:
    """A one-page PDF written by pypdf, optionally with active content or a password."""
    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    writer.add_metadata({"/Title": "Statement"})
    if javascript:
        writer.add_open_action(JavaScript("app.alert('hello');"))
    if launch:
        writer._root_object[NameObject("/OpenAction")] = DictionaryObject(
            {
                NameObject("/S"): NameObject("/Launch"),
                NameObject("/F"): TextStringObject("cmd.exe"),
            }
        )
    if attachment:
        writer.add_attachment("payload.exe", b"MZ\x90\x00")
    if password is not None:
        writer.encrypt(password)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


_CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" '
    'ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/word/document.xml" ContentType="{main}"/>{extra}</Types>'
)
_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Target="word/document.xml" Type="http://schemas.openxmlformats.org/'
    'officeDocument/2006/relationships/officeDocument"/></Relationships>'
)
_DOCUMENT = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
    "<w:body><w:p><w:r><w:t>Statement</w:t></w:r></w:p></w:body></w:document>"
)
DOCX_MAIN = "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"
DOCM_MAIN = "application/vnd.ms-word.document.macroEnabled.main+xml"


def docx_bytes(*, macros: bool = False, main: str = DOCX_MAIN) -> bytes:
    """A minimal Word document; `macros` adds a VBA project as a .docm has."""
    extra = ""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        if macros:
            extra = (
                '<Override PartName="/word/vbaProject.bin" '
                'ContentType="application/vnd.ms-office.vbaProject"/>'
            )
            archive.writestr("word/vbaProject.bin", b"\xd0\xcf\x11\xe0 not really VBA")
        archive.writestr("[Content_Types].xml", _CONTENT_TYPES.format(main=main, extra=extra))
        archive.writestr("_rels/.rels", _RELS)
        archive.writestr("word/document.xml", _DOCUMENT)
    return out.getvalue()


TEXT = "Statement taken in Agadez.\nDéclaration — إفادة\n".encode()
