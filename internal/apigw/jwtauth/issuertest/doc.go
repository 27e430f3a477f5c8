// Package issuertest is a fake OpenID Connect issuer for tests of JWT
// authorizers: it holds RSA keys, serves the discovery document and the
// JWKS over loopback HTTP (net/http/httptest), and signs RS256 tokens
// with the standard library alone, so that the code under test is checked
// against tokens it did not help to make. It counts the fetches it
// serves, for tests of key caching.
package issuertest
