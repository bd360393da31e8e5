"""Demo data of delivery (part of `manage.py load_demo`, called from ideas/demo.py): the delivery page in both
languages, and the funded ideas of the finished round "Zaļāka apkaime 2025" (ideas/demo_results.py) in every
delivery state: one completed with its delivered green impact and photos, one in progress, one delayed and late,
one planned and one cancelled with its reason. Everything goes through the services of ideas/delivery.py as the
system (user None), so the ideas' public history reads as it would for real. Idempotent: a round whose deliveries
already have history is left alone.
"""

import datetime
import io
from decimal import Decimal

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image, ImageDraw

from ideas import delivery as services
from ideas.delivery import FUNDED
from ideas.models import Delivery, DeliveryEvent, DeliveryPage, Idea

DELIVERY_PAGE = {
    "lv": {
        "title": "Ideju īstenošana",
        "slug": "istenosana",
        "intro": "<p>Kas notiek ar idejām, kuras iedzīvotāji izvēlējās: darba gaita, izmaksas un paveiktais "
        "zaļajā jomā.</p>",
    },
    "en": {
        "title": "Delivery of funded ideas",
        "slug": "delivery",
        "intro": "<p>What happens to the ideas residents chose: progress, costs and the green impact delivered.</p>",
    },
}

# Promised impact and place of the 2025 ideas (by title), as their authors would have written them.
PROMISES = {
    "Ābeļu dārzs pie Ķekavas skolas": {
        "trees_planted": 20,
        "area_greened_m2": 400,
        "latitude": Decimal("56.826700"),
        "longitude": Decimal("24.231500"),
    },
    "Velonovietnes pie stacijas": {
        "co2_tonnes_per_year": Decimal("1.50"),
        "latitude": Decimal("56.833100"),
        "longitude": Decimal("24.219900"),
    },
    "Gājēju pāreja ar apgaismojumu": {
        "path_length_m": 60,
        "latitude": Decimal("56.874300"),
        "longitude": Decimal("24.118600"),
    },
    "Šķirošanas stacija pie ezera": {
        "co2_tonnes_per_year": Decimal("0.80"),
        "latitude": Decimal("56.870900"),
        "longitude": Decimal("24.125400"),
    },
    "Putnu būrīši Baložu mežaparkā": {
        "trees_planted": 0,
        "latitude": Decimal("56.880200"),
        "longitude": Decimal("24.110700"),
    },
}


def _day(days):
    return timezone.localdate() + datetime.timedelta(days=days)


def _photo(name, colour, label):
    """A small made-up picture of the site (no camera, no metadata)."""
    image = Image.new("RGB", (960, 640), colour)
    draw = ImageDraw.Draw(image)
    for step in range(0, 960, 120):
        draw.ellipse((step + 20, 380, step + 110, 600), fill=(40, 110, 50))
        draw.rectangle((step + 60, 560, step + 70, 640), fill=(90, 60, 30))
    draw.text((30, 30), label, fill=(255, 255, 255))
    output = io.BytesIO()
    image.save(output, format="JPEG", quality=80)
    return SimpleUploadedFile(name, output.getvalue(), content_type="image/jpeg")


def _completed(idea):
    services.add_milestone(idea, None, title="Stādīšanas plāns saskaņots ar skolu", planned_date=_day(-26))
    services.add_milestone(idea, None, title="Ābeles iestādītas", planned_date=_day(-10))
    first, second = idea.delivery.milestones.order_by("planned_date")
    services.reach_milestone(first, None, actual_date=_day(-25))
    services.update_delivery(
        idea, None, state=Delivery.State.IN_PROGRESS, progress=50, planned_completion=_day(-4)
    )
    services.reach_milestone(second, None, actual_date=_day(-8))
    services.post_update(
        idea,
        None,
        text="Skolēni kopā ar dārzniekiem iestādīja 22 ābeles — divas vairāk, nekā solīts, jo stādaudzētava "
        "tās uzdāvināja. Pie dārza uzstādīti trīs soliņi.",
        photos=[
            (_photo("darzs-1.jpg", (120, 170, 90), "Ābeļu dārzs"), "Jaunās ābeles skolas pagalmā rindā"),
            (_photo("darzs-2.jpg", (150, 190, 120), "Soliņi"), "Soliņi ābeļu dārza malā"),
        ],
    )
    services.update_delivery(
        idea,
        None,
        state=Delivery.State.COMPLETED,
        completed_on=_day(-5),
        final_cost=Decimal("18450"),
        overrun_reason="Stādi kļuva dārgāki; starpību sedza no soliņu iepirkuma ietaupījuma.",
    )
    services.record_delivered_impact(idea, None, trees_planted=22, area_greened_m2=420)


