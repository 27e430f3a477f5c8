package awsapi_test

import (
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	cfn "github.com/aws/aws-sdk-go-v2/service/cloudformation"
	cwl "github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	lambdasdk "github.com/aws/aws-sdk-go-v2/service/lambda"
	s3sdk "github.com/aws/aws-sdk-go-v2/service/s3"
)

// TestSignatureErrors pins each protocol's answer to a bad signature, an
// unknown key and a skewed clock.
func TestSignatureErrors(t *testing.T) {
	skewed := newEnvClock(t, func() time.Time { return time.Now().Add(time.Hour) })
	e := newEnv(t)
	cx := ctx(t)
	call := map[string]func(env *env, keys ...string) error{
		"cloudformation": func(env *env, keys ...string) error {
			_, err := cfn.NewFromConfig(env.cfg(keys...)).DescribeStacks(cx, &cfn.DescribeStacksInput{})
			return err
		},
		"s3": func(env *env, keys ...string) error {
			_, err := s3Client(env, true, keys...).ListBuckets(cx, &s3sdk.ListBucketsInput{})
			return err
		},
		"lambda": func(env *env, keys ...string) error {
			_, err := lambdasdk.NewFromConfig(env.cfg(keys...)).ListFunctions(cx, &lambdasdk.ListFunctionsInput{})
			return err
		},
		"logs": func(env *env, keys ...string) error {
			_, err := cwl.NewFromConfig(env.cfg(keys...)).DescribeLogGroups(cx, &cwl.DescribeLogGroupsInput{})
			return err
		},
	}
	tests := []struct {
		name, service string
		env           *env
		keys          []string
		code          string
		status        int
	}{
		{"cfn-wrong-secret", "cloudformation", e, []string{"test", "nope"}, "SignatureDoesNotMatch", 403},
		{"s3-wrong-secret", "s3", e, []string{"test", "nope"}, "SignatureDoesNotMatch", 403},
		{"lambda-wrong-secret", "lambda", e, []string{"test", "nope"}, "InvalidSignatureException", 403},
		{"logs-wrong-secret", "logs", e, []string{"test", "nope"}, "InvalidSignatureException", 403},
		{"cfn-unknown-key", "cloudformation", e, []string{"AKIAUNKNOWN", "x"}, "InvalidClientTokenId", 403},
		{"s3-unknown-key", "s3", e, []string{"AKIAUNKNOWN", "x"}, "InvalidAccessKeyId", 403},
		{"lambda-unknown-key", "lambda", e, []string{"AKIAUNKNOWN", "x"}, "UnrecognizedClientException", 403},
		{"s3-skewed", "s3", skewed, nil, "RequestTimeTooSkewed", 403},
		{"cfn-skewed", "cloudformation", skewed, nil, "SignatureDoesNotMatch", 403},
		{"lambda-skewed", "lambda", skewed, nil, "InvalidSignatureException", 403},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := call[tt.service](tt.env, tt.keys...)
			if code, msg, status := apiErr(err); code != tt.code || status != tt.status {
				t.Errorf("%s = %s %d %q, want %s %d", tt.service, code, status, msg, tt.code, tt.status)
			}
		})
	}
	// Unsigned requests get the MissingAuthenticationToken of their protocol.
	unsigned := []struct {
		name, method, path, ctype, target, body, want string
		status                                        int
	}{
		{"query", "POST", "/", "application/x-www-form-urlencoded", "", "Action=DescribeStacks&Version=2010-05-15", "<Code>MissingAuthenticationToken</Code>", 403},
		{"json", "POST", "/", "application/x-amz-json-1.1", "Logs_20140328.DescribeLogGroups", "{}", `"__type":"MissingAuthenticationTokenException"`, 403},
		{"s3", "GET", "/my-bucket/key", "", "", "", "<Code>AccessDenied</Code>", 403},
	}
	for _, tt := range unsigned {
		t.Run("unsigned-"+tt.name, func(t *testing.T) {
			req, _ := http.NewRequest(tt.method, e.URL+tt.path, strings.NewReader(tt.body))
			if tt.ctype != "" {
				req.Header.Set("Content-Type", tt.ctype)
			}
			if tt.target != "" {
				req.Header.Set("X-Amz-Target", tt.target)
			}
			res, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			b, _ := io.ReadAll(res.Body)
			res.Body.Close()
			if res.StatusCode != tt.status || !strings.Contains(string(b), tt.want) {
				t.Errorf("unsigned %s = %d %s, want %d with %s", tt.name, res.StatusCode, b, tt.status, tt.want)
			}
		})
	}
}
