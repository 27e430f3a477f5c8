package apigw

import (
	"context"
	"fmt"
	"maps"

	"github.com/cloudlet-dev/cloudlet/internal/store"
)

// CreateStage adds a stage (CreateStage). An AutoDeploy stage gets its
// first deployment at once (AWS makes it shortly after, asynchronously;
// §2). Errors: BadRequestException for an invalid name or settings,
// ConflictException for a name in use, NotFoundException for an unknown
// API or deployment.
func (s *Service) CreateStage(ctx context.Context, apiID string, in CreateStageInput) (*Stage, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	var out *Stage
	err := s.update(apiID, func(tx *store.Tx) error {
		api, err := s.getAPI(tx, apiID)
		if err != nil {
			return err
		}
		out, err = s.createStage(tx, api, in, false)
		return err
	})
	return out, err
}

func (s *Service) createStage(tx *store.Tx, api *API, in CreateStageInput, managed bool) (*Stage, error) {
	if err := validateStageName(in.StageName); err != nil {
		return nil, err
	}
	if tx.GetRaw(bucketStages, subKey(api.APIID, in.StageName)) != nil {
		return nil, conflict("Stage %s already exists", in.StageName)
	}
	n := 0
	_ = tx.ForEach(bucketStages, api.APIID+"/", func(string, []byte) error { n++; return nil })
	if n >= maxStagesPerAPI {
		return nil, badRequest("Exceeded the maximum number of stages per API (%d)", maxStagesPerAPI)
	}
	if in.AutoDeploy && in.DeploymentID != "" {
		return nil, badRequest("DeploymentId cannot be set on a stage with AutoDeploy enabled")
	}
	now := s.timestamp()
	st := &Stage{
		StageName:            in.StageName,
		AutoDeploy:           in.AutoDeploy,
		CreatedDate:          now,
		LastUpdatedDate:      now,
		DefaultRouteSettings: in.DefaultRouteSettings,
		RouteSettings:        in.RouteSettings,
		StageVariables:       maps.Clone(in.StageVariables),
		Tags:                 maps.Clone(in.Tags),
		AccessLogSettings:    in.AccessLogSettings,
		Description:          in.Description,
		ClientCertificateID:  in.ClientCertificateID,
		APIGatewayManaged:    managed,
	}
	fillStageDefaults(st)
	if err := validateStage(st); err != nil {
		return nil, err
	}
	switch {
	case in.AutoDeploy:
		snap, err := takeSnapshot(tx, api)
		if err != nil {
			return nil, err
		}
		d, err := s.newDeployment(tx, api.APIID, snap, true, autoDeployDescription)
		if err != nil {
			return nil, err
		}
		s.pointStage(st, d)
	case in.DeploymentID != "":
		d, err := getSub[Deployment](tx, bucketDeployments, api.APIID, in.DeploymentID, deploymentNotFound)
		if err != nil {
			return nil, err
		}
		if d.DeploymentStatus != DeploymentDeployed {
			return nil, badRequest("Deployment %s is %s and cannot be served", d.DeploymentID, d.DeploymentStatus)
		}
		s.pointStage(st, d)
	}
	if err := tx.Put(bucketStages, subKey(api.APIID, st.StageName), st); err != nil {
		return nil, fmt.Errorf("create stage %s: %w", st.StageName, err)
	}
	return st, nil
}

// fillStageDefaults gives a stage the empty collections a new HTTP stage
// shows (§2: defaultRouteSettings {"detailedMetricsEnabled": false},
// routeSettings {}, stageVariables {}, tags {}).
func fillStageDefaults(st *Stage) {
	if st.DefaultRouteSettings == nil {
		st.DefaultRouteSettings = &RouteSettings{}
	}
	if st.DefaultRouteSettings.DetailedMetricsEnabled == nil {
		f := false
		st.DefaultRouteSettings.DetailedMetricsEnabled = &f
	}
	if st.RouteSettings == nil {
		st.RouteSettings = map[string]RouteSettings{}
	}
	if st.StageVariables == nil {
		st.StageVariables = map[string]string{}
	}
	if st.Tags == nil {
		st.Tags = map[string]string{}
	}
}

// validateStageName: $default, or 1–128 of [A-Za-z0-9_-] (§2; "stage/name",
// "$stage" and "" are rejected).
func validateStageName(name string) error {
	if name == DefaultStage {
		return nil
	}
	ok := name != "" && len(name) <= 128
	for i := 0; ok && i < len(name); i++ {
		c := name[i]
		ok = c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_'
	}
	if !ok {
		return badRequest("Invalid stage name %q: a stage name is $default or 1 to 128 characters of a-z, A-Z, 0-9, - and _", name)
	}
	return nil
}

func validateStage(st *Stage) error {
	if err := validateAccessLog(st.AccessLogSettings); err != nil {
		return err
	}
	if len(st.StageVariables) > maxStageVariables {
		return badRequest("A stage can have at most %d stage variables", maxStageVariables)
	}
	for k := range st.StageVariables {
		if k == "" || !isWord(k) {
			return badRequest("Invalid stage variable name %q: use a-z, A-Z, 0-9 and _", k)
		}
	}
	if len(st.Tags) > maxStageTags {
		return badRequest("A stage can have at most %d tags", maxStageTags)
	}
	if err := validateRouteSettings("DefaultRouteSettings", st.DefaultRouteSettings); err != nil {
		return err
	}
	for k, rs := range st.RouteSettings {
		if err := validateRouteSettings("RouteSettings["+k+"]", &rs); err != nil {
			return err
		}
	}
	return nil
}

