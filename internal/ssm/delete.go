package ssm

import (
	"context"
	"fmt"
	"strings"

	"github.com/cloudlet-dev/cloudlet/internal/store"
)

// DeleteParameter deletes a parameter and all its versions.
func (s *Service) DeleteParameter(ctx context.Context, name string) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	err := s.db.Update(func(tx *store.Tx) error { return deleteParam(tx, name) })
	if err != nil {
		return fmt.Errorf("delete parameter %s: %w", name, err)
	}
	return nil
}

func deleteParam(tx *store.Tx, name string) error {
	if strings.ContainsRune(name, 0) || tx.GetRaw(bucketParams, name) == nil {
		return errNotFound()
	}
	var keys []string
	if err := tx.ForEach(bucketHistory, name+"\x00", func(k string, _ []byte) error {
		keys = append(keys, k)
		return nil
	}); err != nil {
		return err
	}
	for _, k := range keys {
		if err := tx.Delete(bucketHistory, k); err != nil {
			return err
		}
	}
	return tx.Delete(bucketParams, name)
}

// DeleteParameters deletes up to 10 parameters and reports which were
// deleted and which did not exist.
func (s *Service) DeleteParameters(ctx context.Context, names []string) (deleted, invalid []string, err error) {
	if len(names) == 0 || len(names) > 10 {
		v := "[" + strings.Join(names, ", ") + "]"
		return nil, nil, validation(&v, "names", "Member must have length less than or equal to 10, Member must have length greater than or equal to 1")
	}
	if err := ctx.Err(); err != nil {
		return nil, nil, err
	}
	deleted, invalid = []string{}, []string{}
	err = s.db.Update(func(tx *store.Tx) error {
		for _, n := range names {
			err := deleteParam(tx, n)
			if errCode(err) == CodeParameterNotFound {
				invalid = append(invalid, n)
				continue
			}
			if err != nil {
				return err
			}
			deleted = append(deleted, n)
		}
		return nil
	})
	if err != nil {
		return nil, nil, fmt.Errorf("delete parameters: %w", err)
	}
	return deleted, invalid, nil
}

// ListTagsForResource returns a parameter's tags.
func (s *Service) ListTagsForResource(ctx context.Context, name string) (map[string]string, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	var tags map[string]string
	err := s.db.View(func(tx *store.Tx) error {
		rec, ok, err := store.Get[record](tx, bucketParams, name)
		if err != nil {
			return err
		}
		if !ok {
			return ssmError(CodeInvalidResourceID, "")
		}
		tags = rec.Tags
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("list tags for parameter %s: %w", name, err)
	}
	if tags == nil {
		tags = map[string]string{}
	}
	return tags, nil
}
