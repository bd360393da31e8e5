import pytest
from django.utils.translation import trans_real

@pytest.mark.django_db
def test_login_misses(client, monkeypatch):
    misses = set()
    g = trans_real.DjangoTranslation.gettext
    def rec(self, m):
        if self.language() == "lv" and m not in self._catalog:
            misses.add(m)
        return g(self, m)
    monkeypatch.setattr(trans_real.DjangoTranslation, "gettext", rec)
    for url in ["/admin/login/", "/admin/password_reset/"]:
        client.get(url, HTTP_ACCEPT_LANGUAGE="lv")
    client.post("/admin/login/", {"username": "x", "password": "y"}, HTTP_ACCEPT_LANGUAGE="lv")
    print(sorted(misses))
