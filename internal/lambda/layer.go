package lambda

import (
	"context"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/cloudlet-dev/cloudlet/internal/store"
)

// LayerVersion is one published version of a layer (spec lambda §2.7:
// its contents are what a function sees under /opt).
type LayerVersion struct {
	LayerArn                string              `json:"LayerArn"`
	LayerVersionArn         string              `json:"LayerVersionArn"`
	Version                 int64               `json:"Version"`
	Description             string              `json:"Description"`
	CreatedDate             string              `json:"CreatedDate"`
	Content                 LayerVersionContent `json:"Content"`
	CompatibleRuntimes      []string            `json:"CompatibleRuntimes,omitempty"`
	CompatibleArchitectures []string            `json:"CompatibleArchitectures,omitempty"`
	LicenseInfo             string              `json:"LicenseInfo,omitempty"`
}

// LayerVersionContent says where a layer version's archive is.
type LayerVersionContent struct {
	Location   string `json:"Location"`
	CodeSha256 string `json:"CodeSha256"`
	CodeSize   int64  `json:"CodeSize"`
}

// PublishLayerVersionInput is a PublishLayerVersion request. Content is
// a zip archive's bytes (ZipFile), an S3 object (S3Bucket, S3Key), or a
// local folder used in place (LocalDir, for cloudlet up); inline source
// is refused.
type PublishLayerVersionInput struct {
	LayerName, Description, LicenseInfo string
	Content                             Code
	CompatibleRuntimes                  []string
	CompatibleArchitectures             []string
}

type layerRecord struct {
	Layer LayerVersion
	Code  codeRecord
}

const (
	bucketLayers    = "lambda.layers"     // name "/" %010d version → layerRecord
	bucketLayerNext = "lambda.layers.seq" // name → last version number
	maxLayers       = 5
)

var (
	layerNameRE = regexp.MustCompile(`^[a-zA-Z0-9-_]{1,140}$`)
	layerARNRE  = regexp.MustCompile(`^arn:[a-zA-Z0-9-]+:lambda:([a-zA-Z0-9-]+):(\d{12}):layer:([a-zA-Z0-9-_]+)(?::([0-9]+))?$`)
)

func layerKey(name string, v int64) string { return fmt.Sprintf("%s/%010d", name, v) }

func (s *Service) layerARN(name string) string {
	return fmt.Sprintf("arn:%s:lambda:%s:%s:layer:%s", partition(s.cfg.Region), s.cfg.Region, s.cfg.AccountID, name)
}

// layerName accepts a layer name or its ARN (without version).
func layerName(nameOrARN string) (string, error) {
	if m := layerARNRE.FindStringSubmatch(nameOrARN); m != nil && m[4] == "" {
		return m[3], nil
	}
	if layerNameRE.MatchString(nameOrARN) {
		return nameOrARN, nil
	}
	return "", validation("layerName", nameOrARN, "Member must satisfy regular expression pattern: (arn:[a-zA-Z0-9-]+:lambda:[a-zA-Z0-9-]+:\\d{12}:layer:[a-zA-Z0-9-_]+)|[a-zA-Z0-9-_]+")
}

