"""Test data for `cargo xtask schemathesis`: what a schema cannot say about state.

Schemathesis draws bodies from the OpenAPI document; some answers depend on state, not on the body, and would be
refusals of valid data for reasons the document cannot declare:
- a secret rotation can only be cancelled or completed while one is under way, and only started when none is: the
  rotating client is put in the needed state before each call;
- the token endpoint only answers for real credentials and scopes the client has: positive cases get the seeded
  client's credentials and one of its scopes (negative cases are left as drawn, so that their refusal is checked).
"""

import base64
import json
import os
import urllib.request

import schemathesis

BASE = os.environ["ST_BASE"]
ROTATING = os.environ["ST_ROTATING_ID"]
PROJECT = base64.b64encode(
    f"{os.environ['ST_PROJECT_ID']}:{os.environ['ST_PROJECT_SECRET']}".encode()
).decode()


def _post(path):
    request = urllib.request.Request(
        BASE + path,
        data=b"{}",
        method="POST",
        headers={"authorization": "Basic " + PROJECT, "content-type": "application/json"},
    )
    try:
        urllib.request.urlopen(request).read()
    except urllib.error.HTTPError as error:  # not rotating / already rotating: the state we want
        error.read()


def _positive(case):
    mode = getattr(getattr(getattr(case, "meta", None), "generation", None), "mode", None)
    return mode is not None and str(getattr(mode, "value", mode)).lower() == "positive"


@schemathesis.hook
def before_call(context, case, **kwargs):
    path = case.operation.path
    rotate = f"/v1/m2m/clients/{ROTATING}/secrets/rotate"
    if path.endswith("/secrets/rotate/start"):
        _post(rotate + "/cancel")
    elif path.endswith("/secrets/rotate/cancel") or path.endswith("/secrets/rotate"):
        _post(rotate + "/start")
    elif path.endswith("/oauth2/token") and _positive(case) and isinstance(case.body, dict):
        case.body["client_id"] = os.environ["ST_CLIENT_ID"]
        case.body["client_secret"] = os.environ["ST_CLIENT_SECRET"]
        if isinstance(case.body.get("scope"), str):
            case.body["scope"] = "read:users"
