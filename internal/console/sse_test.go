package console_test

import (
	"bufio"
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/cloudlet-dev/cloudlet/internal/console"
	"github.com/cloudlet-dev/cloudlet/internal/lambda"
	"github.com/cloudlet-dev/cloudlet/internal/platform"
)

// newConsole serves a console over p's services from its own test
// server, so that a test can tune it.
func newConsole(t *testing.T, p *platform.Platform, lifetime time.Duration) string {
	t.Helper()
	c, err := console.New(console.Config{Stacks: p.Stacks, APIs: p.APIs, Functions: p.Lambda, Logs: p.Logs, IAM: p.IAM, DB: p.DB})
	if err != nil {
		t.Fatal(err)
	}
	console.SetStreamLifetime(c, lifetime)
	srv := httptest.NewServer(c)
	t.Cleanup(func() {
		c.Close()
		srv.Close()
	})
	return srv.URL
}

func stream(t *testing.T, ctx context.Context, u, lastEventID string) *http.Response {
	t.Helper()
	req, err := http.NewRequestWithContext(ctx, "GET", u, nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Accept", "text/event-stream")
	if lastEventID != "" {
		req.Header.Set("Last-Event-ID", lastEventID)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("GET %s: %v", u, err)
	}
	if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "text/event-stream" {
		t.Fatalf("GET %s = %d %s", u, resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	return resp
}

// TestLogTail: a live tail sees an invocation's lines as they are
// written; a stream ends after its lifetime, and a reconnect with the
// last event ID gets what was written in between.
func TestLogTail(t *testing.T) {
	p := start(t)
	deploySeed(t, p)
	base := newConsole(t, p, time.Minute)
	tail := base + "/_cloudlet/logs/tail?group=" + url.QueryEscape("/aws/lambda/fa-005-function") + "&filter=" + url.QueryEscape(`"START RequestId"`)

	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	resp := stream(t, ctx, tail, "")
	defer resp.Body.Close()
	out, err := p.Lambda.Invoke(ctx, lambda.InvokeInput{FunctionName: "fa-005-function", Payload: []byte(`{}`)})
	if err != nil {
		t.Fatal(err)
	}
	lines := bufio.NewScanner(resp.Body)
	var id string
	for lines.Scan() {
		line := lines.Text()
		if v, ok := strings.CutPrefix(line, "id: "); ok {
			id = v
		}
		if strings.HasPrefix(line, "data: ") {
			if !strings.Contains(line, "START RequestId: "+out.RequestID) {
				t.Fatalf("tail filtered on START RequestId sent %q, want the START line of %s", line, out.RequestID)
			}
			break
		}
	}
	if id == "" {
		t.Fatalf("the event came without an ID to resume from (scan error %v)", lines.Err())
	}

	// Reconnect from before the invocation: the store fills the gap; the
	// short-lived stream then ends on its own.
	short := newConsole(t, p, 200*time.Millisecond)
	resp2 := stream(t, ctx, strings.Replace(tail, base, short, 1), "0")
	body, err := io.ReadAll(resp2.Body)
	resp2.Body.Close()
	if err != nil {
		t.Fatalf("reading a stream that should end: %v", err)
	}
	if !strings.Contains(string(body), "START RequestId: "+out.RequestID) || strings.Contains(string(body), "REPORT RequestId") {
		t.Errorf("resumed tail = %q, want the missed START line only (the filter still applies)", body)
	}
	if !strings.HasPrefix(string(body), "retry: ") {
		t.Errorf("stream does not tell the browser to reconnect promptly: %q", body)
	}
}

// TestStackEventsStream: for a finished stack the stream sends the events
// after since, then "end".
func TestStackEventsStream(t *testing.T) {
	p := start(t)
	st := deploySeed(t, p)
	base := newConsole(t, p, time.Minute)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	resp := stream(t, ctx, base+"/_cloudlet/stacks/"+url.PathEscape(st.ID)+"/events", "")
	body, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil {
		t.Fatal(err)
	}
	s := string(body)
	if !strings.Contains(s, `"status":"CREATE_COMPLETE"`) || !strings.HasSuffix(s, "event: end\ndata: {}\n\n") {
		t.Errorf("events stream = %q, want the events then end", s)
	}
	// Without an event-stream Accept header it is the stack page's events.
	r := get(t, base+"/_cloudlet/stacks/"+url.PathEscape(st.ID)+"/events")
	if r.status != 303 || !strings.HasSuffix(r.header.Get("Location"), "#events") {
		t.Errorf("GET events as a page = %d %q, want 303 to #events", r.status, r.header.Get("Location"))
	}
}
