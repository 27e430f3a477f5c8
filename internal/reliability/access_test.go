package reliability_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"os"
	"strings"
	"testing"

	"github.com/cloudlet-dev/cloudlet/internal/platform"
	"github.com/cloudlet-dev/cloudlet/internal/stack"
)

// probeRequest is one request a function of testdata/access.yaml sends to
// cloudlet from inside its execution environment.
type probeRequest struct {
	Method  string            `json:"method,omitempty"`
	Path    string            `json:"path,omitempty"`
	URL     string            `json:"url,omitempty"`
	Headers map[string]string `json:"headers,omitempty"`
	Body    string            `json:"body,omitempty"`
	// Sign signs the request with the function's role credentials.
	Sign bool `json:"sign,omitempty"`
}

type probeResult struct {
	Status int    `json:"status"`
	Body   string `json:"body"`
}

// probeFrom has function send reqs to cloudlet from inside its
// environment; follow, when not nil, also fetches the Code.Location of the
// answer at that index.
func probeFrom(t *testing.T, base, function string, reqs []probeRequest, follow *int) ([]probeResult, map[string]string) {
	t.Helper()
	event, _ := json.Marshal(map[string]any{"requests": reqs, "follow": follow})
	r := callAs(t, creds{key: rootKey, secret: rootSecret}, base, "lambda", http.MethodPost, "/2015-03-31/functions/"+function+"/invocations", nil, event)
	var out struct {
		Results []probeResult     `json:"results"`
		Env     map[string]string `json:"env"`
	}
	if r.status != 200 || r.header.Get("X-Amz-Function-Error") != "" || json.Unmarshal([]byte(r.body), &out) != nil {
		t.Fatalf("Invoke(%s) = %d %.2000s", function, r.status, r.body)
	}
	return out.Results, out.Env
}

