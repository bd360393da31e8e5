"""Residents' photos: accepted formats only, size and pixel limits, no metadata left."""

import io

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from ideas.images import clean_image


@pytest.fixture(autouse=True)
def _messages_in_english():
    # The assertions read the English messages; without a request the active language is the site's, Latvian.
    from django.utils import translation

    with translation.override("en"):
        yield


def photo(format_="JPEG", size=(640, 480), exif_gps=False, name="photo.jpg"):
    image = Image.new("RGB", size, (40, 120, 60))
    buffer = io.BytesIO()
    kwargs = {}
    if exif_gps:
        exif = Image.Exif()
        exif[0x010F] = "CameraMaker"  # Make
        exif[0x8825] = {1: "N", 2: (56.0, 50.0, 0.0)}  # GPS info
        kwargs["exif"] = exif
    image.save(buffer, format=format_, **kwargs)
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/jpeg")


def test_metadata_is_removed():
    upload = photo(exif_gps=True)
    assert Image.open(io.BytesIO(upload.read())).getexif(), "the test photo carries EXIF"
    cleaned = clean_image(upload)
    assert not Image.open(io.BytesIO(cleaned.read())).getexif()


def test_png_and_webp_become_jpeg():
    for format_ in ("PNG", "WEBP"):
        cleaned = clean_image(photo(format_, name=f"x.{format_.lower()}"))
        assert Image.open(io.BytesIO(cleaned.read())).format == "JPEG"


def test_large_images_are_scaled_down(settings):
    settings.IDEA_IMAGE_MAX_SIDE = 800
    cleaned = clean_image(photo(size=(2000, 1000)))
    assert Image.open(io.BytesIO(cleaned.read())).size == (800, 400)


def test_a_text_file_posing_as_a_photo_is_refused():
    fake = SimpleUploadedFile("photo.jpg", b"<script>alert(1)</script>", content_type="image/jpeg")
    with pytest.raises(ValidationError, match="not a picture we can read"):
        clean_image(fake)


def test_other_formats_are_refused():
    with pytest.raises(ValidationError, match="GIF"):
        clean_image(photo("GIF", name="anim.gif"))


def test_oversized_files_are_refused(settings):
    settings.IDEA_IMAGE_MAX_BYTES = 1000
    with pytest.raises(ValidationError, match="too large"):
        clean_image(photo(size=(800, 800)))


def test_too_many_pixels_are_refused(settings):
    settings.IDEA_IMAGE_MAX_PIXELS = 100 * 100
    with pytest.raises(ValidationError, match="too many pixels"):
        clean_image(photo(size=(200, 200)))