def _in_progress(idea):
    services.add_milestone(idea, None, title="Pamati izbūvēti", planned_date=_day(-6))
    services.add_milestone(idea, None, title="Jumts un statīvi uzstādīti", planned_date=_day(12))
    services.reach_milestone(
        idea.delivery.milestones.order_by("planned_date").first(), None, actual_date=_day(-4)
    )
    services.update_delivery(
        idea, None, state=Delivery.State.IN_PROGRESS, progress=60, planned_completion=_day(20)
    )
    services.post_update(
        idea,
        None,
        text="Pamati ir gatavi; jumta konstrukcijas piegāde gaidāma nākamnedēļ.",
        photos=[
            (_photo("velo-1.jpg", (110, 130, 150), "Pamati"), "Betonēti pamati velonovietnei pie stacijas")
        ],
    )


def _delayed(idea):
    services.add_milestone(idea, None, title="Apgaismojuma stabu piegāde", planned_date=_day(-12))
    services.update_delivery(
        idea, None, state=Delivery.State.DELAYED, progress=40, planned_completion=_day(-7)
    )
    services.post_update(
        idea,
        None,
        text="Piegādātājs kavē apgaismojuma stabu piegādi; ietves posms ir izbūvēts. Jaunais termiņš tiks paziņots.",
    )


def _planned(idea):
    services.add_milestone(idea, None, title="Iepirkums izsludināts", planned_date=_day(14))
    services.update_delivery(idea, None, planned_completion=_day(45))


def _cancelled(idea):
    services.update_delivery(
        idea,
        None,
        state=Delivery.State.CANCELLED,
        cancel_reason="Meža īpašnieks neatļāva izvietot būrīšus; līdzekļi atgriezti nākamā gada budžetā.",
    )


# The order in which the funded ideas take the states (the demo's count decides which ideas are funded).
STEPS = {
    "Ābeļu dārzs pie Ķekavas skolas": _completed,
    "Velonovietnes pie stacijas": _in_progress,
    "Gājēju pāreja ar apgaismojumu": _delayed,
    "Šķirošanas stacija pie ezera": _planned,
    "Putnu būrīši Baložu mežaparkā": _cancelled,
}


def load_delivery_demo(home_lv, en, budget_round):
    """The delivery page, and the delivery of `budget_round`'s funded ideas. Idempotent."""
    _load_delivery_page(home_lv, en)
    if DeliveryEvent.objects.filter(idea__round=budget_round).exists():
        return
    for title, values in PROMISES.items():
        Idea.objects.filter(round=budget_round, title=title).update(**values)
    for idea in Idea.objects.filter(round=budget_round, status__in=FUNDED).order_by("pk"):
        step = STEPS.get(idea.title)
        if step is not None:
            services.start_delivery(idea, None)
            step(idea)


def _load_delivery_page(home_lv, en):
    page = DeliveryPage.objects.child_of(home_lv).first()
    if page is None:
        page = DeliveryPage(locale=home_lv.locale, **DELIVERY_PAGE["lv"])
        home_lv.add_child(instance=page)
        page.save_revision().publish()
    if page.get_translation_or_none(en) is None:
        english = page.copy_for_translation(en)
        english.title, english.slug, english.intro = (
            DELIVERY_PAGE["en"][key] for key in ("title", "slug", "intro")
        )
        english.save_revision().publish()
    return page
