package main

import (
	"bytes"
	"context"
	"encoding/xml"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/cloudlet-dev/cloudlet/internal/awsapi/sigv4"
)

// awsClient talks to a running cloudlet's AWS APIs as the AWS CLI would:
// every request signed with SigV4 by the account root's keys.
type awsClient struct {
	endpoint, host    string // http://127.0.0.1:PORT and 127.0.0.1:PORT
	region            string
	accessKey, secret string
	http              *http.Client
}

func newAWSClient(endpoint string) *awsClient {
	return &awsClient{endpoint: endpoint, host: strings.TrimPrefix(endpoint, "http://"), region: "us-east-1",
		accessKey: "test", secret: "test", http: &http.Client{Timeout: 5 * time.Minute}}
}

// signed builds a request for service and signs it at now.
func (c *awsClient) signed(ctx context.Context, service, method, path string, header http.Header, body []byte) (*http.Request, error) {
	req, err := http.NewRequestWithContext(ctx, method, c.endpoint+path, bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	for k, vs := range header {
		req.Header[k] = vs
	}
	req.Host = c.host
	t := time.Now().UTC()
	hash := sigv4.HashHex(body)
	req.Header.Set("X-Amz-Date", t.Format(sigv4.TimeFormat))
	req.Header.Set("X-Amz-Content-Sha256", hash)
	scope := sigv4.Scope{Date: t.Format("20060102"), Region: c.region, Service: service}
	signedHeaders := []string{"host", "x-amz-content-sha256", "x-amz-date"}
	canonical := sigv4.CanonicalRequest(req, signedHeaders, hash, service == "s3")
	sig := sigv4.Sign(sigv4.SigningKey(c.secret, scope), sigv4.StringToSign(t, scope, canonical))
	req.Header.Set("Authorization", fmt.Sprintf("%s Credential=%s/%s, SignedHeaders=%s, Signature=%s",
		sigv4.Algorithm, c.accessKey, scope, strings.Join(signedHeaders, ";"), sig))
	return req, nil
}

// call sends a signed request and returns the body of a 2xx answer.
func (c *awsClient) call(ctx context.Context, service, method, path string, header http.Header, body []byte) ([]byte, error) {
	req, err := c.signed(ctx, service, method, path, header, body)
	if err != nil {
		return nil, err
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, err
	}
	if resp.StatusCode >= 300 {
		msg := bytes.TrimSpace(raw)
		if len(msg) > 600 {
			msg = append(msg[:600:600], "…"...)
		}
		return raw, fmt.Errorf("%s %s %s: %d %s", service, method, path, resp.StatusCode, msg)
	}
	return raw, nil
}

// rawInvoke is the wire bytes of a signed Lambda Invoke of function with
// payload, for the load clients.
func (c *awsClient) rawInvoke(function string, payload []byte) ([]byte, error) {
	return c.rawInvokeHeader(function, payload, http.Header{"Content-Type": {"application/json"}})
}

// rawInvokeTail is rawInvoke asking for the log tail (X-Amz-Log-Type:
// Tail), whose REPORT line says whether the invocation was a cold start.
func (c *awsClient) rawInvokeTail(function string, payload []byte) ([]byte, error) {
	return c.rawInvokeHeader(function, payload, http.Header{"Content-Type": {"application/json"}, "X-Amz-Log-Type": {"Tail"}})
}

func (c *awsClient) rawInvokeHeader(function string, payload []byte, h http.Header) ([]byte, error) {
	req, err := c.signed(context.Background(), "lambda", http.MethodPost,
		"/2015-03-31/functions/"+url.PathEscape(function)+"/invocations", h, payload)
	if err != nil {
		return nil, err
	}
	req.Header.Set("User-Agent", "cloudlet-bench")
	var b bytes.Buffer
	if err := req.Write(&b); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

// putBucket creates an S3 bucket; an existing one of ours is fine.
func (c *awsClient) putBucket(ctx context.Context, bucket string) error {
	raw, err := c.call(ctx, "s3", http.MethodPut, "/"+bucket, nil, nil)
	if err != nil && bytes.Contains(raw, []byte("BucketAlreadyOwnedByYou")) {
		return nil
	}
	return err
}

func (c *awsClient) putObject(ctx context.Context, bucket, key string, body []byte) error {
	_, err := c.call(ctx, "s3", http.MethodPut, "/"+bucket+"/"+key, nil, body)
	return err
}

// cfn calls a CloudFormation Query API action and decodes its
// <ActionResult> into out (nil: ignore the answer).
func (c *awsClient) cfn(ctx context.Context, action string, params url.Values, out any) error {
	params.Set("Action", action)
	params.Set("Version", "2010-05-15")
	raw, err := c.call(ctx, "cloudformation", http.MethodPost, "/",
		http.Header{"Content-Type": {"application/x-www-form-urlencoded; charset=utf-8"}}, []byte(params.Encode()))
	if err != nil || out == nil {
		return err
	}
	dec := xml.NewDecoder(bytes.NewReader(raw))
	for {
		tok, err := dec.Token()
		if err != nil {
			return fmt.Errorf("%s: no %sResult in the answer: %w", action, action, err)
		}
		if se, ok := tok.(xml.StartElement); ok && se.Name.Local == action+"Result" {
			return dec.DecodeElement(out, &se)
		}
	}
}

// maxTemplateBody is CloudFormation's limit on TemplateBody; bigger
// templates go through S3 and TemplateURL, as with AWS.
const maxTemplateBody = 51200

// createStack starts a stack's creation with every capability and returns
// its ID.
func (c *awsClient) createStack(ctx context.Context, name string, body []byte, params map[string]string) (string, error) {
	p := url.Values{"StackName": {name}, "TemplateBody": {string(body)}}
	if len(body) > maxTemplateBody {
		key := "templates/" + name + ".json"
		if err := c.putBucket(ctx, benchBucket); err != nil {
			return "", err
		}
		if err := c.putObject(ctx, benchBucket, key, body); err != nil {
			return "", err
		}
		p = url.Values{"StackName": {name}, "TemplateURL": {"https://" + benchBucket + ".s3." + c.region + ".amazonaws.com/" + key}}
	}
	for i, cp := range []string{"CAPABILITY_IAM", "CAPABILITY_NAMED_IAM", "CAPABILITY_AUTO_EXPAND"} {
		p.Set(fmt.Sprintf("Capabilities.member.%d", i+1), cp)
	}
	i := 1
	for k, v := range params {
		p.Set(fmt.Sprintf("Parameters.member.%d.ParameterKey", i), k)
		p.Set(fmt.Sprintf("Parameters.member.%d.ParameterValue", i), v)
		i++
	}
	var out struct {
		StackID string `xml:"StackId"`
	}
	if err := c.cfn(ctx, "CreateStack", p, &out); err != nil {
		return "", fmt.Errorf("create stack %s: %w", name, err)
	}
	return out.StackID, nil
}

// stackStatus is a stack's status and reason.
func (c *awsClient) stackStatus(ctx context.Context, id string) (status, reason string, err error) {
	var out struct {
		Status string `xml:"Stacks>member>StackStatus"`
		Reason string `xml:"Stacks>member>StackStatusReason"`
	}
	if err := c.cfn(ctx, "DescribeStacks", url.Values{"StackName": {id}}, &out); err != nil {
		return "", "", err
	}
	return out.Status, out.Reason, nil
}

// waitStack polls the stack every interval until its operation ends and
// returns the final status; a status other than want is an error naming
// the stack's reason.
func (c *awsClient) waitStack(ctx context.Context, id, want string, interval time.Duration) error {
	for {
		status, reason, err := c.stackStatus(ctx, id)
		if err != nil {
			return err
		}
		if !strings.HasSuffix(status, "_IN_PROGRESS") {
			if status != want {
				return fmt.Errorf("stack %s: %s (%s), want %s", id, status, reason, want)
			}
			return nil
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(interval):
		}
	}
}

// deploy creates a stack and waits for CREATE_COMPLETE; it returns the
// time from the CreateStack request to the poll that saw it complete.
func (c *awsClient) deploy(ctx context.Context, name string, body []byte, params map[string]string, poll time.Duration) (string, time.Duration, error) {
	start := time.Now()
	id, err := c.createStack(ctx, name, body, params)
	if err != nil {
		return "", 0, err
	}
	if err := c.waitStack(ctx, id, "CREATE_COMPLETE", poll); err != nil {
		return id, 0, err
	}
	return id, time.Since(start), nil
}

// deleteStack deletes a stack and waits for DELETE_COMPLETE.
func (c *awsClient) deleteStack(ctx context.Context, id string) error {
	if err := c.cfn(ctx, "DeleteStack", url.Values{"StackName": {id}}, nil); err != nil {
		return fmt.Errorf("delete stack %s: %w", id, err)
	}
	return c.waitStack(ctx, id, "DELETE_COMPLETE", 20*time.Millisecond)
}

// stackOutputs returns a stack's outputs by key.
func (c *awsClient) stackOutputs(ctx context.Context, id string) (map[string]string, error) {
	var out struct {
		Outputs []struct {
			Key   string `xml:"OutputKey"`
			Value string `xml:"OutputValue"`
		} `xml:"Stacks>member>Outputs>member"`
	}
	if err := c.cfn(ctx, "DescribeStacks", url.Values{"StackName": {id}}, &out); err != nil {
		return nil, err
	}
	m := map[string]string{}
	for _, o := range out.Outputs {
		m[o.Key] = o.Value
	}
	return m, nil
}
