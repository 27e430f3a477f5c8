// Package payload translates between HTTP and Lambda proxy integrations
// for HTTP APIs: it renders the payload format 2.0 and 1.0 events a
// function receives (shared/specs/http-api.md §3, §5.1) and maps what the
// function returns back to an HTTP response (§4, §5.2).
//
// Events are written with a small append-only JSON writer rather than
// encoding/json: the gateway builds one per request, the field order is
// AWS's, and 2.0 leaves empty collections out while 1.0 writes null.
// Results are decoded with encoding/json into raw messages so that key
// names match exactly (statusCode, not StatusCode) and inferred bodies
// keep the bytes the function returned.
//
// Choices where AWS is unverified (§13): +json/+xml media types and
// non-UTF-8 text bodies go base64; repeated request headers join with ","
// in 2.0, while 1.0's headers holds the last value; a client's
// X-Forwarded-For is extended with the peer; hop-by-hop headers are not
// forwarded; Content-Length, Date, Connection and apigw-requestid given by
// a function are replaced by the gateway's own. The package does no I/O.
package payload
