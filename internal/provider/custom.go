package provider

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/cloudlet-dev/cloudlet/internal/stack"
)

// ResponsePath is where cloudlet serves custom resources' ResponseURLs:
// the function PUTs its response to ResponsePath + a one-time token.
const ResponsePath = "/_cloudlet/cfn-response/"

// DefaultCustomTimeout is how long a custom resource has to answer, as on
// AWS.
const DefaultCustomTimeout = time.Hour

// maxResponse is the largest response AWS accepts.
const maxResponse = 4096

// EventInvoker invokes a Lambda function asynchronously (InvocationType
// Event) with a payload; it returns once the invocation is queued.
type EventInvoker interface {
	InvokeEvent(ctx context.Context, functionARN string, payload []byte) error
}

// CustomResources is the provider of AWS::CloudFormation::CustomResource
// and every Custom::Name type: it sends AWS's request event to the
// ServiceToken function and waits for the function to PUT its response to
// the ResponseURL. It is also the http.Handler that receives those
// responses; serve it under ResponsePath on cloudlet's listener.
type CustomResources struct {
	invoker EventInvoker
	baseURL func() string
	timeout time.Duration

	mu      sync.Mutex
	waiting map[string]chan customResponse // token → the waiting request
}

// NewCustomResources returns the provider. baseURL is cloudlet's base URL
// (http://127.0.0.1:4566), read when a request is sent; timeout 0 means
// DefaultCustomTimeout.
func NewCustomResources(invoker EventInvoker, baseURL func() string, timeout time.Duration) *CustomResources {
	if timeout <= 0 {
		timeout = DefaultCustomTimeout
	}
	return &CustomResources{invoker: invoker, baseURL: baseURL, timeout: timeout, waiting: map[string]chan customResponse{}}
}

var (
	_ stack.Updater = (*CustomResources)(nil)
	_ stack.Planner = (*CustomResources)(nil)
	_ http.Handler  = (*CustomResources)(nil)
)

// Schema: any property and any attribute (the function's Data).
func (c *CustomResources) Schema() stack.Schema {
	return stack.Schema{Required: []string{"ServiceToken"}}
}

// PlannedID is the physical ID used when the function's response names
// none, and for the Delete sent after a crash cut a Create short.
func (c *CustomResources) PlannedID(req *stack.Request) (string, error) {
	return req.PhysicalName(128), nil
}

// customRequest is the event AWS sends a custom resource's function.
type customRequest struct {
	RequestType           string         `json:"RequestType"`
	ServiceToken          string         `json:"ServiceToken"`
	ResponseURL           string         `json:"ResponseURL"`
	StackID               string         `json:"StackId"`
	RequestID             string         `json:"RequestId"`
	LogicalResourceID     string         `json:"LogicalResourceId"`
	PhysicalResourceID    string         `json:"PhysicalResourceId,omitempty"`
	ResourceType          string         `json:"ResourceType"`
	ResourceProperties    map[string]any `json:"ResourceProperties"`
	OldResourceProperties map[string]any `json:"OldResourceProperties,omitempty"`
}

// customResponse is what the function PUTs to the ResponseURL.
type customResponse struct {
	Status             string         `json:"Status"`
	Reason             string         `json:"Reason"`
	PhysicalResourceID string         `json:"PhysicalResourceId"`
	StackID            string         `json:"StackId"`
	RequestID          string         `json:"RequestId"`
	LogicalResourceID  string         `json:"LogicalResourceId"`
	NoEcho             bool           `json:"NoEcho"`
	Data               map[string]any `json:"Data"`
	tooLong            bool
}

func (c *CustomResources) Create(ctx context.Context, req *stack.Request) (*stack.Result, error) {
	planned, _ := c.PlannedID(req)
	resp, reqID, err := c.send(ctx, "Create", req, "", nil)
	if err != nil {
		return nil, err
	}
	id := resp.PhysicalResourceID
	if id == "" {
		id = planned
	}
	if err := responseError(resp, reqID); err != nil {
		// AWS sends a Delete for what the failed Create may have made.
		return nil, &stack.LeftoverError{PhysicalID: id, Err: err}
	}
	return &stack.Result{PhysicalID: id, Attributes: resp.Data}, nil
}

func (c *CustomResources) Update(ctx context.Context, req *stack.Request) (*stack.Result, error) {
	oldToken, _ := req.OldProperties["ServiceToken"].(string)
	if newToken, _ := req.Properties["ServiceToken"].(string); oldToken != "" && newToken != oldToken {
		return nil, stack.Reasonf("Modifying service token is not allowed.")
	}
	resp, reqID, err := c.send(ctx, "Update", req, req.PhysicalID, req.OldProperties)
	if err != nil {
		return nil, err
	}
	if err := responseError(resp, reqID); err != nil {
		return nil, err
	}
	id := resp.PhysicalResourceID
	if id == "" {
		id = req.PhysicalID
	}
	return &stack.Result{PhysicalID: id, Attributes: resp.Data}, nil
}

