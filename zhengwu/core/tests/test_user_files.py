"""Wagtail's documents and images go through the project's upload checks, and uploaded files are served so that
nothing in them can run in the site's origin — in the demo and development as in production."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image as PILImage
from wagtail.documents import get_document_model
from wagtail.images import get_image_model

from zhengwu.core.wagtail_uploads import CheckedDocumentForm

SVG_WITH_SCRIPT = b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(document.cookie)</script></svg>'


def _png(size=(40, 30)) -> bytes:
    out = io.BytesIO()
    PILImage.new("RGB", size, (200, 30, 30)).save(out, "PNG")
    return out.getvalue()


@pytest.fixture
def editor_client(client, admin_user):
    client.force_login(admin_user)
    return client


def _collection_id():
    from wagtail.models import Collection

    root = Collection.get_first_root_node() or Collection.add_root(name="Root")
    return root.pk


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("page.html", b"<html><script>alert(1)</script></html>", "文件类型"),
        ("report.pdf", b"<html><script>alert(1)</script></html>", "与扩展名 .pdf 不符"),
        ("drawing.svg", SVG_WITH_SCRIPT, "文件类型"),
    ],
)
def test_admin_refuses_documents_that_are_not_what_they_claim(editor_client, name, content, message):
    response = editor_client.post(
        reverse("wagtaildocs:add"),
        {"title": "附件", "file": SimpleUploadedFile(name, content), "collection": _collection_id()},
    )
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not get_document_model().objects.exists()


@pytest.mark.django_db
def test_admin_refuses_an_svg_image_and_a_disguised_one(editor_client):
    for name, content in (("logo.svg", SVG_WITH_SCRIPT), ("photo.png", b"%PDF-1.7 not an image")):
        response = editor_client.post(
            reverse("wagtailimages:add"),
            {"title": "图片", "file": SimpleUploadedFile(name, content), "collection": _collection_id()},
        )
        assert response.status_code == 200, name
        assert not get_image_model().objects.exists(), name
    # The multiple-upload path (drag and drop) builds on the same form.
    response = editor_client.post(
        reverse("wagtailimages:add_multiple"),
        {"files[]": SimpleUploadedFile("logo.svg", SVG_WITH_SCRIPT), "collection": _collection_id()},
        HTTP_X_REQUESTED_WITH="XMLHttpRequest",
    )
    assert not get_image_model().objects.exists()
    response = editor_client.post(
        reverse("wagtailimages:add"),
        {"title": "会场", "file": SimpleUploadedFile("meeting.png", _png()), "collection": _collection_id()},
    )
    assert response.status_code == 302 and get_image_model().objects.count() == 1


@pytest.mark.django_db
def test_document_size_limit_and_a_genuine_pdf(settings, admin_user):
    from wagtail.documents.forms import get_document_form

    form_class = get_document_form(get_document_model())
    assert issubclass(form_class, CheckedDocumentForm)
    settings.ZHENGWU_DOCUMENT_MAX_BYTES = 1024
    big = SimpleUploadedFile("big.pdf", b"%PDF-1.7\n" + b"0" * 4096)
    form = form_class(
        data={"title": "大文件", "collection": _collection_id()}, files={"file": big}, user=admin_user
    )
    assert not form.is_valid() and "文件过大" in str(form.errors)
    ok = SimpleUploadedFile("notice.pdf", b"%PDF-1.7\n" + b"0" * 100)
    form = form_class(
        data={"title": "通知", "collection": _collection_id()}, files={"file": ok}, user=admin_user
    )
    assert form.is_valid(), form.errors


@pytest.mark.django_db
def test_documents_are_downloads_with_nosniff_and_a_csp(client, settings):
    document = get_document_model().objects.create(
        title="公开指南",
        file=SimpleUploadedFile("guide.pdf", b"%PDF-1.7\n" + b"1" * 100),
        collection_id=_collection_id(),
    )
    response = client.get(document.url)
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment")
    assert (
        response["X-Content-Type-Options"] == "nosniff"
        and "default-src 'none'" in response["Content-Security-Policy"]
    )


@pytest.mark.django_db
def test_media_is_served_without_running_anything(client, settings):
    media = Path(settings.MEDIA_ROOT)
    (media / "original_images").mkdir(parents=True, exist_ok=True)
    (media / "documents").mkdir(parents=True, exist_ok=True)
    (media / "original_images" / "banner.png").write_bytes(_png())
    (media / "upload.html").write_bytes(b"<script>alert(1)</script>")
    (media / "documents" / "restricted.pdf").write_bytes(b"%PDF-1.7 restricted")
    image = client.get("/media/original_images/banner.png")
    assert image.status_code == 200 and image["Content-Type"] == "image/png"
    assert "sandbox" in image["Content-Security-Policy"]
    assert not image.get("Content-Disposition", "").startswith("attachment")
    html = client.get("/media/upload.html")
    assert html.status_code == 200 and html["Content-Disposition"] == "attachment"
    assert html["X-Content-Type-Options"] == "nosniff" and "sandbox" in html["Content-Security-Policy"]
    # Documents only through /documents/, which checks the collection's privacy.
    assert client.get("/media/documents/restricted.pdf").status_code == 404
