package provider_test

import (
	"context"
	"testing"

	"github.com/cloudlet-dev/cloudlet/internal/provider"
)

// AWS::Lambda::Version publishes $LATEST; AWS::Lambda::Alias names it.
func TestVersionAndAlias(t *testing.T) {
	s := newServices(t)
	ctx := context.Background()
	fn := function(t, s, "fn", "def handler(e, c):\n    return 1\n")
	v := provider.Version{Lambda: s.lambda}
	vreq := request("V1", "AWS::Lambda::Version", map[string]any{"FunctionName": fn.FunctionArn, "Description": "first"})
	ver, err := v.Create(ctx, vreq)
	if err != nil {
		t.Fatalf("Version.Create = %v", err)
	}
	if ver.PhysicalID != fn.FunctionArn+":1" || ver.Attributes["Version"] != "1" {
		t.Errorf("Version.Create = %+v, want %s:1 and version 1", ver, fn.FunctionArn)
	}
	a := provider.Alias{Lambda: s.lambda}
	props := map[string]any{"FunctionName": "fn", "FunctionVersion": "1", "Name": "live"}
	areq := request("Live", "AWS::Lambda::Alias", props)
	al, err := a.Create(ctx, areq)
	if err != nil || al.PhysicalID != fn.FunctionArn+":live" || al.Attributes["AliasArn"] != al.PhysicalID {
		t.Fatalf("Alias.Create = %+v, %v; want %s:live", al, err, fn.FunctionArn)
	}
	up2 := request("Live", "AWS::Lambda::Alias", map[string]any{"FunctionName": "fn", "FunctionVersion": "1", "Name": "live", "Description": "plain"})
	up2.PhysicalID = al.PhysicalID
	if _, err := a.Update(ctx, up2); err != nil {
		t.Fatalf("Alias.Update = %v", err)
	}
	got, err := s.lambda.GetAlias(ctx, "fn", "live")
	if err != nil || got.Description != "plain" {
		t.Errorf("GetAlias = %+v, %v; want description plain", got, err)
	}
	if err := a.Delete(ctx, up2); err != nil {
		t.Errorf("Alias.Delete = %v", err)
	}
	vreq.PhysicalID = ver.PhysicalID
	if err := v.Delete(ctx, vreq); err != nil {
		t.Errorf("Version.Delete = %v", err)
	}
	if err := v.Delete(ctx, vreq); err != nil {
		t.Errorf("second Version.Delete = %v, want nil", err)
	}
	if err := v.Delete(ctx, request("X", "AWS::Lambda::Version", nil)); err != nil {
		t.Errorf("Version.Delete without a qualified ARN = %v, want nil", err)
	}
}
