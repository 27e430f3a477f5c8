package provider

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/cloudlet-dev/cloudlet/internal/iam"
	"github.com/cloudlet-dev/cloudlet/internal/stack"
)

// Role is AWS::IAM::Role (spec cloudformation §6.4): the role, its inline
// Policies and its ManagedPolicyArns. Ref is the role name.
type Role struct{ IAM *iam.Service }

var (
	_ stack.Updater = Role{}
	_ stack.Planner = Role{}
)

// PlannedID is the RoleName, or {stack}-{LogicalId}-{suffix}.
func (Role) PlannedID(req *stack.Request) (string, error) {
	name, err := newProps(req.LogicalID, req.Properties).str("RoleName")
	if name == "" && err == nil {
		name = req.PhysicalName(64)
	}
	return name, err
}

func (Role) Schema() stack.Schema {
	return stack.Schema{
		Required: []string{"AssumeRolePolicyDocument"},
		Properties: []string{"AssumeRolePolicyDocument", "Description", "ManagedPolicyArns", "MaxSessionDuration",
			"Path", "PermissionsBoundary", "Policies", "RoleName", "Tags"},
		CreateOnly:      []string{"Path", "RoleName"},
		Attributes:      []string{"Arn", "RoleId"},
		NeedsCapability: stack.CapabilityIAM,
		NameProperty:    "RoleName",
	}
}

type inlinePolicy struct{ name, document string }

// roleSpec is a Role's properties, read.
type roleSpec struct {
	in      iam.CreateRoleInput
	inline  []inlinePolicy
	managed []string
}

func readRole(req *stack.Request, name string) (*roleSpec, error) {
	p := newProps(req.LogicalID, req.Properties)
	spec := &roleSpec{}
	var err error
	spec.in.RoleName = name
	if spec.in.AssumeRolePolicyDocument, err = p.jsonText("AssumeRolePolicyDocument"); err != nil {
		return nil, err
	}
	if spec.in.Path, err = p.str("Path"); err != nil {
		return nil, err
	}
	if spec.in.Description, err = p.str("Description"); err != nil {
		return nil, err
	}
	msd, err := p.integer("MaxSessionDuration")
	if err != nil {
		return nil, err
	}
	spec.in.MaxSessionDuration = int32(msd)
	if spec.in.PermissionsBoundary, err = p.str("PermissionsBoundary"); err != nil {
		return nil, err
	}
	tags, err := p.tags("Tags")
	if err != nil {
		return nil, err
	}
	for _, k := range sortedKeys(tags) {
		spec.in.Tags = append(spec.in.Tags, iam.Tag{Key: k, Value: tags[k]})
	}
	if spec.managed, err = p.strList("ManagedPolicyArns"); err != nil {
		return nil, err
	}
	if spec.inline, err = readInline(p, "Policies"); err != nil {
		return nil, err
	}
	return spec, nil
}

// readInline reads a list of {PolicyName, PolicyDocument}.
func readInline(p props, key string) ([]inlinePolicy, error) {
	v, ok := p.m[key]
	if !ok || v == nil {
		return nil, nil
	}
	list, ok := v.([]any)
	if !ok {
		return nil, p.typeError(key, "JSONArray", v)
	}
	var out []inlinePolicy
	for i, it := range list {
		m, ok := it.(map[string]any)
		if !ok {
			return nil, p.typeError(fmt.Sprintf("%s/%d", key, i), "JSONObject", it)
		}
		pp := props{p.logicalID, m}
		name, err := pp.str("PolicyName")
		if err != nil {
			return nil, err
		}
		doc, err := pp.jsonText("PolicyDocument")
		if err != nil {
			return nil, err
		}
		if name == "" || doc == "" {
			return nil, stack.Reasonf("Properties validation failed for resource %s with message: #/%s/%d: required key [PolicyName, PolicyDocument] not found", p.logicalID, key, i)
		}
		out = append(out, inlinePolicy{name, doc})
	}
	return out, nil
}

func (r Role) Create(ctx context.Context, req *stack.Request) (*stack.Result, error) {
	name, err := r.PlannedID(req)
	if err != nil {
		return nil, err
	}
	spec, err := readRole(req, name)
	if err != nil {
		return nil, err
	}
	role, err := r.IAM.CreateRole(ctx, spec.in)
	if err != nil {
		return nil, err
	}
	if err := r.apply(ctx, name, nil, spec); err != nil {
		// Leave nothing half-made: the create failed as a whole.
		_ = r.Delete(ctx, &stack.Request{PhysicalID: name})
		return nil, err
	}
	return roleResult(role), nil
}

