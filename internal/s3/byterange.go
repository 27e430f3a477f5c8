package s3

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"
)

// ByteRange is one HTTP byte range (RFC 9110 §14.1.2): bytes First
// through Last inclusive, or with Last < 0 from First to the end; or,
// when Suffix > 0, the last Suffix bytes.
type ByteRange struct {
	First, Last int64
	Suffix      int64
}

// ParseRange parses a Range header value. S3 serves the whole object when
// the header is not a single well-formed byte range (it supports no
// multi-range requests), so ok is false then and the caller should ignore
// the header.
func ParseRange(h string) (r *ByteRange, ok bool) {
	spec, found := strings.CutPrefix(strings.TrimSpace(h), "bytes=")
	if !found || strings.Contains(spec, ",") {
		return nil, false
	}
	first, last, found := strings.Cut(strings.TrimSpace(spec), "-")
	if !found {
		return nil, false
	}
	num := func(s string) (int64, bool) {
		if s == "" || strings.TrimLeft(s, "0123456789") != "" {
			return 0, false
		}
		n, err := strconv.ParseInt(s, 10, 64)
		return n, err == nil
	}
	if first == "" {
		n, ok := num(last)
		if !ok || n == 0 {
			return nil, false
		}
		return &ByteRange{Suffix: n}, true
	}
	f, ok := num(first)
	if !ok {
		return nil, false
	}
	if last == "" {
		return &ByteRange{First: f, Last: -1}, true
	}
	l, ok := num(last)
	if !ok || l < f {
		return nil, false
	}
	return &ByteRange{First: f, Last: l}, true
}

// resolve returns the offset and length of r within an object of size
// bytes, or InvalidRange (416) when r selects nothing.
func (r ByteRange) resolve(size int64) (start, n int64, err error) {
	unsatisfiable := func() error {
		return s3Error(http.StatusRequestedRangeNotSatisfiable, CodeInvalidRange, "The requested range is not satisfiable",
			"RangeRequested", r.String(), "ActualObjectSize", fmt.Sprint(size))
	}
	if r.Suffix > 0 {
		if size == 0 {
			return 0, 0, unsatisfiable()
		}
		n = min(r.Suffix, size)
		return size - n, n, nil
	}
	if r.First < 0 || r.First >= size {
		return 0, 0, unsatisfiable()
	}
	last := r.Last
	if last < 0 || last >= size {
		last = size - 1
	}
	return r.First, last - r.First + 1, nil
}

// String renders r as a Range header value.
func (r ByteRange) String() string {
	switch {
	case r.Suffix > 0:
		return fmt.Sprintf("bytes=-%d", r.Suffix)
	case r.Last < 0:
		return fmt.Sprintf("bytes=%d-", r.First)
	}
	return fmt.Sprintf("bytes=%d-%d", r.First, r.Last)
}
