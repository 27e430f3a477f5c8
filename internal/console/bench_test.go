package console_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"testing"

	"github.com/cloudlet-dev/cloudlet/internal/iam"
	"github.com/cloudlet-dev/cloudlet/internal/lambda"
	"github.com/cloudlet-dev/cloudlet/internal/platform"
)

// benchFunctions is how many functions the page benchmarks deploy, as
// the issue asks: pages load in under 200 ms with 200 functions.
const benchFunctions = 200

// deployMany creates n functions beside the seed; one of them has been
// invoked 200 times, so its page shows a full history and charts.
func deployMany(b *testing.B, p *platform.Platform, n int) {
	b.Helper()
	ctx := context.Background()
	role, err := p.IAM.CreateRole(ctx, iam.CreateRoleInput{RoleName: "bench-role",
		AssumeRolePolicyDocument: `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"lambda.amazonaws.com"},"Action":"sts:AssumeRole"}]}`})
	if err != nil {
		b.Fatal(err)
	}
	// As the seed's role: functions may write their logs.
	if err := p.IAM.AttachRolePolicy(ctx, role.RoleName, "arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole"); err != nil {
		b.Fatal(err)
	}
	src := "def handler(event, context):\n    return {'ok': True}\n"
	for i := range n {
		_, err := p.Lambda.CreateFunction(ctx, lambda.CreateFunctionInput{FunctionName: fmt.Sprintf("bench-%03d", i),
			Runtime: "python3.12", Role: role.ARN, Handler: "index.handler", Code: lambda.Code{InlineSource: &src},
			Environment: map[string]string{"STAGE": "bench", "API_TOKEN": "secret"}})
		if err != nil {
			b.Fatal(err)
		}
	}
	for range 200 {
		if _, err := p.Lambda.Invoke(ctx, lambda.InvokeInput{FunctionName: "bench-000", Payload: []byte(`{}`)}); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkPages measures a full page load (request to last byte, over
// real HTTP on loopback) with the seed and 200 functions deployed.
func BenchmarkPages(b *testing.B) {
	p := start(b)
	st := deploySeed(b, p)
	deployMany(b, p, benchFunctions)
	apis, _ := p.APIs.ListAPIs(context.Background())
	pages := []struct{ name, path string }{
		{"overview", ""},
		{"stacks", "stacks"},
		{"stack", "stacks/" + url.PathEscape(st.ID)},
		{"apis", "apis"},
		{"api", "apis/" + apis[0].APIID},
		{"functions", "functions"},
		{"function-invoked-200-times", "functions/bench-000"},
		{"function-seed", "functions/fa-005-function"},
		{"loggroups", "logs"},
		{"loggroup", "logs/group?name=" + url.QueryEscape("/aws/lambda/bench-000")},
		{"roles", "iam/roles"},
		{"metrics", "metrics"},
	}
	c := &http.Client{Transport: withToken{}}
	for _, pg := range pages {
		u := p.URL() + "/_cloudlet/" + pg.path
		b.Run(pg.name, func(b *testing.B) {
			for b.Loop() {
				resp, err := c.Get(u)
				if err != nil {
					b.Fatal(err)
				}
				n, _ := io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				if resp.StatusCode != 200 {
					b.Fatalf("GET %s = %d", pg.path, resp.StatusCode)
				}
				b.SetBytes(n)
			}
		})
	}
}
