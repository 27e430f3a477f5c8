package jwtauth

import (
	"context"
	"crypto/rsa"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/lestrrat-go/jwx/v3/jwa"
	"github.com/lestrrat-go/jwx/v3/jwk"
)

// Limits of the issuer's endpoints (shared/specs/http-api.md §8.2, §9.3).
const (
	FetchTimeout  = 1500 * time.Millisecond
	MaxJWKSBytes  = 150000
	discoveryPath = "/.well-known/openid-configuration"
)

// Cache policy. AWS does not document its own; these keep a rotated key
// working within a minute and an issuer that is down from being asked on
// every request.
const (
	// keysTTL is how long a fetched key set is used before it is fetched
	// again.
	keysTTL = time.Hour
	// refetchAfter is how soon an unknown kid may trigger a new fetch
	// (the issuer may have rotated its keys).
	refetchAfter = 30 * time.Second
	// retryAfter is how long a failed fetch is remembered.
	retryAfter = 5 * time.Second
)

// issuerKeys is one issuer's cached key set. mu is held while fetching,
// so concurrent requests for a cold issuer make one fetch.
type issuerKeys struct {
	mu      sync.Mutex
	set     *keySet   // nil until a fetch succeeded
	fetched time.Time // when set was fetched
	tried   time.Time // when the last fetch was attempted
	err     error     // the last fetch's failure, remembered until tried+retryAfter
}

// keySet is a JWKS reduced to what verification uses: RSA public keys
// by kid.
type keySet struct {
	byKid map[string]*rsa.PublicKey
}

// keys returns issuer's key set, fetching it when it is not cached, is
// stale, or lacks kid and was not fetched very recently.
func (v *Verifier) keys(ctx context.Context, issuer, kid string) (*keySet, error) {
	v.mu.Lock()
	ik := v.issuers[issuer]
	if ik == nil {
		ik = &issuerKeys{}
		v.issuers[issuer] = ik
	}
	v.mu.Unlock()

	ik.mu.Lock()
	defer ik.mu.Unlock()
	now := v.now()
	if ik.set != nil && now.Sub(ik.fetched) < keysTTL {
		if _, ok := ik.set.byKid[kid]; ok || now.Sub(ik.fetched) < refetchAfter {
			return ik.set, nil
		}
	}
	if ik.err != nil && now.Sub(ik.tried) < retryAfter {
		if ik.set != nil {
			return ik.set, nil
		}
		return nil, ik.err
	}
	ik.tried = now
	// A client that goes away must not leave its half-done fetch behind
	// as the issuer's failure; FetchTimeout bounds the fetch instead.
	set, err := v.fetch(context.WithoutCancel(ctx), issuer)
	if err != nil {
		ik.err = err
		v.log.Warn("jwt: fetch issuer keys", "issuer", issuer, "err", err)
		if ik.set != nil {
			return ik.set, nil // keep serving with the keys we had
		}
		return nil, err
	}
	ik.set, ik.fetched, ik.err = set, now, nil
	return set, nil
}

// fetch reads the discovery document and then the key set it names.
func (v *Verifier) fetch(ctx context.Context, issuer string) (*keySet, error) {
	var disc struct {
		JWKSURI string `json:"jwks_uri"`
	}
	url := strings.TrimSuffix(issuer, "/") + discoveryPath
	body, err := v.get(ctx, url)
	if err != nil {
		return nil, fmt.Errorf("discovery: %w", err)
	}
	if err := json.Unmarshal(body, &disc); err != nil {
		return nil, fmt.Errorf("discovery %s: %w", url, err)
	}
	if disc.JWKSURI == "" {
		return nil, fmt.Errorf("discovery %s: no jwks_uri", url)
	}
	body, err = v.get(ctx, disc.JWKSURI)
	if err != nil {
		return nil, fmt.Errorf("jwks: %w", err)
	}
	return parseKeySet(body)
}

// get fetches url within FetchTimeout and MaxJWKSBytes.
func (v *Verifier) get(ctx context.Context, url string) ([]byte, error) {
	ctx, cancel := context.WithTimeout(ctx, FetchTimeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Accept", "application/json")
	resp, err := v.client.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("GET %s: %s", url, resp.Status)
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, MaxJWKSBytes+1))
	if err != nil {
		return nil, fmt.Errorf("GET %s: %w", url, err)
	}
	if len(body) > MaxJWKSBytes {
		return nil, fmt.Errorf("GET %s: response over %d bytes", url, MaxJWKSBytes)
	}
	return body, nil
}

// parseKeySet keeps the set's RSA signing keys that have a kid; keys of
// other types, or meant for encryption, are ignored.
func parseKeySet(body []byte) (*keySet, error) {
	set, err := jwk.Parse(body, jwk.WithIgnoreParseError(true))
	if err != nil {
		return nil, fmt.Errorf("parse JWKS: %w", err)
	}
	ks := &keySet{byKid: map[string]*rsa.PublicKey{}}
	for i := range set.Len() {
		k, ok := set.Key(i)
		if !ok || k.KeyType() != jwa.RSA() {
			continue
		}
		if use, ok := k.KeyUsage(); ok && use != "sig" {
			continue
		}
		kid, ok := k.KeyID()
		if !ok || kid == "" {
			continue
		}
		var pub rsa.PublicKey
		if err := jwk.Export(k, &pub); err != nil {
			continue
		}
		ks.byKid[kid] = &pub
	}
	if len(ks.byKid) == 0 {
		return nil, errors.New("JWKS has no RSA signing key with a kid")
	}
	return ks, nil
}
