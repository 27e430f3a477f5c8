package reliability_test

import (
	"bytes"
	"context"
	"encoding/json"
	"encoding/xml"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/cloudlet-dev/cloudlet/internal/awsapi"
	"github.com/cloudlet-dev/cloudlet/internal/platform"
)

// fuzzServices are the signing names whose decoders FuzzAWSRequest
// reaches: every protocol cloudlet speaks (Query, REST-JSON, JSON 1.1 and
// S3's REST-XML).
var fuzzServices = []string{"cloudformation", "iam", "sts", "lambda", "apigateway", "logs", "ssm", "s3"}

var fuzzMethods = []string{"GET", "POST", "PUT", "DELETE", "HEAD", "PATCH"}

// FuzzAWSRequest sends signed requests with arbitrary paths, targets and
// bodies through the real AWS API handler over real services: whatever
// the decoders are fed, the caller gets an answer in the protocol's error
// shape with a 4xx (or 501 for what cloudlet does not implement), within
// a few seconds — never a panic, a hang or a 500. The seed corpus is under
// testdata/fuzz/FuzzAWSRequest.
func FuzzAWSRequest(f *testing.F) {
	f.Add(uint8(0), uint8(1), "/", "", []byte("Action=CreateStack&StackName=s&TemplateBody=Resources%3A%7B%7D&Parameters.member.1.ParameterKey=a&Tags.member.1.Key=k"))
	f.Add(uint8(1), uint8(1), "/", "", []byte("Action=CreateRole&RoleName=r&AssumeRolePolicyDocument=%7B%7D&Version=2010-05-08"))
	f.Add(uint8(2), uint8(1), "/", "", []byte("Action=AssumeRole&RoleArn=arn:aws:iam::000000000000:role/r&RoleSessionName=s&DurationSeconds=x"))
	f.Add(uint8(3), uint8(1), "/2015-03-31/functions", "", []byte(`{"FunctionName":"f","Runtime":"python3.12","Role":"arn:aws:iam::000000000000:role/r","Handler":"a.b","Code":{"ZipFile":"UEsFBgAAAAAAAAAAAAAAAAAAAAAAAA=="},"Timeout":-1,"Environment":{"Variables":{"A":1}}}`))
	f.Add(uint8(3), uint8(1), "/2015-03-31/functions/f%2Fx/invocations?Qualifier=%24LATEST", "", []byte(`{`))
	f.Add(uint8(3), uint8(0), "/2015-03-31/functions/?MaxItems=-5&Marker=%zz", "", []byte(nil))
	f.Add(uint8(4), uint8(1), "/v2/apis", "", []byte(`{"name":"a","protocolType":"HTTP","routeSelectionExpression":null,"corsConfiguration":{"maxAge":"x"}}`))
	f.Add(uint8(4), uint8(5), "/v2/apis/x/routes/y", "", []byte(`{"routeKey":"GET /{a}/{a}"}`))
	f.Add(uint8(5), uint8(1), "/", "Logs_20140328.PutLogEvents", []byte(`{"logGroupName":"g","logStreamName":"s","logEvents":[{"timestamp":-1,"message":""}]}`))
	f.Add(uint8(5), uint8(1), "/", "Logs_20140328.FilterLogEvents", []byte(`{"logGroupName":"g","filterPattern":"{ $.a = ","limit":0}`))
	f.Add(uint8(6), uint8(1), "/", "AmazonSSM.PutParameter", []byte(`{"Name":"/a//b","Value":"","Type":"SecureString","Overwrite":"yes"}`))
	f.Add(uint8(7), uint8(2), "/bucket/a/../../etc/passwd", "", []byte("x"))
	f.Add(uint8(7), uint8(0), "/bucket?list-type=2&max-keys=-1&continuation-token=%ff", "", []byte(nil))
	f.Add(uint8(7), uint8(1), "/bucket/k?uploads", "", []byte(nil))

	p, err := platform.New(platform.Config{DataDir: f.TempDir()})
	if err != nil {
		f.Fatal(err)
	}
	f.Cleanup(func() { _ = p.Shutdown(context.Background()) })
	h := awsapi.New(awsapi.Config{Stacks: p.Stacks, Lambda: p.Lambda, APIGW: p.APIs, IAM: p.IAM, Logs: p.Logs,
		S3: p.S3, SSM: p.SSM, SettleTimeout: -1})

	f.Fuzz(func(t *testing.T, svc, method uint8, target, amzTarget string, body []byte) {
		service := fuzzServices[int(svc)%len(fuzzServices)]
		if !strings.HasPrefix(target, "/") {
			return
		}
		u, err := url.Parse("http://127.0.0.1:4566" + target)
		if err != nil {
			return
		}
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		defer cancel()
		req, err := http.NewRequestWithContext(ctx, fuzzMethods[int(method)%len(fuzzMethods)], u.String(), bytes.NewReader(body))
		if err != nil {
			return
		}
		req.RequestURI = u.RequestURI()
		switch service {
		case "cloudformation", "iam", "sts":
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		case "logs", "ssm":
			req.Header.Set("Content-Type", "application/x-amz-json-1.1")
		default:
			req.Header.Set("Content-Type", "application/json")
		}
		if amzTarget != "" {
			if !validHeaderValue(amzTarget) {
				return
			}
			req.Header.Set("X-Amz-Target", amzTarget)
		}
		sign(req, service, body, rootKey, rootSecret, "")
		rec := httptest.NewRecorder()
		done := make(chan struct{})
		go func() {
			defer close(done)
			h.ServeHTTP(rec, req)
		}()
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			t.Fatalf("%s %s %s (%s) %q: no answer after 10 s", service, req.Method, target, amzTarget, body)
		}
		res := rec.Result()
		got, _ := io.ReadAll(res.Body)
		if testing.Verbose() {
			t.Logf("%d %s", res.StatusCode, got)
		}
		if res.StatusCode >= 500 && res.StatusCode != http.StatusNotImplemented {
			t.Fatalf("%s %s %s (%s) %q = %d %s, want a 4xx", service, req.Method, target, amzTarget, body, res.StatusCode, got)
		}
		if res.StatusCode >= 400 {
			if err := errorShape(service, req.Method, res, got); err != nil {
				t.Fatalf("%s %s %s (%s) %q = %d %s: %v", service, req.Method, target, amzTarget, body, res.StatusCode, got, err)
			}
		}
	})
}

// errorShape checks that an error answer is the protocol's: an XML
// ErrorResponse or Error document for Query and S3, a JSON object with a
// message and X-Amzn-ErrorType for the JSON protocols.
func errorShape(service, method string, res *http.Response, body []byte) error {
	if method == http.MethodHead {
		return nil // HEAD answers carry no body
	}
	switch service {
	case "cloudformation", "iam", "sts", "s3":
		var doc struct {
			XMLName xml.Name
			Code    string `xml:"Code"`
			Error   struct {
				Code string `xml:"Code"`
			} `xml:"Error"`
		}
		if err := xml.Unmarshal(body, &doc); err != nil {
			return err
		}
		if doc.Code == "" && doc.Error.Code == "" {
			return errors.New("no error code")
		}
		return nil
	}
	var doc map[string]any
	if err := json.Unmarshal(body, &doc); err != nil {
		return err
	}
	if res.Header.Get("X-Amzn-ErrorType") == "" && doc["__type"] == nil {
		return errors.New("no error type")
	}
	return nil
}

// validHeaderValue reports whether net/http would send s as a header value.
func validHeaderValue(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 && c != '\t' || c == 0x7f {
			return false
		}
	}
	return true
}
