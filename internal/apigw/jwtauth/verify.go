package jwtauth

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/lestrrat-go/jwx/v3/jwa"
	"github.com/lestrrat-go/jwx/v3/jws"
)

// Descriptions of refusals, the error_description of www-authenticate.
// Only the audience text is AWS's (DG-jwt troubleshooting); the others
// are [UNV] (shared/specs/http-api.md §6).
const (
	DescMissing     = "the token is missing"
	DescMalformed   = "the token is malformed"
	DescKeyNotFound = "the token's key ID does not match a key of the issuer"
	DescSignature   = "the token signature is invalid"
	DescIssuer      = "the token does not have a valid issuer"
	DescAudience    = "the token does not have a valid audience"
	DescExpired     = "the token has expired"
	DescNoExpiry    = "the token does not have an expiration time"
	DescNotYetValid = "the token is not valid yet"
	DescIssuedLater = "the token was issued in the future"
	DescKeysFailed  = "unable to retrieve the issuer's signing keys"
)

// Failure is a refused token: the gateway answers 401 with Description
// as the www-authenticate error_description. Err, when set, is the cause
// for the platform's log; it is never shown to the client.
type Failure struct {
	Description string
	Err         error
}

func (f *Failure) Error() string {
	if f.Err != nil {
		return "jwt: " + f.Description + ": " + f.Err.Error()
	}
	return "jwt: " + f.Description
}

func (f *Failure) Unwrap() error { return f.Err }

func fail(desc string, err error) *Failure { return &Failure{Description: desc, Err: err} }

// Token is a verified token as the integration receives it. Tokens are
// cached and shared between requests: callers must not modify one.
type Token struct {
	// Claims holds every non-null claim, stringified (§8.2).
	Claims map[string]string
	// Scopes is the token's scope list (scope split on spaces, or scp);
	// nil when it has none.
	Scopes []string
}

// Config builds a Verifier.
type Config struct {
	// HTTPClient fetches discovery documents and key sets; nil uses a
	// client of its own. Each fetch is bounded to FetchTimeout whatever
	// the client's settings.
	HTTPClient *http.Client
	// Now is the clock for exp, nbf, iat and the key cache; nil means
	// time.Now.
	Now func() time.Time
	// Logger receives fetch failures; nil discards them.
	Logger *slog.Logger
}

// Verifier checks tokens against their issuers' published keys. It is
// safe for concurrent use; key sets are cached per issuer.
type Verifier struct {
	client *http.Client
	now    func() time.Time
	log    *slog.Logger

	mu      sync.Mutex
	issuers map[string]*issuerKeys

	tmu    sync.Mutex
	tokens map[tokenKey]*verified // tokens whose signature, iss and aud passed
}

// maxCachedTokens bounds the verified-token cache; when full it starts
// over.
const maxCachedTokens = 10000

type tokenKey struct{ issuer, token string }

// verified is a token that passed every check but the clock's, which is
// applied again on each use: a cache hit skips only the RSA verification
// and claim decoding. A key the issuer withdraws stays trusted for the
// tokens it already verified, until they expire.
type verified struct {
	audiences []string
	tok       *Token
	exp       time.Time
	nbf, iat  *time.Time
}

// New builds a Verifier.
func New(cfg Config) *Verifier {
	v := &Verifier{client: cfg.HTTPClient, now: cfg.Now, log: cfg.Logger, issuers: map[string]*issuerKeys{}, tokens: map[tokenKey]*verified{}}
	if v.client == nil {
		v.client = &http.Client{}
	}
	if v.now == nil {
		v.now = time.Now
	}
	if v.log == nil {
		v.log = slog.New(slog.DiscardHandler)
	}
	return v
}

// header is the part of a JOSE header verification needs.
type header struct {
	Alg string `json:"alg"`
	Kid string `json:"kid"`
}

