package apigw

import (
	"context"
	"fmt"

	"github.com/cloudlet-dev/cloudlet/internal/store"
)

// CreateDeployment freezes the API's current configuration
// (CreateDeployment). With StageName the stage must exist and then serves
// the deployment; without it the deployment is attached to nothing.
// Deploying to an AutoDeploy stage is not an error but gives a deployment
// with status FAILED (§2 [VAL]). Errors: NotFoundException.
func (s *Service) CreateDeployment(ctx context.Context, apiID string, in CreateDeploymentInput) (*Deployment, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	var out *Deployment
	err := s.update(apiID, func(tx *store.Tx) error {
		api, err := s.getAPI(tx, apiID)
		if err != nil {
			return err
		}
		var st *Stage
		if in.StageName != "" {
			if st, err = getSub[Stage](tx, bucketStages, apiID, in.StageName, stageNotFound); err != nil {
				return err
			}
		}
		if st != nil && st.AutoDeploy {
			d := &Deployment{
				DeploymentID:            newID(tx, bucketDeployments, apiID+"/", deploymentIDLen),
				DeploymentStatus:        DeploymentFailed,
				DeploymentStatusMessage: fmt.Sprintf("Stage %s has AutoDeploy enabled; it cannot take an explicit deployment", st.StageName),
				CreatedDate:             s.timestamp(),
				Description:             in.Description,
			}
			out = d
			return tx.Put(bucketDeployments, subKey(apiID, d.DeploymentID), d)
		}
		snap, err := takeSnapshot(tx, api)
		if err != nil {
			return err
		}
		if out, err = s.newDeployment(tx, apiID, snap, false, in.Description); err != nil {
			return err
		}
		if st != nil {
			s.pointStage(st, out)
			st.LastUpdatedDate = s.timestamp()
			if err := tx.Put(bucketStages, subKey(apiID, st.StageName), st); err != nil {
				return fmt.Errorf("deploy to stage %s: %w", st.StageName, err)
			}
		}
		return nil
	})
	return out, err
}

// newDeployment stores a DEPLOYED deployment of snap.
func (s *Service) newDeployment(tx *store.Tx, apiID string, snap *snapshot, auto bool, description string) (*Deployment, error) {
	d := &Deployment{
		DeploymentID:     newID(tx, bucketDeployments, apiID+"/", deploymentIDLen),
		DeploymentStatus: DeploymentDeployed,
		CreatedDate:      s.timestamp(),
		Description:      description,
		AutoDeployed:     auto,
	}
	key := subKey(apiID, d.DeploymentID)
	if err := tx.Put(bucketDeployments, key, d); err != nil {
		return nil, fmt.Errorf("create deployment: %w", err)
	}
	if err := tx.Put(bucketSnapshots, key, snap); err != nil {
		return nil, fmt.Errorf("create deployment: %w", err)
	}
	return d, nil
}

// pointStage makes st serve d; the caller stores st.
func (s *Service) pointStage(st *Stage, d *Deployment) {
	st.DeploymentID = d.DeploymentID
	st.LastDeploymentStatusMessage = fmt.Sprintf(deployedStatusMessageFmt, d.DeploymentID)
}

// autoDeploy gives every AutoDeploy stage of the API a fresh deployment.
// Callers are the changes §2 lists as triggers: UpdateApi, CreateRoute,
// UpdateRoute, DeleteRoute, UpdateIntegration and UpdateAuthorizer (and
// DeleteCorsConfiguration). CreateIntegration, DeleteIntegration and
// CreateAuthorizer do not call it.
func (s *Service) autoDeploy(tx *store.Tx, api *API) error {
	stages, err := listSub[Stage](tx, bucketStages, api.APIID)
	if err != nil {
		return err
	}
	var snap *snapshot
	for i := range stages {
		st := &stages[i]
		if !st.AutoDeploy {
			continue
		}
		if snap == nil {
			if snap, err = takeSnapshot(tx, api); err != nil {
				return err
			}
		}
		d, err := s.newDeployment(tx, api.APIID, snap, true, autoDeployDescription)
		if err != nil {
			return err
		}
		s.pointStage(st, d)
		st.LastUpdatedDate = s.timestamp()
		if err := tx.Put(bucketStages, subKey(api.APIID, st.StageName), st); err != nil {
			return fmt.Errorf("auto-deploy stage %s: %w", st.StageName, err)
		}
	}
	return nil
}

// GetDeployment returns one deployment. Errors: NotFoundException.
func (s *Service) GetDeployment(ctx context.Context, apiID, deploymentID string) (*Deployment, error) {
	var out *Deployment
	err := s.view(ctx, apiID, func(tx *store.Tx) error {
		var err error
		out, err = getSub[Deployment](tx, bucketDeployments, apiID, deploymentID, deploymentNotFound)
		return err
	})
	return out, err
}

// ListDeployments returns the API's deployments in ID order.
func (s *Service) ListDeployments(ctx context.Context, apiID string) ([]Deployment, error) {
	var out []Deployment
	err := s.view(ctx, apiID, func(tx *store.Tx) error {
		var err error
		out, err = listSub[Deployment](tx, bucketDeployments, apiID)
		return err
	})
	return out, err
}

// UpdateDeployment changes a deployment's description.
func (s *Service) UpdateDeployment(ctx context.Context, apiID, deploymentID string, in UpdateDeploymentInput) (*Deployment, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	var d *Deployment
	err := s.update(apiID, func(tx *store.Tx) error {
		if _, err := s.getAPI(tx, apiID); err != nil {
			return err
		}
		var err error
		if d, err = getSub[Deployment](tx, bucketDeployments, apiID, deploymentID, deploymentNotFound); err != nil {
			return err
		}
		set(&d.Description, in.Description)
		return tx.Put(bucketDeployments, subKey(apiID, deploymentID), d)
	})
	if err != nil {
		return nil, err
	}
	return d, nil
}

// DeleteDeployment removes a deployment no stage serves. Errors:
// NotFoundException; BadRequestException while a stage points to it (§2).
func (s *Service) DeleteDeployment(ctx context.Context, apiID, deploymentID string) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	return s.update(apiID, func(tx *store.Tx) error {
		if _, err := s.getAPI(tx, apiID); err != nil {
			return err
		}
		if _, err := getSub[Deployment](tx, bucketDeployments, apiID, deploymentID, deploymentNotFound); err != nil {
			return err
		}
		stages, err := listSub[Stage](tx, bucketStages, apiID)
		if err != nil {
			return err
		}
		for _, st := range stages {
			if st.DeploymentID == deploymentID {
				return badRequest("Active stages pointing to this deployment must be moved or deleted")
			}
		}
		key := subKey(apiID, deploymentID)
		if err := tx.Delete(bucketSnapshots, key); err != nil {
			return err
		}
		return tx.Delete(bucketDeployments, key)
	})
}
