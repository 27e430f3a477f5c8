package console

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/cloudlet-dev/cloudlet/internal/apigw"
	"github.com/cloudlet-dev/cloudlet/internal/lambda"
	"github.com/cloudlet-dev/cloudlet/internal/lambda/sandbox"
	"github.com/cloudlet-dev/cloudlet/internal/stack"
)

// promWriter writes the Prometheus text exposition format (version
// 0.0.4): each family's HELP and TYPE once, then its samples.
type promWriter struct {
	w   io.Writer
	err error
}

type label struct{ Name, Value string }

func (p *promWriter) family(name, typ, help string) {
	p.printf("# HELP %s %s\n# TYPE %s %s\n", name, escapeHelp(help), name, typ)
}

func (p *promWriter) sample(name string, value float64, labels ...label) {
	var b strings.Builder
	b.WriteString(name)
	if len(labels) > 0 {
		b.WriteByte('{')
		for i, l := range labels {
			if i > 0 {
				b.WriteByte(',')
			}
			b.WriteString(l.Name + `="` + escapeLabel(l.Value) + `"`)
		}
		b.WriteByte('}')
	}
	b.WriteByte(' ')
	b.WriteString(strconv.FormatFloat(value, 'g', -1, 64))
	b.WriteByte('\n')
	p.printf("%s", b.String())
}

func (p *promWriter) printf(format string, args ...any) {
	if p.err == nil {
		_, p.err = fmt.Fprintf(p.w, format, args...)
	}
}

