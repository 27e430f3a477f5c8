package apigw

import (
	"fmt"

	"github.com/cloudlet-dev/cloudlet/internal/store"
)

// Buckets. Sub-resources are keyed "{apiId}/{id}" so one API's records
// are one prefix scan; stages are keyed by name.
const (
	bucketAPIs         = "apigw.apis"
	bucketRoutes       = "apigw.routes"
	bucketIntegrations = "apigw.integrations"
	bucketAuthorizers  = "apigw.authorizers"
	bucketStages       = "apigw.stages"
	bucketDeployments  = "apigw.deployments"
	// bucketSnapshots holds each deployment's frozen configuration apart
	// from its small Deployment record, so listing deployments stays cheap.
	bucketSnapshots = "apigw.snapshots"
)

// snapshot is what a deployment freezes (§2): the API's routes,
// integrations, authorizers and CORS configuration.
type snapshot struct {
	Routes       []Route       `json:"routes"`
	Integrations []Integration `json:"integrations"`
	Authorizers  []Authorizer  `json:"authorizers"`
	Cors         *Cors         `json:"cors,omitempty"`
}

func subKey(apiID, id string) string { return apiID + "/" + id }

func (s *Service) getAPI(tx *store.Tx, apiID string) (*API, error) {
	a, ok, err := store.Get[API](tx, bucketAPIs, apiID)
	if err != nil {
		return nil, fmt.Errorf("load API %s: %w", apiID, err)
	}
	if !ok {
		return nil, s.apiNotFound(apiID)
	}
	return &a, nil
}

// getSub loads one sub-resource of an API; missing is reported by notFound.
func getSub[T any](tx *store.Tx, bucket, apiID, id string, missing func(string) error) (*T, error) {
	v, ok, err := store.Get[T](tx, bucket, subKey(apiID, id))
	if err != nil {
		return nil, fmt.Errorf("load %s %s: %w", bucket, subKey(apiID, id), err)
	}
	if !ok {
		return nil, missing(id)
	}
	return &v, nil
}

func listSub[T any](tx *store.Tx, bucket, apiID string) ([]T, error) {
	out, err := store.List[T](tx, bucket, apiID+"/")
	if err != nil {
		return nil, fmt.Errorf("list %s of %s: %w", bucket, apiID, err)
	}
	return out, nil
}

// deleteSubs removes every record of an API from bucket.
func deleteSubs(tx *store.Tx, bucket, apiID string) error {
	var keys []string
	err := tx.ForEach(bucket, apiID+"/", func(k string, _ []byte) error {
		keys = append(keys, k)
		return nil
	})
	if err != nil {
		return err
	}
	for _, k := range keys {
		if err := tx.Delete(bucket, k); err != nil {
			return fmt.Errorf("delete %s/%s: %w", bucket, k, err)
		}
	}
	return nil
}

// takeSnapshot freezes the API's current configuration.
func takeSnapshot(tx *store.Tx, api *API) (*snapshot, error) {
	snap := &snapshot{Cors: api.CorsConfiguration}
	var err error
	if snap.Routes, err = listSub[Route](tx, bucketRoutes, api.APIID); err != nil {
		return nil, err
	}
	if snap.Integrations, err = listSub[Integration](tx, bucketIntegrations, api.APIID); err != nil {
		return nil, err
	}
	if snap.Authorizers, err = listSub[Authorizer](tx, bucketAuthorizers, api.APIID); err != nil {
		return nil, err
	}
	return snap, nil
}
