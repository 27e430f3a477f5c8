package awsapi

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"

	"github.com/cloudlet-dev/cloudlet/internal/apigw"
	"github.com/cloudlet-dev/cloudlet/internal/awsapi/restjson"
	"github.com/cloudlet-dev/cloudlet/internal/awserr"
)

// serveAPIGatewayV2 maps apigatewayv2's REST-JSON paths (spec http-api
// §11.1) to the apigw Service. Bodies are the model's camelCase shapes,
// which the service's input and model types already carry.
func (h *Handler) serveAPIGatewayV2(c *call) error {
	r := c.r
	var segs []string
	for _, s := range strings.Split(strings.Trim(rawPath(r), "/"), "/") {
		if d, err := url.PathUnescape(s); err == nil {
			s = d
		}
		segs = append(segs, s)
	}
	if len(segs) < 2 || segs[0] != "v2" || segs[1] != "apis" {
		c.op = r.Method + " " + r.URL.Path
		return notImplemented(c, c.op)
	}
	c.op = r.Method + " /" + strings.Join(segs, "/")
	if h.cfg.APIGW == nil {
		return serviceMissing(c, c.op)
	}
	if err := h.authorize(c, "apigateway:"+r.Method, "arn:aws:apigateway:"+h.cfg.Region+"::/"+strings.Join(segs[1:], "/")); err != nil {
		return err
	}
	s, cx := h.cfg.APIGW, c.ctx()
	m := r.Method
	var apiID, coll, id, extra string
	if len(segs) > 2 {
		apiID = segs[2]
	}
	if len(segs) > 3 {
		coll = segs[3]
	}
	if len(segs) > 4 {
		id = segs[4]
	}
	if len(segs) > 5 {
		extra = strings.Join(segs[5:], "/")
	}
	reply := func(status int, v any, err error) error {
		if err != nil {
			return err
		}
		restjson.WriteJSON(c.w, status, v)
		return nil
	}
	gone := func(err error) error { return reply(http.StatusNoContent, nil, err) }
	switch {
	case apiID == "" && m == http.MethodGet:
		v, err := s.ListAPIs(cx)
		return reply(http.StatusOK, items(v), err)
	case apiID == "" && m == http.MethodPost:
		var in apigw.CreateAPIInput
		if err := decodeAPIGW(c, &in); err != nil {
			return err
		}
		v, err := s.CreateAPI(cx, in)
		return reply(http.StatusCreated, v, err)
	case apiID == "" && m == http.MethodPut:
		in, err := importInput(c)
		if err != nil {
			return err
		}
		v, err := s.ImportAPI(cx, in)
		return reply(http.StatusCreated, v, err)
	case coll == "":
		switch m {
		case http.MethodGet:
			v, err := s.GetAPI(cx, apiID)
			return reply(http.StatusOK, v, err)
		case http.MethodPatch:
			var in apigw.UpdateAPIInput
			if err := decodeAPIGW(c, &in); err != nil {
				return err
			}
			v, err := s.UpdateAPI(cx, apiID, in)
			return reply(http.StatusOK, v, err)
		case http.MethodPut:
			in, err := importInput(c)
			if err != nil {
				return err
			}
			v, err := s.ReimportAPI(cx, apiID, in)
			return reply(http.StatusCreated, v, err)
		case http.MethodDelete:
			return gone(s.DeleteAPI(cx, apiID))
		}
	case coll == "cors" && id == "" && m == http.MethodDelete:
		return gone(s.DeleteCorsConfiguration(cx, apiID))
	case coll == "stages" && extra == "accesslogsettings" && m == http.MethodDelete:
		return gone(s.DeleteAccessLogSettings(cx, apiID, id))
	case coll == "stages" && extra == "cache/authorizers" && m == http.MethodDelete:
		return gone(s.ResetAuthorizersCache(cx, apiID, id))
	case coll == "stages" && strings.HasPrefix(extra, "routesettings/") && m == http.MethodDelete:
		return gone(s.DeleteRouteSettings(cx, apiID, id, strings.TrimPrefix(extra, "routesettings/")))
	case extra != "":
	case coll == "routes":
		return apigwCollection(c, m, id, s.ListRoutes, s.CreateRoute, s.GetRoute, s.UpdateRoute, s.DeleteRoute, apiID)
	case coll == "integrations":
		return apigwCollection(c, m, id, s.ListIntegrations, s.CreateIntegration, s.GetIntegration, s.UpdateIntegration, s.DeleteIntegration, apiID)
	case coll == "stages":
		return apigwCollection(c, m, id, s.ListStages, s.CreateStage, s.GetStage, s.UpdateStage, s.DeleteStage, apiID)
	case coll == "deployments":
		return apigwCollection(c, m, id, s.ListDeployments, s.CreateDeployment, s.GetDeployment, s.UpdateDeployment, s.DeleteDeployment, apiID)
	case coll == "authorizers":
		return apigwCollection(c, m, id, s.ListAuthorizers, s.CreateAuthorizer, s.GetAuthorizer, s.UpdateAuthorizer, s.DeleteAuthorizer, apiID)
	}
	return notImplemented(c, c.op)
}