// apply brings the role's inline and managed policies from old to spec.
func (r Role) apply(ctx context.Context, name string, old, spec *roleSpec) error {
	for _, ip := range spec.inline {
		if err := r.IAM.PutRolePolicy(ctx, name, ip.name, ip.document); err != nil {
			return err
		}
	}
	for _, arn := range spec.managed {
		if old != nil && slices.Contains(old.managed, arn) {
			continue
		}
		if err := r.IAM.AttachRolePolicy(ctx, name, arn); err != nil {
			return err
		}
	}
	if old == nil {
		return nil
	}
	for _, ip := range old.inline {
		if !slices.ContainsFunc(spec.inline, func(n inlinePolicy) bool { return n.name == ip.name }) {
			if err := ignoreNotFound(r.IAM.DeleteRolePolicy(ctx, name, ip.name)); err != nil {
				return err
			}
		}
	}
	for _, arn := range old.managed {
		if !slices.Contains(spec.managed, arn) {
			if err := ignoreNotFound(r.IAM.DetachRolePolicy(ctx, name, arn)); err != nil {
				return err
			}
		}
	}
	return nil
}

func roleResult(role *iam.Role) *stack.Result {
	return &stack.Result{PhysicalID: role.RoleName, Attributes: map[string]any{"Arn": role.ARN, "RoleId": role.RoleID}}
}

func (r Role) Update(ctx context.Context, req *stack.Request) (*stack.Result, error) {
	spec, err := readRole(req, req.PhysicalID)
	if err != nil {
		return nil, err
	}
	old, err := readRole(&stack.Request{LogicalID: req.LogicalID, Properties: req.OldProperties}, req.PhysicalID)
	if err != nil {
		old = &roleSpec{}
	}
	if err := r.IAM.UpdateAssumeRolePolicy(ctx, req.PhysicalID, spec.in.AssumeRolePolicyDocument); err != nil {
		return nil, err
	}
	upd := iam.UpdateRoleInput{RoleName: req.PhysicalID, Description: &spec.in.Description}
	if spec.in.MaxSessionDuration != 0 {
		upd.MaxSessionDuration = &spec.in.MaxSessionDuration
	}
	if err := r.IAM.UpdateRole(ctx, upd); err != nil {
		return nil, err
	}
	if err := r.apply(ctx, req.PhysicalID, old, spec); err != nil {
		return nil, err
	}
	role, err := r.IAM.GetRole(ctx, req.PhysicalID)
	if err != nil {
		return nil, err
	}
	return roleResult(role), nil
}

// Delete detaches and deletes the role's policies first, as IAM requires
// (DeleteConflict otherwise).
func (r Role) Delete(ctx context.Context, req *stack.Request) error {
	name := req.PhysicalID
	inline, err := r.IAM.ListRolePolicies(ctx, name)
	if err != nil {
		return ignoreNotFound(err)
	}
	var errs []error
	for _, p := range inline {
		errs = append(errs, ignoreNotFound(r.IAM.DeleteRolePolicy(ctx, name, p)))
	}
	attached, err := r.IAM.ListAttachedRolePolicies(ctx, name)
	if err != nil {
		return ignoreNotFound(err)
	}
	for _, p := range attached {
		errs = append(errs, ignoreNotFound(r.IAM.DetachRolePolicy(ctx, name, p.PolicyARN)))
	}
	if err := errors.Join(errs...); err != nil {
		return err
	}
	return ignoreNotFound(r.IAM.DeleteRole(ctx, name))
}

// Policy is AWS::IAM::Policy (spec cloudformation §6.5): an inline policy
// put on each of its Roles.
type Policy struct{ IAM *iam.Service }

var (
	_ stack.Updater = Policy{}
	_ stack.Planner = Policy{}
)

// PlannedID is the legacy short physical ID (spec cloudformation §6.0):
// {first 5 of the stack}-{first 4 of the logical ID}-{suffix}.
func (Policy) PlannedID(req *stack.Request) (string, error) {
	gen := req.PhysicalName(64)
	return shortName(req.Stack.Name, 5) + "-" + shortName(req.LogicalID, 4) + "-" + gen[len(gen)-12:], nil
}

func (Policy) Schema() stack.Schema {
	return stack.Schema{
		Required:        []string{"PolicyDocument", "PolicyName"},
		Properties:      []string{"Groups", "PolicyDocument", "PolicyName", "Roles", "Users"},
		Attributes:      []string{"Id"},
		NeedsCapability: stack.CapabilityIAM,
	}
}

