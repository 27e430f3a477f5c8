package console

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/cloudlet-dev/cloudlet/internal/awserr"
	"github.com/cloudlet-dev/cloudlet/internal/lambda"
	"github.com/cloudlet-dev/cloudlet/internal/lambda/sandbox"
	"github.com/cloudlet-dev/cloudlet/internal/stack"
)

func functionURL(name string) string { return Prefix + "functions/" + url.PathEscape(name) }

type functionRow struct {
	lambda.FunctionConfiguration
	Metrics lambda.FunctionMetrics
}

func (c *Console) functionList(w http.ResponseWriter, r *http.Request) error {
	fns, err := c.cfg.Functions.ListAllFunctions(r.Context())
	if err != nil {
		return fmt.Errorf("list functions: %w", err)
	}
	byName := map[string]lambda.FunctionMetrics{}
	for _, m := range c.cfg.Functions.Metrics().Functions {
		byName[m.FunctionName] = m
	}
	rows := make([]functionRow, len(fns))
	for i, f := range fns {
		rows[i] = functionRow{FunctionConfiguration: f, Metrics: byName[f.FunctionName]}
	}
	c.render(w, r, http.StatusOK, "functions", "Functions", "functions", rows)
	return nil
}

type functionPage struct {
	Fn           *lambda.FunctionConfiguration
	Architecture string
	Env          []envVar
	RoleName     string
	Code         []codeFile
	CodeNote     string
	Stack        *stack.Stack
	Events       []TestEvent
	// Payload is the invoke form's text; Event the saved event it came
	// from.
	Payload, Event string
	Result         *invokeResult
	Invocations    []lambda.InvocationRecord
	Metrics        lambda.FunctionMetrics
	Envs           *sandbox.Stats
	Charts         []chart
	Cost           Cost
	Prices         PriceTable
	LogGroup       string
}

type invokeResult struct {
	*lambda.InvokeOutput
	PayloadJSON string
	Log         string
	Err         string
}

// loadFunction gathers what the function page shows.
func (c *Console) loadFunction(ctx context.Context, name string) (*functionPage, error) {
	fn, err := c.cfg.Functions.GetFunctionConfiguration(ctx, name, "")
	if err != nil {
		return nil, err
	}
	p := &functionPage{Fn: fn, Architecture: "x86_64", Prices: Prices, Payload: "{}"}
	if len(fn.Architectures) > 0 {
		p.Architecture = fn.Architectures[0]
	}
	if fn.Environment != nil {
		p.Env = maskValues(maskEnv(fn.Environment.Variables), c.noEchoValues(ctx))
	}
	if i := strings.LastIndex(fn.Role, "/"); i >= 0 {
		p.RoleName = fn.Role[i+1:]
	}
	p.LogGroup = "/aws/lambda/" + fn.FunctionName
	if fn.LoggingConfig != nil && fn.LoggingConfig.LogGroup != "" {
		p.LogGroup = fn.LoggingConfig.LogGroup
	}
	if p.Events, err = c.testEvents(fn.FunctionName); err != nil {
		return nil, fmt.Errorf("function %s: test events: %w", name, err)
	}
	p.Code, p.CodeNote = c.functionCode(ctx, fn.FunctionName)
	p.Stack = c.creatingStack(ctx, fn.FunctionName)
	p.Invocations = c.cfg.Functions.Invocations(fn.FunctionName)
	p.Metrics.FunctionName = fn.FunctionName
	for _, m := range c.cfg.Functions.Metrics().Functions {
		if m.FunctionName == fn.FunctionName {
			p.Metrics = m
		}
	}
	if e, ok := c.cfg.Functions.Environments(fn.FunctionName); ok {
		p.Envs = &e
	}
	const step, n = time.Minute, 30
	end := c.now().Truncate(step).Add(step)
	p.Charts = functionCharts(Series(p.Invocations, end, step, n), step)
	p.Cost = EstimateCost(p.Invocations, Prices)
	return p, nil
}

func (c *Console) functionPage(w http.ResponseWriter, r *http.Request) error {
	p, err := c.loadFunction(r.Context(), r.PathValue("name"))
	if err != nil {
		return err
	}
	if name := r.URL.Query().Get("event"); name != "" {
		for _, e := range p.Events {
			if e.Name == name {
				p.Payload, p.Event = e.Payload, e.Name
			}
		}
	}
	c.render(w, r, http.StatusOK, "function", p.Fn.FunctionName, "functions", p)
	return nil
}

// functionInvoke runs the function with the form's payload, as the
// account's root user (the console is the account owner's tool), and
// shows the result with the invocation's log lines.
func (c *Console) functionInvoke(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	name := r.PathValue("name")
	payload := r.PostFormValue("payload")
	if strings.TrimSpace(payload) == "" {
		payload = "{}"
	}
	out, err := c.cfg.Functions.Invoke(ctx, lambda.InvokeInput{FunctionName: name, Payload: []byte(payload), LogType: "Tail"})
	res := &invokeResult{InvokeOutput: out}
	switch {
	case err == nil:
		res.PayloadJSON = prettyJSON(out.Payload)
		if b, derr := base64.StdEncoding.DecodeString(out.LogResult); derr == nil {
			res.Log = string(b)
		}
	case errors.As(err, new(*awserr.Error)):
		res.Err = err.Error()
	default:
		return fmt.Errorf("invoke %s: %w", name, err)
	}
	p, err := c.loadFunction(ctx, name)
	if err != nil {
		return err
	}
	p.Payload, p.Event, p.Result = payload, r.PostFormValue("event"), res
	c.render(w, r, http.StatusOK, "function", p.Fn.FunctionName, "functions", p)
	return nil
}

func (c *Console) testEventSave(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	fn, err := c.cfg.Functions.GetFunctionConfiguration(ctx, r.PathValue("name"), "")
	if err != nil {
		return err
	}
	name := strings.TrimSpace(r.PostFormValue("name"))
	if err := c.saveTestEvent(fn.FunctionName, name, r.PostFormValue("payload")); err != nil {
		return err
	}
	http.Redirect(w, r, functionURL(fn.FunctionName)+"?event="+url.QueryEscape(name)+"#test", http.StatusSeeOther)
	return nil
}

func (c *Console) testEventDelete(w http.ResponseWriter, r *http.Request) error {
	name := r.PathValue("name")
	if err := c.deleteTestEvent(name, r.PostFormValue("event")); err != nil {
		return fmt.Errorf("function %s: delete test event: %w", name, err)
	}
	http.Redirect(w, r, functionURL(name)+"#test", http.StatusSeeOther)
	return nil
}
