package apigw

import (
	"context"
	"errors"
	"net/http"

	"github.com/cloudlet-dev/cloudlet/internal/apigw/payload"
)

// invokeLambda serves an AWS_PROXY integration: build the event, invoke,
// map the result (§3–§6).
func (s *Service) invokeLambda(x *exchange) *outcome {
	integ := x.route.integ
	req := s.eventRequest(x)
	var event []byte
	if integ.PayloadFormatVersion == "1.0" {
		event = payload.EventV1(req)
	} else {
		event = payload.EventV2(req)
	}
	fn := integ.functionARN
	if fn == "" {
		fn = functionFromURI(substituteStageVariables(integ.IntegrationURI, x.stage.vars))
	}
	if s.cfg.Invoker == nil {
		s.log.Warn("apigw: no Invoker configured", "requestId", x.requestID)
		s.gatewayError(x, http.StatusInternalServerError, msgInternal, "INTEGRATION_FAILURE")
		return nil
	}
	ctx, cancel := context.WithTimeout(x.r.Context(), integ.timeout)
	start := s.now()
	res, err := s.cfg.Invoker.InvokeForAPI(ctx, Invocation{
		FunctionARN:    fn,
		Payload:        event,
		CredentialsARN: integ.CredentialsARN,
		SourceARN:      x.sourceARN(),
	})
	x.integrationLatency = s.now().Sub(start)
	deadline := errors.Is(ctx.Err(), context.DeadlineExceeded)
	cancel()
	switch {
	case err != nil && x.r.Context().Err() != nil:
		x.integrationError = err.Error()
		s.log.Debug("apigw: client went away during invoke", "requestId", x.requestID, "err", err)
		s.gatewayError(x, http.StatusInternalServerError, msgInternal, "INTEGRATION_FAILURE")
		return nil
	case err != nil && (deadline || errors.Is(err, context.DeadlineExceeded)):
		// §6: the integration timed out.
		x.integrationError = err.Error()
		s.log.Warn("apigw: integration timeout", "requestId", x.requestID, "function", fn, "timeout", integ.timeout)
		s.gatewayError(x, http.StatusServiceUnavailable, msgUnavailable, "INTEGRATION_TIMEOUT")
		return nil
	case err != nil:
		x.integrationError = err.Error()
		s.log.Warn("apigw: invoke failed", "requestId", x.requestID, "function", fn, "err", err)
		s.gatewayError(x, http.StatusInternalServerError, msgInternal, "INTEGRATION_FAILURE")
		return nil
	case res == nil:
		s.gatewayError(x, http.StatusInternalServerError, msgInternal, "INTEGRATION_FAILURE")
		return nil
	}
	x.integrationStatus = http.StatusOK
	if res.FunctionError != "" {
		x.integrationError = res.FunctionError
		s.log.Info("apigw: function error", "requestId", x.requestID, "function", fn, "functionError", res.FunctionError)
		s.gatewayError(x, http.StatusInternalServerError, msgInternal, "INTEGRATION_FAILURE")
		return nil
	}
	var resp *payload.Response
	if integ.PayloadFormatVersion == "1.0" {
		resp, err = payload.ResponseV1(res.Payload)
	} else {
		resp, err = payload.ResponseV2(res.Payload)
	}
	if err != nil {
		x.integrationError = err.Error()
		s.log.Info("apigw: invalid integration response", "requestId", x.requestID, "function", fn, "err", err)
		s.gatewayError(x, http.StatusInternalServerError, msgInternal, "INTEGRATION_FAILURE")
		return nil
	}
	return &outcome{status: resp.StatusCode, header: resp.Header, body: resp.Body}
}

// eventRequest gathers what the payload package needs: the request
// after the integration's request mapping (§9.1), its body, and what the
// authorizer established.
func (s *Service) eventRequest(x *exchange) *payload.Request {
	req := s.baseRequest(x)
	req.Body = x.body
	if x.auth != nil {
		req.Authorizer = x.auth.eventJSON(x.route.integ.PayloadFormatVersion)
		req.Identity = x.auth.identity()
	}
	if len(x.route.integ.requestOps) > 0 {
		ed := x.mapRequest(x.route.integ, x.r.Header.Clone())
		req.Header = ed.header
		if ed.query != nil {
			req.RawQuery = encodeQuery(*ed.query)
		}
		if ed.path != "" {
			req.EscapedPath = ed.path
		}
		if req.Header.Get("X-Amzn-Trace-Id") != "" {
			req.TraceID = ""
		} else if req.TraceID == "" {
			req.TraceID = newTraceID(x.now.Unix())
		}
	}
	return req
}

// sourceARN is the execute-api ARN the function's resource policy is
// checked against (§10).
func (x *exchange) sourceARN() string {
	if x.route.isDefault {
		return x.api.arnPrefix + x.stage.name + "/" + x.route.arnSuffix
	}
	return x.api.arnPrefix + x.stage.name + "/" + x.r.Method + "/" + x.route.arnSuffix
}
