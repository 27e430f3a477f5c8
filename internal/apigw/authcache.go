package apigw

import (
	"context"
	"sync"
	"time"

	"github.com/cloudlet-dev/cloudlet/internal/store"
)

// maxAuthCacheEntries bounds the Lambda authorizer cache; when full,
// expired entries are dropped, and if none have expired the cache starts
// over (a burst of distinct identities costs re-invocations, never
// memory).
const maxAuthCacheEntries = 10000

// authCacheKey keys a cached authorizer answer on the identity values
// (§8.3), per stage as ResetAuthorizersCache clears it, and per
// deployment so that a redeployed authorizer is asked afresh [UNV].
type authCacheKey struct {
	apiID, stage, deployment, authorizerID string
	identity                               string // the values joined with NUL
}

type authCacheEntry struct {
	d       *lambdaDecision
	expires time.Time
}

// authCache holds Lambda authorizer answers for their TTL, on the
// service's clock.
type authCache struct {
	mu      sync.Mutex
	entries map[authCacheKey]authCacheEntry
}

func (c *authCache) get(k authCacheKey, now time.Time) *lambdaDecision {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.entries[k]
	if !ok {
		return nil
	}
	if !now.Before(e.expires) {
		delete(c.entries, k)
		return nil
	}
	return e.d
}

func (c *authCache) put(k authCacheKey, d *lambdaDecision, expires, now time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.entries == nil {
		c.entries = map[authCacheKey]authCacheEntry{}
	}
	if len(c.entries) >= maxAuthCacheEntries {
		for key, e := range c.entries {
			if !now.Before(e.expires) {
				delete(c.entries, key)
			}
		}
		if len(c.entries) >= maxAuthCacheEntries {
			clear(c.entries)
		}
	}
	c.entries[k] = authCacheEntry{d: d, expires: expires}
}

// reset drops the answers cached for one stage, or for every stage of
// the API when stage is "".
func (c *authCache) reset(apiID, stage string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for k := range c.entries {
		if k.apiID == apiID && (stage == "" || k.stage == stage) {
			delete(c.entries, k)
		}
	}
}

// retain drops the API's answers of stages for which keep is false (a
// deleted stage).
func (c *authCache) retain(apiID string, keep func(stage string) bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for k := range c.entries {
		if k.apiID == apiID && !keep(k.stage) {
			delete(c.entries, k)
		}
	}
}

// ResetAuthorizersCache drops the Lambda authorizer answers cached for a
// stage (DELETE /v2/apis/{apiId}/stages/{stageName}/cache/authorizers,
// §8.3). Errors: NotFoundException for the API or the stage.
func (s *Service) ResetAuthorizersCache(ctx context.Context, apiID, stageName string) error {
	err := s.view(ctx, apiID, func(tx *store.Tx) error {
		_, err := getSub[Stage](tx, bucketStages, apiID, stageName, stageNotFound)
		return err
	})
	if err != nil {
		return err
	}
	s.authCache.reset(apiID, stageName)
	return nil
}
