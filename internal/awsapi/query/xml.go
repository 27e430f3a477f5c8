package query

import (
	"bytes"
	"encoding/xml"
	"net/http"
	"strconv"
	"time"
)

// Time renders as ISO 8601 UTC with milliseconds, as AWS's Query services
// do (2016-03-31T17:12:16.275Z); the zero time is omitted with omitempty.
type Time struct{ time.Time }

// MarshalXML writes the time, or nothing for the zero value.
func (t Time) MarshalXML(e *xml.Encoder, start xml.StartElement) error {
	if t.IsZero() {
		return nil
	}
	return e.EncodeElement(t.UTC().Format("2006-01-02T15:04:05.000Z"), start)
}

// IsZero lets omitempty-like checks skip absent times.
func (t Time) IsZero() bool { return t.Time.IsZero() }

// WriteResult writes <ActionResponse xmlns><ActionResult>result
// </ActionResult><ResponseMetadata>…</ResponseMetadata></ActionResponse>.
// result nil writes no Result element (operations without output, such as
// DeleteStack); an empty struct writes the empty wrapper that botocore
// needs for empty outputs (ExecuteChangeSet, spec cloudformation §9.2).
// result must marshal its own members; its element name is replaced by
// ActionResult.
func WriteResult(w http.ResponseWriter, action, xmlns, requestID string, result any) {
	var b bytes.Buffer
	b.WriteString(xml.Header)
	b.WriteString("<" + action + "Response xmlns=\"" + xmlns + "\">")
	if result != nil {
		enc := xml.NewEncoder(&b)
		if err := enc.EncodeElement(result, xml.StartElement{Name: xml.Name{Local: action + "Result"}}); err != nil {
			b.WriteString("<" + action + "Result/>")
		}
		_ = enc.Flush()
	}
	b.WriteString("<ResponseMetadata><RequestId>" + escapeText(requestID) + "</RequestId></ResponseMetadata>")
	b.WriteString("</" + action + "Response>")
	h := w.Header()
	h.Set("Content-Type", "text/xml")
	h.Set("Content-Length", strconv.Itoa(b.Len()))
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(b.Bytes())
}

// WriteError writes Query's <ErrorResponse> with the status; Type is
// Sender for 4xx and Receiver for 5xx (the SDKs retry the latter).
func WriteError(w http.ResponseWriter, status int, xmlns, code, message, requestID string) {
	typ := "Sender"
	if status >= 500 {
		typ = "Receiver"
	}
	var b bytes.Buffer
	b.WriteString(xml.Header)
	b.WriteString("<ErrorResponse xmlns=\"" + xmlns + "\"><Error><Type>" + typ + "</Type><Code>" + escapeText(code) +
		"</Code><Message>" + escapeText(message) + "</Message></Error><RequestId>" + escapeText(requestID) + "</RequestId></ErrorResponse>")
	h := w.Header()
	h.Set("Content-Type", "text/xml")
	h.Set("Content-Length", strconv.Itoa(b.Len()))
	w.WriteHeader(status)
	_, _ = w.Write(b.Bytes())
}

func escapeText(s string) string {
	var b bytes.Buffer
	_ = xml.EscapeText(&b, []byte(s))
	return b.String()
}
