package sigv4

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// Algorithm is the only signing algorithm cloudlet accepts.
const Algorithm = "AWS4-HMAC-SHA256"

// Payload hash markers (the X-Amz-Content-Sha256 header's non-hash values).
const (
	UnsignedPayload          = "UNSIGNED-PAYLOAD"
	StreamingPayload         = "STREAMING-AWS4-HMAC-SHA256-PAYLOAD"
	StreamingPayloadTrailer  = "STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER"
	StreamingUnsignedTrailer = "STREAMING-UNSIGNED-PAYLOAD-TRAILER"
)

// TimeFormat is X-Amz-Date's layout.
const TimeFormat = "20060102T150405Z"

// MaxSkew is how far a request's time may be from the server's.
const MaxSkew = 15 * time.Minute

// maxPresignExpiry is SigV4's longest presigned URL lifetime (7 days).
const maxPresignExpiry = 7 * 24 * time.Hour

// Scope is the credential scope: date (yyyymmdd), region and service.
type Scope struct {
	Date, Region, Service string
}

// String is the scope as it appears in the string to sign.
func (s Scope) String() string {
	return s.Date + "/" + s.Region + "/" + s.Service + "/aws4_request"
}

// Signature is a parsed signature: who signed, for which scope, over
// which headers, and when.
type Signature struct {
	AccessKeyID   string
	Scope         Scope
	SignedHeaders []string // lower-case, sorted as sent
	Signature     string   // lower-case hex
	Time          time.Time
	// Presigned is true for the query-string form; Expires is then its
	// X-Amz-Expires.
	Presigned bool
	Expires   time.Duration
	// SecurityToken is X-Amz-Security-Token (temporary credentials).
	SecurityToken string
}

// Parse reads the signature of r from its Authorization header or, when
// there is none, its presigned query. A request with neither fails with
// Kind Missing.
func Parse(r *http.Request) (*Signature, error) {
	if h := r.Header.Get("Authorization"); h != "" {
		sig, err := ParseAuthorization(h)
		if err != nil {
			return nil, err
		}
		date := r.Header.Get("X-Amz-Date")
		if date == "" {
			date = r.Header.Get("Date")
			t, err := http.ParseTime(date)
			if err != nil {
				return nil, fail(Incomplete, "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header. Authorization="+h)
			}
			sig.Time = t.UTC()
		} else {
			t, err := time.Parse(TimeFormat, date)
			if err != nil {
				return nil, fail(Incomplete, "Date must be in ISO-8601 'basic format'. Got '"+date+"'. See http://en.wikipedia.org/wiki/ISO_8601")
			}
			sig.Time = t
		}
		sig.SecurityToken = r.Header.Get("X-Amz-Security-Token")
		return sig, nil
	}
	q := r.URL.Query()
	if q.Get("X-Amz-Algorithm") != "" || q.Get("X-Amz-Credential") != "" || q.Get("X-Amz-Signature") != "" {
		return ParsePresigned(q)
	}
	return nil, fail(Missing, "Missing Authentication Token")
}

// ParseAuthorization parses an Authorization header:
//
//	AWS4-HMAC-SHA256 Credential=AKID/20240101/us-east-1/s3/aws4_request, SignedHeaders=host;x-amz-date, Signature=hex
func ParseAuthorization(h string) (*Signature, error) {
	alg, rest, _ := strings.Cut(strings.TrimSpace(h), " ")
	if alg != Algorithm {
		return nil, fail(Incomplete, "Unsupported AWS 'algorithm': '"+alg+"'")
	}
	var cred, signed, sig string
	var seen [3]bool
	for _, part := range strings.Split(rest, ",") {
		k, v, ok := strings.Cut(strings.TrimSpace(part), "=")
		if !ok {
			return nil, fail(Incomplete, "'"+strings.TrimSpace(part)+"' not a valid key=value pair (missing equal-sign) in Authorization header: '"+h+"'.")
		}
		switch k {
		case "Credential":
			cred, seen[0] = v, true
		case "SignedHeaders":
			signed, seen[1] = v, true
		case "Signature":
			sig, seen[2] = v, true
		}
	}
	var missing []string
	for i, name := range []string{"Credential", "Signature", "SignedHeaders"} {
		idx := [3]int{0, 2, 1}[i]
		if !seen[idx] {
			missing = append(missing, "Authorization header requires '"+name+"' parameter.")
		}
	}
	if len(missing) > 0 {
		return nil, fail(Incomplete, strings.Join(missing, " ")+" Authorization="+h)
	}
	s := &Signature{SignedHeaders: splitHeaders(signed), Signature: strings.ToLower(sig)}
	if err := s.setCredential(cred); err != nil {
		return nil, err
	}
	return s, nil
}

