package apigw_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/cloudlet-dev/cloudlet/internal/apigw"
	"github.com/cloudlet-dev/cloudlet/internal/awserr"
)

const authorizerFn = "arn:aws:lambda:us-east-1:123456789012:function:authz"

// byToken answers an authorizer invocation with answers[the first
// identity value]; an unknown value fails the test's expectations with
// a function error.
func byToken(answers map[string]string) func(apigw.Invocation) (*apigw.InvokeResult, error) {
	return func(in apigw.Invocation) (*apigw.InvokeResult, error) {
		var ev struct {
			IdentitySource json.RawMessage `json:"identitySource"`
		}
		_ = json.Unmarshal(in.Payload, &ev)
		var first string
		var list []string
		if json.Unmarshal(ev.IdentitySource, &list) == nil && len(list) > 0 {
			first = list[0]
		} else {
			var joined string
			_ = json.Unmarshal(ev.IdentitySource, &joined)
			first, _, _ = strings.Cut(joined, ",")
		}
		switch a, ok := answers[first]; {
		case !ok:
			return &apigw.InvokeResult{Payload: []byte(`{"errorMessage":"unexpected token"}`), FunctionError: "Unhandled"}, nil
		case a == "!refused":
			return nil, errors.New("lambda: no permission")
		case a == "!unhandled":
			return &apigw.InvokeResult{Payload: []byte(`{"errorMessage":"boom"}`), FunctionError: "Unhandled"}, nil
		default:
			return &apigw.InvokeResult{Payload: []byte(a)}, nil
		}
	}
}

func requestAuthorizer(version string, simple bool, ttl int, sources ...string) *apigw.CreateAuthorizerInput {
	in := &apigw.CreateAuthorizerInput{Name: "lambda", AuthorizerType: "REQUEST",
		AuthorizerURI:                  "arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/" + authorizerFn + "/invocations",
		AuthorizerPayloadFormatVersion: version, IdentitySource: sources,
		AuthorizerResultTTLInSeconds: ptr(ttl)}
	if simple {
		in.EnableSimpleResponses = ptr(true)
	}
	return in
}

func policy(effect, resource string) string {
	return `{"principalId":"user-7","policyDocument":{"Version":"2012-10-17","Statement":[{"Action":"execute-api:Invoke","Effect":"` +
		effect + `","Resource":` + resource + `}]},"context":{"tier":"gold","n":3}}`
}

