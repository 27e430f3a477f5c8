package ssm

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/cloudlet-dev/cloudlet/internal/awserr"
	"github.com/cloudlet-dev/cloudlet/internal/store"
)

// GetParameter returns a parameter by name or ARN, optionally with a
// ":version" selector. A missing parameter is ParameterNotFound; a missing
// version of an existing one is ParameterVersionNotFound.
func (s *Service) GetParameter(ctx context.Context, name string, withDecryption bool) (*Parameter, error) {
	if name == "" || len(name) > maxNameLength {
		return nil, validation(&name, "name", "Member must have length between 1 and 2048")
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	var p Parameter
	err := s.db.View(func(tx *store.Tx) error {
		v, ref, err := s.resolve(tx, name)
		if err != nil {
			return err
		}
		p = s.parameter(v, withDecryption, ref.selector)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("get parameter %s: %w", name, err)
	}
	return &p, nil
}

// resolve finds the version a reference names.
func (s *Service) resolve(tx *store.Tx, ref string) (version, reference, error) {
	r, ok := parseReference(ref)
	if !ok {
		return version{}, r, errNotFound()
	}
	for _, name := range r.names {
		rec, found, err := store.Get[record](tx, bucketParams, name)
		if err != nil {
			return version{}, r, err
		}
		if !found {
			continue
		}
		switch {
		case r.label != "":
			return version{}, r, errNotFound() // labels are not supported: nothing carries one
		case r.version == 0 || r.version == rec.Version:
			return rec.version, r, nil
		}
		v, found, err := store.Get[version](tx, bucketHistory, historyKey(name, r.version))
		if err != nil {
			return version{}, r, err
		}
		if !found {
			return version{}, r, ssmError(CodeParameterVersionNotFound,
				"Systems Manager could not find version %d of %s. Verify the version and try again.", r.version, name)
		}
		return v, r, nil
	}
	return version{}, r, errNotFound()
}

// GetParameters returns the parameters found among names (at most 10) and
// the names not found, each in the order asked.
func (s *Service) GetParameters(ctx context.Context, names []string, withDecryption bool) ([]Parameter, []string, error) {
	if len(names) == 0 {
		return nil, nil, validation(nil, "names", "Member must have length greater than or equal to 1")
	}
	if len(names) > 10 {
		v := "[" + strings.Join(names, ", ") + "]"
		return nil, nil, validation(&v, "names", "Member must have length less than or equal to 10")
	}
	if err := ctx.Err(); err != nil {
		return nil, nil, err
	}
	params, invalid := []Parameter{}, []string{}
	seen := map[string]bool{}
	err := s.db.View(func(tx *store.Tx) error {
		for _, n := range names {
			if seen[n] {
				continue
			}
			seen[n] = true
			v, ref, err := s.resolve(tx, n)
			if code := errCode(err); code == CodeParameterNotFound || code == CodeParameterVersionNotFound {
				invalid = append(invalid, n)
				continue
			}
			if err != nil {
				return err
			}
			params = append(params, s.parameter(v, withDecryption, ref.selector))
		}
		return nil
	})
	if err != nil {
		return nil, nil, fmt.Errorf("get parameters: %w", err)
	}
	return params, invalid, nil
}

// GetByPathInput is GetParametersByPath's request.
type GetByPathInput struct {
	Path           string
	Recursive      bool
	WithDecryption bool
	// Filters may use the keys Type, KeyId and DataType (option Equals).
	Filters []ParameterFilter
	// MaxResults is 1–10; zero means 10.
	MaxResults int
	NextToken  string
}

// GetParametersByPath returns the parameters under a path (directly under
// it unless Recursive), in name order, a page at a time.
func (s *Service) GetParametersByPath(ctx context.Context, in GetByPathInput) ([]Parameter, string, error) {
	if err := validatePath(in.Path); err != nil {
		return nil, "", err
	}
	max, err := maxResults(in.MaxResults, 10)
	if err != nil {
		return nil, "", err
	}
	match, err := compileFilters(in.Filters, map[string]bool{"Type": true, "KeyId": true, "DataType": true})
	if err != nil {
		return nil, "", err
	}
	out := []Parameter{}
	next, err := s.page(ctx, in.NextToken, max, func(r record) bool {
		return underPath(r.Name, in.Path, in.Recursive) && match(r)
	}, func(rec record) {
		out = append(out, s.parameter(rec.version, in.WithDecryption, ""))
	})
	if err != nil {
		return nil, "", fmt.Errorf("get parameters by path %s: %w", in.Path, err)
	}
	return out, next, nil
}

// page walks parameters in name order from a token, passing those that
// match to take until max are taken, and returns the token for the rest.
func (s *Service) page(ctx context.Context, token string, max int, match func(record) bool, take func(record)) (string, error) {
	from := ""
	if token != "" {
		raw, err := base64.RawURLEncoding.DecodeString(token)
		if err != nil || len(raw) == 0 {
			return "", ssmError(CodeInvalidNextToken, "The specified token is not valid.")
		}
		from = string(raw) + "\x00" // just after the last name returned
	}
	if err := ctx.Err(); err != nil {
		return "", err
	}
	n, last, next := 0, "", ""
	err := s.db.View(func(tx *store.Tx) error {
		return tx.Range(bucketParams, "", from, func(k string, raw []byte) error {
			var rec record
			if err := json.Unmarshal(raw, &rec); err != nil {
				return fmt.Errorf("load parameter %s: %w", k, err)
			}
			if !match(rec) {
				return nil
			}
			if n == max {
				next = base64.RawURLEncoding.EncodeToString([]byte(last))
				return errStop
			}
			take(rec)
			n, last = n+1, k
			return nil
		})
	})
	if err != nil && !errors.Is(err, errStop) {
		return "", err
	}
	return next, nil
}

var errStop = errors.New("stop walking")

func maxResults(n, limit int) (int, error) {
	switch {
	case n == 0:
		return limit, nil
	case n < 1:
		return 0, validation(ptr(fmt.Sprint(n)), "maxResults", "Member must have value greater than or equal to 1")
	case n > limit:
		return 0, validation(ptr(fmt.Sprint(n)), "maxResults", fmt.Sprintf("Member must have value less than or equal to %d", limit))
	}
	return n, nil
}

func ptr[T any](v T) *T { return &v }

// errCode is err's AWS code, or "" for nil.
func errCode(err error) string {
	if e, ok := awserr.As(err); ok {
		return e.Code
	}
	return ""
}
