"""Budget think-tank workshops in the admin (Participation → Workshops): attendance, outcome notes, ideas
entered for attendees, voting codes handed out there. The services are in ideas/workshops.py."""

from django.utils.translation import gettext_lazy as _
from wagtail.admin.viewsets.base import ViewSet


class WorkshopViewSet(ViewSet):
    """Workshops linked to a round and what staff record about each."""

    name = "workshops"
    url_prefix = "participation/workshops"
    icon = "group"
    menu_label = _("Workshops")

    def get_urlpatterns(self):
        return []