// §8.3, §6: allow, deny, errors and missing identity sources.
func TestLambdaAuthorizer(t *testing.T) {
	answers := map[string]string{
		"allow":       `{"isAuthorized":true,"context":{"user":"u1"}}`,
		"deny":        `{"isAuthorized":false}`,
		"stringBool":  `{"isAuthorized":"true"}`,
		"noVerdict":   `{"context":{}}`,
		"notJSON":     `allow`,
		"claimsKey":   `{"isAuthorized":true,"context":{"claims":"x"}}`,
		"unhandled":   "!unhandled",
		"refused":     "!refused",
		"arnWildcard": policy("Allow", `"arn:aws:execute-api:us-east-1:123456789012:*/$default/GET/pets/*"`),
		"arnQuestion": policy("Allow", `["arn:aws:execute-api:us-east-1:123456789012:??????????/$default/GET/pets/?"]`),
		"arnOther":    policy("Allow", `"arn:aws:execute-api:us-east-1:123456789012:*/$default/POST/*"`),
		"explicitDeny": `{"principalId":"u","policyDocument":{"Version":"2012-10-17","Statement":[` +
			`{"Action":"execute-api:Invoke","Effect":"Allow","Resource":"*"},` +
			`{"Action":"execute-api:*","Effect":"Deny","Resource":"arn:aws:execute-api:*:*:*/*/GET/pets/*"}]}}`,
		"wrongAction": `{"principalId":"u","policyDocument":{"Statement":{"Action":"lambda:InvokeFunction","Effect":"Allow","Resource":"*"}}}`,
		"badPolicy":   `{"principalId":"u","policyDocument":{"Statement":[{"Effect":"Maybe","Action":"*","Resource":"*"}]}}`,
		"simpleOn1":   `{"isAuthorized":true}`,
	}
	type tc struct {
		name, token string
		status      int
		body        string
	}
	simpleCases := []tc{
		{"allow", "allow", 200, "ok"},
		{"deny", "deny", 403, `{"message":"Forbidden"}`},
		{"isAuthorizedNotBoolean", "stringBool", 500, `{"message":"Internal Server Error"}`},
		{"isAuthorizedMissing", "noVerdict", 500, `{"message":"Internal Server Error"}`},
		{"invalidJSON", "notJSON", 500, `{"message":"Internal Server Error"}`},
		{"reservedClaimsKey", "claimsKey", 500, `{"message":"Internal Server Error"}`},
		{"functionError", "unhandled", 500, `{"message":"Internal Server Error"}`},
		{"invokeRefused", "refused", 500, `{"message":"Internal Server Error"}`},
	}
	policyCases := []tc{
		{"allowWildcard", "arnWildcard", 200, "ok"},
		{"allowQuestionMarks", "arnQuestion", 200, "ok"},
		{"allowOtherRoute", "arnOther", 403, `{"message":"Forbidden"}`},
		{"explicitDenyWins", "explicitDeny", 403, `{"message":"Forbidden"}`},
		{"otherAction", "wrongAction", 403, `{"message":"Forbidden"}`},
		{"badEffect", "badPolicy", 500, `{"message":"Internal Server Error"}`},
		{"simpleResponseWhereAPolicyIsDue", "simpleOn1", 403, `{"message":"Forbidden"}`},
		{"functionError", "unhandled", 500, `{"message":"Internal Server Error"}`},
	}
	for _, group := range []struct {
		name  string
		auth  *apigw.CreateAuthorizerInput
		cases []tc
	}{
		{"simple2.0", requestAuthorizer("2.0", true, 0, "$request.header.Authorization"), simpleCases},
		{"policy2.0", requestAuthorizer("2.0", false, 0, "$request.header.Authorization"), policyCases},
		{"policy1.0", requestAuthorizer("1.0", false, 0, "$request.header.Authorization"), policyCases},
	} {
		f := newAuthFixture(t, routedInvoker(byToken(answers)), authSetup{authorizer: group.auth,
			routes: []apigw.CreateRouteInput{{RouteKey: "GET /pets/{id}", AuthorizationType: "CUSTOM"}}})
		for _, tt := range group.cases {
			t.Run(group.name+"/"+tt.name, func(t *testing.T) {
				f.inv.reset()
				res := f.do(t, "GET", "/pets/7", "Authorization", tt.token)
				if res.status != tt.status || res.body != tt.body {
					t.Errorf("GET /pets/7 with %q = %v, want %d %q", tt.token, res, tt.status, tt.body)
				}
				authz, integ := f.inv.split()
				if len(authz) != 1 {
					t.Errorf("authorizer invocations = %d, want 1", len(authz))
				}
				if got, want := len(integ) == 1, tt.status == 200; got != want {
					t.Errorf("integration invoked = %v, want %v", got, want)
				}
			})
		}
	}
}