// PublishLayerVersion unpacks the archive once and records it as the
// layer's next version; versions count from 1 and are never reused.
func (s *Service) PublishLayerVersion(ctx context.Context, in PublishLayerVersionInput) (*LayerVersion, error) {
	name, err := layerName(in.LayerName)
	if err != nil {
		return nil, err
	}
	for _, rt := range in.CompatibleRuntimes {
		if !slices.Contains(runtimes, rt) && !slices.Contains(retired, rt) {
			return nil, validation("compatibleRuntimes", rt, "Member must satisfy enum value set: ["+strings.Join(runtimes, ", ")+"]")
		}
	}
	for _, a := range in.CompatibleArchitectures {
		if a != "x86_64" && a != "arm64" {
			return nil, validation("compatibleArchitectures", a, "Member must satisfy constraint: [Member must satisfy enum value set: [x86_64, arm64]]")
		}
	}
	c := in.Content
	if c.InlineSource != nil || c.LocalDir == "" && c.ZipFile == nil && (c.S3Bucket == "" || c.S3Key == "") {
		return nil, invalid("Please provide a source for layer content.")
	}
	code, err := s.storeCode(ctx, c, "")
	if err != nil {
		return nil, err
	}
	var out LayerVersion
	err = s.cfg.DB.Update(func(tx *store.Tx) error {
		var last int64
		if _, err := tx.Get(bucketLayerNext, name, &last); err != nil {
			return err
		}
		last++
		out = LayerVersion{
			LayerArn: s.layerARN(name), LayerVersionArn: s.layerARN(name) + ":" + strconv.FormatInt(last, 10),
			Version: last, Description: in.Description, CreatedDate: lastModified(s.now()),
			Content:            LayerVersionContent{CodeSha256: code.Sha256, CodeSize: code.Size},
			CompatibleRuntimes: in.CompatibleRuntimes, CompatibleArchitectures: in.CompatibleArchitectures,
			LicenseInfo: in.LicenseInfo,
		}
		if err := tx.Put(bucketLayerNext, name, last); err != nil {
			return err
		}
		return tx.Put(bucketLayers, layerKey(name, last), layerRecord{Layer: out, Code: *code})
	})
	if err != nil {
		return nil, fmt.Errorf("publish layer version %s: %w", name, err)
	}
	out.Content.Location = s.layerLocation(name, out.Version)
	return &out, nil
}

func layerVersionNotFound() error {
	return resourceNotFound("The resource you requested does not exist.")
}

func (s *Service) loadLayer(name string, v int64) (*layerRecord, error) {
	if v < 1 {
		return nil, invalid("Layer Version Cannot be less than 1")
	}
	var rec layerRecord
	var ok bool
	err := s.cfg.DB.View(func(tx *store.Tx) error {
		var err error
		ok, err = tx.Get(bucketLayers, layerKey(name, v), &rec)
		return err
	})
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, layerVersionNotFound()
	}
	return &rec, nil
}

// GetLayerVersion returns one version of a layer (by name or layer ARN).
func (s *Service) GetLayerVersion(ctx context.Context, layerNameOrARN string, v int64) (*LayerVersion, error) {
	name, err := layerName(layerNameOrARN)
	if err != nil {
		return nil, err
	}
	rec, err := s.loadLayer(name, v)
	if err != nil {
		return nil, err
	}
	// The link is signed when asked for: a stored one would lapse.
	rec.Layer.Content.Location = s.layerLocation(name, v)
	return &rec.Layer, nil
}

// GetLayerVersionByArn returns the layer version a version ARN names.
func (s *Service) GetLayerVersionByArn(ctx context.Context, arn string) (*LayerVersion, error) {
	m := layerARNRE.FindStringSubmatch(arn)
	if m == nil || m[4] == "" {
		return nil, validation("arn", arn, "Member must satisfy regular expression pattern: arn:(aws[a-zA-Z-]*)?:lambda:[a-z]{2}((-gov)|(-iso(b?)))?-[a-z]+-\\d{1}:\\d{12}:layer:[a-zA-Z0-9-_]+:[0-9]+")
	}
	if m[1] != s.cfg.Region || m[2] != s.cfg.AccountID {
		return nil, layerVersionNotFound()
	}
	v, _ := strconv.ParseInt(m[4], 10, 64)
	return s.GetLayerVersion(ctx, m[3], v)
}

// ListLayerVersionsOutput is a page of layer versions, newest first.
type ListLayerVersionsOutput struct {
	LayerVersions []LayerVersion `json:"LayerVersions"`
	NextMarker    string         `json:"NextMarker,omitempty"`
}

