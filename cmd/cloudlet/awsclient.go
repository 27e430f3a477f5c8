package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"strings"
	"time"

	"github.com/cloudlet-dev/cloudlet/internal/awsapi/sigv4"
	"github.com/cloudlet-dev/cloudlet/internal/platform"
	"github.com/spf13/cobra"
)

// clientFlags are the flags of the commands that talk to a running
// cloudlet through its AWS APIs, as the AWS CLI would.
type clientFlags struct {
	endpoint, region, accessKey, secretKey string
}

func (f *clientFlags) register(cmd *cobra.Command) {
	cmd.Flags().StringVar(&f.endpoint, "endpoint", envOr("CLOUDLET_ENDPOINT", fmt.Sprintf("http://127.0.0.1:%d", platform.DefaultPort)), "URL of the running cloudlet (env CLOUDLET_ENDPOINT)")
	cmd.Flags().StringVar(&f.region, "region", envOr("AWS_REGION", platform.DefaultRegion), "region to sign requests for (env AWS_REGION)")
	cmd.Flags().StringVar(&f.accessKey, "access-key", envOr("CLOUDLET_ACCESS_KEY_ID", "test"), "access key to sign requests with (env CLOUDLET_ACCESS_KEY_ID)")
	cmd.Flags().StringVar(&f.secretKey, "secret-key", envOr("CLOUDLET_SECRET_ACCESS_KEY", "test"), "secret key to sign requests with (env CLOUDLET_SECRET_ACCESS_KEY)")
}

func (f *clientFlags) client() *awsClient {
	return &awsClient{endpoint: strings.TrimSuffix(f.endpoint, "/"), region: f.region,
		accessKey: f.accessKey, secretKey: f.secretKey, http: &http.Client{Timeout: 16 * time.Minute}}
}

// awsClient signs requests with SigV4 for a running cloudlet.
type awsClient struct {
	endpoint, region     string
	accessKey, secretKey string
	http                 *http.Client
}

// apiError is an AWS error answer.
type apiError struct {
	Status        int
	Code, Message string
}

func (e *apiError) Error() string { return e.Code + ": " + e.Message }

// call sends one signed request and returns the response with its body
// read; an error status becomes an *apiError.
func (c *awsClient) call(ctx context.Context, service, method, path string, query url.Values, header http.Header, body []byte) (*http.Response, []byte, error) {
	u := c.endpoint + path
	if len(query) > 0 {
		u += "?" + query.Encode()
	}
	req, err := http.NewRequestWithContext(ctx, method, u, bytes.NewReader(body))
	if err != nil {
		return nil, nil, err
	}
	for k, vs := range header {
		req.Header[k] = vs
	}
	c.sign(req, service, body, time.Now())
	resp, err := c.http.Do(req)
	if err != nil {
		return nil, nil, fmt.Errorf("is cloudlet running at %s? %w", c.endpoint, err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, nil, err
	}
	if resp.StatusCode >= 300 {
		return resp, raw, errorOf(resp, raw)
	}
	return resp, raw, nil
}

// sign adds SigV4 headers over host, the payload hash and the date.
func (c *awsClient) sign(req *http.Request, service string, body []byte, now time.Time) {
	req.Host = req.URL.Host
	t := now.UTC()
	hash := sigv4.HashHex(body)
	req.Header.Set("X-Amz-Date", t.Format(sigv4.TimeFormat))
	req.Header.Set("X-Amz-Content-Sha256", hash)
	scope := sigv4.Scope{Date: t.Format("20060102"), Region: c.region, Service: service}
	signed := []string{"host", "x-amz-content-sha256", "x-amz-date"}
	sig := sigv4.Sign(sigv4.SigningKey(c.secretKey, scope), sigv4.StringToSign(t, scope, sigv4.CanonicalRequest(req, signed, hash, false)))
	req.Header.Set("Authorization", fmt.Sprintf("%s Credential=%s/%s, SignedHeaders=%s, Signature=%s",
		sigv4.Algorithm, c.accessKey, scope, strings.Join(signed, ";"), sig))
}

// errorOf reads the error of a REST-JSON or JSON 1.1 answer.
func errorOf(resp *http.Response, raw []byte) error {
	var body struct {
		Type     string `json:"__type"`
		Message  string `json:"message"`
		MessageU string `json:"Message"`
	}
	_ = json.Unmarshal(raw, &body)
	e := &apiError{Status: resp.StatusCode, Code: resp.Header.Get("X-Amzn-ErrorType"), Message: body.Message}
	if e.Code == "" {
		e.Code = body.Type
	}
	if i := strings.LastIndexByte(e.Code, '#'); i >= 0 {
		e.Code = e.Code[i+1:]
	}
	if i := strings.IndexByte(e.Code, ':'); i >= 0 {
		e.Code = e.Code[:i]
	}
	if e.Message == "" {
		e.Message = body.MessageU
	}
	if e.Code == "" {
		e.Code, e.Message = resp.Status, strings.TrimSpace(string(raw))
	}
	return e
}

// functionPath is a Lambda REST path below /2015-03-31/functions/.
func functionPath(name, sub string) string {
	p := "/2015-03-31/functions/" + url.PathEscape(name)
	if sub != "" {
		p += "/" + sub
	}
	return p
}

// readPayload reads --payload: JSON text, or @file (@- for stdin).
func readPayload(arg string, stdin io.Reader) ([]byte, error) {
	name, ok := strings.CutPrefix(arg, "@")
	if !ok {
		return []byte(arg), nil
	}
	if name == "-" {
		return io.ReadAll(stdin)
	}
	b, err := os.ReadFile(name)
	if err != nil {
		return nil, fmt.Errorf("read payload: %w", err)
	}
	return b, nil
}
