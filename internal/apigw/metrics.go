package apigw

import (
	"cmp"
	"slices"
	"sync/atomic"
)

// RouteMetrics are one route's counters on one stage since the server
// started (the CloudWatch Count, 4xx, 5xx, Latency and IntegrationLatency
// metrics, as sums). RouteKey "" counts requests that matched no route.
type RouteMetrics struct {
	APIID, Stage, RouteKey    string
	Count, Count4XX, Count5XX int64
	Throttled                 int64
	LatencyMillis             int64
	IntegrationLatencyMillis  int64
}

// counters are updated with atomics on the hot path.
type counters struct {
	count, c4xx, c5xx, throttled, latency, integrationLatency atomic.Int64
}

type counterKey struct{ apiID, stage, routeKey string }

// countersFor returns the counters for key, keeping them across
// recompiles. The caller holds s.mu.
func (s *Service) countersFor(key counterKey) *counters {
	if c := s.counters[key]; c != nil {
		return c
	}
	c := &counters{}
	s.counters[key] = c
	return c
}

// Metrics returns the counters of an API's routes (every API when apiID
// is ""), ordered by API, stage and route key.
func (s *Service) Metrics(apiID string) []RouteMetrics {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []RouteMetrics
	for k, c := range s.counters {
		if apiID != "" && k.apiID != apiID {
			continue
		}
		out = append(out, RouteMetrics{
			APIID: k.apiID, Stage: k.stage, RouteKey: k.routeKey,
			Count: c.count.Load(), Count4XX: c.c4xx.Load(), Count5XX: c.c5xx.Load(),
			Throttled: c.throttled.Load(), LatencyMillis: c.latency.Load(),
			IntegrationLatencyMillis: c.integrationLatency.Load(),
		})
	}
	slices.SortFunc(out, func(a, b RouteMetrics) int {
		return cmp.Or(cmp.Compare(a.APIID, b.APIID), cmp.Compare(a.Stage, b.Stage), cmp.Compare(a.RouteKey, b.RouteKey))
	})
	return out
}

// record counts a finished request.
func (x *exchange) record() {
	if x.stage == nil {
		return
	}
	key := ""
	if x.route != nil {
		key = x.route.key
	}
	c := x.stage.counters[key]
	if c == nil {
		return
	}
	c.count.Add(1)
	switch {
	case x.status >= 500:
		c.c5xx.Add(1)
	case x.status >= 400:
		c.c4xx.Add(1)
	}
	if x.status == 429 && x.errorType == "THROTTLED" {
		c.throttled.Add(1)
	}
	c.latency.Add(x.svc.now().Sub(x.now).Milliseconds())
	c.integrationLatency.Add(x.integrationLatency.Milliseconds())
}