// rsaAlgorithms are the signature algorithms API Gateway accepts: RSA
// only (§8.2).
var rsaAlgorithms = map[string]jwa.SignatureAlgorithm{
	"RS256": jwa.RS256(), "RS384": jwa.RS384(), "RS512": jwa.RS512(),
}

// Verify checks token, as read from the identity source (optionally
// "Bearer "-prefixed), against issuer and audiences, in the order AWS
// documents: decode, signature, iss, aud (or client_id), exp, nbf, iat.
// A refusal is a *Failure.
func (v *Verifier) Verify(ctx context.Context, issuer string, audiences []string, token string) (*Token, error) {
	token = strings.TrimSpace(token)
	if len(token) >= 6 && strings.EqualFold(token[:6], "bearer") && (len(token) == 6 || token[6] == ' ') {
		token = strings.TrimSpace(token[6:])
	}
	if token == "" {
		return nil, fail(DescMissing, nil)
	}
	key := tokenKey{issuer: issuer, token: token}
	v.tmu.Lock()
	hit := v.tokens[key]
	v.tmu.Unlock()
	if hit != nil && slices.Equal(hit.audiences, audiences) {
		return hit.check(v.now())
	}
	vt, err := v.verify(ctx, issuer, audiences, token)
	if err != nil {
		return nil, err
	}
	tok, err := vt.check(v.now())
	if err == nil {
		v.tmu.Lock()
		if len(v.tokens) >= maxCachedTokens {
			clear(v.tokens)
		}
		v.tokens[key] = vt
		v.tmu.Unlock()
	}
	return tok, err
}

// check applies the clock: exp in the future, nbf and iat not (§8.2
// step 6).
func (vt *verified) check(now time.Time) (*Token, error) {
	switch {
	case !now.Before(vt.exp):
		return nil, fail(DescExpired, fmt.Errorf("expired at %s", vt.exp.UTC().Format(time.RFC3339)))
	case vt.nbf != nil && now.Before(*vt.nbf):
		return nil, fail(DescNotYetValid, nil)
	case vt.iat != nil && now.Before(*vt.iat):
		return nil, fail(DescIssuedLater, nil)
	}
	return vt.tok, nil
}

// verify does every check but the clock's.
func (v *Verifier) verify(ctx context.Context, issuer string, audiences []string, token string) (*verified, error) {
	parts := strings.Split(token, ".")
	if len(parts) != 3 {
		return nil, fail(DescMalformed, fmt.Errorf("%d segments, want 3", len(parts)))
	}
	var h header
	if err := decodeSegment(parts[0], &h); err != nil {
		return nil, fail(DescMalformed, fmt.Errorf("header: %w", err))
	}
	alg, ok := rsaAlgorithms[h.Alg]
	if !ok {
		return nil, fail(algDescription(h.Alg), nil)
	}
	if h.Kid == "" {
		return nil, fail(DescKeyNotFound, errors.New("the token names no kid"))
	}
	keys, err := v.keys(ctx, issuer, h.Kid)
	if err != nil {
		return nil, fail(DescKeysFailed, err)
	}
	key, ok := keys.byKid[h.Kid]
	if !ok {
		return nil, fail(DescKeyNotFound, fmt.Errorf("kid %q", h.Kid))
	}
	payload, err := jws.VerifyCompactFast(key, []byte(token), alg)
	if err != nil {
		return nil, fail(DescSignature, err)
	}
	claims, err := decodeClaims(payload)
	if err != nil {
		return nil, fail(DescMalformed, fmt.Errorf("claims: %w", err))
	}
	if iss, ok := claims.string("iss"); !ok || iss != issuer {
		return nil, fail(DescIssuer, fmt.Errorf("iss %q, want %q", iss, issuer))
	}
	if !claims.audienceMatches(audiences) {
		return nil, fail(DescAudience, nil)
	}
	vt := &verified{audiences: slices.Clone(audiences)}
	exp, ok, err := claims.time("exp")
	switch {
	case err != nil:
		return nil, fail(DescMalformed, err)
	case !ok:
		// [UNV] AWS documents exp as checked; a token without one is
		// refused rather than living forever.
		return nil, fail(DescNoExpiry, nil)
	}
	vt.exp = exp
	for name, dst := range map[string]**time.Time{"nbf": &vt.nbf, "iat": &vt.iat} {
		t, ok, err := claims.time(name)
		if err != nil {
			return nil, fail(DescMalformed, err)
		}
		if ok {
			*dst = &t
		}
	}
	vt.tok = &Token{Claims: claims.stringify(), Scopes: claims.scopes()}
	return vt, nil
}

