// Package jwtauth verifies the bearer tokens of HTTP API JWT authorizers
// the way API Gateway does (shared/specs/http-api.md §8.2): the signing
// keys come from the issuer's OpenID Connect discovery document
// ({issuer}/.well-known/openid-configuration → jwks_uri), fetched within
// 1500 ms and 150000 bytes and cached; only RSA signatures (RS256, RS384,
// RS512) are accepted, from the key whose kid the token names; iss must
// equal the configured issuer; aud — or client_id when the token has no
// aud — must name a configured audience; exp must be in the future and
// nbf and iat, when present, in the past, on the injected clock and with
// no allowance for skew. A token that passed is remembered (up to 10000),
// so that the next request bearing it skips the RSA verification; the
// clock checks are made again every time.
//
// A verified token's claims come back as API Gateway hands them to an
// integration: every value a string, arrays as "[a b c]", objects as JSON
// text, nulls left out; its scopes are the scope claim split on spaces,
// or the scp claim. Every refusal is a *Failure whose Description is the
// www-authenticate error_description. AWS publishes one of those texts
// ("the token does not have a valid audience"); the others are cloudlet's
// own, in the same style.
//
// lestrrat-go/jwx parses the key set and checks signatures; it is used
// here and nowhere else, and none of its types cross the package
// boundary. The claims are decoded with encoding/json so that numbers
// keep the text the issuer wrote.
package jwtauth