type policySpec struct {
	name, document string
	roles          []string
}

func readPolicy(req *stack.Request) (*policySpec, error) {
	p := newProps(req.LogicalID, req.Properties)
	var s policySpec
	var err error
	if s.name, err = p.str("PolicyName"); err != nil {
		return nil, err
	}
	if s.document, err = p.jsonText("PolicyDocument"); err != nil {
		return nil, err
	}
	if s.roles, err = p.strList("Roles"); err != nil {
		return nil, err
	}
	users, _ := p.strList("Users")
	groups, _ := p.strList("Groups")
	if len(s.roles) == 0 && len(users) == 0 && len(groups) == 0 {
		return nil, stack.Reasonf("At least one of [Groups,Roles,Users] must be non-empty.")
	}
	if len(users) > 0 || len(groups) > 0 {
		return nil, stack.Reasonf("Properties validation failed for resource %s with message: IAM users and groups are not supported by cloudlet; attach the policy to Roles", req.LogicalID)
	}
	for i, r := range s.roles {
		s.roles[i] = roleNameOf(r)
	}
	return &s, nil
}

// roleNameOf accepts a role name or ARN.
func roleNameOf(s string) string {
	if i := lastSlash(s); i >= 0 && len(s) > 4 && s[:4] == "arn:" {
		return s[i+1:]
	}
	return s
}

func lastSlash(s string) int {
	for i := len(s) - 1; i >= 0; i-- {
		if s[i] == '/' {
			return i
		}
	}
	return -1
}

func (p Policy) Create(ctx context.Context, req *stack.Request) (*stack.Result, error) {
	s, err := readPolicy(req)
	if err != nil {
		return nil, err
	}
	for _, role := range s.roles {
		if err := p.IAM.PutRolePolicy(ctx, role, s.name, s.document); err != nil {
			return nil, err
		}
	}
	id, _ := p.PlannedID(req)
	return &stack.Result{PhysicalID: id, Attributes: map[string]any{"Id": id}}, nil
}

func shortName(s string, n int) string {
	if len(s) > n {
		return s[:n]
	}
	return s
}

func (p Policy) Update(ctx context.Context, req *stack.Request) (*stack.Result, error) {
	s, err := readPolicy(req)
	if err != nil {
		return nil, err
	}
	if old, err := readPolicy(&stack.Request{LogicalID: req.LogicalID, Properties: req.OldProperties}); err == nil {
		for _, role := range old.roles {
			if old.name != s.name || !slices.Contains(s.roles, role) {
				if err := ignoreNotFound(p.IAM.DeleteRolePolicy(ctx, role, old.name)); err != nil {
					return nil, err
				}
			}
		}
	}
	for _, role := range s.roles {
		if err := p.IAM.PutRolePolicy(ctx, role, s.name, s.document); err != nil {
			return nil, err
		}
	}
	return &stack.Result{PhysicalID: req.PhysicalID, Attributes: map[string]any{"Id": req.PhysicalID}}, nil
}

func (p Policy) Delete(ctx context.Context, req *stack.Request) error {
	s, err := readPolicy(req)
	if err != nil {
		return nil
	}
	var errs []error
	for _, role := range s.roles {
		errs = append(errs, ignoreNotFound(p.IAM.DeleteRolePolicy(ctx, role, s.name)))
	}
	return errors.Join(errs...)
}

// ManagedPolicy is AWS::IAM::ManagedPolicy: a customer managed policy,
// attached to its Roles. Ref is the policy ARN.
type ManagedPolicy struct{ IAM *iam.Service }

var _ stack.Planner = ManagedPolicy{}

// PlannedID is the policy's ARN.
func (ManagedPolicy) PlannedID(req *stack.Request) (string, error) {
	p := newProps(req.LogicalID, req.Properties)
	name, err := p.str("ManagedPolicyName")
	if err != nil {
		return "", err
	}
	if name == "" {
		name = req.PhysicalName(128)
	}
	path, err := p.str("Path")
	if path == "" {
		path = "/"
	}
	return "arn:" + req.Stack.Partition + ":iam::" + req.Stack.AccountID + ":policy" + path + name, err
}