var (
	labelEscaper = strings.NewReplacer(`\`, `\\`, `"`, `\"`, "\n", `\n`)
	helpEscaper  = strings.NewReplacer(`\`, `\\`, "\n", `\n`)
)

func escapeLabel(s string) string { return labelEscaper.Replace(s) }
func escapeHelp(s string) string  { return helpEscaper.Replace(s) }

// Figures is what /_cloudlet/metrics exposes; the console pages show the
// same numbers.
type Figures struct {
	// Lambda is the account's and every invoked function's counters;
	// Functions lists every deployed function, so that each has its
	// series from the start.
	Lambda       lambda.Metrics
	Functions    []string
	Environments map[string]sandbox.Stats
	Routes       []apigw.RouteMetrics
	// Stacks counts live stacks by status.
	Stacks map[string]int
	Prices PriceTable
}

// WritePrometheus writes f in the Prometheus text format.
func WritePrometheus(w io.Writer, f Figures) error {
	p := &promWriter{w: w}
	ms := functionSeries(f)
	fn := func(m lambda.FunctionMetrics) label { return label{"function", m.FunctionName} }
	ms2 := func(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

	for _, c := range []struct {
		name, typ, help string
		v               func(lambda.FunctionMetrics) float64
	}{
		{"cloudlet_lambda_invocations_total", "counter", "Invocations of each function since the server started (throttled calls excluded).", func(m lambda.FunctionMetrics) float64 { return float64(m.Invocations) }},
		{"cloudlet_lambda_errors_total", "counter", "Invocations that ended in a function error, timeouts included.", func(m lambda.FunctionMetrics) float64 { return float64(m.Errors) }},
		{"cloudlet_lambda_timeouts_total", "counter", "Invocations that timed out.", func(m lambda.FunctionMetrics) float64 { return float64(m.Timeouts) }},
		{"cloudlet_lambda_throttles_total", "counter", "Invocations refused with TooManyRequestsException.", func(m lambda.FunctionMetrics) float64 { return float64(m.Throttles) }},
		{"cloudlet_lambda_cold_starts_total", "counter", "Invocations that started a new execution environment.", func(m lambda.FunctionMetrics) float64 { return float64(m.ColdStarts) }},
		{"cloudlet_lambda_billed_duration_milliseconds_total", "counter", "Billed duration, Init included on cold starts.", func(m lambda.FunctionMetrics) float64 { return float64(m.BilledMs) }},
		{"cloudlet_lambda_concurrent_executions", "gauge", "Invocations running now.", func(m lambda.FunctionMetrics) float64 { return float64(m.ConcurrentExecutions) }},
		{"cloudlet_lambda_concurrent_executions_peak", "gauge", "Most invocations running at once since the server started.", func(m lambda.FunctionMetrics) float64 { return float64(m.PeakConcurrentExecutions) }},
	} {
		p.family(c.name, c.typ, c.help)
		for _, m := range ms {
			p.sample(c.name, c.v(m), fn(m))
		}
	}
	p.family("cloudlet_lambda_duration_milliseconds", "summary", "Duration of invocations; quantiles over the recent invocations the service keeps.")
	for _, m := range ms {
		p.sample("cloudlet_lambda_duration_milliseconds", ms2(m.DurationP50), fn(m), label{"quantile", "0.5"})
		p.sample("cloudlet_lambda_duration_milliseconds", ms2(m.DurationP99), fn(m), label{"quantile", "0.99"})
		p.sample("cloudlet_lambda_duration_milliseconds_sum", ms2(m.TotalDuration), fn(m))
		p.sample("cloudlet_lambda_duration_milliseconds_count", float64(m.Invocations), fn(m))
	}
	names := make([]string, 0, len(f.Environments))
	for n := range f.Environments {
		names = append(names, n)
	}
	sort.Strings(names)
	p.family("cloudlet_lambda_environments", "gauge", "Live execution environments by state.")
	for _, n := range names {
		e := f.Environments[n]
		p.sample("cloudlet_lambda_environments", float64(e.Idle), label{"function", n}, label{"state", "idle"})
		p.sample("cloudlet_lambda_environments", float64(e.Busy), label{"function", n}, label{"state", "busy"})
	}
	p.family("cloudlet_lambda_estimated_cost_usd_total", "counter", fmt.Sprintf(
		"Estimated AWS Lambda cost in USD of the same invocations (%s list prices as of %s: %s per 1M requests, %s per GB-second on x86_64, %s on arm64).",
		f.Prices.Region, f.Prices.AsOf, dollars(f.Prices.LambdaRequestsPerM), dollars(f.Prices.LambdaGBSecondX86), dollars(f.Prices.LambdaGBSecondARM)))
	for _, m := range ms {
		req := float64(m.Invocations) / 1e6 * f.Prices.LambdaRequestsPerM
		p.sample("cloudlet_lambda_estimated_cost_usd_total", req+m.GBSeconds*f.Prices.LambdaGBSecondX86, fn(m), label{"architecture", "x86_64"})
		p.sample("cloudlet_lambda_estimated_cost_usd_total", req+m.GBSeconds*f.Prices.LambdaGBSecondARM, fn(m), label{"architecture", "arm64"})
	}
	a := f.Lambda
	p.family("cloudlet_lambda_account_concurrent_executions", "gauge", "Invocations running now in the account.")
	p.sample("cloudlet_lambda_account_concurrent_executions", float64(a.ConcurrentExecutions))
	p.family("cloudlet_lambda_account_concurrent_executions_peak", "gauge", "Most invocations running at once in the account.")
	p.sample("cloudlet_lambda_account_concurrent_executions_peak", float64(a.PeakConcurrentExecutions))
	p.family("cloudlet_lambda_account_concurrency_limit", "gauge", "The account's concurrency limit.")
	p.sample("cloudlet_lambda_account_concurrency_limit", float64(a.AccountConcurrency))
	p.family("cloudlet_lambda_unreserved_concurrent_executions", "gauge", "Concurrency left after reservations.")
	p.sample("cloudlet_lambda_unreserved_concurrent_executions", float64(a.UnreservedConcurrentExecutions))

	route := func(m apigw.RouteMetrics) []label {
		return []label{{"api", m.APIID}, {"stage", m.Stage}, {"route", m.RouteKey}}
	}
	for _, c := range []struct {
		name, help string
		v          func(apigw.RouteMetrics) int64
	}{
		{"cloudlet_apigw_requests_total", "HTTP API requests by route (route=\"\" matched no route).", func(m apigw.RouteMetrics) int64 { return m.Count }},
		{"cloudlet_apigw_4xx_total", "HTTP API responses with a 4xx status.", func(m apigw.RouteMetrics) int64 { return m.Count4XX }},
		{"cloudlet_apigw_5xx_total", "HTTP API responses with a 5xx status.", func(m apigw.RouteMetrics) int64 { return m.Count5XX }},
		{"cloudlet_apigw_throttled_total", "HTTP API requests refused by throttling.", func(m apigw.RouteMetrics) int64 { return m.Throttled }},
		{"cloudlet_apigw_latency_milliseconds_total", "Sum of request latencies.", func(m apigw.RouteMetrics) int64 { return m.LatencyMillis }},
		{"cloudlet_apigw_integration_latency_milliseconds_total", "Sum of integration latencies.", func(m apigw.RouteMetrics) int64 { return m.IntegrationLatencyMillis }},
	} {
		p.family(c.name, "counter", c.help)
		for _, m := range f.Routes {
			p.sample(c.name, float64(c.v(m)), route(m)...)
		}
	}
	p.family("cloudlet_apigw_estimated_cost_usd_total", "counter", fmt.Sprintf("Estimated AWS HTTP API cost in USD of the same requests (%s per 1M, %s).", dollars(f.Prices.HTTPAPIRequestsPerM), f.Prices.HTTPAPIRequestsPerMOf))
	for _, m := range f.Routes {
		p.sample("cloudlet_apigw_estimated_cost_usd_total", HTTPAPICost(m.Count, f.Prices), route(m)...)
	}

	statuses := make([]string, 0, len(f.Stacks))
	for s := range f.Stacks {
		statuses = append(statuses, s)
	}
	sort.Strings(statuses)
	p.family("cloudlet_stacks", "gauge", "Stacks by status, deleted ones excluded.")
	for _, s := range statuses {
		p.sample("cloudlet_stacks", float64(f.Stacks[s]), label{"status", s})
	}
	return p.err
}

// functionSeries returns the metrics of every function in f.Functions,
// zero for those never invoked, and of any invoked function not listed.
func functionSeries(f Figures) []lambda.FunctionMetrics {
	byName := map[string]lambda.FunctionMetrics{}
	for _, m := range f.Lambda.Functions {
		byName[m.FunctionName] = m
	}
	var out []lambda.FunctionMetrics
	for _, n := range f.Functions {
		m := byName[n]
		m.FunctionName = n
		delete(byName, n)
		out = append(out, m)
	}
	for _, m := range byName {
		out = append(out, m)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].FunctionName < out[j].FunctionName })
	return out
}

// figures gathers the numbers behind /_cloudlet/metrics.
func (c *Console) figures(r *http.Request) (Figures, error) {
	ctx := r.Context()
	f := Figures{Stacks: map[string]int{}, Prices: Prices, Environments: map[string]sandbox.Stats{}, Lambda: c.cfg.Functions.Metrics()}
	fns, err := c.cfg.Functions.ListAllFunctions(ctx)
	if err != nil {
		return f, fmt.Errorf("list functions: %w", err)
	}
	for _, fn := range fns {
		f.Functions = append(f.Functions, fn.FunctionName)
		if e, ok := c.cfg.Functions.Environments(fn.FunctionName); ok {
			f.Environments[fn.FunctionName] = e
		}
	}
	f.Routes = c.cfg.APIs.Metrics("")
	stacks, err := c.cfg.Stacks.ListStacks(ctx)
	if err != nil {
		return f, fmt.Errorf("list stacks: %w", err)
	}
	for _, s := range stacks {
		if s.Status != stack.DeleteComplete {
			f.Stacks[s.Status]++
		}
	}
	return f, nil
}

func (c *Console) metrics(w http.ResponseWriter, r *http.Request) error {
	f, err := c.figures(r)
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	if err := WritePrometheus(&buf, f); err != nil {
		return err
	}
	w.Header().Set("Content-Type", "text/plain; version=0.0.4; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	_, _ = w.Write(buf.Bytes())
	return nil
}
