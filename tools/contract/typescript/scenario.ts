// What a municipal software vendor writes against the client openapi-typescript generates from
// openapi.yaml (check.sh generates it into generated/, then tsc checks this file, strictly).
// It compiles only if the contract types each call as the service answers it.
import type { components, operations, paths } from "../generated/api";

type Schemas = components["schemas"];
type Json<T> = T extends { content: { "application/json": infer B } } ? B : never;
type Ok<P extends keyof paths, M extends keyof paths[P], S extends number> =
  paths[P][M] extends { responses: infer R } ? (S extends keyof R ? Json<R[S]> : never) : never;
type Problem<P extends keyof paths, M extends keyof paths[P], S extends number> =
  paths[P][M] extends { responses: infer R }
    ? S extends keyof R
      ? R[S] extends { content: { "application/problem+json": infer B } }
        ? B
        : never
      : never
    : never;
type Body<P extends keyof paths, M extends keyof paths[P]> =
  paths[P][M] extends { requestBody?: infer B } ? Json<NonNullable<B>> : never;

// Signing in a person, with the device token the last sign-in gave.
const login: Body<"/api/v1/auth/login", "post"> = {
  identifier: "K7M2-Q9XD",
  password: "Mot-de-passe-long-1",
  device_token: "4c1f…",
};
const keepDevice = (t: Ok<"/api/v1/auth/login", "post", 200>): string | null | undefined =>
  t.device_token;

// The partner list is a page of partners (not of Cafs): each has its SIRET.
const sirets = (page: Ok<"/api/v1/partners", "get", 200>): string[] =>
  page.items.map((p) => p.siret);
const nextPage = (page: Ok<"/api/v1/partners", "get", 200>): string | null | undefined =>
  page.next_cursor;

// Creating a user of the partner: the person's name, function, e-mail and telephone.
const newUser: Body<"/api/v1/partners/{partner_id}/users", "post"> = {
  full_name: "Julie Martin",
  function_title: "Conseillère ESF",
  email: "julie.martin@ccas-lieusaint.fr",
  phone: "01 64 13 55 01",
};

// A line of a Caf's import of beneficiaries' files (application/x-ndjson) is typed.
const importLine = (f: Schemas["BeneficiaryFile"]): string => `${f.numero} ${f.identity.last_name}`;

// The service contract lists the partner's e-mail domains.
const domains = (c: Schemas["ContractDto"]): string[] => c.email_domains;

// A refused call is problem+json with a stable code; the token endpoint's errors are RFC 6749's.
const codeOf = (p: Schemas["Problem"]): string => p.code;
// Each operation's refusals are a closed list: a switch over a grant's 409 is exhaustive.
type GrantConflict = Problem<"/api/v1/partners/{partner_id}/habilitations", "post", 409>["code"];
const quotaFull: GrantConflict = "quota_exceeded";
// @ts-expect-error a grant never answers that a Caf is already registered
const notAGrantConflict: GrantConflict = "caf_already_registered";
const grantRefused: Schemas["TokenError"]["error"] = "invalid_grant";
// @ts-expect-error not an RFC 6749 error code
const notAnError: Schemas["TokenError"]["error"] = "not_an_error";

// Every operation has its own name: one function per operation in a generated client.
const names: (keyof operations)[] = ["list_partners", "create_partner", "list_cafs"];

export { codeOf, domains, importLine, grantRefused, notAGrantConflict, quotaFull, keepDevice, login, names, newUser, nextPage, notAnError, sirets };