func validateRouteSettings(what string, rs *RouteSettings) error {
	if rs == nil {
		return nil
	}
	if rs.ThrottlingBurstLimit != nil && *rs.ThrottlingBurstLimit < 0 {
		return badRequest("%s.ThrottlingBurstLimit must not be negative", what)
	}
	if rs.ThrottlingRateLimit != nil && *rs.ThrottlingRateLimit < 0 {
		return badRequest("%s.ThrottlingRateLimit must not be negative", what)
	}
	return nil
}

func isWord(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_') {
			return false
		}
	}
	return true
}

// GetStage returns one stage. Errors: NotFoundException.
func (s *Service) GetStage(ctx context.Context, apiID, stageName string) (*Stage, error) {
	var out *Stage
	err := s.view(ctx, apiID, func(tx *store.Tx) error {
		var err error
		out, err = getSub[Stage](tx, bucketStages, apiID, stageName, stageNotFound)
		return err
	})
	return out, err
}

// ListStages returns the API's stages in name order.
func (s *Service) ListStages(ctx context.Context, apiID string) ([]Stage, error) {
	var out []Stage
	err := s.view(ctx, apiID, func(tx *store.Tx) error {
		var err error
		out, err = listSub[Stage](tx, bucketStages, apiID)
		return err
	})
	return out, err
}

// UpdateStage changes the fields that are set (UpdateStage). Stage
// variables and route settings take effect at once; they are not part of
// a deployment. Turning AutoDeploy on deploys at once. Errors:
// NotFoundException, BadRequestException.
func (s *Service) UpdateStage(ctx context.Context, apiID, stageName string, in UpdateStageInput) (*Stage, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	var st *Stage
	err := s.update(apiID, func(tx *store.Tx) error {
		api, err := s.getAPI(tx, apiID)
		if err != nil {
			return err
		}
		if st, err = getSub[Stage](tx, bucketStages, apiID, stageName, stageNotFound); err != nil {
			return err
		}
		autoAfter := st.AutoDeploy
		set(&autoAfter, in.AutoDeploy)
		if in.DeploymentID != nil && autoAfter {
			// §2 [VAL]: AutoDeploy with DeploymentId, or DeploymentId on an AutoDeploy stage.
			return badRequest("DeploymentId cannot be set on a stage with AutoDeploy enabled")
		}
		turnedOn := autoAfter && !st.AutoDeploy
		st.AutoDeploy = autoAfter
		if in.DefaultRouteSettings != nil {
			st.DefaultRouteSettings = in.DefaultRouteSettings
		}
		if in.RouteSettings != nil {
			st.RouteSettings = in.RouteSettings
		}
		if in.StageVariables != nil {
			st.StageVariables = maps.Clone(in.StageVariables)
		}
		if in.AccessLogSettings != nil {
			st.AccessLogSettings = in.AccessLogSettings
			if *in.AccessLogSettings == (AccessLogSettings{}) {
				st.AccessLogSettings = nil
			}
		}
		set(&st.Description, in.Description)
		set(&st.ClientCertificateID, in.ClientCertificateID)
		fillStageDefaults(st)
		if err := validateStage(st); err != nil {
			return err
		}
		st.LastUpdatedDate = s.timestamp()
		switch {
		case turnedOn:
			snap, err := takeSnapshot(tx, api)
			if err != nil {
				return err
			}
			d, err := s.newDeployment(tx, apiID, snap, true, autoDeployDescription)
			if err != nil {
				return err
			}
			s.pointStage(st, d)
		case in.DeploymentID != nil:
			d, err := getSub[Deployment](tx, bucketDeployments, apiID, *in.DeploymentID, deploymentNotFound)
			if err != nil {
				return err
			}
			if d.DeploymentStatus != DeploymentDeployed {
				return badRequest("Deployment %s is %s and cannot be served", d.DeploymentID, d.DeploymentStatus)
			}
			s.pointStage(st, d)
		}
		if err := tx.Put(bucketStages, subKey(apiID, stageName), st); err != nil {
			return fmt.Errorf("update stage %s: %w", stageName, err)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return st, nil
}

// DeleteStage removes a stage; its deployments stay. Errors:
// NotFoundException.
func (s *Service) DeleteStage(ctx context.Context, apiID, stageName string) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	return s.update(apiID, func(tx *store.Tx) error {
		if _, err := s.getAPI(tx, apiID); err != nil {
			return err
		}
		if _, err := getSub[Stage](tx, bucketStages, apiID, stageName, stageNotFound); err != nil {
			return err
		}
		return tx.Delete(bucketStages, subKey(apiID, stageName))
	})
}

// DeleteAccessLogSettings removes a stage's access log settings.
func (s *Service) DeleteAccessLogSettings(ctx context.Context, apiID, stageName string) error {
	_, err := s.UpdateStage(ctx, apiID, stageName, UpdateStageInput{AccessLogSettings: &AccessLogSettings{}})
	return err
}

// DeleteRouteSettings removes one route's settings from a stage.
func (s *Service) DeleteRouteSettings(ctx context.Context, apiID, stageName, routeKey string) error {
	st, err := s.GetStage(ctx, apiID, stageName)
	if err != nil {
		return err
	}
	if _, ok := st.RouteSettings[routeKey]; !ok {
		return notFound("Invalid route settings identifier specified %s", routeKey)
	}
	rs := maps.Clone(st.RouteSettings)
	delete(rs, routeKey)
	_, err = s.UpdateStage(ctx, apiID, stageName, UpdateStageInput{RouteSettings: rs})
	return err
}
