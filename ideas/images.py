"""Checks residents' photos and re-encodes them so that no camera metadata (location, device) is kept."""

import io

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

ACCEPTED_FORMATS = {"JPEG", "PNG", "WEBP"}
# What Pillow raises for a file that is not a picture, or a broken or cut-off one.
UNREADABLE = (UnidentifiedImageError, OSError, SyntaxError, Image.DecompressionBombError)


def clean_image(uploaded):
    """A metadata-free JPEG of an uploaded photo, or ValidationError with a message a resident understands."""
    if uploaded.size > settings.IDEA_IMAGE_MAX_BYTES:
        raise ValidationError(
            _("“%(name)s” is too large (%(size)s MB); the limit is %(limit)s MB.")
            % {
                "name": uploaded.name,
                "size": round(uploaded.size / 1024 / 1024, 1),
                "limit": settings.IDEA_IMAGE_MAX_BYTES // 1024 // 1024,
            }
        )
    try:
        uploaded.seek(0)
        with Image.open(uploaded) as probe:
            image_format = probe.format
            width, height = probe.size
            probe.verify()
    except UNREADABLE as error:
        raise _unreadable(uploaded) from error
    if image_format not in ACCEPTED_FORMATS:
        raise ValidationError(
            _("“%(name)s” is a %(format)s file. Please upload a JPEG, PNG or WebP image.")
            % {"name": uploaded.name, "format": image_format}
        )
    if width * height > settings.IDEA_IMAGE_MAX_PIXELS:
        raise ValidationError(
            _("“%(name)s” has too many pixels (%(width)s by %(height)s). Please upload a smaller image.")
            % {"name": uploaded.name, "width": width, "height": height}
        )
    uploaded.seek(0)
    try:
        with Image.open(uploaded) as image:
            image = ImageOps.exif_transpose(image)  # keep the photo upright once EXIF is gone
            image = image.convert("RGB")
            image.thumbnail((settings.IDEA_IMAGE_MAX_SIDE, settings.IDEA_IMAGE_MAX_SIDE))
            output = io.BytesIO()
            image.save(
                output, format="JPEG", quality=85, optimize=True
            )  # no exif= argument: metadata dropped
    except (*UNREADABLE, ValueError) as error:
        # verify() above reads only the headers: a file cut off in the middle ("image file is truncated") or
        # with broken picture data or EXIF fails only here, once the pixels are decoded.
        raise _unreadable(uploaded) from error
    return ContentFile(output.getvalue(), name="image.jpg")


def _unreadable(uploaded):
    return ValidationError(
        _("“%(name)s” is not a picture we can read. Please upload a JPEG, PNG or WebP image.")
        % {"name": uploaded.name}
    )