func (c *CustomResources) Delete(ctx context.Context, req *stack.Request) error {
	resp, reqID, err := c.send(ctx, "Delete", req, req.PhysicalID, nil)
	if err != nil {
		return err
	}
	return responseError(resp, reqID)
}

// responseError is AWS's reason for a FAILED (or unusable) response.
func responseError(resp *customResponse, reqID string) error {
	if resp.tooLong {
		return stack.Reasonf("Response object is too long.")
	}
	if resp.Status == "SUCCESS" {
		return nil
	}
	return stack.Reasonf("Received response status [%s] from custom resource. Message returned: %s (RequestId: %s)", resp.Status, resp.Reason, reqID)
}

// send invokes the ServiceToken function with a request and waits for
// the response, the timeout or ctx.
func (c *CustomResources) send(ctx context.Context, typ string, req *stack.Request, physicalID string, old map[string]any) (*customResponse, string, error) {
	serviceToken, _ := req.Properties["ServiceToken"].(string)
	if !strings.HasPrefix(serviceToken, "arn:") || !strings.Contains(serviceToken, ":lambda:") {
		return nil, "", stack.Reasonf("Invalid service token: cloudlet's custom resources are backed by Lambda functions (ServiceToken %q is not a Lambda function ARN)", serviceToken)
	}
	token := randomToken()
	reqID := uuid()
	ev := customRequest{RequestType: typ, ServiceToken: serviceToken, ResponseURL: c.baseURL() + ResponsePath + token,
		StackID: req.Stack.ID, RequestID: reqID, LogicalResourceID: req.LogicalID, PhysicalResourceID: physicalID,
		ResourceType: req.Type, ResourceProperties: stringified(req.Properties)}
	if old != nil {
		ev.OldResourceProperties = stringified(old)
	}
	payload, err := json.Marshal(ev)
	if err != nil {
		return nil, "", err
	}
	ch := make(chan customResponse, 1)
	c.mu.Lock()
	c.waiting[token] = ch
	c.mu.Unlock()
	defer func() {
		c.mu.Lock()
		delete(c.waiting, token)
		c.mu.Unlock()
	}()
	if err := c.invoker.InvokeEvent(ctx, serviceToken, payload); err != nil {
		return nil, reqID, err
	}
	timer := time.NewTimer(c.timeout)
	defer timer.Stop()
	select {
	case resp := <-ch:
		return &resp, reqID, nil
	case <-timer.C:
		return nil, reqID, stack.Reasonf("CloudFormation did not receive a response from your Custom Resource. Please check your logs for requestId [%s]. If you are using the Python cfn-response module, you may need to update your Lambda function code so that CloudFormation can attach the updated version.", reqID)
	case <-ctx.Done():
		return nil, reqID, ctx.Err()
	}
}

// ServeHTTP receives a response: PUT (as cfn-response sends it) or POST
// to ResponsePath + token.
func (c *CustomResources) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPut && r.Method != http.MethodPost {
		w.Header().Set("Allow", "PUT, POST")
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	token := strings.TrimPrefix(r.URL.Path, ResponsePath)
	c.mu.Lock()
	ch := c.waiting[token]
	c.mu.Unlock()
	if ch == nil {
		http.Error(w, "no custom resource request is waiting for this response (answered already, timed out, or cloudlet restarted)", http.StatusNotFound)
		return
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, 1<<20))
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	var resp customResponse
	if len(body) > maxResponse {
		resp.tooLong = true
	} else if err := json.Unmarshal(body, &resp); err != nil {
		http.Error(w, "the response is not JSON: "+err.Error(), http.StatusBadRequest)
		return
	} else if resp.Status != "SUCCESS" && resp.Status != "FAILED" {
		http.Error(w, `the response's Status must be "SUCCESS" or "FAILED"`, http.StatusBadRequest)
		return
	}
	select {
	case ch <- resp:
	default: // a second response to the same request is ignored
	}
	w.WriteHeader(http.StatusOK)
}

// stringified renders every scalar as a string, as CloudFormation passes
// custom resources their properties.
func stringified(m map[string]any) map[string]any {
	if m == nil {
		return map[string]any{}
	}
	out, _ := stringify(m).(map[string]any)
	return out
}

func stringify(v any) any {
	switch x := v.(type) {
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, e := range x {
			out[k] = stringify(e)
		}
		return out
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = stringify(e)
		}
		return out
	case string:
		return x
	case nil:
		return nil
	case bool:
		if x {
			return "true"
		}
		return "false"
	case json.Number:
		return x.String()
	}
	return fmt.Sprint(v)
}

func randomToken() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

func uuid() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	h := hex.EncodeToString(b[:])
	return h[0:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:]
}
