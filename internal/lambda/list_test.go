package lambda_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/cloudlet-dev/cloudlet/internal/lambda"
)

func TestListFunctionsPaging(t *testing.T) {
	ctx := context.Background()
	s := newService(t, lambda.Config{})
	const n = 120
	for i := range n {
		create(t, s, inline(fmt.Sprintf("fn-%03d", i)))
	}
	if _, err := s.PublishVersion(ctx, lambda.PublishVersionInput{FunctionName: "fn-000"}); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name     string
		in       lambda.ListFunctionsInput
		wantSeen int
		wantPage []int // sizes of the pages
	}{
		{"default", lambda.ListFunctionsInput{}, n, []int{50, 50, 20}},
		{"max-items-7", lambda.ListFunctionsInput{MaxItems: 7}, n, nil},
		{"max-items-over-50", lambda.ListFunctionsInput{MaxItems: 500}, n, []int{50, 50, 20}},
		{"all-versions", lambda.ListFunctionsInput{FunctionVersion: "ALL"}, n + 1, []int{50, 50, 21}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			seen := map[string]bool{}
			var pages []int
			in := tt.in
			for {
				out, err := s.ListFunctions(ctx, in)
				if err != nil {
					t.Fatal(err)
				}
				pages = append(pages, len(out.Functions))
				for _, f := range out.Functions {
					if seen[f.FunctionArn] {
						t.Fatalf("ListFunctions returned %s twice", f.FunctionArn)
					}
					seen[f.FunctionArn] = true
				}
				if out.NextMarker == "" {
					break
				}
				in.Marker = out.NextMarker
			}
			if len(seen) != tt.wantSeen {
				t.Errorf("ListFunctions(%+v) saw %d functions, want %d", tt.in, len(seen), tt.wantSeen)
			}
			if tt.wantPage != nil && fmt.Sprint(pages) != fmt.Sprint(tt.wantPage) {
				t.Errorf("ListFunctions(%+v) pages = %v, want %v", tt.in, pages, tt.wantPage)
			}
		})
	}
	if _, err := s.ListFunctions(ctx, lambda.ListFunctionsInput{FunctionVersion: "LATEST"}); err == nil ||
		err.Error() != "ValidationException: 1 validation error detected: Value 'LATEST' at 'functionVersion' failed to satisfy constraint: Member must satisfy enum value set: [ALL]" {
		t.Errorf("ListFunctions(LATEST) = %v", err)
	}
	all, err := s.ListAllFunctions(ctx)
	if err != nil || len(all) != n {
		t.Errorf("ListFunctions() = %d functions, %v, want %d", len(all), err, n)
	}
}

// Permissions belong to a qualifier: a statement for an alias lets its
// principal invoke that alias, not the function.
func TestPermissionsPerQualifier(t *testing.T) {
	ctx := context.Background()
	s := newService(t, lambda.Config{})
	create(t, s, inline("fn"))
	if _, err := s.PublishVersion(ctx, lambda.PublishVersionInput{FunctionName: "fn"}); err != nil {
		t.Fatal(err)
	}
	alias, err := s.CreateAlias(ctx, lambda.CreateAliasInput{FunctionName: "fn", Name: "live", FunctionVersion: "1"})
	if err != nil {
		t.Fatal(err)
	}
	add := func(fn, sid string) error {
		_, err := s.AddPermission(ctx, fn, lambda.PermissionInput{StatementID: sid, Action: "lambda:InvokeFunction", Principal: "apigateway.amazonaws.com"})
		return err
	}
	if err := add("fn", "s1"); err != nil {
		t.Fatal(err)
	}
	// The same ID may be used again on another qualifier, not on the same.
	if err := add("fn:live", "s1"); err != nil {
		t.Fatalf("AddPermission(fn:live, s1): %v", err)
	}
	if err := add("fn:live", "s1"); err == nil || awsError(t, err).HTTPStatus() != 409 {
		t.Errorf("AddPermission(fn:live, s1) twice = %v, want 409", err)
	}
	if err := add("fn:nope", "s2"); err == nil || err.Error() != "ResourceNotFoundException: Cannot find alias arn: arn:aws:lambda:us-east-1:000000000000:function:fn:nope" {
		t.Errorf("AddPermission(fn:nope) = %v", err)
	}
	pol, err := s.GetPolicy(ctx, "fn", "live")
	if err != nil {
		t.Fatal(err)
	}
	want := `{"Id":"default","Statement":[{"Sid":"s1","Effect":"Allow","Principal":{"Service":"apigateway.amazonaws.com"},"Action":"lambda:InvokeFunction","Resource":"arn:aws:lambda:us-east-1:000000000000:function:fn:live"}],"Version":"2012-10-17"}`
	if pol.Policy != want {
		t.Errorf("GetPolicy(fn, live) = %s, want %s", pol.Policy, want)
	}
	if a, _ := s.GetAlias(ctx, "fn", "live"); pol.RevisionID != a.RevisionID || a.RevisionID == alias.RevisionID {
		t.Errorf("GetPolicy(fn, live).RevisionId = %s, alias revision %s (was %s): want the alias's new revision", pol.RevisionID, a.RevisionID, alias.RevisionID)
	}
	if _, err := s.GetPolicy(ctx, "fn", "1"); err == nil || err.Error() != "ResourceNotFoundException: The resource you requested does not exist." {
		t.Errorf("GetPolicy(fn, 1) = %v", err)
	}
	if err := s.RemovePermission(ctx, "fn:live", "s1"); err != nil {
		t.Fatal(err)
	}
	if err := s.RemovePermission(ctx, "fn:live", "s1"); err == nil || err.Error() != "ResourceNotFoundException: No policy is associated with the given resource." {
		t.Errorf("RemovePermission(fn:live, s1) twice = %v", err)
	}
	if err := s.RemovePermission(ctx, "fn", "s9"); err == nil || err.Error() != "ResourceNotFoundException: Statement s9 is not found in resource policy." {
		t.Errorf("RemovePermission(fn, s9) = %v", err)
	}
	if _, err := s.GetPolicy(ctx, "fn", ""); err != nil {
		t.Errorf("GetPolicy(fn) = %v, want the unqualified statement kept", err)
	}
}
