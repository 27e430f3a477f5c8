package payload

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
)

// Response is the HTTP response the gateway sends for an integration's
// result.
type Response struct {
	StatusCode int
	Header     http.Header
	Body       []byte
}

// ErrMalformed is wrapped by every error of ResponseV2 and ResponseV1: the
// function's result cannot be turned into a response, and the client gets
// 500 {"message":"Internal Server Error"} (§4, §5.2).
var ErrMalformed = errors.New("malformed Lambda proxy response")

// ErrFunctionError is the error for a 2.0 result object that carries
// errorMessage but no statusCode: AWS treats it as a function error (§4).
var ErrFunctionError = errors.New("function error")

func malformed(format string, args ...any) error {
	return fmt.Errorf("%w: %s", ErrMalformed, fmt.Sprintf(format, args...))
}

const (
	contentTypeJSON = "application/json"
	// defaultContentType is what HTTP APIs send when a structured
	// response names none (§4 [REAL DOTNET]); SAM CLI wrongly uses JSON.
	defaultContentType = "text/plain; charset=utf-8"
)

// gatewayOwned are response headers the gateway computes itself; a
// function's values for them are dropped so the body and framing agree.
var gatewayOwned = map[string]bool{
	"Content-Length": true, "Transfer-Encoding": true, "Connection": true,
	"Keep-Alive": true, "Apigw-Requestid": true, "Date": true,
}

// ResponseV2 maps a payload format 2.0 result to a response
// (shared/specs/http-api.md §4). An object with statusCode is a
// structured response; an object with errorMessage is an error; anything
// else — other objects, strings, numbers, arrays, null, even invalid JSON
// — is inferred as a 200 application/json response whose body is the
// payload as the function returned it (a JSON string is decoded first).
func ResponseV2(payload []byte) (*Response, error) {
	trimmed := bytes.TrimSpace(payload)
	if len(trimmed) > 0 && trimmed[0] == '{' {
		var obj map[string]json.RawMessage
		if err := json.Unmarshal(trimmed, &obj); err == nil {
			if _, ok := obj["statusCode"]; ok {
				return structured(obj, true)
			}
			if _, ok := obj["errorMessage"]; ok {
				return nil, fmt.Errorf("%w: result object has errorMessage", ErrFunctionError)
			}
		}
		return inferred(payload), nil
	}
	if len(trimmed) > 0 && trimmed[0] == '"' {
		var s string
		if err := json.Unmarshal(trimmed, &s); err == nil {
			return inferred([]byte(s)), nil
		}
	}
	return inferred(payload), nil
}

func inferred(body []byte) *Response {
	return &Response{StatusCode: http.StatusOK, Header: http.Header{"Content-Type": {contentTypeJSON}}, Body: body}
}

// ResponseV1 maps a payload format 1.0 result (§5.2): only an object with
// statusCode is valid; headers and multiValueHeaders are both sent.
func ResponseV1(payload []byte) (*Response, error) {
	var obj map[string]json.RawMessage
	if err := json.Unmarshal(payload, &obj); err != nil || obj == nil {
		return nil, malformed("payload format 1.0 needs an object with statusCode")
	}
	if _, ok := obj["statusCode"]; !ok {
		return nil, malformed("payload format 1.0 needs an object with statusCode")
	}
	return structured(obj, false)
}

// structured reads statusCode, headers, body and isBase64Encoded, plus
// cookies (2.0) or multiValueHeaders (1.0). Unknown keys are ignored.
func structured(obj map[string]json.RawMessage, v2 bool) (*Response, error) {
	status, err := statusCode(obj["statusCode"])
	if err != nil {
		return nil, err
	}
	resp := &Response{StatusCode: status, Header: http.Header{}}
	if v2 {
		// cookies first, then any set-cookie in headers (§4 [EMU MINISTACK]).
		if raw, ok := present(obj, "cookies"); ok {
			var cookies []json.RawMessage
			if err := json.Unmarshal(raw, &cookies); err != nil {
				return nil, malformed("cookies is not a list")
			}
			for _, c := range cookies {
				v, ok := scalarText(c)
				if !ok {
					return nil, malformed("cookies holds a non-string")
				}
				resp.Header.Add("Set-Cookie", v)
			}
		}
	}
	if raw, ok := present(obj, "headers"); ok {
		var hs map[string]json.RawMessage
		if err := json.Unmarshal(raw, &hs); err != nil {
			return nil, malformed("headers is not an object")
		}
		for _, name := range sortedRawKeys(hs) {
			v, ok := scalarText(hs[name])
			if !ok {
				continue // null
			}
			addHeader(resp.Header, name, v)
		}
	}
	if raw, ok := present(obj, "multiValueHeaders"); ok && !v2 {
		var hs map[string][]json.RawMessage
		if err := json.Unmarshal(raw, &hs); err != nil {
			return nil, malformed("multiValueHeaders is not an object of lists")
		}
		for _, name := range sortedRawKeys(hs) {
			for _, rv := range hs[name] {
				if v, ok := scalarText(rv); ok {
					addHeader(resp.Header, name, v)
				}
			}
		}
	}
	var body string
	if raw, ok := present(obj, "body"); ok {
		if err := json.Unmarshal(raw, &body); err != nil {
			return nil, malformed("body is not a string")
		}
	}
	b64 := false
	if raw, ok := present(obj, "isBase64Encoded"); ok {
		if err := json.Unmarshal(raw, &b64); err != nil {
			return nil, malformed("isBase64Encoded is not a boolean")
		}
	}
	if b64 {
		resp.Body, err = base64.StdEncoding.DecodeString(body)
		if err != nil {
			return nil, malformed("body is not valid base64: %v", err)
		}
	} else {
		resp.Body = []byte(body)
	}
	if resp.Header.Get("Content-Type") == "" {
		resp.Header.Set("Content-Type", defaultContentType)
	}
	return resp, nil
}

func addHeader(h http.Header, name, value string) {
	key := http.CanonicalHeaderKey(name)
	if gatewayOwned[key] {
		return
	}
	h[key] = append(h[key], value)
}

// present returns obj[key] unless it is missing or JSON null.
func present(obj map[string]json.RawMessage, key string) (json.RawMessage, bool) {
	raw, ok := obj[key]
	if !ok || string(raw) == "null" {
		return nil, false
	}
	return raw, true
}

// statusCode accepts an integer or a numeric string in 100–599 (§4:
// "201" is 201; "test", 200.5 and 0 are errors).
func statusCode(raw json.RawMessage) (int, error) {
	text := string(raw)
	if len(raw) > 0 && raw[0] == '"' {
		if err := json.Unmarshal(raw, &text); err != nil {
			return 0, malformed("statusCode %s is not a number", raw)
		}
	}
	n, err := strconv.Atoi(text)
	if err != nil || n < 100 || n > 599 {
		return 0, malformed("statusCode %s is not an HTTP status", raw)
	}
	return n, nil
}

// scalarText turns a JSON value into header text: strings as they are,
// numbers and booleans as written (§4: "header-bool": true works), other
// values as their JSON text. ok is false for null.
func scalarText(raw json.RawMessage) (string, bool) {
	if len(raw) == 0 || string(raw) == "null" {
		return "", false
	}
	if raw[0] == '"' {
		var s string
		if err := json.Unmarshal(raw, &s); err == nil {
			return s, true
		}
	}
	return string(raw), true
}
