package apigw

import (
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"golang.org/x/time/rate"

	"github.com/cloudlet-dev/cloudlet/internal/apigw/route"
	"github.com/cloudlet-dev/cloudlet/internal/store"
)

// The data plane never touches the store: each change recompiles the
// API's stages into the immutable values below, and ServeAPI reads them
// through one atomic pointer load.

// liveMap maps API IDs to their compiled form. It is replaced, never
// mutated.
type liveMap map[string]*liveAPI

type liveAPI struct {
	id       string
	disabled bool // disableExecuteApiEndpoint
	// arnPrefix is "arn:aws:execute-api:{region}:{acct}:{apiId}/".
	arnPrefix string
	stages    map[string]*liveStage
	// deployments caches compiled deployments by ID; snapshots are
	// immutable, so a compiled one is reused across reloads.
	deployments map[string]*compiledDeployment
}

type liveStage struct {
	name string
	vars map[string]string
	dep  *compiledDeployment // nil: the stage has no deployment yet (404)
	// limiters holds the route buckets by route key; a route without
	// throttling settings has none.
	limiters map[string]*rate.Limiter
	// counters by route key; "" counts requests no route matched.
	counters  map[string]*counters
	accessLog *accessLog // nil when access logging is off
}

// compiledDeployment is a deployment's route table and targets.
type compiledDeployment struct {
	id     string
	table  *route.Table
	routes []*liveRoute // aligned with the keys given to route.Compile
	cors   *liveCors    // nil when the API had no CORS configuration
}

type liveRoute struct {
	key  string
	path string // the route's path, or "$default"
	// arnSuffix ends the SourceArn after "{stage}/": "{METHOD}/" is put
	// before it, or it is the whole "$default" for the $default route.
	arnSuffix string
	isDefault bool
	integ     *liveIntegration
	// authType is the route's authorizationType; "" for NONE and for
	// values AWS accepts but that name no authorization (§8.1).
	authType string
	// authorizer is the JWT or REQUEST authorizer of a JWT or CUSTOM
	// route; nil otherwise, or when the deployment lacks it (then the
	// route answers 500).
	authorizer *liveAuthorizer
	scopes     []string // authorizationScopes of a JWT route
}

type liveIntegration struct {
	Integration
	// functionARN is integrationUri with the apigateway wrapper removed;
	// "" when the URI has stage variables and is resolved per request.
	functionARN string
	timeout     time.Duration
	requestOps  []mapOp
	responseOps map[int][]mapOp
}

// responseNeedsBody reports whether the response mapping for status reads
// $response.body, so an HTTP_PROXY body must be buffered.
func (li *liveIntegration) responseNeedsBody(status int) bool {
	for _, op := range li.responseOps[status] {
		for _, p := range op.value {
			if p.source && strings.HasPrefix(p.text, "response.body") {
				return true
			}
		}
	}
	return false
}

