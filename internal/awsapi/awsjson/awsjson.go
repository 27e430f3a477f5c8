package awsjson

import (
	"encoding/json"
	"net/http"
	"strconv"
)

// ContentType is JSON 1.1's media type.
const ContentType = "application/x-amz-json-1.1"

// WriteJSON writes v with status 200; v nil writes "{}", which is what an
// operation without output answers.
func WriteJSON(w http.ResponseWriter, v any) {
	raw := []byte("{}")
	if v != nil {
		var err error
		if raw, err = json.Marshal(v); err != nil {
			WriteError(w, http.StatusInternalServerError, "InternalFailure", "cloudlet could not encode the answer")
			return
		}
	}
	h := w.Header()
	h.Set("Content-Type", ContentType)
	h.Set("Content-Length", strconv.Itoa(len(raw)))
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(raw)
}

// WriteError writes {"__type": code, "message": message} with status.
func WriteError(w http.ResponseWriter, status int, code, message string) {
	raw, _ := json.Marshal(map[string]string{"__type": code, "message": message})
	h := w.Header()
	h.Set("Content-Type", ContentType)
	h.Set("X-Amzn-ErrorType", code)
	h.Set("Content-Length", strconv.Itoa(len(raw)))
	w.WriteHeader(status)
	_, _ = w.Write(raw)
}