// items is a list answer: {"items": [...]}, never null.
func items[T any](v []T, _ ...any) map[string]any {
	if v == nil {
		v = []T{}
	}
	return map[string]any{"items": v}
}

// apigwCollection serves the five operations of one sub-resource kind.
func apigwCollection[T, C, U any](c *call, method, id string,
	list func(ctx context.Context, apiID string) ([]T, error),
	create func(ctx context.Context, apiID string, in C) (*T, error),
	get func(ctx context.Context, apiID, id string) (*T, error),
	update func(ctx context.Context, apiID, id string, in U) (*T, error),
	del func(ctx context.Context, apiID, id string) error,
	apiID string) error {
	cx := c.ctx()
	write := func(status int, v any, err error) error {
		if err != nil {
			return err
		}
		restjson.WriteJSON(c.w, status, v)
		return nil
	}
	switch {
	case id == "" && method == http.MethodGet:
		v, err := list(cx, apiID)
		return write(http.StatusOK, items(v), err)
	case id == "" && method == http.MethodPost:
		var in C
		if err := decodeAPIGW(c, &in); err != nil {
			return err
		}
		v, err := create(cx, apiID, in)
		return write(http.StatusCreated, v, err)
	case id != "" && method == http.MethodGet:
		v, err := get(cx, apiID, id)
		return write(http.StatusOK, v, err)
	case id != "" && method == http.MethodPatch:
		var in U
		if err := decodeAPIGW(c, &in); err != nil {
			return err
		}
		v, err := update(cx, apiID, id, in)
		return write(http.StatusOK, v, err)
	case id != "" && method == http.MethodDelete:
		return write(http.StatusNoContent, nil, del(cx, apiID, id))
	}
	return notImplemented(c, c.op)
}

func decodeAPIGW(c *call, v any) error {
	if len(c.body) == 0 {
		return nil
	}
	if err := json.Unmarshal(c.body, v); err != nil {
		return awserr.WithStatus(http.StatusBadRequest, apigw.CodeBadRequest, "Invalid request body: %v", err)
	}
	return nil
}

// importInput reads ImportApi/ReimportApi: {"body": "<OpenAPI text>"}
// with basepath and failOnWarnings in the query.
func importInput(c *call) (apigw.ImportAPIInput, error) {
	var b struct {
		Body string `json:"body"`
	}
	if err := decodeAPIGW(c, &b); err != nil {
		return apigw.ImportAPIInput{}, err
	}
	if !json.Valid([]byte(b.Body)) {
		return apigw.ImportAPIInput{}, notImplemented(c, "ImportApi with a YAML definition (send JSON)")
	}
	q := c.r.URL.Query()
	return apigw.ImportAPIInput{Body: []byte(b.Body), Basepath: q.Get("basepath"), FailOnWarnings: q.Get("failOnWarnings") == "true"}, nil
}
