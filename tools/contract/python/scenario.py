"""What a Python integrator does with the client openapi-python-client generates from
openapi.yaml (check.sh generates it into ../generated/python): every operation is there, and
the models read and write what the service answers and expects.

Run as: python scenario.py <openapi.yaml> <generated package's parent folder>
"""

import importlib
import pathlib
import sys

from ruamel.yaml import YAML

document, generated = pathlib.Path(sys.argv[1]), pathlib.Path(sys.argv[2])
sys.path.insert(0, str(generated))

from mcp_client.models import (  # noqa: E402
    LoginRequest,
    NewUser,
    PartnerPage,
    Problem,
    TokenError,
    TokenResponse,
)

# Every operation of the contract is a function of the client, under its operationId — but the
# NDJSON import, whose content type the generator does not support (an integrator maps it with
# the generator's content_type_overrides; the service's own tooling loads files itself).
spec = YAML(typ="safe").load(document.read_text())
operations = {
    op["operationId"]: path
    for path, item in spec["paths"].items()
    for method, op in item.items()
    if method in {"get", "post", "put", "delete", "patch"}
}
generated_ops = {
    p.stem for p in (generated / "mcp_client" / "api").glob("*/*.py") if p.stem != "__init__"
}
missing = set(operations) - generated_ops
assert missing == {"import_beneficiary_files"}, f"operations not generated: {sorted(missing)}"
for tag_dir in (generated / "mcp_client" / "api").iterdir():
    if tag_dir.is_dir():
        for module in tag_dir.glob("*.py"):
            if module.stem != "__init__":
                m = importlib.import_module(f"mcp_client.api.{tag_dir.name}.{module.stem}")
                assert hasattr(m, "sync_detailed"), module

# The partner list is a page of partners, with their SIRET.
page = PartnerPage.from_dict(
    {
        "items": [
            {
                "id": "01a20810-0000-7000-8000-000000000002",
                "caf_id": "01a20810-0000-7000-8000-000000000001",
                "siret": "21770000100017",
                "name": "CCAS de Lieusaint",
                "category": "ccas",
                "address": "Place de la Mairie, 77127 Lieusaint",
                "representative_name": "Michel Bisson",
                "created_at": "2026-12-01T09:00:00Z",
                "updated_at": "2026-12-01T09:00:00Z",
            }
        ],
        "next_cursor": None,
    }
)
assert page.items[0].siret == "21770000100017"

# Signing in with the device token the last sign-in gave, and keeping the new one.
body = LoginRequest(identifier="K7M2-Q9XD", password="Mot-de-passe-long-1", device_token="d3v1c3")
assert body.to_dict()["device_token"] == "d3v1c3"
tokens = TokenResponse.from_dict(
    {
        "access_token": "eyJ…",
        "token_type": "Bearer",
        "expires_in": 900,
        "refresh_token": "r3fr3sh",
        "session_expires_at": "2026-12-01T21:00:00Z",
        "session_id": "01a20810-0000-7000-8000-000000000009",
        "password_change_required": False,
        "second_factor_enrolment_required": False,
        "device_token": "n3w",
    }
)
assert tokens.device_token == "n3w"

# Creating a user; a refusal is problem+json with a stable code.
user = NewUser(
    full_name="Julie Martin",
    function_title="Conseillère ESF",
    email="julie.martin@ccas-lieusaint.fr",
    phone="01 64 13 55 01",
)
assert user.to_dict()["email"] == "julie.martin@ccas-lieusaint.fr"
problem = Problem.from_dict(
    {
        "type": "urn:mcp:problem:person_already_has_account",
        "title": "Cette personne a déjà un compte chez ce partenaire",
        "status": 409,
        "code": "person_already_has_account",
        "detail": "one person, one account",
    }
)
assert problem.code == "person_already_has_account"

# The token endpoint's errors are RFC 6749's, as an enumeration.
error = TokenError.from_dict(
    {
        "type": "urn:mcp:problem:invalid_grant",
        "title": "invalid_grant",
        "status": 400,
        "code": "invalid_grant",
        "detail": "this code is unknown, used or expired",
        "error": "invalid_grant",
        "error_description": "this code is unknown, used or expired",
    }
)
assert error.error.value == "invalid_grant"
try:
    TokenError.from_dict({**error.to_dict(), "error": "not_an_error"})
except ValueError:
    pass
else:
    raise AssertionError("an unknown OAuth error code was accepted")

print(f"openapi-python-client: {len(operations) - 1} of {len(operations)} operations generated, the models read the answers")
