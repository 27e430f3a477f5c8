package console

import (
	"context"
	"fmt"
	"net/http"
	"strings"

	"github.com/cloudlet-dev/cloudlet/internal/apigw"
)

type apiRow struct {
	API    apigw.API
	Routes int
	URL    string
}

func (c *Console) apiList(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	apis, err := c.cfg.APIs.ListAPIs(ctx)
	if err != nil {
		return fmt.Errorf("list APIs: %w", err)
	}
	rows := make([]apiRow, 0, len(apis))
	for _, a := range apis {
		routes, err := c.cfg.APIs.ListRoutes(ctx, a.APIID)
		if err != nil {
			return fmt.Errorf("API %s: list routes: %w", a.APIID, err)
		}
		rows = append(rows, apiRow{API: a, Routes: len(routes), URL: c.cfg.APIEndpoint(a.APIID)})
	}
	c.render(w, r, http.StatusOK, "apis", "HTTP APIs", "apis", rows)
	return nil
}

type stageRow struct {
	apigw.Stage
	// URLs are the stage's host-form and path-form base URLs.
	HostURL, PathURL string
	Deployment       *apigw.Deployment
}

type routeRow struct {
	apigw.Route
	Integration *apigw.Integration
	Authorizer  *apigw.Authorizer
}

type integrationRow struct {
	apigw.Integration
	FunctionName, RoleName string
}

type routeMetricsRow struct {
	apigw.RouteMetrics
	AvgLatencyMs, AvgIntegrationMs float64
}

type apiPage struct {
	API          *apigw.API
	Stages       []stageRow
	Routes       []routeRow
	Integrations []integrationRow
	Authorizers  []apigw.Authorizer
	Metrics      []routeMetricsRow
	Requests     int64
	Cost         float64
	Prices       PriceTable
	Try          tryForm
	Result       *tryResult
}

// stagePrefix is the path prefix of a named stage; $default has none.
func stagePrefix(stage string) string {
	if stage == apigw.DefaultStage {
		return ""
	}
	return "/" + stage
}

// loadAPI gathers everything the API page shows.
func (c *Console) loadAPI(ctx context.Context, id string) (*apiPage, error) {
	api, err := c.cfg.APIs.GetAPI(ctx, id)
	if err != nil {
		return nil, err
	}
	p := &apiPage{API: api, Prices: Prices}
	stages, err := c.cfg.APIs.ListStages(ctx, id)
	if err != nil {
		return nil, fmt.Errorf("API %s: list stages: %w", id, err)
	}
	for _, s := range stages {
		row := stageRow{Stage: s,
			HostURL: c.cfg.APIEndpoint(id) + stagePrefix(s.StageName) + "/",
			PathURL: c.cfg.URL() + "/_aws/execute-api/" + id + stagePrefix(s.StageName) + "/"}
		if s.DeploymentID != "" {
			if d, err := c.cfg.APIs.GetDeployment(ctx, id, s.DeploymentID); err == nil {
				row.Deployment = d
			}
		}
		p.Stages = append(p.Stages, row)
	}
	integs, err := c.cfg.APIs.ListIntegrations(ctx, id)
	if err != nil {
		return nil, fmt.Errorf("API %s: list integrations: %w", id, err)
	}
	byID := map[string]*apigw.Integration{}
	for i := range integs {
		ig := integs[i]
		byID[ig.IntegrationID] = &integs[i]
		row := integrationRow{Integration: ig}
		if ig.IntegrationType == apigw.IntegrationAWSProxy && strings.Contains(ig.IntegrationURI, "function:") {
			row.FunctionName = functionNameOf(strings.TrimSuffix(ig.IntegrationURI, "/invocations"))
		}
		if i := strings.LastIndex(ig.CredentialsARN, "/"); i >= 0 {
			row.RoleName = ig.CredentialsARN[i+1:]
		}
		p.Integrations = append(p.Integrations, row)
	}
	auths, err := c.cfg.APIs.ListAuthorizers(ctx, id)
	if err != nil {
		return nil, fmt.Errorf("API %s: list authorizers: %w", id, err)
	}
	p.Authorizers = auths
	routes, err := c.cfg.APIs.ListRoutes(ctx, id)
	if err != nil {
		return nil, fmt.Errorf("API %s: list routes: %w", id, err)
	}
	for _, rt := range routes {
		row := routeRow{Route: rt}
		if target, ok := strings.CutPrefix(rt.Target, "integrations/"); ok {
			row.Integration = byID[target]
		}
		for i := range auths {
			if auths[i].AuthorizerID == rt.AuthorizerID {
				row.Authorizer = &auths[i]
			}
		}
		p.Routes = append(p.Routes, row)
	}
	for _, m := range c.cfg.APIs.Metrics(id) {
		row := routeMetricsRow{RouteMetrics: m}
		if m.Count > 0 {
			row.AvgLatencyMs = float64(m.LatencyMillis) / float64(m.Count)
			row.AvgIntegrationMs = float64(m.IntegrationLatencyMillis) / float64(m.Count)
		}
		p.Requests += m.Count
		p.Metrics = append(p.Metrics, row)
	}
	p.Cost = HTTPAPICost(p.Requests, Prices)
	p.Try = defaultTry(p)
	return p, nil
}

func (c *Console) apiPage(w http.ResponseWriter, r *http.Request) error {
	p, err := c.loadAPI(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	c.render(w, r, http.StatusOK, "api", p.API.Name, "apis", p)
	return nil
}
