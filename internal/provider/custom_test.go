package provider_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/cloudlet-dev/cloudlet/internal/lambda"
	"github.com/cloudlet-dev/cloudlet/internal/provider"
	"github.com/cloudlet-dev/cloudlet/internal/stack"
)

// responder answers custom resource requests the way cfn-response does,
// steered by its Mode property.
const responder = `import json, urllib.request

def handler(event, context):
    props = event["ResourceProperties"]
    mode = props.get("Mode", "ok")
    if mode == "silent":
        return
    body = {
        "Status": "FAILED" if mode == "fail" else "SUCCESS",
        "Reason": "told to fail" if mode == "fail" else "",
        "PhysicalResourceId": props.get("Id", "custom-id"),
        "StackId": event["StackId"], "RequestId": event["RequestId"],
        "LogicalResourceId": event["LogicalResourceId"],
        "Data": {"RequestType": event["RequestType"], "NumberType": type(props.get("Number")).__name__,
                 "Number": props.get("Number"), "Old": json.dumps(event.get("OldResourceProperties")),
                 "Physical": event.get("PhysicalResourceId", "")},
    }
    if mode == "huge":
        body["Data"]["Pad"] = "x" * 5000
    req = urllib.request.Request(event["ResponseURL"], data=json.dumps(body).encode(), method="PUT")
    urllib.request.urlopen(req).read()
`

type events struct{ l *lambda.Service }

func (e events) InvokeEvent(ctx context.Context, arn string, payload []byte) error {
	_, err := e.l.Invoke(ctx, lambda.InvokeInput{FunctionName: arn, InvocationType: lambda.Event, Payload: payload})
	return err
}

func newCustom(t *testing.T, timeout time.Duration) (*provider.CustomResources, string) {
	t.Helper()
	s := newServices(t)
	fn := function(t, s, "responder", responder)
	var srv *httptest.Server
	c := provider.NewCustomResources(events{s.lambda}, func() string { return srv.URL }, timeout)
	mux := http.NewServeMux()
	mux.Handle(provider.ResponsePath, c)
	srv = httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return c, fn.FunctionArn
}

// A Lambda-backed custom resource gets AWS's request events and answers
// through the ResponseURL; Data becomes its attributes.
func TestCustomResource(t *testing.T) {
	c, arn := newCustom(t, time.Minute)
	ctx := context.Background()
	props := map[string]any{"ServiceToken": arn, "Number": 5, "Id": "first"}
	req := request("Thing", "Custom::Thing", props)
	out, err := c.Create(ctx, req)
	if err != nil {
		t.Fatalf("Create = %v", err)
	}
	want := map[string]any{"RequestType": "Create", "NumberType": "str", "Number": "5", "Old": "null", "Physical": ""}
	for k, v := range want {
		if out.Attributes[k] != v {
			t.Errorf("Create: Data[%s] = %v, want %v", k, out.Attributes[k], v)
		}
	}
	if out.PhysicalID != "first" {
		t.Errorf("Create ID = %s, want the function's first", out.PhysicalID)
	}
	up := request("Thing", "Custom::Thing", map[string]any{"ServiceToken": arn, "Number": 6, "Id": "second"})
	up.PhysicalID, up.OldProperties = "first", props
	out, err = c.Update(ctx, up)
	if err != nil || out.PhysicalID != "second" || out.Attributes["RequestType"] != "Update" || out.Attributes["Physical"] != "first" ||
		!strings.Contains(out.Attributes["Old"].(string), `"Number": "5"`) {
		t.Errorf("Update = %+v, %v; want a new ID, Update, the old ID and old properties", out, err)
	}
	up.PhysicalID = "second"
	if err := c.Delete(ctx, up); err != nil {
		t.Errorf("Delete = %v", err)
	}
}

func TestCustomResourceFailures(t *testing.T) {
	c, arn := newCustom(t, 2*time.Second)
	ctx := context.Background()
	tests := []struct {
		name, mode string
		props      map[string]any
		want       string
		leftover   bool
	}{
		{"failed", "fail", nil, "Received response status [FAILED] from custom resource. Message returned: told to fail (RequestId: ", true},
		{"tooLong", "huge", nil, "Response object is too long.", true},
		{"noResponse", "silent", nil, "CloudFormation did not receive a response from your Custom Resource. Please check your logs for requestId [", false},
		{"notLambda", "", map[string]any{"ServiceToken": "arn:aws:sns:us-east-1:123456789012:topic"}, "Invalid service token", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			props := tt.props
			if props == nil {
				props = map[string]any{"ServiceToken": arn, "Mode": tt.mode}
			}
			_, err := c.Create(ctx, request("Thing", "AWS::CloudFormation::CustomResource", props))
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("Create = %v, want %q", err, tt.want)
			}
			var left *stack.LeftoverError
			if errors.As(err, &left) != tt.leftover {
				t.Errorf("Create error %v: leftover = %v, want %v (AWS deletes what a failed create reported)", err, !tt.leftover, tt.leftover)
			}
		})
	}
	up := request("Thing", "Custom::Thing", map[string]any{"ServiceToken": arn + "-other"})
	up.PhysicalID, up.OldProperties = "x", map[string]any{"ServiceToken": arn}
	if _, err := c.Update(ctx, up); err == nil || err.Error() != "Modifying service token is not allowed." {
		t.Errorf("Update with a new ServiceToken = %v, want AWS's refusal", err)
	}
}

// The response handler answers like an S3 presigned PUT, and refuses what
// is not a response.
func TestCustomResponseHandler(t *testing.T) {
	c := provider.NewCustomResources(nil, func() string { return "" }, 0)
	tests := []struct {
		method, path string
		status       int
	}{
		{"GET", provider.ResponsePath + "x", 405},
		{"PUT", provider.ResponsePath + "unknown", 404},
	}
	for _, tt := range tests {
		rec := httptest.NewRecorder()
		c.ServeHTTP(rec, httptest.NewRequest(tt.method, tt.path, strings.NewReader("{}")))
		if rec.Result().StatusCode != tt.status {
			t.Errorf("%s %s = %d, want %d", tt.method, tt.path, rec.Result().StatusCode, tt.status)
		}
	}
}
