package provider_test

import (
	"context"
	"strings"
	"testing"

	"github.com/cloudlet-dev/cloudlet/internal/awserr"
	"github.com/cloudlet-dev/cloudlet/internal/iam"
	"github.com/cloudlet-dev/cloudlet/internal/provider"
)

const trust = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"lambda.amazonaws.com"},"Action":"sts:AssumeRole"}]}`

var allowLogs = map[string]any{"Version": "2012-10-17", "Statement": []any{map[string]any{
	"Effect": "Allow", "Action": "logs:*", "Resource": "*"}}}

func newRole(t *testing.T, s *services, name string) {
	t.Helper()
	if _, err := s.iam.CreateRole(context.Background(), iam.CreateRoleInput{RoleName: name, AssumeRolePolicyDocument: trust}); err != nil {
		t.Fatal(err)
	}
}

// AWS::IAM::Policy puts an inline policy on each role; an update moves it
// (spec cloudformation §6.5).
func TestIAMPolicy(t *testing.T) {
	s := newServices(t)
	p := provider.Policy{IAM: s.iam}
	ctx := context.Background()
	newRole(t, s, "r1")
	newRole(t, s, "r2")
	tests := []struct {
		name    string
		props   map[string]any
		wantErr string
	}{
		{"noPrincipal", map[string]any{"PolicyName": "p", "PolicyDocument": allowLogs}, "At least one of [Groups,Roles,Users] must be non-empty."},
		{"missingRole", map[string]any{"PolicyName": "p", "PolicyDocument": allowLogs, "Roles": []any{"ghost"}}, "NoSuchEntity"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := p.Create(ctx, request("Pol", "AWS::IAM::Policy", tt.props))
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("Create(%v) = %v, want %q", tt.props, err, tt.wantErr)
			}
		})
	}
	props := map[string]any{"PolicyName": "p", "PolicyDocument": allowLogs, "Roles": []any{"r1"}}
	req := request("Pol", "AWS::IAM::Policy", props)
	planned, _ := p.PlannedID(req)
	out, err := p.Create(ctx, req)
	if err != nil || out.PhysicalID != planned || !strings.HasPrefix(out.PhysicalID, "st-Pol-") {
		t.Fatalf("Create = %+v, %v (planned %s); want the short legacy ID", out, err, planned)
	}
	if _, err := s.iam.GetRolePolicy(ctx, "r1", "p"); err != nil {
		t.Errorf("r1's policy p: %v", err)
	}
	up := request("Pol", "AWS::IAM::Policy", map[string]any{"PolicyName": "p", "PolicyDocument": allowLogs, "Roles": []any{"arn:aws:iam::123456789012:role/r2"}})
	up.PhysicalID, up.OldProperties = out.PhysicalID, props
	if _, err := p.Update(ctx, up); err != nil {
		t.Fatalf("Update = %v", err)
	}
	if _, err := s.iam.GetRolePolicy(ctx, "r1", "p"); awserr.Code(err) != "NoSuchEntity" {
		t.Errorf("after moving, r1's policy = %v, want NoSuchEntity", err)
	}
	if _, err := s.iam.GetRolePolicy(ctx, "r2", "p"); err != nil {
		t.Errorf("after moving, r2's policy: %v", err)
	}
	if err := p.Delete(ctx, up); err != nil {
		t.Errorf("Delete = %v", err)
	}
	if _, err := s.iam.GetRolePolicy(ctx, "r2", "p"); awserr.Code(err) != "NoSuchEntity" {
		t.Errorf("after Delete, r2's policy = %v, want NoSuchEntity", err)
	}
}

// AWS::IAM::ManagedPolicy: Ref is the ARN, roles get it attached, delete
// detaches then deletes.
func TestManagedPolicy(t *testing.T) {
	s := newServices(t)
	p := provider.ManagedPolicy{IAM: s.iam}
	ctx := context.Background()
	newRole(t, s, "r1")
	tests := []struct {
		name  string
		props map[string]any
		want  string
	}{
		{"named", map[string]any{"ManagedPolicyName": "mp", "Path": "/team/", "PolicyDocument": allowLogs, "Roles": []any{"r1"}},
			"arn:aws:iam::123456789012:policy/team/mp"},
		{"generated", map[string]any{"PolicyDocument": allowLogs}, "arn:aws:iam::123456789012:policy/st-MP-"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req := request("MP", "AWS::IAM::ManagedPolicy", tt.props)
			planned, _ := p.PlannedID(req)
			out, err := p.Create(ctx, req)
			if err != nil || !strings.HasPrefix(out.PhysicalID, tt.want) || out.PhysicalID != planned {
				t.Fatalf("Create = %+v, %v (planned %s); want %s…", out, err, planned, tt.want)
			}
			if _, err := s.iam.GetPolicy(ctx, out.PhysicalID); err != nil {
				t.Errorf("GetPolicy(%s) = %v", out.PhysicalID, err)
			}
			req.PhysicalID = out.PhysicalID
			if err := p.Delete(ctx, req); err != nil {
				t.Fatalf("Delete = %v", err)
			}
			if _, err := s.iam.GetPolicy(ctx, out.PhysicalID); awserr.Code(err) != "NoSuchEntity" {
				t.Errorf("after Delete GetPolicy = %v, want NoSuchEntity", err)
			}
			if att, _ := s.iam.ListAttachedRolePolicies(ctx, "r1"); len(att) != 0 {
				t.Errorf("r1 still has %v attached", att)
			}
		})
	}
}

func TestInstanceProfile(t *testing.T) {
	p := provider.InstanceProfile{}
	req := request("IP", "AWS::IAM::InstanceProfile", map[string]any{"Roles": []any{"r"}, "Path": "/ec2/"})
	out, err := p.Create(context.Background(), req)
	if err != nil || !strings.HasPrefix(out.PhysicalID, "st-IP-") {
		t.Fatalf("Create = %+v, %v", out, err)
	}
	if arn := out.Attributes["Arn"]; arn != "arn:aws:iam::123456789012:instance-profile/ec2/"+out.PhysicalID {
		t.Errorf("Arn = %v", arn)
	}
	if s := p.Schema(); s.NeedsCapability == "" || s.NameProperty != "InstanceProfileName" {
		t.Errorf("Schema = %+v, want an IAM capability and InstanceProfileName as the name", s)
	}
}
