package sandbox

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"strconv"
	"testing"
	"time"
)

func TestMachineTransitions(t *testing.T) {
	all := []State{StateStarted, StateInitError, StateReady, StateRunning, StateResponseSent, StateInvocationErrorResponse}
	legal := map[[2]State]bool{
		{StateStarted, StateReady}:                   true,
		{StateStarted, StateInitError}:               true,
		{StateReady, StateRunning}:                   true,
		{StateRunning, StateResponseSent}:            true,
		{StateRunning, StateInvocationErrorResponse}: true,
		{StateResponseSent, StateReady}:              true,
		{StateInvocationErrorResponse, StateReady}:   true,
	}
	for _, from := range all {
		for _, to := range all {
			m := machine{state: from}
			err := m.to(to)
			if want := legal[[2]State{from, to}]; (err == nil) != want {
				t.Errorf("machine{%s}.to(%s) = %v, want allowed=%v", from, to, err, want)
			}
			if err != nil {
				if !errors.Is(err, ErrNotAllowed) || m.state != from {
					t.Errorf("machine{%s}.to(%s): err %v, state %s; want ErrNotAllowed, state unchanged", from, to, err, m.state)
				}
			}
		}
	}
	err := (&machine{state: StateReady}).to(StateResponseSent)
	want := "State transition from Ready to ResponseSent failed for runtime. Error: State transition is not allowed"
	if err == nil || err.Error() != want {
		t.Errorf("refused transition message = %v, want %q", err, want)
	}
}

// apiCall is one request to the Runtime API and the answer it must get
// (shared/specs/lambda.md §1.3–§1.6).
type apiCall struct {
	method, path string
	body         []byte
	status       int
	resp         string // exact body; "" = not checked
}

func TestRuntimeAPI(t *testing.T) {
	const id = "8476a536-e9f4-11e8-9739-2dfe598c3fcd"
	base := "/2018-06-01/runtime"
	tooLarge := bytes.Repeat([]byte("x"), MaxResponseBytes+1)
	tests := []struct {
		name     string
		before   []apiCall // before the invocation is dispatched
		after    []apiCall // while it runs
		wantType string    // errorType of the result delivered to the caller
	}{
		{
			name: "ResponseThenRepeat",
			after: []apiCall{
				{"POST", base + "/invocation/other-id/response", []byte(`1`), 400, `{"errorMessage":"Invalid request ID","errorType":"InvalidRequestID"}`},
				{"POST", base + "/invocation/" + id + "/response", []byte(`1`), 202, `{"status":"OK"}`},
				{"POST", base + "/invocation/" + id + "/response", []byte(`1`), 403, `{"errorMessage":"State transition from ResponseSent to ResponseSent failed for runtime. Error: State transition is not allowed","errorType":"InvalidStateTransition"}`},
				{"POST", base + "/invocation/" + id + "/error", []byte(`{}`), 403, ""},
			},
		},
		{
			name: "Error",
			after: []apiCall{
				{"POST", base + "/init/error", []byte(`{}`), 403, ""},
				{"POST", base + "/invocation/" + id + "/error", nil, 202, `{"status":"OK"}`},
			},
			wantType: "Runtime.Unknown",
		},
		{
			name: "TooLarge",
			after: []apiCall{
				{"POST", base + "/invocation/" + id + "/response", tooLarge, 413, `{"errorMessage":"Exceeded maximum allowed payload size (6291556 bytes).","errorType":"RequestEntityTooLarge"}`},
			},
			wantType: "Function.ResponseSizeTooLarge",
		},
		{
			name: "ResponseBeforeInvoke",
			before: []apiCall{
				{"POST", base + "/invocation/" + id + "/response", []byte(`1`), 400, ""},
			},
			after: []apiCall{
				{"POST", base + "/invocation/" + id + "/response", []byte(`1`), 202, ""},
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a, err := listenRuntimeAPI()
			if err != nil {
				t.Fatal(err)
			}
			defer a.close()
			url := "http://" + a.addr()
			for _, c := range tt.before {
				do(t, url, c)
			}
			// The runtime parks on /next; the platform dispatches.
			next := make(chan *http.Response, 1)
			go func() {
				r, err := http.Get(url + base + "/invocation/next")
				if err != nil {
					t.Error(err)
				}
				next <- r
			}()
			<-a.nextCh
			deadline := time.Now().Add(time.Minute)
			inv := &invocation{id: id, payload: []byte(`{"k":1}`), deadline: deadline, invokedARN: "arn:fn", traceID: "Root=1", result: make(chan result, 1)}
			if !a.dispatch(context.Background(), inv, nil) {
				t.Fatal("dispatch refused")
			}
			r := <-next
			body, _ := io.ReadAll(r.Body)
			r.Body.Close()
			if string(body) != `{"k":1}` || r.Header.Get("Lambda-Runtime-Aws-Request-Id") != id ||
				r.Header.Get("Lambda-Runtime-Deadline-Ms") != strconv.FormatInt(deadline.UnixMilli(), 10) ||
				r.Header.Get("Lambda-Runtime-Invoked-Function-Arn") != "arn:fn" || r.Header.Get("Lambda-Runtime-Trace-Id") != "Root=1" {
				t.Errorf("GET next = %s %v, want the event and its headers", body, r.Header)
			}
			for _, c := range tt.after {
				do(t, url, c)
			}
			select {
			case res := <-inv.result:
				if res.errorType != tt.wantType {
					t.Errorf("result errorType = %q, want %q", res.errorType, tt.wantType)
				}
			default:
				t.Errorf("no result delivered")
			}
		})
	}
}

func do(t *testing.T, url string, c apiCall) {
	t.Helper()
	req, _ := http.NewRequest(c.method, url+c.path, bytes.NewReader(c.body))
	r, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", c.method, c.path, err)
	}
	b, _ := io.ReadAll(r.Body)
	r.Body.Close()
	if r.StatusCode != c.status || c.resp != "" && string(b) != c.resp {
		t.Errorf("%s %s = %d %s, want %d %s", c.method, c.path, r.StatusCode, b, c.status, c.resp)
	}
}

func TestErrorBody(t *testing.T) {
	tests := []struct {
		name, body, ct, header string
		want, wantType         string
	}{
		{"PassThrough", `{"errorMessage":"m","errorType":"E","stackTrace":[]}`, "application/json", "", `{"errorMessage":"m","errorType":"E","stackTrace":[]}`, "E"},
		{"HeaderWins", `{"errorType":"E"}`, "", "Runtime.X", `{"errorType":"E"}`, "Runtime.X"},
		{"Empty", ``, "", "", `{"errorMessage":"Unknown application error occurred"}`, "Runtime.Unknown"},
		{"EmptyWithHeader", ``, "", "Function.Y", `{"errorMessage":"Unknown application error occurred","errorType":"Function.Y"}`, "Function.Y"},
		{"XRayCause", `{"errorMessage":"m","errorType":"E","stackTrace":["a"],"errorCause":{"x":1}}`, "application/vnd.aws.lambda.error.cause+json", "", `{"errorMessage":"m","errorType":"E","stackTrace":["a"]}`, "E"},
		{"XRayCauseInvalid", `nope`, "application/vnd.aws.lambda.error.cause+json", "", `"Invalid error body"`, "Runtime.Unknown"},
	}
	for _, tt := range tests {
		got, gotType := errorBody([]byte(tt.body), tt.ct, tt.header)
		if string(got) != tt.want || gotType != tt.wantType {
			t.Errorf("errorBody(%s) = %s, %q; want %s, %q", tt.name, got, gotType, tt.want, tt.wantType)
		}
	}
}
