"""Wagtail page types, snippets and settings of the website; one module per page family."""

from .contact import ContactPage, FormField
from .events import EventIndexPage, EventPage, EventRegistration
from .home_page import HomePage
from .news import NewsIndexPage, NewsPage, NewsPageTag
from .projects import ProjectPage, ProjectPartner, ProjectPhase, ProjectRelatedNews
from .site_settings import SiteSettings
from .snippets import Department, SiteText
from .standard import StandardPage

__all__ = [
    "ContactPage",
    "Department",
    "EventIndexPage",
    "EventPage",
    "EventRegistration",
    "FormField",
    "HomePage",
    "NewsIndexPage",
    "NewsPage",
    "NewsPageTag",
    "ProjectPage",
    "ProjectPartner",
    "ProjectPhase",
    "ProjectRelatedNews",
    "SiteSettings",
    "SiteText",
    "StandardPage",
]
