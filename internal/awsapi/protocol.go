package awsapi

import (
	"context"
	"errors"
	"net/http"

	"github.com/cloudlet-dev/cloudlet/internal/awsapi/awsjson"
	"github.com/cloudlet-dev/cloudlet/internal/awsapi/query"
	"github.com/cloudlet-dev/cloudlet/internal/awsapi/restjson"
	"github.com/cloudlet-dev/cloudlet/internal/awsapi/sigv4"
	"github.com/cloudlet-dev/cloudlet/internal/awserr"
)

// protocol is the wire protocol a service speaks.
type protocol int

const (
	protoQuery protocol = iota + 1
	protoRESTJSON
	protoJSON
	protoS3
)

// XML namespaces of the Query services.
const (
	xmlnsCloudFormation = "http://cloudformation.amazonaws.com/doc/2010-05-15/"
	xmlnsIAM            = "https://iam.amazonaws.com/doc/2010-05-08/"
	xmlnsSTS            = "https://sts.amazonaws.com/doc/2011-06-15/"
)

func protocolOf(service string, r *http.Request) protocol {
	switch service {
	case "cloudformation", "iam", "sts", "sqs", "sns", "ec2", "elasticloadbalancing", "rds", "ses", "cloudwatch", "monitoring":
		return protoQuery
	case "lambda", "apigateway", "execute-api":
		return protoRESTJSON
	case "s3":
		return protoS3
	case "logs", "ssm", "dynamodb", "kms", "secretsmanager", "events", "kinesis", "unknown-json":
		return protoJSON
	}
	switch {
	case r.Header.Get("X-Amz-Target") != "":
		return protoJSON
	case r.URL.Query().Get("Action") != "":
		return protoQuery
	}
	return protoRESTJSON
}

func (c *call) xmlns() string {
	switch c.service {
	case "iam":
		return xmlnsIAM
	case "sts":
		return xmlnsSTS
	}
	return xmlnsCloudFormation
}

// notImplemented is the answer to an operation cloudlet does not
// implement (DESIGN.md: 501, naming the service and operation).
func notImplemented(c *call, op string) error {
	return awserr.WithStatus(http.StatusNotImplemented, awserr.CodeNotImplemented,
		"cloudlet does not implement %s %s yet", c.service, op)
}

// serviceMissing answers every operation of a service the handler was
// built without.
func serviceMissing(c *call, op string) error {
	return awserr.WithStatus(http.StatusNotImplemented, awserr.CodeNotImplemented,
		"cloudlet is running without the %s service; %s is not available", c.service, op)
}

// fail renders err in the call's protocol. An *awserr.Error keeps its
// code, status and message; a context cancelled by the client gets no
// answer worth writing; anything else is a 500 whose detail goes to the
// platform log with the request ID, not to the client.
func (h *Handler) fail(c *call, err error) {
	var se *sigv4.Error
	if errors.As(err, &se) {
		err = c.signatureError(se)
	}
	e, ok := awserr.As(err)
	if !ok {
		if errors.Is(err, context.Canceled) && c.r.Context().Err() != nil {
			return
		}
		if errors.Is(err, errTooLarge) {
			e = awserr.WithStatus(http.StatusRequestEntityTooLarge, "RequestEntityTooLargeException", "Request must be smaller than %d bytes for the %s operation", maxBody, c.op)
		} else {
			h.log.Error("aws request failed", "service", c.service, "op", c.op, "request_id", c.requestID, "err", err)
			e = awserr.WithStatus(http.StatusInternalServerError, "InternalFailure", "An internal error occurred (request %s).", c.requestID)
			if c.proto == protoS3 {
				e.Code, e.Message = "InternalError", "We encountered an internal error. Please try again."
			} else if c.service == "lambda" {
				e.Code = "ServiceException"
			}
		}
	} else if e.HTTPStatus() >= 500 && e.Code != awserr.CodeNotImplemented {
		h.log.Warn("aws request failed", "service", c.service, "op", c.op, "request_id", c.requestID, "err", err)
	}
	status := e.HTTPStatus()
	switch c.proto {
	case protoQuery:
		query.WriteError(c.w, status, c.xmlns(), e.Code, e.Message, c.requestID)
	case protoJSON:
		awsjson.WriteError(c.w, status, e.Code, e.Message)
	case protoS3:
		writeS3Error(c, status, e)
	default:
		re := restjson.Error{Status: status, Code: e.Code, Message: e.Message}
		if c.service == "lambda" {
			re.Fields = e.Fields
			if e.Code == awserr.CodeResourceNotFound {
				re.MessageKey = "Message"
			}
		} else if len(e.Fields) > 0 {
			re.Fields = e.Fields
		}
		restjson.WriteError(c.w, re)
	}
}

// signatureError turns a verification failure into the error of the
// call's protocol.
func (c *call) signatureError(se *sigv4.Error) *awserr.Error {
	s3, jsonish := c.proto == protoS3, c.proto == protoJSON || c.proto == protoRESTJSON
	switch se.Kind {
	case sigv4.UnknownKey:
		e, _ := awserr.As(c.unknownKey())
		return e
	case sigv4.Missing:
		switch {
		case s3:
			return awserr.WithStatus(http.StatusForbidden, "AccessDenied", "Access Denied")
		case jsonish:
			return awserr.WithStatus(http.StatusForbidden, "MissingAuthenticationTokenException", "Missing Authentication Token")
		}
		return awserr.WithStatus(http.StatusForbidden, "MissingAuthenticationToken", "Request is missing Authentication Token")
	case sigv4.Incomplete:
		switch {
		case s3:
			if c.r.Header.Get("Authorization") == "" {
				return awserr.WithStatus(http.StatusBadRequest, "AuthorizationQueryParametersError", "%s", se.Message)
			}
			return awserr.WithStatus(http.StatusBadRequest, "AuthorizationHeaderMalformed", "%s", se.Message)
		case jsonish:
			return awserr.WithStatus(http.StatusBadRequest, "IncompleteSignatureException", "%s", se.Message)
		}
		return awserr.WithStatus(http.StatusBadRequest, "IncompleteSignature", "%s", se.Message)
	case sigv4.Skewed:
		switch {
		case s3:
			return awserr.WithStatus(http.StatusForbidden, "RequestTimeTooSkewed", "The difference between the request time and the current time is too large.")
		case jsonish:
			return awserr.WithStatus(http.StatusForbidden, "InvalidSignatureException", "%s", se.Message)
		}
		return awserr.WithStatus(http.StatusForbidden, "SignatureDoesNotMatch", "%s", se.Message)
	case sigv4.Expired:
		if s3 {
			return awserr.WithStatus(http.StatusForbidden, "AccessDenied", "Request has expired")
		}
		if jsonish {
			return awserr.WithStatus(http.StatusForbidden, "InvalidSignatureException", "Signature expired")
		}
		return awserr.WithStatus(http.StatusForbidden, "SignatureDoesNotMatch", "Signature expired")
	case sigv4.BadPayload:
		if s3 {
			return awserr.WithStatus(http.StatusBadRequest, "XAmzContentSHA256Mismatch", "The provided 'x-amz-content-sha256' header does not match what was computed.")
		}
	}
	switch {
	case s3:
		return awserr.WithStatus(http.StatusForbidden, "SignatureDoesNotMatch", "The request signature we calculated does not match the signature you provided. Check your key and signing method.")
	case jsonish:
		return awserr.WithStatus(http.StatusForbidden, "InvalidSignatureException", "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.")
	}
	return awserr.WithStatus(http.StatusForbidden, "SignatureDoesNotMatch", "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.")
}