// reload recompiles one API's stages from the store and swaps them in.
// The caller holds s.mu (or is New).
func (s *Service) reload(apiID string) error {
	cur := *s.live.Load()
	prev := cur[apiID]
	var la *liveAPI
	usedLimiters := map[limiterKey]bool{}
	usedCounters := map[counterKey]bool{}
	err := s.cfg.DB.View(func(tx *store.Tx) error {
		api, ok, err := store.Get[API](tx, bucketAPIs, apiID)
		if err != nil || !ok {
			return err
		}
		stages, err := listSub[Stage](tx, bucketStages, apiID)
		if err != nil {
			return err
		}
		la = &liveAPI{
			id:          apiID,
			disabled:    api.DisableExecuteAPIEndpoint,
			arnPrefix:   fmt.Sprintf("arn:aws:execute-api:%s:%s:%s/", s.cfg.Region, s.cfg.AccountID, apiID),
			stages:      make(map[string]*liveStage, len(stages)),
			deployments: map[string]*compiledDeployment{},
		}
		for _, st := range stages {
			ls := &liveStage{
				name:      st.StageName,
				vars:      maps.Clone(st.StageVariables),
				limiters:  map[string]*rate.Limiter{},
				counters:  map[string]*counters{},
				accessLog: compileAccessLog(st.AccessLogSettings, apiID, st.StageName),
			}
			if id := st.DeploymentID; id != "" {
				cd := la.deployments[id]
				if cd == nil && prev != nil {
					cd = prev.deployments[id]
				}
				if cd == nil {
					snap, ok, err := store.Get[snapshot](tx, bucketSnapshots, subKey(apiID, id))
					if err != nil {
						return err
					}
					if !ok {
						return fmt.Errorf("stage %s: deployment %s has no snapshot", st.StageName, id)
					}
					cd = s.compile(id, &snap)
				}
				la.deployments[id] = cd
				ls.dep = cd
			}
			s.wireStage(ls, &st, apiID, usedLimiters, usedCounters)
			la.stages[st.StageName] = ls
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("compile API %s: %w", apiID, err)
	}
	for k := range s.limiters {
		if k.apiID == apiID && !usedLimiters[k] {
			delete(s.limiters, k)
		}
	}
	for k := range s.counters {
		if k.apiID == apiID && !usedCounters[k] {
			delete(s.counters, k)
		}
	}
	next := maps.Clone(cur)
	if la == nil {
		delete(next, apiID)
		s.authCache.reset(apiID, "")
	} else {
		next[apiID] = la
		s.authCache.retain(apiID, func(stage string) bool { return la.stages[stage] != nil })
	}
	s.live.Store(&next)
	return nil
}

// compile turns a snapshot into a route table. A route without a target,
// or whose integration is gone, is left out: it behaves as if it did not
// exist (§1.4). Routes are compiled in key order so that shadowing is
// deterministic.
func (s *Service) compile(id string, snap *snapshot) *compiledDeployment {
	integs := make(map[string]*liveIntegration, len(snap.Integrations))
	for _, ig := range snap.Integrations {
		li := &liveIntegration{Integration: ig, timeout: time.Duration(ig.TimeoutInMillis) * time.Millisecond}
		if li.timeout <= 0 {
			li.timeout = defaultTimeoutMillis * time.Millisecond
		}
		if !strings.Contains(ig.IntegrationURI, "${stageVariables.") {
			li.functionARN = functionFromURI(ig.IntegrationURI)
		}
		var err error
		if li.requestOps, err = compileRequestMapping(ig.RequestParameters); err != nil {
			s.log.Warn("apigw: ignoring invalid request mapping in deployment", "deployment", id, "integration", ig.IntegrationID, "err", err)
		}
		if li.responseOps, err = compileResponseMapping(ig.ResponseParameters); err != nil {
			s.log.Warn("apigw: ignoring invalid response mapping in deployment", "deployment", id, "integration", ig.IntegrationID, "err", err)
		}
		integs[ig.IntegrationID] = li
	}
	auths := make(map[string]*liveAuthorizer, len(snap.Authorizers))
	for i := range snap.Authorizers {
		auths[snap.Authorizers[i].AuthorizerID] = s.compileAuthorizer(id, &snap.Authorizers[i])
	}
	routes := slices.Clone(snap.Routes)
	slices.SortFunc(routes, func(a, b Route) int { return strings.Compare(a.RouteKey, b.RouteKey) })
	cd := &compiledDeployment{id: id, cors: compileCors(snap.Cors)}
	var keys []route.Key
	for _, r := range routes {
		integ := integs[strings.TrimPrefix(r.Target, "integrations/")]
		if r.Target == "" || integ == nil {
			continue
		}
		k, err := route.ParseKey(r.RouteKey)
		if err != nil {
			s.log.Warn("apigw: skipping invalid route key in deployment", "deployment", id, "routeKey", r.RouteKey, "err", err)
			continue
		}
		lr := &liveRoute{key: r.RouteKey, integ: integ, isDefault: k.IsDefault()}
		if lr.isDefault {
			lr.path, lr.arnSuffix = route.DefaultKey, route.DefaultKey
		} else {
			lr.path, lr.arnSuffix = k.Path, strings.TrimPrefix(k.Path, "/")
		}
		switch r.AuthorizationType {
		case AuthorizationJWT, AuthorizationCustom:
			lr.authType, lr.authorizer = r.AuthorizationType, auths[r.AuthorizerID]
			if lr.authorizer == nil {
				s.log.Warn("apigw: route's authorizer missing from deployment", "deployment", id, "routeKey", r.RouteKey, "authorizer", r.AuthorizerID)
			}
			if r.AuthorizationType == AuthorizationJWT {
				lr.scopes = slices.Clone(r.AuthorizationScopes)
			}
		case AuthorizationIAM:
			lr.authType = AuthorizationIAM
		}
		keys = append(keys, k)
		cd.routes = append(cd.routes, lr)
	}
	cd.table = route.Compile(keys, route.Options{TrailingSlash: s.cfg.TrailingSlash})
	return cd
}

// wireStage gives a compiled stage its route buckets and counters,
// reusing the ones of the previous compile. The caller holds s.mu.
func (s *Service) wireStage(ls *liveStage, st *Stage, apiID string, usedL map[limiterKey]bool, usedC map[counterKey]bool) {
	keys := []string{""}
	if ls.dep != nil {
		for _, r := range ls.dep.routes {
			keys = append(keys, r.key)
		}
	}
	for _, k := range keys {
		ck := counterKey{apiID: apiID, stage: st.StageName, routeKey: k}
		usedC[ck] = true
		ls.counters[k] = s.countersFor(ck)
		if k == "" {
			continue
		}
		if r, b, ok := routeLimits(st, k); ok {
			ls.limiters[k] = s.limiter(limiterKey{apiID: apiID, stage: st.StageName, routeKey: k, rate: r, burst: b}, usedL)
		}
	}
}

const lambdaPathMarker = ":lambda:path/2015-03-31/functions/"

// functionFromURI takes the function out of an API Gateway invocation
// ARN (arn:aws:apigateway:{r}:lambda:path/2015-03-31/functions/{arn}/invocations);
// the wrapper's region is ignored (§10). Any other URI is the function
// itself.
func functionFromURI(uri string) string {
	if !strings.HasPrefix(uri, "arn:") {
		return uri
	}
	_, rest, ok := strings.Cut(uri, lambdaPathMarker)
	if !ok {
		return uri
	}
	return strings.TrimSuffix(rest, "/invocations")
}

// substituteStageVariables replaces ${stageVariables.name} in s; an
// undefined variable becomes "".
func substituteStageVariables(s string, vars map[string]string) string {
	const open = "${stageVariables."
	var b strings.Builder
	for {
		i := strings.Index(s, open)
		if i < 0 {
			break
		}
		j := strings.IndexByte(s[i:], '}')
		if j < 0 {
			break
		}
		b.WriteString(s[:i])
		b.WriteString(vars[s[i+len(open):i+j]])
		s = s[i+j+1:]
	}
	b.WriteString(s)
	return b.String()
}
