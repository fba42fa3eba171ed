"""Resumption tokens: the list asked for and where the next page starts, signed with SECRET_KEY.

Stateless, so a token outlives a restart of the portal and works on any worker or host that shares the key;
the signature's time makes it expire (`OAI_TOKEN_SECONDS`), and an expired, altered or foreign token is a
badResumptionToken. The cursor is OpenSearch's `search_after`, so a list pages as deep as it goes.
"""
from __future__ import annotations

from dataclasses import dataclass

from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

_SALT = "oai-pmh-resumption-token"


class BadResumptionToken(ValueError):
    pass


@dataclass(frozen=True)
class ListRequest:
    """A list verb's arguments, as the first request gave them."""

    verb: str
    metadata_prefix: str | None = None
    from_: str | None = None
    until: str | None = None
    set_spec: str | None = None


@dataclass(frozen=True)
class Resumption:
    request: ListRequest
    after: list | None  # search_after of the last hit sent
    cursor: int  # how many items the pages before sent
    total: int  # completeListSize, from the first page


def _serializer(secret_key: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(secret_key, salt=_SALT)


def issue(resumption: Resumption, secret_key: str) -> str:
    r = resumption.request
    return _serializer(secret_key).dumps([r.verb, r.metadata_prefix, r.from_, r.until, r.set_spec,
                                          resumption.after, resumption.cursor, resumption.total])


def read(token: str, secret_key: str, max_age: int, verb: str) -> Resumption:
    try:
        fields = _serializer(secret_key).loads(token, max_age=max_age)
    except SignatureExpired as error:
        raise BadResumptionToken("the resumptionToken has expired: start the list again") from error
    except BadSignature as error:
        raise BadResumptionToken("the resumptionToken is not one this repository issued") from error
    try:
        token_verb, prefix, from_, until, set_spec, after, cursor, total = fields
    except (TypeError, ValueError) as error:
        raise BadResumptionToken("the resumptionToken is not one this repository issued") from error
    if token_verb != verb:
        raise BadResumptionToken(f"the resumptionToken belongs to {token_verb}, not {verb}")
    return Resumption(ListRequest(token_verb, prefix, from_, until, set_spec), after, int(cursor), int(total))
