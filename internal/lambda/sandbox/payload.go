package sandbox

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"time"
)

// Error types the platform itself reports (shared/specs/lambda.md §7).
const (
	ErrorTypeTimedout          = "Sandbox.Timedout"
	ErrorTypeExit              = "Runtime.ExitError"
	ErrorTypeResponseTooLarge  = "Function.ResponseSizeTooLarge"
	ErrorTypeInvalidEntrypoint = "Runtime.InvalidEntrypoint"
	ErrorTypeTruncatedResponse = "Runtime.TruncatedResponse"
	// ErrorTypeOutOfMemory appears only in logs (REPORT, INIT_REPORT): the
	// caller of an out-of-memory invocation sees Runtime.ExitError (§7.2).
	ErrorTypeOutOfMemory = "Runtime.OutOfMemory"
)

// FunctionErrorUnhandled is the X-Amz-Function-Error value of every
// function error a caller sees.
const FunctionErrorUnhandled = "Unhandled"

// jsonObject writes a JSON object with keys in the given order: AWS's
// payloads are compared byte for byte, and encoding/json would sort map keys
// and escape <, > and & in messages.
func jsonObject(kv ...string) []byte {
	var b bytes.Buffer
	b.WriteByte('{')
	for i := 0; i+1 < len(kv); i += 2 {
		if i > 0 {
			b.WriteByte(',')
		}
		writeJSONString(&b, kv[i])
		b.WriteByte(':')
		writeJSONString(&b, kv[i+1])
	}
	b.WriteByte('}')
	return b.Bytes()
}

func writeJSONString(b *bytes.Buffer, s string) {
	enc := json.NewEncoder(b)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(s)
	b.Truncate(b.Len() - 1) // Encode appends a newline
}

// timeoutPayload: §7.1, current format (observed 2025-11).
func timeoutPayload(requestID string, timeout time.Duration) []byte {
	return jsonObject("errorType", ErrorTypeTimedout,
		"errorMessage", fmt.Sprintf("RequestId: %s Error: Task timed out after %.2f seconds", requestID, timeout.Seconds()))
}

// exitPayload: §7.3.
func exitPayload(requestID, reason string) []byte {
	return jsonObject("errorType", ErrorTypeExit, "errorMessage", fmt.Sprintf("RequestId: %s Error: %s", requestID, reason))
}

// entrypointPayload: §5.2, a provided runtime without a usable bootstrap.
func entrypointPayload(requestID, reason string) []byte {
	return jsonObject("errorType", ErrorTypeInvalidEntrypoint, "errorMessage", fmt.Sprintf("RequestId: %s Error: %s", requestID, reason))
}

// responseTooLargePayload: §7.4.
func responseTooLargePayload() []byte {
	return jsonObject("errorMessage", "Response payload size exceeded maximum allowed payload size (6291556 bytes).",
		"errorType", ErrorTypeResponseTooLarge)
}

func truncatedPayload() []byte {
	return jsonObject("errorMessage", "Response body could not be read in full.", "errorType", ErrorTypeTruncatedResponse)
}

// errorBody turns what a runtime posted to /error or /init/error into the
// caller's payload (§1.4): passed through unchanged, except an empty body
// (synthesised) and the X-Ray cause content type (reduced to the three
// standard fields). It also returns the error type REPORT names.
func errorBody(body []byte, contentType, headerType string) (payload []byte, errorType string) {
	errorType = headerType
	if errorType == "" {
		var probe struct {
			ErrorType string `json:"errorType"`
		}
		if json.Unmarshal(body, &probe) == nil && probe.ErrorType != "" {
			errorType = probe.ErrorType
		} else {
			errorType = "Runtime.Unknown"
		}
	}
	switch {
	case len(bytes.TrimSpace(body)) == 0:
		if headerType == "" {
			return jsonObject("errorMessage", "Unknown application error occurred"), errorType
		}
		return jsonObject("errorMessage", "Unknown application error occurred", "errorType", headerType), errorType
	case contentType == "application/vnd.aws.lambda.error.cause+json":
		var full struct {
			ErrorMessage string          `json:"errorMessage"`
			ErrorType    string          `json:"errorType"`
			StackTrace   json.RawMessage `json:"stackTrace,omitempty"`
		}
		if err := json.Unmarshal(body, &full); err != nil {
			return []byte(`"Invalid error body"`), errorType
		}
		var b bytes.Buffer
		enc := json.NewEncoder(&b)
		enc.SetEscapeHTML(false)
		_ = enc.Encode(full)
		return bytes.TrimRight(b.Bytes(), "\n"), errorType
	}
	return body, errorType
}

// trailerErrorPayload decodes the base64 JSON body of a streamed error.
func trailerErrorPayload(b64, errorType string) []byte {
	if b, err := decodeBase64(b64); err == nil && json.Valid(b) {
		return b
	}
	return jsonObject("errorMessage", "Unknown application error occurred", "errorType", errorType)
}

func decodeBase64(s string) ([]byte, error) {
	return base64.StdEncoding.DecodeString(s)
}