// §8.3: a missing or empty identity source is 401 and the authorizer is
// not invoked; every kind of source is read.
func TestLambdaAuthorizerIdentitySources(t *testing.T) {
	sources := []string{"$request.header.X-Token", "$request.querystring.key", "$context.routeKey", "$stageVariables.env"}
	var seen []string
	inv := routedInvoker(func(in apigw.Invocation) (*apigw.InvokeResult, error) {
		var ev struct {
			IdentitySource []string `json:"identitySource"`
		}
		_ = json.Unmarshal(in.Payload, &ev)
		seen = ev.IdentitySource
		return &apigw.InvokeResult{Payload: []byte(`{"isAuthorized":true}`)}, nil
	})
	f := newAuthFixture(t, inv, authSetup{
		authorizer:     requestAuthorizer("2.0", true, 0, sources...),
		routes:         []apigw.CreateRouteInput{{RouteKey: "GET /pets", AuthorizationType: "CUSTOM"}},
		stageVariables: map[string]string{"env": "dev"},
	})
	tests := []struct {
		name   string
		path   string
		header []string
		status int
	}{
		{"all", "/pets?key=k1&key=k2", []string{"X-Token", "t1", "X-Token", "t2"}, 200},
		{"headerMissing", "/pets?key=k1", nil, 401},
		{"headerEmpty", "/pets?key=k1", []string{"X-Token", ""}, 401},
		{"queryMissing", "/pets", []string{"X-Token", "t1"}, 401},
		{"queryEmpty", "/pets?key=", []string{"X-Token", "t1"}, 401},
		{"headerNameCaseInsensitive", "/pets?key=k", []string{"x-token", "t"}, 200},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f.inv.reset()
			res := f.do(t, "GET", tt.path, tt.header...)
			if res.status != tt.status {
				t.Fatalf("GET %s = %v, want %d", tt.path, res, tt.status)
			}
			authz, _ := f.inv.split()
			if tt.status == 401 {
				if res.body != `{"message":"Unauthorized"}` || res.header.Get("Www-Authenticate") != "" {
					t.Errorf("GET %s = %v www-authenticate %q, want 401 Unauthorized without a challenge", tt.path, res, res.header.Get("Www-Authenticate"))
				}
				if len(authz) != 0 {
					t.Errorf("GET %s invoked the authorizer %d times, want 0", tt.path, len(authz))
				}
			}
		})
	}
	f.inv.reset()
	f.do(t, "GET", "/pets?key=k1&key=k2", "X-Token", "t1", "X-Token", "t2")
	if want := []string{"t1,t2", "k1,k2", "GET /pets", "dev"}; !cmp.Equal(seen, want) {
		t.Errorf("identitySource = %q, want %q", seen, want)
	}
}

// §8.3: answers are cached by identity values for the TTL, Allow and
// Deny alike, and ResetAuthorizersCache forgets them.
func TestLambdaAuthorizerCache(t *testing.T) {
	answers := map[string]string{"a": `{"isAuthorized":true}`, "b": `{"isAuthorized":true}`, "d": `{"isAuthorized":false}`}
	f := newAuthFixture(t, routedInvoker(byToken(answers)), authSetup{
		authorizer: requestAuthorizer("2.0", true, 300, "$request.header.Authorization"),
		routes: []apigw.CreateRouteInput{
			{RouteKey: "GET /one", AuthorizationType: "CUSTOM"},
			{RouteKey: "GET /two", AuthorizationType: "CUSTOM"},
		},
	})
	invocations := func() int { a, _ := f.inv.split(); return len(a) }
	steps := []struct {
		name      string
		do        func()
		path, tok string
		status    int
		want      int // authorizer invocations so far
	}{
		{name: "first", path: "/one", tok: "a", status: 200, want: 1},
		{name: "cached", path: "/one", tok: "a", status: 200, want: 1},
		{name: "otherRouteSameIdentity", path: "/two", tok: "a", status: 200, want: 1},
		{name: "otherIdentity", path: "/one", tok: "b", status: 200, want: 2},
		{name: "deny", path: "/one", tok: "d", status: 403, want: 3},
		{name: "denyCached", path: "/one", tok: "d", status: 403, want: 3},
		{name: "justBeforeExpiry", do: func() { f.clk.Advance(299 * time.Second) }, path: "/one", tok: "a", status: 200, want: 3},
		{name: "expired", do: func() { f.clk.Advance(time.Second) }, path: "/one", tok: "a", status: 200, want: 4},
		{name: "reset", do: func() {
			if err := f.svc.ResetAuthorizersCache(context.Background(), f.apiID, "$default"); err != nil {
				t.Fatalf("ResetAuthorizersCache: %v", err)
			}
		}, path: "/one", tok: "a", status: 200, want: 5},
	}
	for _, st := range steps {
		if st.do != nil {
			st.do()
		}
		res := f.do(t, "GET", st.path, "Authorization", st.tok)
		if res.status != st.status {
			t.Errorf("%s: GET %s = %v, want %d", st.name, st.path, res, st.status)
		}
		if got := invocations(); got != st.want {
			t.Errorf("%s: authorizer invocations = %d, want %d", st.name, got, st.want)
		}
	}

	ctx := context.Background()
	for _, tt := range []struct{ api, stage string }{{"nope", "$default"}, {f.apiID, "nope"}} {
		var e *awserr.Error
		if err := f.svc.ResetAuthorizersCache(ctx, tt.api, tt.stage); !errors.As(err, &e) || e.Code != apigw.CodeNotFound {
			t.Errorf("ResetAuthorizersCache(%s, %s) = %v, want NotFoundException", tt.api, tt.stage, err)
		}
	}
}

