package apigw

import (
	"net/url"
	"strconv"
	"strings"
)

// contextVar resolves a $context variable (the access-log and mapping
// variables of HTTP APIs, DG-logvars) for one request; ok is false for a
// variable that has no value here. Latencies are measured on the injected
// clock.
func (x *exchange) contextVar(name string) (string, bool) {
	switch name {
	case "accountId":
		return x.svc.cfg.AccountID, true
	case "apiId":
		return x.api.id, true
	case "domainName":
		d, _ := x.domain()
		return d, true
	case "domainPrefix":
		_, p := x.domain()
		return p, true
	case "requestId", "extendedRequestId":
		return x.requestID, true
	case "httpMethod":
		return x.r.Method, true
	case "identity.sourceIp":
		return sourceIP(x.r), true
	case "identity.userAgent":
		return x.r.Header.Get("User-Agent"), true
	case "path":
		return x.decodedPath(), true
	case "protocol":
		return "HTTP/1.1", true
	case "requestTime":
		return x.now.UTC().Format("02/Jan/2006:15:04:05 -0700"), true
	case "requestTimeEpoch":
		return strconv.FormatInt(x.now.UnixMilli(), 10), true
	case "routeKey":
		if x.route == nil {
			return "", false
		}
		return x.route.key, true
	case "stage":
		if x.stage == nil {
			return "", false
		}
		return x.stage.name, true
	case "status":
		if x.status == 0 {
			return "", false
		}
		return strconv.Itoa(x.status), true
	case "responseLength":
		return strconv.Itoa(x.responseLength), true
	case "responseLatency":
		return strconv.FormatInt(x.svc.now().Sub(x.now).Milliseconds(), 10), true
	case "integrationStatus", "integration.status", "integration.integrationStatus":
		if x.integrationStatus == 0 {
			return "", false
		}
		return strconv.Itoa(x.integrationStatus), true
	case "integrationLatency", "integration.latency":
		if x.integrationStatus == 0 && x.integrationError == "" {
			return "", false
		}
		return strconv.FormatInt(x.integrationLatency.Milliseconds(), 10), true
	case "integrationErrorMessage", "integration.error":
		return x.integrationError, x.integrationError != ""
	case "error.message":
		return x.errorMessage, x.errorMessage != ""
	case "error.messageString":
		if x.errorMessage == "" {
			return "", false
		}
		return strconv.Quote(x.errorMessage), true
	case "error.responseType":
		return x.errorType, x.errorType != ""
	case "dataProcessed":
		return strconv.Itoa(len(x.body)), true
	case "authorizer.error":
		return x.authError, x.authError != ""
	case "authorizer.latency", "authorizer.integrationLatency":
		if x.authLatency == 0 && x.authError == "" && x.auth == nil {
			return "", false
		}
		return strconv.FormatInt(x.authLatency.Milliseconds(), 10), true
	}
	return x.auth.contextVar(name)
}

// decodedPath is the request path percent-decoded, stage prefix included
// ($context.path).
func (x *exchange) decodedPath() string {
	if !strings.Contains(x.escapedPath, "%") {
		return x.escapedPath
	}
	if d, err := url.PathUnescape(x.escapedPath); err == nil {
		return d
	}
	return x.escapedPath
}
