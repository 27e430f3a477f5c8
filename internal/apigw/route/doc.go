// Package route is the HTTP API router: it parses route keys
// ("GET /pets/{id}", "ANY /{proxy+}", "$default") and compiles a
// deployment's routes into an immutable Table that matches a request by
// walking a segment tree, so a lookup costs the depth of the path, not the
// number of routes.
//
// Matching follows API Gateway's tiers (shared/specs/http-api.md §1.4): a
// full match of every segment first (literal segments before {param}
// segments, the request's method before ANY at the same path), then the
// greedy {name+} route with the longest prefix (the request's method before
// ANY at the same prefix), then $default. A route whose path matches but
// whose method does not is no match at all: the gateway answers 404, never
// 405.
//
// Paths are split on '/' before percent-decoding, so an encoded slash
// (%2F) stays inside its segment's value; runs of slashes collapse. Two
// choices where the spec is silent (§13): a trailing slash ("/pets/")
// does not match "GET /pets" unless Options.TrailingSlash is set, and when
// two routes differ only in parameter names ("GET /a/{x}", "GET /a/{y}")
// the first one given to Compile wins. This package does no I/O.
package route
