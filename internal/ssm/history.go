package ssm

import (
	"context"
	"fmt"
	"time"

	"github.com/cloudlet-dev/cloudlet/internal/store"
)

// ParameterHistory is one version as GetParameterHistory returns it.
type ParameterHistory struct {
	Name             string    `json:"Name"`
	Type             string    `json:"Type"`
	KeyID            string    `json:"KeyId,omitempty"`
	LastModifiedDate time.Time `json:"LastModifiedDate"`
	LastModifiedUser string    `json:"LastModifiedUser"`
	Description      string    `json:"Description,omitempty"`
	Value            string    `json:"Value"`
	AllowedPattern   string    `json:"AllowedPattern,omitempty"`
	Version          int64     `json:"Version"`
	Labels           []string  `json:"Labels"`
	Tier             string    `json:"Tier"`
	DataType         string    `json:"DataType"`
}

// GetParameterHistory returns a parameter's kept versions, oldest first.
func (s *Service) GetParameterHistory(ctx context.Context, name string, withDecryption bool) ([]ParameterHistory, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	var out []ParameterHistory
	err := s.db.View(func(tx *store.Tx) error {
		r, ok := parseReference(name)
		if !ok || r.selector != "" {
			return errNotFound()
		}
		for _, n := range r.names {
			vs, err := store.List[version](tx, bucketHistory, n+"\x00")
			if err != nil {
				return err
			}
			if len(vs) == 0 {
				continue
			}
			for _, v := range vs {
				out = append(out, ParameterHistory{
					Name: v.Name, Type: v.Type, KeyID: v.KeyID, LastModifiedDate: v.LastModifiedDate,
					LastModifiedUser: v.LastModifiedUser, Description: v.Description,
					Value: shownValue(v, withDecryption), AllowedPattern: v.AllowedPattern,
					Version: v.Version, Labels: []string{}, Tier: v.Tier, DataType: v.DataType,
				})
			}
			return nil
		}
		return errNotFound()
	})
	if err != nil {
		return nil, fmt.Errorf("get parameter history %s: %w", name, err)
	}
	return out, nil
}
