"""Signing in through the login page in the browser, as a person made for the test."""
from __future__ import annotations

from playwright.sync_api import expect

from tests.accounts import TEST_PASSWORD, create_user


def sign_in_as(page, portal_server, app, email: str, roles: str, full_name: str, province: str | None = None) -> None:
    """A local account with these roles (and province), signed in on /login; returns once the header names them
    and the page's scripts have run (the header is drawn before its deferred scripts: a key pressed in between
    meets a menu without its Escape handler)."""
    create_user(app, email, roles, province=province, full_name=full_name)
    page.goto(f"{portal_server.url}/login")
    page.fill("#email", email)
    page.fill("#password", TEST_PASSWORD)
    page.locator("form.auth-form").get_by_role("button", name="Đăng nhập").click()
    expect(page.locator("[data-account]")).to_contain_text(full_name)
    page.wait_for_load_state("load")
