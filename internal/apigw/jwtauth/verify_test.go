package jwtauth_test

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/cloudlet-dev/cloudlet/internal/apigw/jwtauth"
	"github.com/cloudlet-dev/cloudlet/internal/apigw/jwtauth/issuertest"
)

// clock is a settable fake clock.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

var start = time.Date(2025, time.April, 14, 22, 10, 16, 0, time.UTC)

func newIssuer(t *testing.T) *issuertest.Issuer {
	t.Helper()
	is, err := issuertest.New()
	if err != nil {
		t.Fatalf("issuertest.New: %v", err)
	}
	t.Cleanup(is.Close)
	return is
}

func sign(t *testing.T, is *issuertest.Issuer, kid string, claims map[string]any) string {
	t.Helper()
	tok, err := is.Sign(kid, claims)
	if err != nil {
		t.Fatalf("Sign: %v", err)
	}
	return tok
}

// claims returns valid claims for is, changed by edits (a nil value
// deletes the claim).
func claims(is *issuertest.Issuer, edits map[string]any) map[string]any {
	c := map[string]any{
		"iss": is.URL, "aud": "my-api", "sub": "user-1",
		"iat": start.Add(-time.Minute).Unix(), "exp": start.Add(time.Hour).Unix(),
	}
	for k, v := range edits {
		if v == nil {
			delete(c, k)
		} else {
			c[k] = v
		}
	}
	return c
}

func description(err error) string {
	var f *jwtauth.Failure
	if errors.As(err, &f) {
		return f.Description
	}
	if err != nil {
		return "non-Failure error: " + err.Error()
	}
	return ""
}

func TestVerifyRefusals(t *testing.T) {
	is := newIssuer(t)
	clk := &clock{t: start}
	v := jwtauth.New(jwtauth.Config{Now: clk.Now})
	other, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	forged, err := issuertest.SignWith(other, map[string]any{"alg": "RS256", "kid": "key-1"}, claims(is, nil))
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name  string
		token string
		want  string // "" accepts
	}{
		{"valid", sign(t, is, "key-1", claims(is, nil)), ""},
		{"bearerPrefix", "Bearer " + sign(t, is, "key-1", claims(is, nil)), ""},
		{"bearerLowercase", "bearer " + sign(t, is, "key-1", claims(is, nil)), ""},
		{"empty", "", jwtauth.DescMissing},
		{"bearerOnly", "Bearer ", jwtauth.DescMissing},
		{"twoSegments", "abc.def", jwtauth.DescMalformed},
		{"garbageHeader", "!!!.e30.sig", jwtauth.DescMalformed},
		{"hs256", issuertest.Unsigned(map[string]any{"alg": "HS256", "kid": "key-1"}, claims(is, nil), "c2ln"), "signing method HS256 is invalid"},
		{"none", issuertest.Unsigned(map[string]any{"alg": "none"}, claims(is, nil), ""), "signing method none is invalid"},
		{"oddAlg", issuertest.Unsigned(map[string]any{"alg": "x\"y"}, claims(is, nil), ""), "signing method is invalid"},
		{"es256", issuertest.Unsigned(map[string]any{"alg": "ES256", "kid": "key-1"}, claims(is, nil), "c2ln"), "signing method ES256 is invalid"},
		{"unknownKid", sign(t, is, "key-9", claims(is, nil)), jwtauth.DescKeyNotFound},
		{"noKid", issuertest.Unsigned(map[string]any{"alg": "RS256"}, claims(is, nil), "c2ln"), jwtauth.DescKeyNotFound},
		{"forgedSignature", forged, jwtauth.DescSignature},
		{"wrongIssuer", sign(t, is, "key-1", claims(is, map[string]any{"iss": is.URL + "/"})), jwtauth.DescIssuer},
		{"noIssuer", sign(t, is, "key-1", claims(is, map[string]any{"iss": nil})), jwtauth.DescIssuer},
		{"wrongAudience", sign(t, is, "key-1", claims(is, map[string]any{"aud": "other"})), jwtauth.DescAudience},
		{"audienceList", sign(t, is, "key-1", claims(is, map[string]any{"aud": []string{"x", "my-api"}})), ""},
		{"clientIDWithoutAud", sign(t, is, "key-1", claims(is, map[string]any{"aud": nil, "client_id": "my-api"})), ""},
		// DG-jwt: when both are present, aud is evaluated.
		{"audWinsOverClientID", sign(t, is, "key-1", claims(is, map[string]any{"aud": "other", "client_id": "my-api"})), jwtauth.DescAudience},
		{"noAudience", sign(t, is, "key-1", claims(is, map[string]any{"aud": nil})), jwtauth.DescAudience},
		{"expired", sign(t, is, "key-1", claims(is, map[string]any{"exp": start.Unix()})), jwtauth.DescExpired},
		{"noExpiry", sign(t, is, "key-1", claims(is, map[string]any{"exp": nil})), jwtauth.DescNoExpiry},
		{"fractionalExpiry", sign(t, is, "key-1", claims(is, map[string]any{"exp": float64(start.Unix()) + 0.5})), ""},
		{"notYetValid", sign(t, is, "key-1", claims(is, map[string]any{"nbf": start.Add(time.Second).Unix()})), jwtauth.DescNotYetValid},
		{"nbfNow", sign(t, is, "key-1", claims(is, map[string]any{"nbf": start.Unix()})), ""},
		{"issuedInFuture", sign(t, is, "key-1", claims(is, map[string]any{"iat": start.Add(time.Minute).Unix()})), jwtauth.DescIssuedLater},
		{"expNotNumber", sign(t, is, "key-1", claims(is, map[string]any{"exp": "tomorrow"})), jwtauth.DescMalformed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := v.Verify(context.Background(), is.URL, []string{"my-api"}, tt.token)
			if got := description(err); got != tt.want {
				t.Errorf("Verify(%s) = %q (%v), want %q", tt.name, got, err, tt.want)
			}
		})
	}
}

