package awsapi

import (
	"net/http"

	"github.com/cloudlet-dev/cloudlet/internal/lambda"
)

// Versions and aliases: PublishVersion and CreateAlias answer 201, the
// deletes 204, everything else 200 (botocore's lambda model).

func (h *Handler) lambdaPublishVersion(c *call, rt lambdaRoute) error {
	var b struct {
		CodeSha256, Description string
		RevisionID              string `json:"RevisionId"`
	}
	if err := decodeJSON(c, &b); err != nil {
		return err
	}
	v, err := h.cfg.Lambda.PublishVersion(c.ctx(), lambda.PublishVersionInput{FunctionName: rt.function,
		CodeSha256: b.CodeSha256, Description: b.Description, RevisionID: b.RevisionID})
	return reply(c, http.StatusCreated, v, err)
}

func (h *Handler) lambdaListVersions(c *call, rt lambdaRoute) error {
	n, err := maxItems(c)
	if err != nil {
		return err
	}
	out, err := h.cfg.Lambda.ListVersionsByFunction(c.ctx(), rt.function, c.r.URL.Query().Get("Marker"), n)
	if err == nil && out.Versions == nil {
		out.Versions = []lambda.FunctionConfiguration{}
	}
	return reply(c, http.StatusOK, out, err)
}

// aliasBody is CreateAlias's and UpdateAlias's request; Update leaves
// absent members as they are.
type aliasBody struct {
	Name                         string
	FunctionVersion, Description *string
	RoutingConfig                *lambda.AliasRoutingConfiguration
	RevisionID                   string `json:"RevisionId"`
}

func (h *Handler) lambdaCreateAlias(c *call, rt lambdaRoute) error {
	var b aliasBody
	if err := decodeJSON(c, &b); err != nil {
		return err
	}
	in := lambda.CreateAliasInput{FunctionName: rt.function, Name: b.Name, RoutingConfig: b.RoutingConfig}
	if b.FunctionVersion != nil {
		in.FunctionVersion = *b.FunctionVersion
	}
	if b.Description != nil {
		in.Description = *b.Description
	}
	a, err := h.cfg.Lambda.CreateAlias(c.ctx(), in)
	return reply(c, http.StatusCreated, a, err)
}

func (h *Handler) lambdaGetAlias(c *call, rt lambdaRoute) error {
	a, err := h.cfg.Lambda.GetAlias(c.ctx(), rt.function, rt.id)
	return reply(c, http.StatusOK, a, err)
}

func (h *Handler) lambdaUpdateAlias(c *call, rt lambdaRoute) error {
	var b aliasBody
	if err := decodeJSON(c, &b); err != nil {
		return err
	}
	a, err := h.cfg.Lambda.UpdateAlias(c.ctx(), lambda.UpdateAliasInput{FunctionName: rt.function, Name: rt.id,
		FunctionVersion: b.FunctionVersion, Description: b.Description, RoutingConfig: b.RoutingConfig, RevisionID: b.RevisionID})
	return reply(c, http.StatusOK, a, err)
}

func (h *Handler) lambdaDeleteAlias(c *call, rt lambdaRoute) error {
	return reply(c, http.StatusNoContent, nil, h.cfg.Lambda.DeleteAlias(c.ctx(), rt.function, rt.id))
}

func (h *Handler) lambdaListAliases(c *call, rt lambdaRoute) error {
	n, err := maxItems(c)
	if err != nil {
		return err
	}
	q := c.r.URL.Query()
	out, err := h.cfg.Lambda.ListAliases(c.ctx(), rt.function, q.Get("FunctionVersion"), q.Get("Marker"), n)
	if err == nil && out.Aliases == nil {
		out.Aliases = []lambda.AliasConfiguration{}
	}
	return reply(c, http.StatusOK, out, err)
}
