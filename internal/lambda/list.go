package lambda

import (
	"context"
	"encoding/base64"
	"fmt"

	"github.com/cloudlet-dev/cloudlet/internal/store"
)

// maxPage is the most items one page of a Lambda list holds, whatever
// MaxItems asks for (spec lambda §8.4).
const maxPage = 50

// paginate cuts one page out of items. marker is the opaque token of the
// item to start at (NextMarker of the previous page); key identifies an
// item. An item removed between pages is stepped over: the page starts
// at the first item whose key sorts after the marker's.
func paginate[T any](items []T, marker string, maxItems int, key func(T) string) ([]T, string, error) {
	if maxItems < 0 || maxItems > 10000 {
		return nil, "", maxItemsError(maxItems)
	}
	size := maxPage
	if maxItems > 0 {
		size = min(maxItems, maxPage)
	}
	start := 0
	if marker != "" {
		raw, err := base64.RawURLEncoding.DecodeString(marker)
		if err != nil {
			return nil, "", invalid("Invalid marker: %s", marker)
		}
		want := string(raw)
		start = len(items)
		for i, it := range items {
			if k := key(it); k == want {
				start = i
				break
			}
		}
		if start == len(items) {
			for i, it := range items {
				if key(it) > want {
					start = i
					break
				}
			}
		}
	}
	end := min(start+size, len(items))
	next := ""
	if end < len(items) {
		next = base64.RawURLEncoding.EncodeToString([]byte(key(items[end])))
	}
	return items[start:end:end], next, nil
}

// ListFunctionsInput is a ListFunctions request.
type ListFunctionsInput struct {
	// Marker is the previous page's NextMarker; "" starts at the first.
	Marker string
	// MaxItems is 1–10000; zero means 50. A page never holds more than 50.
	MaxItems int
	// FunctionVersion "ALL" lists every version of every function, not
	// just $LATEST; "" lists $LATEST only.
	FunctionVersion string
}

// ListFunctionsOutput is one page of functions, by name.
type ListFunctionsOutput struct {
	Functions  []FunctionConfiguration `json:"Functions"`
	NextMarker string                  `json:"NextMarker,omitempty"`
}

// ListAllFunctions returns every function's $LATEST configuration, by
// name, in one slice (the console's list; ListFunctions pages).
func (s *Service) ListAllFunctions(ctx context.Context) ([]FunctionConfiguration, error) {
	var out []FunctionConfiguration
	err := s.cfg.DB.View(func(tx *store.Tx) error {
		fns, err := store.List[function](tx, bucketFunctions, "")
		for _, f := range fns {
			out = append(out, f.Config)
		}
		return err
	})
	return out, err
}

// ListFunctions is the ListFunctions API: a page of functions in name
// order.
func (s *Service) ListFunctions(ctx context.Context, in ListFunctionsInput) (*ListFunctionsOutput, error) {
	if in.FunctionVersion != "" && in.FunctionVersion != "ALL" {
		return nil, validation("functionVersion", in.FunctionVersion, "Member must satisfy enum value set: [ALL]")
	}
	var all []FunctionConfiguration
	err := s.cfg.DB.View(func(tx *store.Tx) error {
		fns, err := store.List[function](tx, bucketFunctions, "")
		for _, f := range fns {
			if in.FunctionVersion == "" {
				all = append(all, f.Config)
				continue
			}
			latest := f.Config
			latest.FunctionArn = s.qualifiedARN(f.Config.FunctionName, "$LATEST")
			all = append(all, latest)
			for _, v := range f.Versions {
				all = append(all, v.Config)
			}
		}
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("list functions: %w", err)
	}
	page, next, err := paginate(all, in.Marker, in.MaxItems, func(c FunctionConfiguration) string { return c.FunctionArn })
	if err != nil {
		return nil, err
	}
	if page == nil {
		page = []FunctionConfiguration{}
	}
	return &ListFunctionsOutput{Functions: page, NextMarker: next}, nil
}
