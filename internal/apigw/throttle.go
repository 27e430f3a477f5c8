package apigw

import (
	"golang.org/x/time/rate"
)

// Throttling (shared/specs/http-api.md §2): token buckets at the account
// level (10,000 requests per second, burst 5,000, shared by every API)
// and per route, from the stage's routeSettings[routeKey] or
// defaultRouteSettings. A throttled request gets 429 {"message":"Too Many
// Requests"}. Buckets read the injected clock.

const (
	accountRateLimit  = 10000
	accountBurstLimit = 5000
)

// limiterKey identifies a route bucket; the limits are part of the key so
// that changing them starts a fresh bucket while unchanged ones keep
// their tokens across recompiles.
type limiterKey struct {
	apiID, stage, routeKey string
	rate                   float64
	burst                  int
}

// routeLimits returns the limits that apply to a route of a stage, and
// whether any are set.
func routeLimits(st *Stage, routeKey string) (float64, int, bool) {
	r, b := float64(-1), -1
	pick := func(rs *RouteSettings) {
		if rs == nil {
			return
		}
		if rs.ThrottlingRateLimit != nil && r < 0 {
			r = *rs.ThrottlingRateLimit
		}
		if rs.ThrottlingBurstLimit != nil && b < 0 {
			b = *rs.ThrottlingBurstLimit
		}
	}
	if rs, ok := st.RouteSettings[routeKey]; ok {
		pick(&rs)
	}
	pick(st.DefaultRouteSettings)
	if r < 0 && b < 0 {
		return 0, 0, false
	}
	if r < 0 {
		r = accountRateLimit
	}
	if b < 0 {
		b = accountBurstLimit
	}
	return r, b, true
}

// limiter returns the bucket for key, reusing the one the previous
// compile made. The caller holds s.mu.
func (s *Service) limiter(key limiterKey, used map[limiterKey]bool) *rate.Limiter {
	used[key] = true
	if l := s.limiters[key]; l != nil {
		return l
	}
	l := rate.NewLimiter(rate.Limit(key.rate), key.burst)
	s.limiters[key] = l
	return l
}

// allow takes one token from the account bucket and the route's.
func (s *Service) allow(x *exchange) bool {
	now := x.now
	if l := x.stage.limiters[x.route.key]; l != nil && !l.AllowN(now, 1) {
		return false
	}
	return s.account.AllowN(now, 1)
}
