package issuertest

import (
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"math/big"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
)

// Issuer is an OpenID Connect issuer on a loopback port. Its URL is the
// issuer identifier (the iss of its tokens).
type Issuer struct {
	URL string
	srv *httptest.Server

	mu   sync.Mutex
	keys map[string]*rsa.PrivateKey // by kid
	jwks []byte                     // set with SetJWKS; nil serves keys

	// DiscoveryFetches and JWKSFetches count the requests served.
	DiscoveryFetches, JWKSFetches atomic.Int64
}

// New starts an issuer with one 2048-bit RSA key whose kid is "key-1".
func New() (*Issuer, error) {
	is := &Issuer{keys: map[string]*rsa.PrivateKey{}}
	if err := is.AddKey("key-1"); err != nil {
		return nil, err
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /.well-known/openid-configuration", func(w http.ResponseWriter, r *http.Request) {
		is.DiscoveryFetches.Add(1)
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(map[string]string{"issuer": is.URL, "jwks_uri": is.URL + "/jwks.json"})
	})
	mux.HandleFunc("GET /jwks.json", func(w http.ResponseWriter, r *http.Request) {
		is.JWKSFetches.Add(1)
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(is.JWKS())
	})
	is.srv = httptest.NewServer(mux)
	is.URL = is.srv.URL
	return is, nil
}

// Close stops the server.
func (is *Issuer) Close() { is.srv.Close() }

// AddKey generates a new RSA key under kid (a key rotation).
func (is *Issuer) AddKey(kid string) error {
	k, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		return fmt.Errorf("generate RSA key: %w", err)
	}
	is.mu.Lock()
	defer is.mu.Unlock()
	is.keys[kid] = k
	return nil
}

// SetJWKS makes the issuer serve body as its JWKS instead of its keys;
// nil goes back to the keys.
func (is *Issuer) SetJWKS(body []byte) {
	is.mu.Lock()
	defer is.mu.Unlock()
	is.jwks = body
}

// JWKS is the key set the issuer serves.
func (is *Issuer) JWKS() []byte {
	is.mu.Lock()
	defer is.mu.Unlock()
	if is.jwks != nil {
		return is.jwks
	}
	type jwk struct {
		Kty string `json:"kty"`
		Kid string `json:"kid"`
		Use string `json:"use"`
		Alg string `json:"alg"`
		N   string `json:"n"`
		E   string `json:"e"`
	}
	var set struct {
		Keys []jwk `json:"keys"`
	}
	for kid, k := range is.keys {
		set.Keys = append(set.Keys, jwk{Kty: "RSA", Kid: kid, Use: "sig", Alg: "RS256",
			N: b64(k.N.Bytes()), E: b64(big.NewInt(int64(k.E)).Bytes())})
	}
	b, _ := json.Marshal(set)
	return b
}

// Sign returns an RS256 token over claims signed with the key kid. The
// header names kid; an unknown kid signs with a fresh key the issuer
// does not publish.
func (is *Issuer) Sign(kid string, claims map[string]any) (string, error) {
	is.mu.Lock()
	k := is.keys[kid]
	is.mu.Unlock()
	if k == nil {
		var err error
		if k, err = rsa.GenerateKey(rand.Reader, 2048); err != nil {
			return "", err
		}
	}
	return SignWith(k, map[string]any{"alg": "RS256", "typ": "JWT", "kid": kid}, claims)
}

// SignWith signs claims under header with key, RS256.
func SignWith(key *rsa.PrivateKey, header, claims map[string]any) (string, error) {
	h, err := json.Marshal(header)
	if err != nil {
		return "", err
	}
	c, err := json.Marshal(claims)
	if err != nil {
		return "", err
	}
	input := b64(h) + "." + b64(c)
	sum := sha256.Sum256([]byte(input))
	sig, err := rsa.SignPKCS1v15(rand.Reader, key, crypto.SHA256, sum[:])
	if err != nil {
		return "", err
	}
	return input + "." + b64(sig), nil
}

// Unsigned returns a token whose header and claims are as given and whose
// signature is the text sig, for tests of refused algorithms.
func Unsigned(header, claims map[string]any, sig string) string {
	h, _ := json.Marshal(header)
	c, _ := json.Marshal(claims)
	return b64(h) + "." + b64(c) + "." + sig
}

func b64(b []byte) string { return base64.RawURLEncoding.EncodeToString(b) }
