package platform

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/cloudlet-dev/cloudlet/internal/apigw"
	"github.com/cloudlet-dev/cloudlet/internal/awserr"
	"github.com/cloudlet-dev/cloudlet/internal/console"
	"github.com/cloudlet-dev/cloudlet/internal/iam"
	"github.com/cloudlet-dev/cloudlet/internal/lambda"
	"github.com/cloudlet-dev/cloudlet/internal/lambda/sandbox"
	"github.com/cloudlet-dev/cloudlet/internal/logs"
	"github.com/cloudlet-dev/cloudlet/internal/s3"
)

// The adapters below translate between the small interfaces services
// declare (consumer side) and the services that implement them.

// logSink passes function output to CloudWatch Logs.
type logSink struct{ logs *logs.Service }

var _ sandbox.LogSink = logSink{}

func (l logSink) Append(group, stream string, events []sandbox.LogEvent) {
	out := make([]logs.LogEvent, len(events))
	for i, e := range events {
		out[i] = logs.LogEvent{Time: e.Time, Message: e.Message}
	}
	l.logs.Append(group, stream, out)
}

// accessLogs writes API Gateway access log lines to CloudWatch Logs.
type accessLogs struct{ logs *logs.Service }

var _ apigw.AccessLogSink = accessLogs{}

func (a accessLogs) AppendAccessLog(group, stream string, t time.Time, line string) {
	a.logs.Append(group, stream, []logs.LogEvent{{Time: t, Message: line}})
}

// iamAuthorizer answers Lambda's IAM questions with the IAM service.
type iamAuthorizer struct{ iam *iam.Service }

var _ lambda.Authorizer = iamAuthorizer{}

func (a iamAuthorizer) principal(ctx context.Context, p lambda.Principal) iam.Principal {
	switch p.Kind {
	case "Role":
		// A session of a role (SigV4 with STS credentials) arrives as its
		// assumed-role ARN; policies naming the role match its sessions.
		if rest, ok := strings.CutPrefix(p.ARN, "arn:aws:sts::"); ok {
			acct, sess, _ := strings.Cut(rest, ":assumed-role/")
			roleName, _, _ := strings.Cut(sess, "/")
			pr := iam.Principal{Kind: "AssumedRole", ARN: p.ARN, AccountID: acct}
			if role, err := a.iam.GetRole(ctx, roleName); err == nil {
				pr.RoleARN = role.ARN
			}
			return pr
		}
		return iam.Principal{Kind: "Role", ARN: p.ARN}
	case "Service":
		return iam.Principal{Kind: "Service", Service: p.Service}
	}
	return iam.Principal{Kind: "Root"}
}

func (a iamAuthorizer) Allowed(ctx context.Context, p lambda.Principal, action, resource string, conds map[string]string, resourcePolicy []byte) (bool, string, error) {
	c := make(map[string][]string, len(conds))
	for k, v := range conds {
		c[k] = []string{v}
	}
	d, err := a.iam.Authorize(ctx, iam.Request{Principal: a.principal(ctx, p), Action: action, Resource: resource, Context: c, ResourcePolicy: resourcePolicy})
	if err != nil {
		return false, "", err
	}
	return d.Allowed, d.Reason, nil
}

func (a iamAuthorizer) Trusts(ctx context.Context, roleARN, service string) (bool, error) {
	ok, err := a.iam.CanAssume(ctx, roleARN, iam.Principal{Kind: "Service", Service: service})
	if e, isAWS := awserr.As(err); isAWS && e.HTTPStatus() == 404 {
		return false, nil
	}
	return ok, err
}

func (a iamAuthorizer) RoleCredentials(ctx context.Context, roleARN string) (map[string]string, error) {
	c, err := a.iam.IssueCredentials(ctx, roleARN, "cloudlet-lambda", 0)
	if err != nil {
		return nil, err
	}
	return map[string]string{"AWS_ACCESS_KEY_ID": c.AccessKeyID, "AWS_SECRET_ACCESS_KEY": c.SecretAccessKey, "AWS_SESSION_TOKEN": c.SessionToken}, nil
}

// codeSource reads function packages from S3.
type codeSource struct{ s3 *s3.Service }

var _ lambda.CodeSource = codeSource{}

func (c codeSource) GetObjectBytes(ctx context.Context, bucket, key string) ([]byte, error) {
	rc, _, err := c.s3.GetObject(ctx, bucket, key, nil)
	if err != nil {
		return nil, err
	}
	defer rc.Close()
	return io.ReadAll(rc)
}

// invoker lets API Gateway invoke functions, as API Gateway's service
// principal or through an integration's credentials role (spec lambda §10).
type invoker struct {
	lambda  *lambda.Service
	account string
}

var _ apigw.Invoker = invoker{}

func (i invoker) InvokeForAPI(ctx context.Context, in apigw.Invocation) (*apigw.InvokeResult, error) {
	caller := lambda.Caller{SourceARN: in.SourceARN, SourceAccount: i.account}
	if in.CredentialsARN != "" {
		caller.Principal = lambda.Principal{Kind: "Role", ARN: in.CredentialsARN}
		caller.AssumedBy = "apigateway.amazonaws.com"
	} else {
		caller.Principal = lambda.Principal{Kind: "Service", Service: "apigateway.amazonaws.com"}
	}
	out, err := i.lambda.Invoke(ctx, lambda.InvokeInput{FunctionName: in.FunctionARN, Payload: in.Payload, Caller: caller})
	if c := console.CaptureFrom(ctx); c != nil {
		captureInvocation(c, in, out, err)
	}
	if err != nil {
		return nil, err
	}
	return &apigw.InvokeResult{Payload: out.Payload, FunctionError: out.FunctionError}, nil
}

// templateSource reads nested stacks' templates from S3; for `cloudlet
// up`, a URL whose object S3 lacks falls back to the file of the same
// name in the deployed template's folder (README, "Nested templates").
type templateSource struct {
	s3   *s3.Service
	mu   sync.Mutex
	dirs []string
}

// AddDir makes the files of dir available to TemplateURLs by name.
func (t *templateSource) AddDir(dir string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.dirs = append(t.dirs, dir)
}

func (t *templateSource) FetchTemplate(ctx context.Context, url string) (string, []byte, error) {
	bucket, key, err := s3.ParseURL(url)
	if err != nil {
		return "", nil, err
	}
	rc, _, err := t.s3.GetObject(ctx, bucket, key, nil)
	if err == nil {
		defer rc.Close()
		body, err := io.ReadAll(io.LimitReader(rc, 1<<20+1))
		if err != nil {
			return "", nil, err
		}
		if len(body) > 1<<20 {
			return "", nil, awserr.New(awserr.CodeValidationError, "Template may not exceed 1048576 bytes in size.")
		}
		return path.Base(key), body, nil
	}
	var e *awserr.Error
	if !errors.As(err, &e) || e.HTTPStatus() != 404 {
		return "", nil, err
	}
	t.mu.Lock()
	dirs := append([]string(nil), t.dirs...)
	t.mu.Unlock()
	name := path.Base(key)
	for _, dir := range dirs {
		file := filepath.Join(dir, name)
		if body, err := os.ReadFile(file); err == nil {
			return file, body, nil
		}
	}
	msg := fmt.Sprintf("TemplateURL %s: cloudlet's S3 has no object %q in bucket %q", url, key, bucket)
	if len(dirs) > 0 {
		msg += fmt.Sprintf(", and there is no file %s in %s", name, dirs[0])
	}
	return "", nil, errors.New(msg)
}
