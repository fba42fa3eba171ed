"""The ID token is checked before anyone is signed in: signature against the issuer's published keys,
issuer, audience, expiry and nonce. A small identity provider served here on a free port signs
tokens that are wrong in one way each (the real Keycloak never would), and the portal refuses them."""
from __future__ import annotations

import time
from urllib.parse import urlencode

import pytest
from flask import Flask, jsonify, redirect, request
from joserfc import jwt
from joserfc.jwk import RSAKey

from tests.conftest import ServerThread, make_portal
from tests.keycloak import query_of

CLIENT_ID = "archives-portal"


class FakeProvider:
    """Just enough of an OpenID provider for the code flow; `scenario` picks what goes wrong."""

    def __init__(self):
        self.key = RSAKey.generate_key(2048, parameters={"kid": "published", "use": "sig", "alg": "RS256"})
        self.other_key = RSAKey.generate_key(2048, parameters={"kid": "published", "use": "sig", "alg": "RS256"})
        self.scenario = "good"
        self.nonces: dict[str, str] = {}
        self.app = Flask("fake_provider")
        self.url = ""
        app = self.app

        @app.get("/.well-known/openid-configuration")
        def metadata():
            return jsonify(issuer=self.url if self.scenario != "metadata_other_issuer" else "http://evil.example",
                           authorization_endpoint=f"{self.url}/auth", token_endpoint=f"{self.url}/token",
                           jwks_uri=f"{self.url}/jwks", end_session_endpoint=f"{self.url}/logout",
                           id_token_signing_alg_values_supported=["RS256"],
                           code_challenge_methods_supported=["S256"])

        @app.get("/jwks")
        def jwks():
            return jsonify(keys=[self.key.as_dict(private=False)])

        @app.get("/auth")
        def authorize():
            code = f"code-{len(self.nonces)}"
            self.nonces[code] = request.args["nonce"]
            assert request.args["code_challenge_method"] == "S256"
            return redirect(f"{request.args['redirect_uri']}?{urlencode({'code': code, 'state': request.args['state']})}")

        @app.post("/token")
        def token():
            assert request.form.get("code_verifier"), "PKCE: the code verifier must come with the code"
            nonce = self.nonces[request.form["code"]]
            answer = {"access_token": "opaque-access-token", "token_type": "Bearer", "expires_in": 300}
            if self.scenario != "no_id_token":
                answer["id_token"] = self.id_token(nonce)
            return jsonify(answer)

    def id_token(self, nonce: str) -> str:
        now = int(time.time())
        claims = {"iss": self.url, "sub": "subject-86", "aud": CLIENT_ID, "iat": now, "exp": now + 300,
                  "nonce": nonce, "groups": ["/archives/staff"], "province": "86", "name": "Nguyễn Thị Lan"}
        key = self.key
        if self.scenario == "wrong_key":
            key = self.other_key  # same kid, another private key: a forged signature
        elif self.scenario == "wrong_issuer":
            claims["iss"] = "http://evil.example/realms/archives"
        elif self.scenario == "wrong_audience":
            claims["aud"] = "some-other-client"
        elif self.scenario == "expired":
            claims.update(iat=now - 3600, exp=now - 1800)
        elif self.scenario == "no_nonce":
            del claims["nonce"]
        token = jwt.encode({"alg": "RS256", "kid": "published"}, claims, key)
        if self.scenario == "tampered_payload":
            header, payload, signature = token.split(".")
            forged = jwt.encode({"alg": "RS256", "kid": "published"},
                                {**claims, "groups": ["/archives/national-admin"]}, self.other_key)
            token = ".".join([header, forged.split(".")[1], signature])
        return token


@pytest.fixture(scope="module")
def provider():
    fake = FakeProvider()
    with ServerThread(fake.app) as server:
        fake.url = server.url
        yield fake


@pytest.fixture()
def portal(tmp_path_factory, provider):
    provider.scenario = "good"
    return make_portal(tmp_path_factory, OIDC_ISSUER=provider.url, OIDC_CLIENT_ID=CLIENT_ID,
                       OIDC_CLIENT_SECRET="test-secret")


def sign_in_through(provider: FakeProvider, client, scenario: str):
    import requests

    start = client.get("/auth/oidc/login")
    assert start.status_code == 302
    provider.scenario = scenario
    back = requests.get(start.headers["Location"], allow_redirects=False, timeout=10).headers["Location"]
    query = query_of(back)
    return client.get(f"/auth/oidc/callback?{urlencode(query)}")


def test_a_valid_id_token_signs_the_official_in(portal, provider):
    client = portal.test_client()
    answer = sign_in_through(provider, client, "good")
    assert answer.status_code == 302
    account = client.get("/account")
    assert account.status_code == 200


@pytest.mark.parametrize("scenario", [
    "wrong_key", "tampered_payload", "wrong_issuer", "wrong_audience", "expired", "no_nonce", "no_id_token",
])
def test_an_id_token_that_fails_a_check_signs_nobody_in(portal, provider, scenario):
    client = portal.test_client()
    answer = sign_in_through(provider, client, scenario)
    assert answer.status_code == 401, answer.text[:300]
    assert "data-sso-error" in answer.text
    assert client.get("/account").status_code == 302  # to the sign-in page: nobody is signed in


def test_metadata_naming_another_issuer_is_refused(portal, provider):
    provider.scenario = "metadata_other_issuer"
    answer = portal.test_client().get("/auth/oidc/login")
    assert answer.status_code == 503 and "data-sso-error" in answer.text