func (ManagedPolicy) Schema() stack.Schema {
	return stack.Schema{
		Required:        []string{"PolicyDocument"},
		Properties:      []string{"Description", "Groups", "ManagedPolicyName", "Path", "PolicyDocument", "Roles", "Users"},
		CreateOnly:      []string{"Description", "ManagedPolicyName", "Path"},
		Attributes:      []string{"PolicyArn", "PolicyId", "DefaultVersionId", "AttachmentCount", "IsAttachable", "CreateDate", "UpdateDate"},
		NeedsCapability: stack.CapabilityIAM,
		NameProperty:    "ManagedPolicyName",
	}
}

func (m ManagedPolicy) Create(ctx context.Context, req *stack.Request) (*stack.Result, error) {
	p := newProps(req.LogicalID, req.Properties)
	var in iam.CreatePolicyInput
	var err error
	planned, err := m.PlannedID(req)
	if err != nil {
		return nil, err
	}
	in.PolicyName = planned[strings.LastIndex(planned, "/")+1:]
	if in.Path, err = p.str("Path"); err != nil {
		return nil, err
	}
	if in.Description, err = p.str("Description"); err != nil {
		return nil, err
	}
	if in.PolicyDocument, err = p.jsonText("PolicyDocument"); err != nil {
		return nil, err
	}
	roles, err := p.strList("Roles")
	if err != nil {
		return nil, err
	}
	pol, err := m.IAM.CreatePolicy(ctx, in)
	if err != nil {
		return nil, err
	}
	for _, role := range roles {
		if err := m.IAM.AttachRolePolicy(ctx, roleNameOf(role), pol.ARN); err != nil {
			_ = m.Delete(ctx, &stack.Request{PhysicalID: pol.ARN, Properties: req.Properties, LogicalID: req.LogicalID})
			return nil, err
		}
	}
	return &stack.Result{PhysicalID: pol.ARN, Attributes: map[string]any{"PolicyArn": pol.ARN, "PolicyId": pol.PolicyID,
		"DefaultVersionId": pol.DefaultVersionID, "IsAttachable": "true"}}, nil
}

func (m ManagedPolicy) Delete(ctx context.Context, req *stack.Request) error {
	roles, _ := newProps(req.LogicalID, req.Properties).strList("Roles")
	for _, role := range roles {
		if err := ignoreNotFound(m.IAM.DetachRolePolicy(ctx, roleNameOf(role), req.PhysicalID)); err != nil {
			return err
		}
	}
	return ignoreNotFound(m.IAM.DeletePolicy(ctx, req.PhysicalID))
}

// InstanceProfile is AWS::IAM::InstanceProfile. cloudlet runs no EC2
// instances and its IAM has no instance profiles, so the profile is
// recorded only: Ref is its name and Arn what AWS's would be.
type InstanceProfile struct{}

var (
	_ stack.Updater = InstanceProfile{}
	_ stack.Planner = InstanceProfile{}
)

func (InstanceProfile) Schema() stack.Schema {
	return stack.Schema{
		Required:        []string{"Roles"},
		Properties:      []string{"InstanceProfileName", "Path", "Roles"},
		CreateOnly:      []string{"InstanceProfileName", "Path"},
		Attributes:      []string{"Arn"},
		NeedsCapability: stack.CapabilityIAM,
		NameProperty:    "InstanceProfileName",
	}
}

// PlannedID is the InstanceProfileName, or {stack}-{LogicalId}-{suffix}.
func (InstanceProfile) PlannedID(req *stack.Request) (string, error) {
	name, err := newProps(req.LogicalID, req.Properties).str("InstanceProfileName")
	if name == "" && err == nil {
		name = req.PhysicalName(128)
	}
	return name, err
}

func (ip InstanceProfile) result(req *stack.Request, name string) (*stack.Result, error) {
	p := newProps(req.LogicalID, req.Properties)
	path, err := p.str("Path")
	if err != nil {
		return nil, err
	}
	if _, err := p.strList("Roles"); err != nil {
		return nil, err
	}
	if path == "" {
		path = "/"
	}
	arn := "arn:" + req.Stack.Partition + ":iam::" + req.Stack.AccountID + ":instance-profile" + path + name
	return &stack.Result{PhysicalID: name, Attributes: map[string]any{"Arn": arn}}, nil
}

func (ip InstanceProfile) Create(ctx context.Context, req *stack.Request) (*stack.Result, error) {
	name, err := ip.PlannedID(req)
	if err != nil {
		return nil, err
	}
	return ip.result(req, name)
}

func (ip InstanceProfile) Update(ctx context.Context, req *stack.Request) (*stack.Result, error) {
	return ip.result(req, req.PhysicalID)
}

func (InstanceProfile) Delete(ctx context.Context, req *stack.Request) error { return nil }