// ParsePresigned parses the X-Amz-* query parameters of a presigned URL.
func ParsePresigned(q url.Values) (*Signature, error) {
	var missing []string
	for _, k := range []string{"X-Amz-Algorithm", "X-Amz-Credential", "X-Amz-Signature", "X-Amz-Date", "X-Amz-SignedHeaders"} {
		if q.Get(k) == "" {
			missing = append(missing, k)
		}
	}
	if len(missing) > 0 {
		return nil, fail(Incomplete, "AWS query-string parameters must include "+strings.Join(quoteAll(missing), ", ")+". Re-examine the query-string parameters.")
	}
	if a := q.Get("X-Amz-Algorithm"); a != Algorithm {
		return nil, fail(Incomplete, "X-Amz-Algorithm only supports \""+Algorithm+"\"")
	}
	t, err := time.Parse(TimeFormat, q.Get("X-Amz-Date"))
	if err != nil {
		return nil, fail(Incomplete, "X-Amz-Date must be in the ISO8601 Long Format \"yyyyMMdd'T'HHmmss'Z'\"")
	}
	s := &Signature{SignedHeaders: splitHeaders(q.Get("X-Amz-SignedHeaders")), Signature: strings.ToLower(q.Get("X-Amz-Signature")),
		Time: t, Presigned: true, SecurityToken: q.Get("X-Amz-Security-Token")}
	if e := q.Get("X-Amz-Expires"); e != "" {
		n, err := strconv.ParseInt(e, 10, 64)
		if err != nil || n < 0 {
			return nil, fail(Incomplete, "X-Amz-Expires should be a number")
		}
		// Compared in seconds: n*time.Second overflows for huge n.
		if n > int64(maxPresignExpiry/time.Second) {
			return nil, fail(Incomplete, "X-Amz-Expires must be less than a week (in seconds) that is 604800")
		}
		s.Expires = time.Duration(n) * time.Second
	} else {
		s.Expires = maxPresignExpiry
	}
	if err := s.setCredential(q.Get("X-Amz-Credential")); err != nil {
		return nil, err
	}
	return s, nil
}

func quoteAll(s []string) []string {
	out := make([]string, len(s))
	for i, v := range s {
		out[i] = `"` + v + `"`
	}
	return out
}

// setCredential parses AKID/date/region/service/aws4_request.
func (s *Signature) setCredential(cred string) error {
	parts := strings.Split(cred, "/")
	if len(parts) != 5 || parts[0] == "" || parts[4] != "aws4_request" || len(parts[1]) != 8 || parts[3] == "" {
		return fail(Incomplete, "Credential should be scoped to a valid region, and the correct service and a valid date. Credential="+cred)
	}
	s.AccessKeyID = parts[0]
	s.Scope = Scope{Date: parts[1], Region: parts[2], Service: parts[3]}
	return nil
}

func splitHeaders(s string) []string {
	if s == "" {
		return nil
	}
	hs := strings.Split(s, ";")
	for i := range hs {
		hs[i] = strings.ToLower(strings.TrimSpace(hs[i]))
	}
	return hs
}

// ScopeOf returns the credential scope of r without verifying anything:
// the edge dispatches on its service before it knows whose key signed.
// ok is false when r carries no parsable signature.
func ScopeOf(r *http.Request) (Scope, bool) {
	if h := r.Header.Get("Authorization"); h != "" {
		_, rest, _ := strings.Cut(h, "Credential=")
		cred, _, _ := strings.Cut(rest, ",")
		parts := strings.Split(strings.TrimSpace(cred), "/")
		if len(parts) == 5 {
			return Scope{Date: parts[1], Region: parts[2], Service: parts[3]}, true
		}
		return Scope{}, false
	}
	if c := r.URL.Query().Get("X-Amz-Credential"); c != "" {
		parts := strings.Split(c, "/")
		if len(parts) == 5 {
			return Scope{Date: parts[1], Region: parts[2], Service: parts[3]}, true
		}
	}
	return Scope{}, false
}