func TestVerifyClaimsAndScopes(t *testing.T) {
	is := newIssuer(t)
	clk := &clock{t: start}
	v := jwtauth.New(jwtauth.Config{Now: clk.Now})
	exp := start.Add(time.Hour).Unix()
	tests := []struct {
		name       string
		extra      map[string]any
		wantClaims map[string]string
		wantScopes []string
	}{
		{
			name: "stringified",
			extra: map[string]any{
				"cognito:groups": []any{"admin", "poweruser"},
				"email_verified": true,
				"count":          42,
				"ratio":          1.5,
				"gone":           nil,
				"address":        map[string]any{"city": "Oslo", "zip": "0150"},
				"mixed":          []any{"a", 1, false, nil, []any{"x", "y"}},
			},
			wantClaims: map[string]string{
				"iss": "ISSUER", "aud": "my-api", "sub": "user-1",
				"iat": "1744668556", "exp": "1744672216",
				"cognito:groups": "[admin poweruser]",
				"email_verified": "true",
				"count":          "42",
				"ratio":          "1.5",
				"address":        `{"city":"Oslo","zip":"0150"}`,
				"mixed":          "[a 1 false <nil> [x y]]",
			},
		},
		{
			name:       "scopeString",
			extra:      map[string]any{"scope": "read:pets  write:pets"},
			wantScopes: []string{"read:pets", "write:pets"},
		},
		{
			name:       "scpArray",
			extra:      map[string]any{"scp": []string{"a", "b"}},
			wantScopes: []string{"a", "b"},
		},
		{
			name:       "scpString",
			extra:      map[string]any{"scp": "a b"},
			wantScopes: []string{"a", "b"},
		},
		{
			name:       "scopeBeforeScp",
			extra:      map[string]any{"scope": "s1", "scp": []string{"p1"}},
			wantScopes: []string{"s1"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := claims(is, tt.extra)
			c["exp"] = exp
			tok, err := v.Verify(context.Background(), is.URL, []string{"my-api"}, sign(t, is, "key-1", c))
			if err != nil {
				t.Fatalf("Verify: %v", err)
			}
			if tt.wantClaims != nil {
				want := map[string]string{}
				for k, val := range tt.wantClaims {
					want[k] = strings.ReplaceAll(val, "ISSUER", is.URL)
				}
				if d := cmp.Diff(want, tok.Claims); d != "" {
					t.Errorf("Verify(%s).Claims differ (-want +got):\n%s", tt.name, d)
				}
			}
			if d := cmp.Diff(tt.wantScopes, tok.Scopes); d != "" {
				t.Errorf("Verify(%s).Scopes differ (-want +got):\n%s", tt.name, d)
			}
		})
	}
}

func TestKeyCache(t *testing.T) {
	is := newIssuer(t)
	clk := &clock{t: start}
	v := jwtauth.New(jwtauth.Config{Now: clk.Now})
	ctx := context.Background()
	verify := func(kid string) string {
		c := claims(is, map[string]any{"exp": clk.Now().Add(time.Hour).Unix(), "iat": clk.Now().Unix()})
		_, err := v.Verify(ctx, is.URL, []string{"my-api"}, sign(t, is, kid, c))
		return description(err)
	}
	fetches := func() int64 { return is.JWKSFetches.Load() }

	for range 3 {
		if got := verify("key-1"); got != "" {
			t.Fatalf("Verify(key-1) = %q, want accepted", got)
		}
	}
	if got := fetches(); got != 1 {
		t.Errorf("JWKS fetches after 3 verifications = %d, want 1", got)
	}

	// A rotated key is not known until the set is fetched again, which an
	// unknown kid triggers once the set is older than refetchAfter.
	if err := is.AddKey("key-2"); err != nil {
		t.Fatal(err)
	}
	if got := verify("key-2"); got != jwtauth.DescKeyNotFound {
		t.Errorf("Verify(key-2) just after a fetch = %q, want %q", got, jwtauth.DescKeyNotFound)
	}
	if got := fetches(); got != 1 {
		t.Errorf("JWKS fetches after an unknown kid within refetchAfter = %d, want 1", got)
	}
	clk.Advance(31 * time.Second)
	if got := verify("key-2"); got != "" {
		t.Errorf("Verify(key-2) after the rotation = %q, want accepted", got)
	}
	if got := fetches(); got != 2 {
		t.Errorf("JWKS fetches after the rotation = %d, want 2", got)
	}

	// The set expires after an hour.
	clk.Advance(time.Hour)
	if got := verify("key-1"); got != "" {
		t.Errorf("Verify(key-1) after an hour = %q, want accepted", got)
	}
	if got := fetches(); got != 3 {
		t.Errorf("JWKS fetches after an hour = %d, want 3", got)
	}

	// An issuer that starts failing keeps the keys already fetched.
	is.SetJWKS([]byte("not json"))
	clk.Advance(2 * time.Hour)
	if got := verify("key-1"); got != "" {
		t.Errorf("Verify(key-1) while the issuer fails = %q, want accepted with the cached keys", got)
	}
}

