import pytest
from wagtail.models import Locale, Page
from wagtail.users.models import UserProfile
from django.contrib.auth import get_user_model


@pytest.mark.django_db
def test_shots(site_server, chromium):
    if True:
        user = get_user_model().objects.get(username="admin")
        UserProfile.objects.update_or_create(user=user, defaults={"preferred_language": "lv"})
        lv = Locale.objects.get(language_code="lv"); en = Locale.objects.get(language_code="en")
        home = Page.objects.get(depth=2, locale=lv)
        news = Page.objects.filter(locale=lv, depth__gt=3).first()
        tr = Page.objects.filter(locale=en, depth__gt=2).first()
        urls = {"dashboard": "/admin/", "explorer": f"/admin/pages/{home.pk}/", "edit": f"/admin/pages/{news.pk}/edit/",
                "rounds": "/admin/snippets/ideas/budgetround/", "round_add": "/admin/snippets/ideas/budgetround/add/",
                "localize": f"/admin/pages/{tr.pk}/edit/", "workflows": "/admin/workflows/list/"}
    for width in (1280, 360):
        context = chromium.new_context(locale="lv-LV", viewport={"width": width, "height": 900})
        page = context.new_page()
        for name, url in [("login", "/accounts/login/"), ("signup", "/accounts/signup/"), ("reset", "/accounts/password/reset/")]:
            page.goto(site_server + url)
            page.screenshot(path=f"/tmp/shots/h4/{name}-{width}.png", full_page=True)
        page.goto(site_server + "/admin/login/")
        page.screenshot(path=f"/tmp/shots/h4/admin-login-{width}.png")
        from django.test import Client
        c = Client(); c.force_login(user)
        context.add_cookies([{"name": "sessionid", "value": c.cookies["sessionid"].value, "url": site_server}])
        for name, url in urls.items():
            page.goto(site_server + url)
            page.wait_for_load_state("networkidle")
            if name == "edit":
                try:
                    page.click("button[aria-label='Citas darbības'], .footer__container button.dropdown-toggle", timeout=2000)
                except Exception:
                    pass
            page.screenshot(path=f"/tmp/shots/h4/admin-{name}-{width}.png", full_page=(name != "localize"))
        context.close()
