package iam

import (
	"encoding/json"
	"errors"
	"fmt"
)

// errStopRange ends a store walk early once a page is full.
var errStopRange = errors.New("page full")

// pageSize validates MaxItems: 1–1000, zero meaning IAM's default of 100.
func pageSize(n int) (int, error) {
	switch {
	case n == 0:
		return 100, nil
	case n < 1:
		return 0, validationError(fmt.Sprint(n), "maxItems", "must have value greater than or equal to 1")
	case n > 1000:
		return 0, validationError(fmt.Sprint(n), "maxItems", "must have value less than or equal to 1000")
	}
	return n, nil
}

func jsonUnmarshal(raw []byte, v any) error { return json.Unmarshal(raw, v) }
