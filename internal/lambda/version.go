package lambda

import (
	"context"
	"slices"
	"strconv"
	"strings"
)

// PublishVersionInput is a PublishVersion request.
type PublishVersionInput struct {
	FunctionName string
	// CodeSha256, when set, must be $LATEST's: a guard against publishing
	// code other than the caller expects.
	CodeSha256 string
	// Description replaces $LATEST's in the version; "" keeps it.
	Description string
	// RevisionID, when set, must be $LATEST's current one.
	RevisionID string
}

// PublishVersion snapshots $LATEST's code and configuration as the next
// version (1, 2, …). If nothing changed since the last version was
// published, that version is returned instead, as AWS does.
func (s *Service) PublishVersion(ctx context.Context, in PublishVersionInput) (*FunctionConfiguration, error) {
	name, qualifier, err := splitName(in.FunctionName, "")
	if err != nil {
		return nil, err
	}
	if qualifier != "" {
		return nil, validation("functionName", in.FunctionName, "Member must satisfy regular expression pattern: (arn:(aws[a-zA-Z-]*)?:lambda:)?([a-z]{2}(-gov)?-[a-z]+-\\d{1}:)?(\\d{12}:)?(function:)?([a-zA-Z0-9-_]+)")
	}
	var out FunctionConfiguration
	_, err = s.update(name, func(fn *function) error {
		if in.RevisionID != "" && in.RevisionID != fn.Config.RevisionID {
			return preconditionFailed()
		}
		if in.CodeSha256 != "" && in.CodeSha256 != fn.Config.CodeSha256 {
			return invalid("CodeSHA256 (%s) is different from current CodeSHA256 in $LATEST (%s). Please try again with the CodeSHA256 in $LATEST.", in.CodeSha256, fn.Config.CodeSha256)
		}
		out = fn.publish(in.Description).Config
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &out, nil
}

// publish appends a version made from $LATEST and returns it, or returns
// the newest version when $LATEST has not changed since it.
func (fn *function) publish(description string) *version {
	if n := len(fn.Versions); n > 0 && fn.Versions[n-1].From == fn.change() {
		return &fn.Versions[n-1]
	}
	fn.LastVersion++
	n := strconv.Itoa(fn.LastVersion)
	cfg := clone(fn.Config)
	cfg.Version = n
	cfg.FunctionArn = fn.Config.FunctionArn + ":" + n
	cfg.RevisionID = newUUID()
	cfg.LastUpdateStatus = ""
	if description != "" {
		cfg.Description = description
	}
	fn.Versions = append(fn.Versions, version{Config: cfg, Code: fn.Code, Layers: slices.Clone(fn.Layers), From: fn.change()})
	// Publishing changes $LATEST's revision, as on AWS.
	fn.Config.RevisionID = newUUID()
	return &fn.Versions[len(fn.Versions)-1]
}

// ListVersionsOutput is a page of ListVersionsByFunction.
type ListVersionsOutput struct {
	Versions   []FunctionConfiguration `json:"Versions"`
	NextMarker string                  `json:"NextMarker,omitempty"`
}

// ListVersionsByFunction lists $LATEST (with its qualified ARN) and then
// every published version, oldest first, 50 at most per page.
func (s *Service) ListVersionsByFunction(ctx context.Context, functionName, marker string, maxItems int) (*ListVersionsOutput, error) {
	name := nameOf(functionName)
	fn, err := s.load(name)
	if err != nil {
		return nil, s.notFoundUnqualified(name)
	}
	all := make([]FunctionConfiguration, 0, 1+len(fn.Versions))
	latest := fn.Config
	latest.FunctionArn = s.qualifiedARN(name, "$LATEST")
	all = append(all, latest)
	for _, v := range fn.Versions {
		all = append(all, v.Config)
	}
	page, next, err := paginate(all, marker, maxItems, func(c FunctionConfiguration) string { return c.FunctionArn })
	if err != nil {
		return nil, err
	}
	return &ListVersionsOutput{Versions: page, NextMarker: next}, nil
}

// deleteVersion removes one published version; $LATEST cannot go alone,
// and a version an alias points to cannot go at all.
func (s *Service) deleteVersion(ctx context.Context, name, qualifier string) error {
	if qualifier == "$LATEST" {
		return invalid("$LATEST version cannot be deleted without deleting the function.")
	}
	if !isVersionNumber(qualifier) {
		return validation("qualifier", qualifier, "Member must satisfy regular expression pattern: (|[a-zA-Z0-9$_-]+)")
	}
	_, err := s.update(name, func(fn *function) error {
		var users []string
		for _, a := range fn.Aliases {
			if a.FunctionVersion == qualifier || a.RoutingConfig != nil && a.RoutingConfig.AdditionalVersionWeights[qualifier] > 0 {
				users = append(users, a.Name)
			}
		}
		if len(users) > 0 {
			slices.Sort(users)
			return conflict("Unable to delete version because the following aliases reference it: [%s]", strings.Join(users, ", "))
		}
		fn.Versions = slices.DeleteFunc(fn.Versions, func(v version) bool { return v.Config.Version == qualifier })
		delete(fn.EventConfigs, qualifier)
		return nil
	})
	if err != nil {
		return err
	}
	s.retire(ctx, name, qualifier)
	return nil
}
