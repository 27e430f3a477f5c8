// Package console is cloudlet's web console, served by cloudlet itself
// under /_cloudlet/: stacks (parameters, resources, outputs, events,
// template, nested stacks, delete), HTTP APIs (stages, routes,
// integrations, authorizers, CORS, and a "try it" form that shows the exact
// event the function received), functions (configuration with secrets
// masked, code, test invokes with saved test events, recent invocations,
// charts of their metrics and the estimated AWS cost of the same traffic),
// logs (groups, streams, search and a live tail) and IAM (roles, their
// policies, and why the last requests were denied). It also serves the
// same figures to Prometheus at /_cloudlet/metrics. It acts as the
// account root, so internal/platform serves it only to holders of the
// console token (platform/access.go); log pages page with ?page=, since
// ?token= presents that token.
//
// # Why server-rendered HTML
//
// Every page is rendered on the server with html/template from files
// embedded in the binary, and every page reads without JavaScript. The one
// small script (static/console.js) only adds what HTML cannot do alone:
// live updates over Server-Sent Events (stack events while an operation
// runs, the log tail) and a confirmation before a delete. Charts are inline
// SVG drawn on the server. A single-page application would need a build
// step, a bundle and a JSON API to keep in step with the services; here the
// console is a thin reader of the services' own Go types, its assets cost a
// few kilobytes, nothing is fetched from a CDN, and a page is one request.
//
// # Where the figures come from
//
// The console reads the services through small interfaces it declares
// (Stacks, APIs, Functions, Logs, IAM); internal/platform passes the real
// services, and nothing here keeps a second copy of their state. Recent
// invocations, counters and live environments are the Lambda service's
// own records (in memory, since the server started); the charts bucket
// those records per minute, and the cost estimates price their billed
// duration and memory with the table in Prices. The only thing the
// console stores is saved test events.
//
// # "Try it"
//
// The form sends its request through the real data plane in-process
// (APIs.ServeAPI with a recorder), with a Capture in the request's context.
// The platform's API Gateway invoker records the event it passes to Lambda
// and Lambda's answer into that Capture (WithCapture, CaptureFrom), so the
// page shows exactly what the function received, then the HTTP response the
// client got. Requests without a Capture pay one context lookup.
package console