func TestFetchLimits(t *testing.T) {
	clk := &clock{t: start}
	ctx := context.Background()

	t.Run("tooLarge", func(t *testing.T) {
		is := newIssuer(t)
		is.SetJWKS([]byte(`{"keys":[],"pad":"` + strings.Repeat("x", jwtauth.MaxJWKSBytes) + `"}`))
		v := jwtauth.New(jwtauth.Config{Now: clk.Now})
		_, err := v.Verify(ctx, is.URL, []string{"my-api"}, sign(t, is, "key-1", claims(is, nil)))
		if got := description(err); got != jwtauth.DescKeysFailed {
			t.Errorf("Verify with a JWKS over %d bytes = %q, want %q", jwtauth.MaxJWKSBytes, got, jwtauth.DescKeysFailed)
		}
	})
	t.Run("noRSAKey", func(t *testing.T) {
		is := newIssuer(t)
		is.SetJWKS([]byte(`{"keys":[{"kty":"oct","kid":"key-1","k":"c2VjcmV0"}]}`))
		v := jwtauth.New(jwtauth.Config{Now: clk.Now})
		_, err := v.Verify(ctx, is.URL, []string{"my-api"}, sign(t, is, "key-1", claims(is, nil)))
		if got := description(err); got != jwtauth.DescKeysFailed {
			t.Errorf("Verify with only a symmetric key = %q, want %q", got, jwtauth.DescKeysFailed)
		}
	})
	t.Run("noDiscovery", func(t *testing.T) {
		srv := httptest.NewServer(http.NotFoundHandler())
		defer srv.Close()
		is := newIssuer(t)
		c := claims(is, map[string]any{"iss": srv.URL})
		v := jwtauth.New(jwtauth.Config{Now: clk.Now})
		_, err := v.Verify(ctx, srv.URL, []string{"my-api"}, sign(t, is, "key-1", c))
		if got := description(err); got != jwtauth.DescKeysFailed {
			t.Errorf("Verify against an issuer without discovery = %q, want %q", got, jwtauth.DescKeysFailed)
		}
	})
	t.Run("slowIssuer", func(t *testing.T) {
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			<-r.Context().Done() // never answers within the fetch timeout
		}))
		defer srv.Close()
		is := newIssuer(t)
		v := jwtauth.New(jwtauth.Config{Now: clk.Now})
		_, err := v.Verify(ctx, srv.URL, []string{"my-api"}, sign(t, is, "key-1", claims(is, map[string]any{"iss": srv.URL})))
		if got := description(err); got != jwtauth.DescKeysFailed || !errors.Is(err, context.DeadlineExceeded) {
			t.Errorf("Verify against a silent issuer = %q (%v), want %q from the fetch timeout", got, err, jwtauth.DescKeysFailed)
		}
	})
}

// A verified token is remembered, but the clock is applied on every use
// and a different audience list verifies afresh.
func TestVerifiedTokenCache(t *testing.T) {
	is := newIssuer(t)
	clk := &clock{t: start}
	v := jwtauth.New(jwtauth.Config{Now: clk.Now})
	ctx := context.Background()
	tok := sign(t, is, "key-1", claims(is, map[string]any{"exp": start.Add(time.Minute).Unix(), "nbf": start.Unix()}))
	steps := []struct {
		name      string
		advance   time.Duration
		audiences []string
		want      string
	}{
		{"first", 0, []string{"my-api"}, ""},
		{"again", 30 * time.Second, []string{"my-api"}, ""},
		{"otherAudiences", 0, []string{"other"}, jwtauth.DescAudience},
		{"cachedButExpired", 30 * time.Second, []string{"my-api"}, jwtauth.DescExpired},
	}
	for _, st := range steps {
		clk.Advance(st.advance)
		_, err := v.Verify(ctx, is.URL, st.audiences, tok)
		if got := description(err); got != st.want {
			t.Errorf("%s: Verify = %q, want %q", st.name, got, st.want)
		}
	}
	if got := is.JWKSFetches.Load(); got != 1 {
		t.Errorf("JWKS fetches = %d, want 1", got)
	}
}
