package provider_test

import (
	"context"
	"encoding/json"
	"regexp"
	"strings"
	"testing"

	"github.com/cloudlet-dev/cloudlet/internal/awserr"
	"github.com/cloudlet-dev/cloudlet/internal/provider"
	"github.com/cloudlet-dev/cloudlet/internal/stack"
)

func TestLogGroup(t *testing.T) {
	s := newServices(t)
	p := provider.LogGroup{Logs: s.logs}
	ctx := context.Background()
	tests := []struct {
		name    string
		props   map[string]any
		wantID  *regexp.Regexp
		wantErr string
	}{
		{"named", map[string]any{"LogGroupName": "/app/one", "RetentionInDays": json.Number("7")}, regexp.MustCompile(`^/app/one$`), ""},
		{"generated", map[string]any{}, regexp.MustCompile(`^st-Group-[A-Za-z0-9]{12}$`), ""},
		{"retentionAsText", map[string]any{"LogGroupName": "/app/two", "RetentionInDays": "30"}, regexp.MustCompile(`^/app/two$`), ""},
		{"badRetention", map[string]any{"LogGroupName": "/app/bad", "RetentionInDays": json.Number("2")}, nil,
			"Value '2' at 'retentionInDays' failed to satisfy constraint"},
		{"badType", map[string]any{"RetentionInDays": []any{"x"}}, nil,
			"Properties validation failed for resource Group with message: #/RetentionInDays: expected type: Integer, found: JSONArray"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req := request("Group", "AWS::Logs::LogGroup", tt.props)
			planned, _ := p.PlannedID(req)
			out, err := p.Create(ctx, req)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("Create(%v) = %v, want error containing %q", tt.props, err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("Create(%v) = %v", tt.props, err)
			}
			if !tt.wantID.MatchString(out.PhysicalID) || out.PhysicalID != planned {
				t.Errorf("Create(%v) ID = %s (planned %s), want %s", tt.props, out.PhysicalID, planned, tt.wantID)
			}
			if arn := out.Attributes["Arn"]; arn != "arn:aws:logs:us-east-1:123456789012:log-group:"+out.PhysicalID+":*" {
				t.Errorf("Arn = %v, want the group ARN ending in :*", arn)
			}
			req.PhysicalID = out.PhysicalID
			if err := p.Delete(ctx, req); err != nil {
				t.Errorf("Delete = %v", err)
			}
			if err := p.Delete(ctx, req); err != nil {
				t.Errorf("Delete of a deleted group = %v, want nil", err)
			}
		})
	}
}

func TestLogGroupRetentionUpdate(t *testing.T) {
	s := newServices(t)
	p := provider.LogGroup{Logs: s.logs}
	ctx := context.Background()
	req := request("Group", "AWS::Logs::LogGroup", map[string]any{"LogGroupName": "/r"})
	if _, err := p.Create(ctx, req); err != nil {
		t.Fatal(err)
	}
	retention := func() *int {
		groups, _, err := s.logs.DescribeLogGroups(ctx, "/r", "", 0)
		if err != nil || len(groups) != 1 {
			t.Fatalf("DescribeLogGroups = %v, %v", groups, err)
		}
		return groups[0].RetentionInDays
	}
	for _, step := range []struct {
		props map[string]any
		want  int // 0: none
	}{
		{map[string]any{"LogGroupName": "/r", "RetentionInDays": json.Number("14")}, 14},
		{map[string]any{"LogGroupName": "/r"}, 0},
	} {
		up := request("Group", "AWS::Logs::LogGroup", step.props)
		up.PhysicalID, up.OldProperties = "/r", req.Properties
		if _, err := p.Update(ctx, up); err != nil {
			t.Fatalf("Update(%v) = %v", step.props, err)
		}
		got := retention()
		if (step.want == 0) != (got == nil) || (got != nil && *got != step.want) {
			t.Errorf("after Update(%v) retention = %v, want %d", step.props, got, step.want)
		}
		req = up
	}
}

func TestSSMParameter(t *testing.T) {
	s := newServices(t)
	p := provider.Parameter{SSM: s.ssm}
	ctx := context.Background()
	tests := []struct {
		name    string
		props   map[string]any
		wantID  *regexp.Regexp
		wantErr string
	}{
		{"named", map[string]any{"Name": "/app/url", "Type": "String", "Value": "http://x"}, regexp.MustCompile(`^/app/url$`), ""},
		{"generated", map[string]any{"Type": "StringList", "Value": "a,b"}, regexp.MustCompile(`^CFN-Param-[A-Za-z0-9]{12}$`), ""},
		{"secureString", map[string]any{"Type": "SecureString", "Value": "x"}, nil,
			"Properties validation failed for resource Param with message: #/Type: SecureString is not a valid enum value"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req := request("Param", "AWS::SSM::Parameter", tt.props)
			planned, _ := p.PlannedID(req)
			out, err := p.Create(ctx, req)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("Create = %v, want %q", err, tt.wantErr)
				}
				return
			}
			if err != nil || !tt.wantID.MatchString(out.PhysicalID) || out.PhysicalID != planned {
				t.Fatalf("Create = %+v, %v (planned %s); want ID %s", out, err, planned, tt.wantID)
			}
			if out.Attributes["Value"] != tt.props["Value"] || out.Attributes["Type"] != tt.props["Type"] {
				t.Errorf("attributes = %v, want Type and Value", out.Attributes)
			}
			up := request("Param", "AWS::SSM::Parameter", map[string]any{"Type": tt.props["Type"], "Value": "changed"})
			up.PhysicalID = out.PhysicalID
			if _, err := p.Update(ctx, up); err != nil {
				t.Fatalf("Update = %v", err)
			}
			got, err := s.ssm.GetParameter(ctx, out.PhysicalID, false)
			if err != nil || got.Value != "changed" || got.Version != 2 {
				t.Errorf("after Update GetParameter = %+v, %v; want value changed, version 2", got, err)
			}
			if err := p.Delete(ctx, up); err != nil {
				t.Errorf("Delete = %v", err)
			}
			if _, err := s.ssm.GetParameter(ctx, out.PhysicalID, false); awserr.Code(err) != "ParameterNotFound" {
				t.Errorf("after Delete GetParameter = %v, want ParameterNotFound", err)
			}
			if err := p.Delete(ctx, up); err != nil {
				t.Errorf("second Delete = %v, want nil", err)
			}
		})
	}
}

func TestNoOpTypes(t *testing.T) {
	ctx := context.Background()
	req := request("Handle", "AWS::CloudFormation::WaitConditionHandle", nil)
	out, err := provider.WaitConditionHandle{}.Create(ctx, req)
	want := regexp.MustCompile(`^https://cloudformation-waitcondition-us-east-1\.s3\.amazonaws\.com/arn:aws:cloudformation:us-east-1:123456789012:stack%2Fst%2F1234/Handle\?`)
	if err != nil || !want.MatchString(out.PhysicalID) {
		t.Errorf("WaitConditionHandle.Create = %+v, %v; want a presigned-style URL", out, err)
	}
	meta := request("CDKMetadata", "AWS::CDK::Metadata", map[string]any{"Analytics": "v2:deflate64:x"})
	if out, err := (provider.CDKMetadata{}).Create(ctx, meta); err != nil || out.PhysicalID == "" {
		t.Errorf("CDKMetadata.Create = %+v, %v", out, err)
	}
	var _ stack.Provider = provider.CDKMetadata{}
}
