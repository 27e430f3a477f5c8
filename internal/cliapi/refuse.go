package cliapi

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"encoding/xml"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/cloudlet-dev/cloudlet/internal/awserr"
)

// refuse answers a download link the Lambda service did not accept as S3
// answers a bad presigned URL, since AWS's links are S3's: the status and
// S3's <Error> document with its code, message, extra fields (an expired
// link's Expires and ServerTime), RequestId and HostId.
func (h *Handler) refuse(w http.ResponseWriter, r *http.Request, err error) {
	e, ok := awserr.As(err)
	if !ok {
		h.fail(w, err)
		return
	}
	id := requestID()
	var b bytes.Buffer
	b.WriteString(xml.Header)
	b.WriteString("<Error><Code>")
	_ = xml.EscapeText(&b, []byte(e.Code))
	b.WriteString("</Code><Message>")
	_ = xml.EscapeText(&b, []byte(e.Message))
	b.WriteString("</Message>")
	keys := make([]string, 0, len(e.Fields))
	for k := range e.Fields {
		keys = append(keys, k)
	}
	// S3 lists an expired link's fields in this order.
	order := map[string]int{"X-Amz-Expires": 1, "Expires": 2, "ServerTime": 3}
	slices.SortFunc(keys, func(a, b string) int {
		if c := order[a] - order[b]; c != 0 {
			return c
		}
		return strings.Compare(a, b)
	})
	for _, k := range keys {
		b.WriteString("<" + k + ">")
		_ = xml.EscapeText(&b, []byte(e.Fields[k]))
		b.WriteString("</" + k + ">")
	}
	b.WriteString("<RequestId>" + id + "</RequestId><HostId>" + id + "</HostId></Error>")
	w.Header().Set("Content-Type", "application/xml")
	w.Header().Set("Content-Length", strconv.Itoa(b.Len()))
	w.Header().Set("X-Amz-Request-Id", id)
	w.WriteHeader(e.HTTPStatus())
	if r.Method != http.MethodHead {
		_, _ = w.Write(b.Bytes())
	}
}

// requestID is an S3-style request ID: 16 upper-case hex digits.
func requestID() string {
	b := make([]byte, 8)
	_, _ = rand.Read(b)
	return strings.ToUpper(hex.EncodeToString(b))
}
