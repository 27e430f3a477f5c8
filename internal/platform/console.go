package platform

import (
	"net/http"
	"sync"

	"github.com/cloudlet-dev/cloudlet/internal/apigw"
	"github.com/cloudlet-dev/cloudlet/internal/console"
	"github.com/cloudlet-dev/cloudlet/internal/lambda"
)

// consoleHandler serves the web console and /_cloudlet/metrics. internal()
// runs before Lambda, API Gateway and the stack engine exist, so the
// console is built on its first request.
func (p *Platform) consoleHandler() http.Handler {
	var once sync.Once
	var h http.Handler
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		once.Do(func() {
			c, err := console.New(console.Config{
				Stacks: p.Stacks, APIs: p.APIs, Functions: p.Lambda, Logs: p.Logs, IAM: p.IAM, DB: p.DB,
				URL: p.URL, APIEndpoint: p.APIEndpoint,
				Region: p.cfg.Region, AccountID: p.cfg.AccountID, Version: p.cfg.Version,
				Logger: p.log.With("component", "console"),
			})
			if err != nil {
				p.log.Error("console unavailable", "err", err)
				h = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
					http.Error(w, "console unavailable: "+err.Error(), http.StatusInternalServerError)
				})
				return
			}
			h = c
		})
		h.ServeHTTP(w, r)
	})
}

// captureInvocation records an invoke made for a console "try it" request
// (console.WithCapture); ordinary requests never get here.
func captureInvocation(c *console.Capture, in apigw.Invocation, out *lambda.InvokeOutput, err error) {
	call := console.CapturedInvocation{FunctionARN: in.FunctionARN, Event: in.Payload}
	if err != nil {
		call.Err = err.Error()
	} else {
		call.Response, call.FunctionError, call.RequestID = out.Payload, out.FunctionError, out.RequestID
	}
	c.Record(call)
}
