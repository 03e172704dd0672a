"""The project's upload checks on Wagtail's own upload paths (documents and images, single, multiple and chooser
uploads all build their forms on these bases): content sniffed against an allow-list, the extension agreeing with
the content, the size limit. An editor's ``page.html`` or an SVG carrying a script is refused, not stored."""

from __future__ import annotations

from django.conf import settings
from wagtail.documents.forms import BaseDocumentForm
from wagtail.images.forms import BaseImageForm

from .services.uploads import check_upload


def document_types() -> tuple[str, ...]:
    return tuple(getattr(settings, "ZHENGWU_DOCUMENT_TYPES", ()))


def image_types() -> tuple[str, ...]:
    return tuple(getattr(settings, "ZHENGWU_IMAGE_TYPES", ()))


def _checked(form, allowed: tuple[str, ...], max_bytes: int | None):
    upload = form.cleaned_data.get("file")
    # An unchanged file on an edit form is the stored one, checked when it was uploaded.
    if upload is None or "file" not in form.changed_data:
        return upload
    check_upload(upload, allowed=allowed, max_bytes=max_bytes)
    upload.seek(0)
    return upload


class CheckedDocumentForm(BaseDocumentForm):
    def clean_file(self):
        return _checked(self, document_types(), getattr(settings, "ZHENGWU_DOCUMENT_MAX_BYTES", None))


class CheckedImageForm(BaseImageForm):
    def clean_file(self):
        return _checked(self, image_types(), getattr(settings, "WAGTAILIMAGES_MAX_UPLOAD_SIZE", None))
