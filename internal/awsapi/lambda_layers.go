package awsapi

import (
	"net/http"
	"strconv"

	"github.com/cloudlet-dev/cloudlet/internal/awserr"
	"github.com/cloudlet-dev/cloudlet/internal/lambda"
)

// Layers live under /2018-10-31/layers. Their download links, like
// functions', are made absolute on the host the client used.

func (h *Handler) lambdaPublishLayerVersion(c *call, rt lambdaRoute) error {
	var b struct {
		Description, LicenseInfo string
		Content                  struct {
			ZipFile                          []byte
			S3Bucket, S3Key, S3ObjectVersion string
		}
		CompatibleRuntimes      []string
		CompatibleArchitectures []string
	}
	if err := decodeJSON(c, &b); err != nil {
		return err
	}
	lv, err := h.cfg.Lambda.PublishLayerVersion(c.ctx(), lambda.PublishLayerVersionInput{LayerName: rt.layer,
		Description: b.Description, LicenseInfo: b.LicenseInfo, CompatibleRuntimes: b.CompatibleRuntimes,
		CompatibleArchitectures: b.CompatibleArchitectures,
		Content: lambda.Code{ZipFile: b.Content.ZipFile, S3Bucket: b.Content.S3Bucket, S3Key: b.Content.S3Key,
			S3ObjectVersion: b.Content.S3ObjectVersion}})
	if err != nil {
		return err
	}
	lv.Content.Location = absoluteURL(c, lv.Content.Location)
	return reply(c, http.StatusCreated, lv, nil)
}

// layerVersionNumber reads the {VersionNumber} of a layer path.
func layerVersionNumber(s string) (int64, error) {
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		return 0, awserr.New("ValidationException", "1 validation error detected: Value '%s' at 'versionNumber' failed to satisfy constraint: Member must be a number", s)
	}
	return n, nil
}

func (h *Handler) lambdaGetLayerVersion(c *call, rt lambdaRoute) error {
	n, err := layerVersionNumber(rt.id)
	if err != nil {
		return err
	}
	lv, err := h.cfg.Lambda.GetLayerVersion(c.ctx(), rt.layer, n)
	if err != nil {
		return err
	}
	lv.Content.Location = absoluteURL(c, lv.Content.Location)
	return reply(c, http.StatusOK, lv, nil)
}

func (h *Handler) lambdaGetLayerVersionByArn(c *call, rt lambdaRoute) error {
	if rt.id == "" {
		return awserr.New("ValidationException", "1 validation error detected: Value null at 'arn' failed to satisfy constraint: Member must not be null")
	}
	lv, err := h.cfg.Lambda.GetLayerVersionByArn(c.ctx(), rt.id)
	if err != nil {
		return err
	}
	lv.Content.Location = absoluteURL(c, lv.Content.Location)
	return reply(c, http.StatusOK, lv, nil)
}

// layerVersionsListItem is ListLayerVersions' item: a layer version
// without its content and layer ARN.
type layerVersionsListItem struct {
	LayerVersionArn         string   `json:"LayerVersionArn"`
	Version                 int64    `json:"Version"`
	Description             string   `json:"Description"`
	CreatedDate             string   `json:"CreatedDate"`
	CompatibleRuntimes      []string `json:"CompatibleRuntimes,omitempty"`
	LicenseInfo             string   `json:"LicenseInfo,omitempty"`
	CompatibleArchitectures []string `json:"CompatibleArchitectures,omitempty"`
}

func (h *Handler) lambdaListLayerVersions(c *call, rt lambdaRoute) error {
	n, err := maxItems(c)
	if err != nil {
		return err
	}
	q := c.r.URL.Query()
	out, err := h.cfg.Lambda.ListLayerVersions(c.ctx(), rt.layer, q.Get("CompatibleRuntime"), q.Get("CompatibleArchitecture"), q.Get("Marker"), n)
	if err != nil {
		return err
	}
	page := struct {
		LayerVersions []layerVersionsListItem `json:"LayerVersions"`
		NextMarker    string                  `json:"NextMarker,omitempty"`
	}{LayerVersions: []layerVersionsListItem{}, NextMarker: out.NextMarker}
	for _, lv := range out.LayerVersions {
		page.LayerVersions = append(page.LayerVersions, layerVersionsListItem{LayerVersionArn: lv.LayerVersionArn, Version: lv.Version,
			Description: lv.Description, CreatedDate: lv.CreatedDate, CompatibleRuntimes: lv.CompatibleRuntimes,
			LicenseInfo: lv.LicenseInfo, CompatibleArchitectures: lv.CompatibleArchitectures})
	}
	return reply(c, http.StatusOK, page, nil)
}

func (h *Handler) lambdaDeleteLayerVersion(c *call, rt lambdaRoute) error {
	n, err := layerVersionNumber(rt.id)
	if err != nil {
		return err
	}
	return reply(c, http.StatusNoContent, nil, h.cfg.Lambda.DeleteLayerVersion(c.ctx(), rt.layer, n))
}
