"""An OpenID Connect relying party, as partner software would write it with authlib, run against
a running service: discovery, the authorization code flow with PKCE and a nonce (the person's
sign-in form posted as a browser would), the id_token checked with authlib's JOSE against the
JWKS, userinfo, introspection, revocation and RP-initiated logout.

Usage: flow.py BASE_URL CLIENT_ID REDIRECT_URI IDENTIFIER PASSWORD [tokens|full]
  tokens: sign in and print the tokens, as JSON, on the last line;
  full:   the whole flow, then print "ok".
"""

import json
import os
import sys
from html.parser import HTMLParser
from urllib.parse import parse_qs, urlencode, urljoin, urlparse

# The service under test listens on plain http on the loopback.
os.environ.setdefault("AUTHLIB_INSECURE_TRANSPORT", "1")

import requests  # noqa: E402
from authlib.common.security import generate_token  # noqa: E402
from authlib.integrations.requests_client import OAuth2Session  # noqa: E402
from authlib.jose import JsonWebKey, jwt  # noqa: E402
from authlib.oidc.core import CodeIDToken  # noqa: E402


class SignInForm(HTMLParser):
    """The sign-in page's form: its action and its hidden fields."""

    def __init__(self):
        super().__init__()
        self.action = None
        self.fields = {}

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form":
            self.action = a.get("action")
        elif tag == "input" and a.get("type") == "hidden":
            self.fields[a["name"]] = a.get("value", "")


def check(condition, what):
    if not condition:
        raise SystemExit(f"FAILED: {what}")


def sign_in(base, client_id, redirect_uri, identifier, password):
    meta = requests.get(f"{base}/api/v1/.well-known/openid-configuration", timeout=30).json()
    check(meta["issuer"] == f"{base}/api/v1", f"issuer {meta['issuer']}")
    for key, value in [
        ("response_types_supported", "code"),
        ("id_token_signing_alg_values_supported", "EdDSA"),
        ("code_challenge_methods_supported", "S256"),
        ("scopes_supported", "openid"),
        ("subject_types_supported", "public"),
    ]:
        check(value in meta[key], f"{key} lists {value}")

    client = OAuth2Session(
        client_id,
        redirect_uri=redirect_uri,
        scope="openid profile",
        code_challenge_method="S256",
        token_endpoint_auth_method="none",
        revocation_endpoint_auth_method="none",
    )
    verifier = generate_token(64)
    nonce = generate_token(24)
    url, state = client.create_authorization_url(
        meta["authorization_endpoint"], code_verifier=verifier, nonce=nonce
    )

    # The person's browser: the page, its hidden fields and form token, then the credentials.
    browser = requests.Session()
    page = browser.get(url, allow_redirects=False, timeout=30)
    check(page.status_code == 200, f"sign-in page: {page.status_code}")
    form = SignInForm()
    form.feed(page.text)
    check("jeton" in form.fields and form.fields.get("nonce") == nonce, "hidden fields")
    fields = dict(form.fields, identifiant=identifier, mot_de_passe=password, code="")
    back = browser.post(
        urljoin(url, form.action), data=fields, allow_redirects=False, timeout=30
    )
    check(back.status_code == 303, f"sign-in: {back.status_code} {back.text[:300]}")
    location = back.headers["location"]
    check(location.startswith(redirect_uri), location)

    token = client.fetch_token(
        meta["token_endpoint"], authorization_response=location, code_verifier=verifier
    )
    check("id_token" in token, "an id_token")

    jwks = JsonWebKey.import_key_set(requests.get(meta["jwks_uri"], timeout=30).json())
    claims = jwt.decode(
        token["id_token"],
        jwks,
        claims_cls=CodeIDToken,
        claims_options={
            "iss": {"essential": True, "value": meta["issuer"]},
            "aud": {"essential": True, "value": client_id},
            "nonce": {"essential": True, "value": nonce},
        },
        claims_params={"nonce": nonce, "client_id": client_id},
    )
    claims.validate()
    check(claims.header["alg"] == "EdDSA", f"alg {claims.header}")
    check(claims["nonce"] == nonce and claims["aud"] == client_id, "nonce and aud")
    check("auth_time" in claims and "at_hash" in claims, "auth_time and at_hash")
    return meta, client, token, claims


def full(base, client_id, redirect_uri, identifier, password):
    meta, client, token, claims = sign_in(base, client_id, redirect_uri, identifier, password)

    info = client.get(meta["userinfo_endpoint"], timeout=30)
    check(info.status_code == 200, f"userinfo: {info.status_code}")
    check(info.json()["sub"] == claims["sub"], "userinfo names the id_token's person")
    check(info.json().get("name"), "userinfo gives the name (profile)")
    posted = client.post(meta["userinfo_endpoint"], timeout=30)
    check(posted.json()["sub"] == claims["sub"], "userinfo by POST")

    def introspect(t):
        r = client.introspect_token(meta["introspection_endpoint"], token=t)
        check(r.status_code == 200, f"introspection: {r.status_code}")
        return r.json()

    seen = introspect(token["access_token"])
    check(seen["active"] is True, f"active: {seen}")
    check(seen["client_id"] == client_id and seen["sub"] == claims["sub"], f"{seen}")
    check("openid" in seen["scope"].split() and seen["token_type"] == "Bearer", f"{seen}")
    check(introspect(token["refresh_token"])["active"] is True, "refresh token active")

    r = client.revoke_token(
        meta["revocation_endpoint"], token=token["refresh_token"], token_type_hint="refresh_token"
    )
    check(r.status_code == 200, f"revocation: {r.status_code}")
    check(introspect(token["access_token"]) == {"active": False}, "inactive once revoked")
    check(introspect(token["refresh_token"]) == {"active": False}, "refresh token too")
    check(client.get(meta["userinfo_endpoint"], timeout=30).status_code == 401, "userinfo 401")

    # A second sign-in, ended by the person's logout through the software.
    meta, client, token, claims = sign_in(base, client_id, redirect_uri, identifier, password)
    query = urlencode(
        {
            "id_token_hint": token["id_token"],
            "post_logout_redirect_uri": redirect_uri,
            "state": "au-revoir",
        }
    )
    out = requests.get(
        f"{meta['end_session_endpoint']}?{query}", allow_redirects=False, timeout=30
    )
    check(out.status_code == 303, f"logout: {out.status_code} {out.text[:300]}")
    back = urlparse(out.headers["location"])
    check(parse_qs(back.query) == {"state": ["au-revoir"]}, out.headers["location"])
    check(introspect(token["access_token"]) == {"active": False}, "inactive once logged out")
    print("ok")


def main():
    base, client_id, redirect_uri, identifier, password = sys.argv[1:6]
    mode = sys.argv[6] if len(sys.argv) > 6 else "full"
    if mode == "tokens":
        _, _, token, claims = sign_in(base, client_id, redirect_uri, identifier, password)
        print(json.dumps({"token": dict(token), "sub": claims["sub"]}))
    else:
        full(base, client_id, redirect_uri, identifier, password)


if __name__ == "__main__":
    main()
