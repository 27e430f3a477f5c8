package iam

import (
	_ "embed"
	"encoding/json"
	"fmt"
	"sort"
	"time"

	"github.com/cloudlet-dev/cloudlet/internal/iam/policy"
)

// catalogJSON holds the AWS managed policies users commonly attach, with
// the default version's document and metadata as AWS publishes them (AWS
// Managed Policy Reference; versions as of 2026-02). ReadOnlyAccess is
// trimmed to the read actions of the services cloudlet runs — the real
// document lists well over a thousand.
//
//go:embed catalog.json
var catalogJSON []byte

type catalogEntry struct {
	PolicyName       string
	PolicyID         string `json:"PolicyId"`
	Path             string
	DefaultVersionID string `json:"DefaultVersionId"`
	Description      string
	CreateDate       time.Time
	UpdateDate       time.Time
	Document         json.RawMessage
}

// catalog is the parsed AWS managed policy set, keyed by ARN in the
// service's partition.
type catalog struct {
	byARN  map[string]*catalogPolicy
	sorted []*catalogPolicy // by name, for listing
}

type catalogPolicy struct {
	policy   Policy // AttachmentCount filled in per request
	document string
	parsed   *policy.Policy
}

func loadCatalog(partition string) (*catalog, error) {
	var entries []catalogEntry
	if err := json.Unmarshal(catalogJSON, &entries); err != nil {
		return nil, fmt.Errorf("load AWS managed policy catalog: %w", err)
	}
	c := &catalog{byARN: make(map[string]*catalogPolicy, len(entries))}
	for _, e := range entries {
		doc := string(e.Document)
		parsed, err := policy.Parse(doc, policy.Identity)
		if err != nil {
			return nil, fmt.Errorf("load AWS managed policy %s: %w", e.PolicyName, err)
		}
		arn := fmt.Sprintf("arn:%s:iam::aws:policy%s%s", partition, e.Path, e.PolicyName)
		cp := &catalogPolicy{
			policy: Policy{
				PolicyName:       e.PolicyName,
				PolicyID:         e.PolicyID,
				ARN:              arn,
				Path:             e.Path,
				DefaultVersionID: e.DefaultVersionID,
				IsAttachable:     true,
				Description:      e.Description,
				CreateDate:       e.CreateDate,
				UpdateDate:       e.UpdateDate,
			},
			document: doc,
			parsed:   parsed,
		}
		c.byARN[arn] = cp
		c.sorted = append(c.sorted, cp)
	}
	sort.Slice(c.sorted, func(i, j int) bool { return c.sorted[i].policy.PolicyName < c.sorted[j].policy.PolicyName })
	return c, nil
}