// Issue 8 §5: a function process, which reaches cloudlet over the host's
// loopback, cannot read another function's code or invocation records
// through /_cloudlet/, nor use the console to invoke a function or delete
// a stack: without the console token every such page answers 401, and a
// code link not made by an API call IAM allowed answers 403. The AWS APIs,
// with the function's role credentials, are the only way in: the role
// allowed lambda:GetFunction gets a link that works; the one without it
// gets AccessDeniedException.
func TestFunctionsReachOnlyAWSAPIs(t *testing.T) {
	if testing.Short() {
		t.Skip("runs real function processes")
	}
	p := startPlatform(t, platform.Config{})
	body, err := os.ReadFile("testdata/access.yaml")
	if err != nil {
		t.Fatal(err)
	}
	st := deploy(t, p, "access", string(body), map[string]string{"Runtime": pythonRuntime(t)})
	victim, prober, reader := output(t, st, "Victim"), output(t, st, "Prober"), output(t, st, "Reader")
	token := p.ConsoleToken()

	// The link the root gets from GetFunction, as the AWS CLI would.
	r := awsCall(t, p.URL(), "lambda", http.MethodGet, "/2015-03-31/functions/"+victim, nil, nil)
	var got struct{ Code struct{ Location string } }
	if r.status != 200 || json.Unmarshal([]byte(r.body), &got) != nil || got.Code.Location == "" {
		t.Fatalf("GetFunction(%s) = %d %s", victim, r.status, r.body)
	}
	link, err := url.Parse(got.Code.Location)
	if err != nil {
		t.Fatal(err)
	}
	// Another function's name on a link signed for the victim.
	stolen := strings.Replace(link.RequestURI(), "/"+victim+"/", "/"+prober+"/", 1)
	form := map[string]string{"Content-Type": "application/x-www-form-urlencoded"}
	stackPath := "/_cloudlet/stacks/" + url.PathEscape(st.ID)

	tests := []struct {
		name   string
		req    probeRequest
		status int
		want   string // a part of the body
	}{
		{"health", probeRequest{Path: "/_cloudlet/health"}, 200, `"status":"ok"`},
		{"code-unsigned", probeRequest{Path: "/_cloudlet/api/functions/" + victim + "/code"}, 403, "<Code>AccessDenied</Code>"},
		{"code-other-name", probeRequest{Path: stolen}, 403, "<Code>SignatureDoesNotMatch</Code>"},
		{"code-unsigned-qualified", probeRequest{Path: "/_cloudlet/api/functions/" + victim + "/code?Qualifier=%24LATEST"}, 403, "<Code>AccessDenied</Code>"},
		{"invocation-records", probeRequest{Path: "/_cloudlet/api/functions/" + victim + "/invocations"}, 401, "console token"},
		{"cloudlet-metrics", probeRequest{Path: "/_cloudlet/api/metrics"}, 401, ""},
		{"console", probeRequest{Path: "/_cloudlet/"}, 401, "open the console URL cloudlet printed"},
		{"console-function", probeRequest{Path: "/_cloudlet/functions/" + victim}, 401, ""},
		{"console-logs", probeRequest{Path: "/_cloudlet/logs/group?name=" + url.QueryEscape("/aws/lambda/"+victim)}, 401, ""},
		{"console-metrics", probeRequest{Path: "/_cloudlet/metrics"}, 401, ""},
		{"console-invoke", probeRequest{Method: "POST", Path: "/_cloudlet/functions/" + victim + "/invoke", Headers: form, Body: "event=%7B%7D"}, 401, ""},
		{"console-delete-stack", probeRequest{Method: "POST", Path: stackPath + "/delete", Headers: form, Body: "confirm=yes"}, 401, ""},
		{"guessed-token", probeRequest{Path: "/_cloudlet/?token=" + strings.Repeat("A", len(token))}, 401, "not this cloudlet's console token"},
		{"own-keys-as-bearer", probeRequest{Path: "/_cloudlet/", Headers: map[string]string{"Authorization": "Bearer " + rootSecret}}, 401, ""},
		{"signed-console", probeRequest{Path: "/_cloudlet/", Sign: true}, 401, ""},
		{"role-get-function", probeRequest{Path: "/2015-03-31/functions/" + victim, Sign: true}, 403, "is not authorized to perform: lambda:GetFunction"},
	}
	reqs := make([]probeRequest, len(tests))
	for i, tt := range tests {
		reqs[i] = tt.req
	}
	results, env := probeFrom(t, p.URL(), prober, reqs, nil)
	if len(results) != len(tests) {
		t.Fatalf("the prober answered %d results for %d requests", len(results), len(tests))
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := results[i]
			if got.Status != tt.status || !strings.Contains(got.Body, tt.want) {
				t.Errorf("%s %s from a function = %d %.300q, want %d with %q", or(tt.req.Method, "GET"), tt.req.Path, got.Status, got.Body, tt.status, tt.want)
			}
			if strings.Contains(got.Body, "victim's own code") {
				t.Errorf("%s %s from a function answered the victim's code", or(tt.req.Method, "GET"), tt.req.Path)
			}
		})
	}

	t.Run("NothingChanged", func(t *testing.T) {
		if recs := p.Lambda.Invocations(victim); len(recs) != 0 {
			t.Errorf("the victim was invoked %d times; the console must not have invoked it", len(recs))
		}
		if s, err := p.Stacks.Describe(context.Background(), st.ID); err != nil || s.Status != stack.CreateComplete {
			t.Errorf("stack after the function's delete attempt: %v, %v; want it CREATE_COMPLETE", s, err)
		}
	})

	t.Run("NoTokenInEnvironment", func(t *testing.T) {
		for name, value := range env {
			if strings.Contains(value, token) {
				t.Errorf("the function's environment holds the console token in %s", name)
			}
		}
	})

	// The way in: a role IAM allows lambda:GetFunction gets the victim's
	// link through the Lambda API and downloads the package with it, from
	// inside its function, as the AWS SDK would.
	t.Run("AllowedRoleDownloads", func(t *testing.T) {
		follow := 0
		results, _ := probeFrom(t, p.URL(), reader, []probeRequest{{Path: "/2015-03-31/functions/" + victim, Sign: true}}, &follow)
		if len(results) != 2 || results[0].Status != 200 {
			t.Fatalf("GetFunction(%s) with the reader's role = %+v, want 200 and the download", victim, results)
		}
		if dl := results[1]; dl.Status != 200 || !strings.HasPrefix(dl.Body, "PK") || !strings.Contains(dl.Body, "index.py") {
			t.Errorf("GET Code.Location from the reader = %d %.200q, want 200 and the victim's package", dl.Status, dl.Body)
		}
	})
}

func or(s, def string) string {
	if s == "" {
		return def
	}
	return s
}