// ListLayerVersions lists a layer's versions, newest first; runtime and
// architecture, when set, keep the versions declared compatible.
func (s *Service) ListLayerVersions(ctx context.Context, layerNameOrARN, runtime, architecture, marker string, maxItems int) (*ListLayerVersionsOutput, error) {
	name, err := layerName(layerNameOrARN)
	if err != nil {
		return nil, err
	}
	var all []LayerVersion
	err = s.cfg.DB.View(func(tx *store.Tx) error {
		recs, err := store.List[layerRecord](tx, bucketLayers, name+"/")
		for _, r := range recs {
			if runtime != "" && !slices.Contains(r.Layer.CompatibleRuntimes, runtime) ||
				architecture != "" && !slices.Contains(r.Layer.CompatibleArchitectures, architecture) {
				continue
			}
			r.Layer.Content.Location = s.layerLocation(name, r.Layer.Version)
			all = append(all, r.Layer)
		}
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("list layer versions of %s: %w", name, err)
	}
	slices.Reverse(all)
	page, next, err := paginate(all, marker, maxItems, func(l LayerVersion) string { return l.LayerVersionArn })
	if err != nil {
		return nil, err
	}
	if page == nil {
		page = []LayerVersion{}
	}
	return &ListLayerVersionsOutput{LayerVersions: page, NextMarker: next}, nil
}

// DeleteLayerVersion removes a layer version. Functions that use it keep
// their copy, as on AWS; deleting a version that does not exist succeeds.
func (s *Service) DeleteLayerVersion(ctx context.Context, layerNameOrARN string, v int64) error {
	name, err := layerName(layerNameOrARN)
	if err != nil {
		return err
	}
	if v < 1 {
		return invalid("Layer Version Cannot be less than 1")
	}
	return s.cfg.DB.Update(func(tx *store.Tx) error { return tx.Delete(bucketLayers, layerKey(name, v)) })
}

// resolveLayers checks a function's layer ARNs (at most 5, existing, in
// this account and region, one version per layer) and returns their
// unpacked folders and the configuration's Layers.
func (s *Service) resolveLayers(arns []string) ([]codeRecord, []Layer, error) {
	if len(arns) == 0 {
		return nil, nil, nil
	}
	if len(arns) > maxLayers {
		return nil, nil, invalid("Cannot reference more than 5 layers.")
	}
	seen := map[string]string{}
	var dirs []codeRecord
	var refs []Layer
	for _, arn := range arns {
		m := layerARNRE.FindStringSubmatch(arn)
		if m == nil || m[4] == "" {
			return nil, nil, validation("layers", "["+arn+"]", "Member must satisfy constraint: [Member must have length less than or equal to 140, Member must have length greater than or equal to 1, Member must satisfy regular expression pattern: (arn:[a-zA-Z0-9-]+:lambda:[a-zA-Z0-9-]+:\\d{12}:layer:[a-zA-Z0-9-_]+:[0-9]+)|(arn:[a-zA-Z0-9-]+:lambda:::awslayer:[a-zA-Z0-9-_]+), Member must not be null]")
		}
		if m[1] != s.cfg.Region {
			return nil, nil, invalid("Layers are not in the same region as the function. Layers are expected to be in region %s.", s.cfg.Region)
		}
		base := strings.TrimSuffix(arn, ":"+m[4])
		if prev, ok := seen[base]; ok {
			return nil, nil, invalid("Two different versions of the same layer are not allowed to be referenced in the same function. %s and %s are versions of the same layer.", prev, arn)
		}
		seen[base] = arn
		v, _ := strconv.ParseInt(m[4], 10, 64)
		var rec *layerRecord
		var err error
		if m[2] == s.cfg.AccountID {
			rec, err = s.loadLayer(m[3], v)
		}
		if rec == nil || err != nil {
			return nil, nil, invalid("Layer version %s does not exist.", arn)
		}
		dirs = append(dirs, rec.Code)
		refs = append(refs, Layer{Arn: arn, CodeSize: rec.Layer.Content.CodeSize})
	}
	return dirs, refs, nil
}
