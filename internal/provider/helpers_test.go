package provider_test

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"

	"github.com/cloudlet-dev/cloudlet/internal/apigw"
	"github.com/cloudlet-dev/cloudlet/internal/iam"
	"github.com/cloudlet-dev/cloudlet/internal/lambda"
	"github.com/cloudlet-dev/cloudlet/internal/lambda/sandbox"
	"github.com/cloudlet-dev/cloudlet/internal/logs"
	"github.com/cloudlet-dev/cloudlet/internal/ssm"
	"github.com/cloudlet-dev/cloudlet/internal/stack"
	"github.com/cloudlet-dev/cloudlet/internal/store"
)

const (
	region  = "us-east-1"
	account = "123456789012"
)

// services are real services over a store in a temp dir.
type services struct {
	db     *store.DB
	iam    *iam.Service
	logs   *logs.Service
	ssm    *ssm.Service
	apigw  *apigw.Service
	lambda *lambda.Service
}

func newServices(t *testing.T) *services {
	t.Helper()
	dir := t.TempDir()
	db, err := store.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = db.Close() })
	s := &services{db: db}
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	s.iam, err = iam.New(iam.Config{DB: db, AccountID: account})
	must(err)
	s.logs, err = logs.New(logs.Config{DB: db, Region: region, AccountID: account})
	must(err)
	t.Cleanup(func() { _ = s.logs.Shutdown(context.Background()) })
	s.ssm, err = ssm.New(ssm.Config{DB: db, Region: region, AccountID: account})
	must(err)
	s.apigw, err = apigw.New(apigw.Config{DB: db, Region: region, AccountID: account})
	must(err)
	s.lambda, err = lambda.New(lambda.Config{DB: db, Region: region, AccountID: account, DataDir: filepath.Join(dir, "lambda"),
		Runtimes: sandbox.NewRuntimes(nil)})
	must(err)
	t.Cleanup(func() { _ = s.lambda.Shutdown(context.Background()) })
	return s
}

// request is a provider call for logical ID id of stack "st".
func request(id, typ string, props map[string]any) *stack.Request {
	return &stack.Request{Stack: stack.StackInfo{Name: "st", ID: "arn:aws:cloudformation:us-east-1:123456789012:stack/st/1234",
		Region: region, AccountID: account, Partition: "aws"}, LogicalID: id, Type: typ, Properties: props}
}

// python returns an installed python3.X runtime, or skips.
func python(t *testing.T) string {
	t.Helper()
	r := sandbox.NewRuntimes(nil)
	for m := 13; m >= 8; m-- {
		rt := fmt.Sprintf("python3.%d", m)
		if path, warn, err := r.Python(rt); err == nil && warn == "" && path != "" {
			return rt
		}
	}
	t.Skip("no python3.8..python3.13 interpreter found on PATH or under pyenv")
	return ""
}

const testRole = "arn:aws:iam::123456789012:role/lambda-role"

// function creates a Python function whose index.py is src.
func function(t *testing.T, s *services, name, src string) *lambda.FunctionConfiguration {
	t.Helper()
	cfg, err := s.lambda.CreateFunction(context.Background(), lambda.CreateFunctionInput{FunctionName: name, Runtime: python(t),
		Role: testRole, Handler: "index.handler", Code: lambda.Code{InlineSource: &src}})
	if err != nil {
		t.Fatalf("CreateFunction(%s) = %v", name, err)
	}
	return cfg
}
