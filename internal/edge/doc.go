// Package edge is cloudlet's one HTTP listener. It decides, per request,
// who answers: an HTTP API's data plane (Host {apiId}.execute-api.… or the
// path /_aws/execute-api/{apiId}/…), cloudlet's own pages under
// /_cloudlet/ (health, console, metrics), or the AWS service endpoints
// (everything else: SigV4-signed AWS API calls). It imports no service:
// internal/platform hands it the handlers.
//
// It owns the server's timeouts and its graceful stop: Shutdown stops
// accepting, answers requests that arrive on kept-alive connections with
// 503, and waits (bounded by its context) for requests in flight.
package edge
