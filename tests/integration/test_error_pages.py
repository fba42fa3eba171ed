"""Error pages speak the reader's language and say what to do next (issue 18): Werkzeug's English texts
never reach a Vietnamese page."""
from __future__ import annotations

import pytest

from tests.accounts import csrf_token, signed_in_client
from tests.conftest import make_portal

WERKZEUG_ENGLISH = ("The method is not allowed", "The browser (or proxy) sent a request",
                    "You don't have the permission", "The CSRF token", "Too Many Requests")


@pytest.fixture()
def portal(tmp_path_factory):
    return make_portal(tmp_path_factory, RATELIMIT_SIGN_IN="2 per minute")


def _page(response) -> str:
    text = response.get_data(as_text=True)
    assert not any(english in text for english in WERKZEUG_ENGLISH), text[:3000]
    return text


def test_a_method_the_address_does_not_take_is_explained_in_vietnamese(portal):
    page = _page(portal.test_client().get("/logout"))
    assert "Không thực hiện được ở đây" in page and "dùng các nút và liên kết" in page


def test_a_form_sent_without_its_token_is_explained_in_vietnamese(portal):
    response = portal.test_client().post("/login", data={"email": "a@example.vn", "password": "x"})
    assert response.status_code == 400
    assert "Biểu mẫu này đã hết hạn" in _page(response)


def test_a_page_the_account_may_not_open_is_explained_in_vietnamese_and_english(portal):
    reader = signed_in_client(portal, "reader@example.vn", "reader")
    response = reader.get("/staff/requests")
    assert response.status_code == 403
    assert "Không được phép" in _page(response)
    english = reader.get("/staff/requests?lang=en")
    assert "Not allowed" in _page(english) and "Sign in with another account" in english.get_data(as_text=True)


def test_too_many_sign_ins_are_explained_in_vietnamese(portal):
    client = portal.test_client()
    statuses = []
    for _ in range(3):
        token = csrf_token(client.get("/login").get_data(as_text=True))
        statuses.append(client.post("/login", data={"csrf_token": token, "email": "a@example.vn",
                                                    "password": "wrong password"}))
    assert statuses[-1].status_code == 429
    assert "Quá nhiều yêu cầu" in _page(statuses[-1])