// algDescription words a refused algorithm as AWS's Go stack does
// ("signing method HS256 is invalid") [UNV]. The name comes from the
// client, so only a plain one is repeated.
func algDescription(alg string) string {
	if alg == "" || len(alg) > 16 || strings.IndexFunc(alg, func(r rune) bool {
		return !('a' <= r && r <= 'z' || 'A' <= r && r <= 'Z' || '0' <= r && r <= '9')
	}) >= 0 {
		return "signing method is invalid"
	}
	return "signing method " + alg + " is invalid"
}

func decodeSegment(seg string, v any) error {
	b, err := base64.RawURLEncoding.DecodeString(strings.TrimRight(seg, "="))
	if err != nil {
		return err
	}
	return json.Unmarshal(b, v)
}

// claimSet is a token's payload with each value's JSON text kept.
type claimSet map[string]json.RawMessage

func decodeClaims(payload []byte) (claimSet, error) {
	var c claimSet
	if err := json.Unmarshal(payload, &c); err != nil {
		return nil, err
	}
	if c == nil {
		return nil, fmt.Errorf("the payload is not a JSON object")
	}
	return c, nil
}

func (c claimSet) string(name string) (string, bool) {
	var s string
	if raw, ok := c[name]; !ok || json.Unmarshal(raw, &s) != nil {
		return "", false
	}
	return s, true
}

// strings reads a claim that is a string or an array of strings.
func (c claimSet) strings(name string) ([]string, bool) {
	raw, ok := c[name]
	if !ok {
		return nil, false
	}
	var one string
	if json.Unmarshal(raw, &one) == nil {
		return []string{one}, true
	}
	var many []string
	if json.Unmarshal(raw, &many) == nil {
		return many, true
	}
	return nil, false
}

// audienceMatches applies §8.2 step 5: aud when present, else client_id,
// must name one of the configured audiences (DG-jwt troubleshooting: "API
// Gateway validates client_id only if aud is not present").
func (c claimSet) audienceMatches(audiences []string) bool {
	got, ok := c.strings("aud")
	if _, present := c["aud"]; !present {
		var id string
		if id, ok = c.string("client_id"); ok {
			got = []string{id}
		}
	}
	if !ok {
		return false
	}
	for _, a := range got {
		if slices.Contains(audiences, a) {
			return true
		}
	}
	return false
}

// time reads a NumericDate claim (seconds since the epoch, possibly
// fractional).
func (c claimSet) time(name string) (time.Time, bool, error) {
	raw, ok := c[name]
	if !ok || bytes.Equal(raw, []byte("null")) {
		return time.Time{}, false, nil
	}
	var f float64
	if err := json.Unmarshal(raw, &f); err != nil {
		return time.Time{}, false, fmt.Errorf("claim %s is not a number: %s", name, raw)
	}
	sec := int64(f)
	return time.Unix(sec, int64((f-float64(sec))*1e9)), true, nil
}

// scopes is the scope claim split on spaces, else scp as an array or a
// space-separated string (§8.2 step 7).
func (c claimSet) scopes() []string {
	for _, name := range [...]string{"scope", "scp"} {
		vs, ok := c.strings(name)
		if !ok {
			continue
		}
		var out []string
		for _, v := range vs {
			out = append(out, strings.Fields(v)...)
		}
		if len(out) > 0 {
			return out
		}
	}
	return nil
}