// §8.3: the invoke carries the authorizer's SourceArn or its credentials
// role; the context reaches the integration as 2.0 authorizer.lambda
// (JSON types kept) or 1.0's flattened strings beside principalId.
func TestLambdaAuthorizerInvocationAndContext(t *testing.T) {
	const creds = "arn:aws:iam::123456789012:role/authz-invoker"
	tests := []struct {
		name, authVersion, integVersion string
		simple                          bool
		credentials                     string
		answer                          string
		at                              []string
		want                            string
	}{
		{"simple2.0", "2.0", "2.0", true, "", `{"isAuthorized":true,"context":{"user":"u1","n":3,"ok":true,"list":[1,"a"],"obj":{"k":"v"}}}`,
			[]string{"requestContext", "authorizer"}, `{"lambda":{"list":[1,"a"],"n":3,"obj":{"k":"v"},"ok":true,"user":"u1"}}`},
		{"simpleNoContext", "2.0", "2.0", true, "", `{"isAuthorized":true}`,
			[]string{"requestContext", "authorizer"}, `{"lambda":{}}`},
		{"policy2.0", "2.0", "2.0", false, creds, policy("Allow", `"*"`),
			[]string{"requestContext", "authorizer"}, `{"lambda":{"n":3,"principalId":"user-7","tier":"gold"}}`},
		{"policy1.0Integration1.0", "1.0", "1.0", false, "", policy("Allow", `"*"`),
			[]string{"requestContext", "authorizer"}, `{"n":"3","principalId":"user-7","tier":"gold"}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			auth := requestAuthorizer(tt.authVersion, tt.simple, 0, "$request.header.Authorization")
			auth.AuthorizerCredentialsARN = tt.credentials
			inv := routedInvoker(func(apigw.Invocation) (*apigw.InvokeResult, error) {
				return &apigw.InvokeResult{Payload: []byte(tt.answer)}, nil
			})
			f := newAuthFixture(t, inv, authSetup{authorizer: auth, payloadVersion: tt.integVersion,
				routes: []apigw.CreateRouteInput{{RouteKey: "GET /pets", AuthorizationType: "CUSTOM"}}})
			if res := f.do(t, "GET", "/pets", "Authorization", "x"); res.status != 200 {
				t.Fatalf("GET /pets = %v, want 200", res)
			}
			if got := jsonText(t, jpath(f.lastEvent(t), tt.at...)); got != tt.want {
				t.Errorf("event %v = %s, want %s", tt.at, got, tt.want)
			}
			authz, _ := f.inv.split()
			want := apigw.Invocation{FunctionARN: authorizerFn, CredentialsARN: tt.credentials,
				SourceARN: "arn:aws:execute-api:us-east-1:123456789012:" + f.apiID + "/authorizers/" + f.authorizerID}
			got := authz[0]
			got.Payload = nil
			if d := cmp.Diff(want, got); d != "" {
				t.Errorf("authorizer invocation differs (-want +got):\n%s", d)
			}
		})
	}
}

// The authorizer context reaches mapping as $context.authorizer.*.
func TestLambdaAuthorizerContextInMapping(t *testing.T) {
	inv := routedInvoker(func(apigw.Invocation) (*apigw.InvokeResult, error) {
		return &apigw.InvokeResult{Payload: []byte(policy("Allow", `"*"`))}, nil
	})
	f := newAuthFixture(t, inv, authSetup{authorizer: requestAuthorizer("2.0", false, 0, "$request.header.Authorization"),
		routes: []apigw.CreateRouteInput{{RouteKey: "GET /pets", AuthorizationType: "CUSTOM"}}})
	ctx := context.Background()
	igs, err := f.svc.ListIntegrations(ctx, f.apiID)
	if err != nil {
		t.Fatal(err)
	}
	params := map[string]string{"overwrite:header.x-tier": "$context.authorizer.tier", "overwrite:header.x-principal": "$context.authorizer.principalId"}
	if _, err := f.svc.UpdateIntegration(ctx, f.apiID, igs[0].IntegrationID, apigw.UpdateIntegrationInput{RequestParameters: params}); err != nil {
		t.Fatalf("UpdateIntegration: %v", err)
	}
	if res := f.do(t, "GET", "/pets", "Authorization", "x"); res.status != http.StatusOK {
		t.Fatalf("GET /pets = %v, want 200", res)
	}
	ev := f.lastEvent(t)
	if got := [2]any{jpath(ev, "headers", "x-tier"), jpath(ev, "headers", "x-principal")}; got != [2]any{"gold", "user-7"} {
		t.Errorf("mapped headers = %v, want [gold user-7]", got)
	}
}

// §13.5: a throttled function (Lambda's 429) is 500 Internal Server
// Error, as the spec thinks likely; the client is not told to retry.
func TestLambdaThrottledIs500(t *testing.T) {
	inv := &stubInvoker{answer: func(context.Context, apigw.Invocation) (*apigw.InvokeResult, error) {
		return nil, awserr.WithStatus(http.StatusTooManyRequests, "TooManyRequestsException", "Rate Exceeded.")
	}}
	svc := newService(t, openDB(t, t.TempDir()), inv)
	api := seedAPI(t, svc)
	srv := serve(t, svc)
	res := do(t, srv.Client(), "GET", srv.URL+"/", nil, "Host", api.APIID+".execute-api.localhost")
	if res.status != 500 || res.body != `{"message":"Internal Server Error"}` || res.header.Get("Retry-After") != "" {
		t.Errorf("GET / with Lambda throttling = %v (Retry-After %q), want 500 Internal Server Error", res, res.header.Get("Retry-After"))
	}
}

// The exact authorizer events of payload formats 2.0 and 1.0 (§8.3),
// against testdata/events/authorizer.v*.json.
func TestAuthorizerEventGolden(t *testing.T) {
	for _, version := range []string{"2.0", "1.0"} {
		t.Run(version, func(t *testing.T) {
			inv := routedInvoker(func(apigw.Invocation) (*apigw.InvokeResult, error) {
				return &apigw.InvokeResult{Payload: []byte(policy("Allow", `"*"`))}, nil
			})
			f := newAuthFixture(t, inv, authSetup{
				authorizer:     requestAuthorizer(version, false, 0, "$request.header.X-Token", "$request.querystring.key", "$stageVariables.env"),
				routes:         []apigw.CreateRouteInput{{RouteKey: "POST /pets/{id}", AuthorizationType: "CUSTOM"}},
				stageVariables: map[string]string{"env": "dev"},
			})
			res := do(t, f.srv.Client(), "POST", f.srv.URL+"/pets/42?key=k1&tag=a&tag=b", strings.NewReader(`{"name":"rex"}`),
				"Host", f.apiID+".execute-api.localhost:4566", "User-Agent", "golden-test", "X-Token", "secret",
				"Cookie", "session=abc", "Content-Type", "application/json")
			if res.status != 200 {
				t.Fatalf("POST /pets/42 = %v, want 200", res)
			}
			authz, _ := f.inv.split()
			port := f.srv.URL[strings.LastIndexByte(f.srv.URL, ':')+1:]
			text := strings.ReplaceAll(string(authz[0].Payload), f.apiID, goldenAPIID)
			text = strings.ReplaceAll(text, `"`+port+`"`, `"4566"`)
			text = traceIDPattern.ReplaceAllString(text, "Root=1-00000000-000000000000000000000000")
			var out bytes.Buffer
			if err := json.Indent(&out, []byte(text), "", "  "); err != nil {
				t.Fatalf("authorizer event is not JSON: %v\n%s", err, text)
			}
			out.WriteByte('\n')
			golden(t, filepath.Join("events", "authorizer.v"+version[:1]+".json"), out.Bytes())
		})
	}
}
