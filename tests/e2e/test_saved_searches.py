"""Saving a search and stopping its e-mails in the browser (issue 19), in Vietnamese on a laptop and English on a
phone: the results page's form (opened from the keyboard), the saved-searches page with the recent history, the
alert the notices job mails once a new record matches, and the mail's unsubscribe link, followed without being
signed in; each page axe-clean and free of CSP violations."""
from __future__ import annotations

import re
import uuid
from contextlib import contextmanager
from datetime import datetime, timedelta, timezone

import pytest
from playwright.sync_api import expect

from tests.access_requests import unique_email
from tests.e2e.screens import LAPTOP, PHONE
from tests.e2e.sign_in import sign_in_as
from tests.e2e.test_accessibility import check_page
from tests.extra_records import extra_records, one_record

TEXT = {
    "vi": {"save": "Lưu tìm kiếm này", "button": "Lưu", "alert": "Gửi thư cho tôi về hồ sơ mới hằng ngày",
           "saved": "Đã lưu tìm kiếm.", "subject": "1 hồ sơ mới", "stop": "Dừng các thư này",
           "stopped": "Bạn sẽ không nhận thêm thư nào"},
    "en": {"save": "Save this search", "button": "Save", "alert": "E-mail me new records daily",
           "saved": "The search is saved.", "subject": "1 new record", "stop": "Stop these e-mails",
           "stopped": "You will get no more e-mails"},
}


@contextmanager
def _config(app, **values):
    old = {key: app.config.get(key) for key in values}
    app.config.update(values)
    try:
        yield
    finally:
        app.config.update(old)


@pytest.mark.parametrize(("lang", "viewport"), [("vi", LAPTOP), ("en", PHONE)])
def test_a_reader_saves_a_search_gets_its_alert_and_stops_it_from_the_mail(
        browser, portal_server, harvested_app, mail_sink, lang, viewport):
    text = TEXT[lang]
    word = f"hvx{uuid.uuid4().hex[:8]}"
    now = datetime.now(timezone.utc)
    base = one_record(harvested_app, {"term": {"access": "public"}})
    new_record = dict(base, id=f"{base['source_id']}:ALERT/{word}", title=f"Công văn về {word}", content=None,
                      files=[], harvested_at=(now + timedelta(hours=1)).isoformat(),
                      changed_at=(now + timedelta(hours=1)).isoformat(), open_after=None)
    email = unique_email(f"saver-{lang}")
    context = browser.new_context(locale="vi-VN", viewport=viewport)
    page = context.new_page()
    try:
        sign_in_as(page, portal_server, harvested_app, email, "reader", "Phạm Thu Hà")
        page.goto(f"{portal_server.url}/search?q={word}&lang={lang}")
        summary = page.locator("[data-save-search] summary")
        expect(summary).to_have_text(text["save"])
        summary.focus()
        page.keyboard.press("Enter")
        page.locator("#save-name").fill(f"Theo dõi {word}")
        page.locator("#save-alert").select_option(label=text["alert"])
        page.locator("[data-save-search] form").get_by_role("button", name=text["button"], exact=True).click()
        expect(page.locator("main")).to_contain_text(text["saved"])
        saved = page.locator("[data-saved-search]").filter(has_text=f"Theo dõi {word}")
        expect(saved.locator("select")).to_have_value("daily")
        expect(page.locator("[data-history]").first).to_contain_text(word)
        check_page(page, f"{portal_server.url}/saved-searches?lang={lang}", f"saved-searches-{lang}")

        with extra_records(harvested_app, [new_record]), \
                _config(harvested_app, PORTAL_BASE_URL=portal_server.url,
                        ACCESS_CLOCK=lambda: now + timedelta(days=1, hours=2)):
            result = harvested_app.test_cli_runner().invoke(args=["notices", "send"])
        assert result.exit_code == 0, result.output
        mail = mail_sink.wait_for(email, timeout=30.0)[-1]
        assert text["subject"] in mail["Subject"] and new_record["title"] in mail.get_content()
        link = re.search(r"https?://\S+/alerts/unsubscribe/\S+", mail.get_content()).group(0)
        assert mail["List-Unsubscribe"] == f"<{link}>"

        stranger = browser.new_context(locale="vi-VN", viewport=viewport).new_page()  # not signed in
        check_page(stranger, f"{link}?lang={lang}", f"unsubscribe-{lang}")
        stranger.get_by_role("button", name=text["stop"]).click()
        expect(stranger.locator("[data-unsubscribed]")).to_contain_text(text["stopped"])
        stranger.context.close()

        page.goto(f"{portal_server.url}/saved-searches?lang={lang}")
        expect(saved.locator("select")).to_have_value("none")
    finally:
        context.close()
