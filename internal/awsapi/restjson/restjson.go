package restjson

import (
	"encoding/json"
	"net/http"
	"strconv"
)

// WriteJSON writes v as the body with status. v nil writes no body.
func WriteJSON(w http.ResponseWriter, status int, v any) {
	h := w.Header()
	if v == nil {
		w.WriteHeader(status)
		return
	}
	raw, err := json.Marshal(v)
	if err != nil {
		status, raw = http.StatusInternalServerError, []byte(`{"message":"cloudlet could not encode the answer"}`)
	}
	h.Set("Content-Type", "application/json")
	h.Set("Content-Length", strconv.Itoa(len(raw)))
	w.WriteHeader(status)
	_, _ = w.Write(raw)
}

// Error is one REST-JSON error.
type Error struct {
	Status  int
	Code    string
	Message string
	// MessageKey is the body's message member: "message" unless the
	// service spells it "Message" for this error (Lambda's
	// ResourceNotFoundException does).
	MessageKey string
	// Fields are further body members (Lambda's "Type":"User",
	// API Gateway's "resourceType").
	Fields map[string]string
}

// WriteError writes e.
func WriteError(w http.ResponseWriter, e Error) {
	body := make(map[string]string, len(e.Fields)+1)
	for k, v := range e.Fields {
		body[k] = v
	}
	key := e.MessageKey
	if key == "" {
		key = "message"
	}
	body[key] = e.Message
	w.Header().Set("X-Amzn-ErrorType", e.Code)
	WriteJSON(w, e.Status, body)
}
