package ssm_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/cloudlet-dev/cloudlet/internal/awserr"
	"github.com/cloudlet-dev/cloudlet/internal/ssm"
	"github.com/cloudlet-dev/cloudlet/internal/store"
	"github.com/google/go-cmp/cmp"
)

var t0 = time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)

func newService(t *testing.T) (*ssm.Service, *store.DB, string) {
	t.Helper()
	dir := t.TempDir()
	db, err := store.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	s, err := ssm.New(ssm.Config{DB: db, Now: func() time.Time { return t0 }})
	if err != nil {
		t.Fatal(err)
	}
	return s, db, dir
}

func put(t *testing.T, s *ssm.Service, in ssm.PutParameterInput) int64 {
	t.Helper()
	out, err := s.PutParameter(context.Background(), in)
	if err != nil {
		t.Fatalf("PutParameter(%s): %v", in.Name, err)
	}
	return out.Version
}

func wantCode(t *testing.T, what string, err error, code, msg string) {
	t.Helper()
	e, ok := awserr.As(err)
	if !ok || e.Code != code || (msg != "" && e.Message != msg) || e.HTTPStatus() != 400 {
		t.Errorf("%s error = %v, want %s %q (400)", what, err, code, msg)
	}
}

func TestPutParameterVersions(t *testing.T) {
	s, _, _ := newService(t)
	ctx := context.Background()
	if v := put(t, s, ssm.PutParameterInput{Name: "/app/db/url", Value: "v1", Type: ssm.TypeString, Description: "the db"}); v != 1 {
		t.Errorf("first PutParameter version = %d, want 1", v)
	}
	_, err := s.PutParameter(ctx, ssm.PutParameterInput{Name: "/app/db/url", Value: "v2", Type: ssm.TypeString})
	wantCode(t, "PutParameter(exists)", err, "ParameterAlreadyExists",
		"The parameter already exists. To overwrite this value, set the overwrite option in the request to true.")
	// Overwrite without a type keeps the type (and the description).
	if v := put(t, s, ssm.PutParameterInput{Name: "/app/db/url", Value: "v2", Overwrite: true}); v != 2 {
		t.Errorf("overwrite version = %d, want 2", v)
	}
	if v := put(t, s, ssm.PutParameterInput{Name: "/app/db/url", Value: "v3", Overwrite: true}); v != 3 {
		t.Errorf("second overwrite version = %d, want 3", v)
	}
	p, err := s.GetParameter(ctx, "/app/db/url", false)
	if err != nil {
		t.Fatal(err)
	}
	want := &ssm.Parameter{Name: "/app/db/url", Type: "String", Value: "v3", Version: 3, LastModifiedDate: t0,
		ARN: "arn:aws:ssm:us-east-1:000000000000:parameter/app/db/url", DataType: "text"}
	if diff := cmp.Diff(want, p); diff != "" {
		t.Errorf("GetParameter (-want +got):\n%s", diff)
	}

	// Version selectors, by name and by ARN.
	for _, ref := range []string{"/app/db/url:1", "arn:aws:ssm:us-east-1:000000000000:parameter/app/db/url:1"} {
		p, err := s.GetParameter(ctx, ref, false)
		if err != nil || p.Value != "v1" || p.Version != 1 || p.Selector != ":1" {
			t.Errorf("GetParameter(%s) = %+v, %v; want v1 with selector :1", ref, p, err)
		}
	}
	_, err = s.GetParameter(ctx, "/app/db/url:7", false)
	wantCode(t, "GetParameter(:7)", err, "ParameterVersionNotFound", "Systems Manager could not find version 7 of /app/db/url. Verify the version and try again.")

	hist, err := s.GetParameterHistory(ctx, "/app/db/url", false)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, h := range hist {
		got = append(got, fmt.Sprintf("%d:%s:%s", h.Version, h.Value, h.Description))
	}
	if want := []string{"1:v1:the db", "2:v2:the db", "3:v3:the db"}; !cmp.Equal(got, want) {
		t.Errorf("GetParameterHistory = %q, want %q", got, want)
	}

	// Delete removes every version; a new parameter starts again at 1.
	if err := s.DeleteParameter(ctx, "/app/db/url"); err != nil {
		t.Fatal(err)
	}
	_, err = s.GetParameter(ctx, "/app/db/url", false)
	wantCode(t, "GetParameter(deleted)", err, "ParameterNotFound", "")
	wantCode(t, "DeleteParameter(deleted)", s.DeleteParameter(ctx, "/app/db/url"), "ParameterNotFound", "")
	if v := put(t, s, ssm.PutParameterInput{Name: "/app/db/url", Value: "again", Type: ssm.TypeString}); v != 1 {
		t.Errorf("PutParameter after delete version = %d, want 1", v)
	}
	if _, err := s.GetParameter(ctx, "/app/db/url:2", false); awserr.Code(err) != "ParameterVersionNotFound" {
		t.Errorf("old version 2 still readable after delete and re-create: %v", err)
	}
}

func TestKeepsHundredVersions(t *testing.T) {
	s, _, _ := newService(t)
	ctx := context.Background()
	put(t, s, ssm.PutParameterInput{Name: "p", Value: "1", Type: ssm.TypeString})
	for i := 2; i <= 103; i++ {
		put(t, s, ssm.PutParameterInput{Name: "p", Value: fmt.Sprint(i), Overwrite: true})
	}
	hist, err := s.GetParameterHistory(ctx, "p", false)
	if err != nil {
		t.Fatal(err)
	}
	if len(hist) != 100 || hist[0].Version != 4 || hist[99].Version != 103 {
		t.Errorf("history = %d versions from %d to %d, want 100 from 4 to 103", len(hist), hist[0].Version, hist[len(hist)-1].Version)
	}
	_, err = s.GetParameter(ctx, "p:3", false)
	wantCode(t, "GetParameter(p:3)", err, "ParameterVersionNotFound", "")
}

func TestPutParameterValidation(t *testing.T) {
	s, _, _ := newService(t)
	ctx := context.Background()
	put(t, s, ssm.PutParameterInput{Name: "/patterned", Value: "abc", Type: ssm.TypeString, AllowedPattern: "^[a-z]+$"})
	tests := []struct {
		name      string
		in        ssm.PutParameterInput
		code, msg string
	}{
		{"no-type", ssm.PutParameterInput{Name: "x", Value: "v"}, "ValidationException", "A parameter type is required when you create a parameter."},
		{"bad-type", ssm.PutParameterInput{Name: "x", Value: "v", Type: "Integer"}, "ValidationException",
			"1 validation error detected: Value 'Integer' at 'type' failed to satisfy constraint: Member must satisfy enum value set: [SecureString, StringList, String]"},
		{"empty-value", ssm.PutParameterInput{Name: "x", Value: "", Type: "String"}, "ValidationException",
			"1 validation error detected: Value at 'value' failed to satisfy constraint: Member must have length greater than or equal to 1"},
		{"prefix-aws", ssm.PutParameterInput{Name: "awsThing", Value: "v", Type: "String"}, "ValidationException",
			`Parameter name: can't be prefixed with "aws" or "ssm" (case-insensitive).`},
		{"prefix-ssm", ssm.PutParameterInput{Name: "SSM-x", Value: "v", Type: "String"}, "ValidationException", ""},
		{"path-ssm", ssm.PutParameterInput{Name: "/ssm/x", Value: "v", Type: "String"}, "ValidationException", ""},
		{"path-aws", ssm.PutParameterInput{Name: "/aws/service/x", Value: "v", Type: "String"}, "AccessDeniedException",
			"No access to reserved parameter name: /aws/service/x."},
		{"space", ssm.PutParameterInput{Name: "a b", Value: "v", Type: "String"}, "ValidationException", ""},
		{"not-qualified", ssm.PutParameterInput{Name: "a/b", Value: "v", Type: "String"}, "ValidationException", "Parameter name must be a fully qualified name."},
		{"too-deep", ssm.PutParameterInput{Name: strings.Repeat("/a", 16), Value: "v", Type: "String"}, "HierarchyLevelLimitExceededException", ""},
		{"tags-and-overwrite", ssm.PutParameterInput{Name: "x", Value: "v", Type: "String", Overwrite: true, Tags: map[string]string{"a": "b"}}, "ValidationException", ""},
		{"pattern-mismatch", ssm.PutParameterInput{Name: "/patterned", Value: "ABC", Overwrite: true}, "ParameterPatternMismatchException",
			"Parameter value, cannot be validated against allowedPattern: ^[a-z]+$"},
		{"bad-pattern", ssm.PutParameterInput{Name: "x", Value: "v", Type: "String", AllowedPattern: "("}, "InvalidAllowedPatternException", ""},
		{"standard-too-long", ssm.PutParameterInput{Name: "x", Value: strings.Repeat("v", 4097), Type: "String"}, "ValidationException", ""},
		{"way-too-long", ssm.PutParameterInput{Name: "x", Value: strings.Repeat("v", 8193), Type: "String", Tier: "Advanced"}, "ValidationException", ""},
		{"bad-data-type", ssm.PutParameterInput{Name: "x", Value: "v", Type: "String", DataType: "json"}, "ValidationException", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := s.PutParameter(ctx, tt.in)
			e, ok := awserr.As(err)
			if !ok || e.Code != tt.code || (tt.msg != "" && e.Message != tt.msg) {
				t.Errorf("PutParameter(%.30s) error = %v, want %s %q", tt.in.Name, err, tt.code, tt.msg)
			}
		})
	}
	// Tiers: a long value fits Advanced and Intelligent-Tiering picks it.
	out, err := s.PutParameter(ctx, ssm.PutParameterInput{Name: "big", Value: strings.Repeat("v", 5000), Type: "String", Tier: "Intelligent-Tiering"})
	if err != nil || out.Tier != "Advanced" {
		t.Errorf("PutParameter(5000 chars, Intelligent-Tiering) = %+v, %v; want Advanced", out, err)
	}
	_, err = s.PutParameter(ctx, ssm.PutParameterInput{Name: "big", Value: "short", Overwrite: true, Tier: "Standard"})
	wantCode(t, "PutParameter(downgrade tier)", err, "ValidationException", "")
	if _, err := s.PutParameter(ctx, ssm.PutParameterInput{Name: "/patterned", Value: "xyz", Overwrite: true}); err != nil {
		t.Errorf("overwrite matching the kept pattern: %v", err)
	}
}

func TestSecureStringAndStringList(t *testing.T) {
	s, _, _ := newService(t)
	ctx := context.Background()
	put(t, s, ssm.PutParameterInput{Name: "/app/secret", Value: "hunter2", Type: ssm.TypeSecureString})
	put(t, s, ssm.PutParameterInput{Name: "/app/list", Value: "a,b,c", Type: ssm.TypeStringList})
	p, err := s.GetParameter(ctx, "/app/secret", false)
	if err != nil {
		t.Fatal(err)
	}
	if p.Value == "hunter2" || p.Value == "" || p.Type != "SecureString" {
		t.Errorf("GetParameter(secret, no decryption) = %+v, want an opaque value", p)
	}
	p, err = s.GetParameter(ctx, "/app/secret", true)
	if err != nil || p.Value != "hunter2" {
		t.Errorf("GetParameter(secret, decrypt) = %+v, %v; want hunter2", p, err)
	}
	p, err = s.GetParameter(ctx, "/app/list", false)
	if err != nil || p.Value != "a,b,c" || p.Type != "StringList" {
		t.Errorf("GetParameter(list) = %+v, %v", p, err)
	}
	meta, _, err := s.DescribeParameters(ctx, ssm.DescribeInput{Filters: []ssm.ParameterFilter{{Key: "Type", Values: []string{"SecureString"}}}})
	if err != nil || len(meta) != 1 || meta[0].KeyID != "alias/aws/ssm" || meta[0].Name != "/app/secret" {
		t.Errorf("DescribeParameters(Type=SecureString) = %+v, %v; want /app/secret with the default key", meta, err)
	}
}

func TestGetParameters(t *testing.T) {
	s, _, _ := newService(t)
	ctx := context.Background()
	put(t, s, ssm.PutParameterInput{Name: "/a", Value: "1", Type: "String"})
	put(t, s, ssm.PutParameterInput{Name: "plain", Value: "2", Type: "String"})
	params, invalid, err := s.GetParameters(ctx, []string{"/a", "nope", "plain", "/a", "/a:9"}, false)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, p := range params {
		names = append(names, p.Name+"="+p.Value)
	}
	if !cmp.Equal(names, []string{"/a=1", "plain=2"}) || !cmp.Equal(invalid, []string{"nope", "/a:9"}) {
		t.Errorf("GetParameters = %q, invalid %q; want [/a=1 plain=2], invalid [nope /a:9]", names, invalid)
	}
	_, _, err = s.GetParameters(ctx, make([]string, 11), false)
	wantCode(t, "GetParameters(11 names)", err, "ValidationException", "")
	// An ARN whose resource has no slash may name "x" or "/x".
	p, err := s.GetParameter(ctx, "arn:aws:ssm:us-east-1:000000000000:parameter/a", false)
	if err != nil || p.Name != "/a" {
		t.Errorf("GetParameter(ARN of /a) = %+v, %v", p, err)
	}
	p, err = s.GetParameter(ctx, "arn:aws:ssm:us-east-1:000000000000:parameter/plain", false)
	if err != nil || p.Name != "plain" || p.ARN != "arn:aws:ssm:us-east-1:000000000000:parameter/plain" {
		t.Errorf("GetParameter(ARN of plain) = %+v, %v", p, err)
	}
	deleted, invalid, err := s.DeleteParameters(ctx, []string{"/a", "nope"})
	if err != nil || !cmp.Equal(deleted, []string{"/a"}) || !cmp.Equal(invalid, []string{"nope"}) {
		t.Errorf("DeleteParameters = %q, %q, %v", deleted, invalid, err)
	}
}

func TestGetParametersByPath(t *testing.T) {
	s, _, _ := newService(t)
	ctx := context.Background()
	for _, n := range []string{"/app/a", "/app/b", "/app/db/host", "/app/db/port", "/app/db/deep/x", "/application", "/other/x", "root"} {
		typ := ssm.TypeString
		if n == "/app/db/port" {
			typ = ssm.TypeSecureString
		}
		put(t, s, ssm.PutParameterInput{Name: n, Value: "v:" + n, Type: typ})
	}
	names := func(in ssm.GetByPathInput) []string {
		t.Helper()
		var out []string
		for pages := 0; ; pages++ {
			params, next, err := s.GetParametersByPath(ctx, in)
			if err != nil {
				t.Fatalf("GetParametersByPath(%+v): %v", in, err)
			}
			for _, p := range params {
				out = append(out, p.Name)
			}
			if next == "" {
				return out
			}
			if pages > 20 {
				t.Fatal("paging does not end")
			}
			in.NextToken = next
		}
	}
	tests := []struct {
		name string
		in   ssm.GetByPathInput
		want []string
	}{
		{"one-level", ssm.GetByPathInput{Path: "/app"}, []string{"/app/a", "/app/b"}},
		{"trailing-slash", ssm.GetByPathInput{Path: "/app/"}, []string{"/app/a", "/app/b"}},
		{"recursive", ssm.GetByPathInput{Path: "/app", Recursive: true}, []string{"/app/a", "/app/b", "/app/db/deep/x", "/app/db/host", "/app/db/port"}},
		{"recursive-pages-of-two", ssm.GetByPathInput{Path: "/app", Recursive: true, MaxResults: 2}, []string{"/app/a", "/app/b", "/app/db/deep/x", "/app/db/host", "/app/db/port"}},
		{"root", ssm.GetByPathInput{Path: "/"}, []string{"/application", "root"}},
		{"type-filter", ssm.GetByPathInput{Path: "/app", Recursive: true, Filters: []ssm.ParameterFilter{{Key: "Type", Values: []string{"SecureString"}}}}, []string{"/app/db/port"}},
		{"nothing", ssm.GetByPathInput{Path: "/none"}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := names(tt.in); !cmp.Equal(got, tt.want) {
				t.Errorf("GetParametersByPath(%s) = %q, want %q", tt.name, got, tt.want)
			}
		})
	}
	params, _, err := s.GetParametersByPath(ctx, ssm.GetByPathInput{Path: "/app/db", WithDecryption: true})
	if err != nil || len(params) != 2 || params[1].Value != "v:/app/db/port" {
		t.Errorf("GetParametersByPath(/app/db, decrypt) = %+v, %v", params, err)
	}
	for _, bad := range []ssm.GetByPathInput{{Path: "app"}, {Path: "/a b"}, {Path: "/ssm/x"}, {Path: "/app", MaxResults: 11}, {Path: "/app", NextToken: "!!"},
		{Path: "/app", Filters: []ssm.ParameterFilter{{Key: "Name", Values: []string{"x"}}}}} {
		if _, _, err := s.GetParametersByPath(ctx, bad); awserr.Code(err) == "InternalFailure" {
			t.Errorf("GetParametersByPath(%+v) = %v, want an AWS error", bad, err)
		}
	}
}

func TestDescribeParameters(t *testing.T) {
	s, _, _ := newService(t)
	ctx := context.Background()
	put(t, s, ssm.PutParameterInput{Name: "/app/a", Value: "1", Type: "String", Tags: map[string]string{"env": "dev"}})
	put(t, s, ssm.PutParameterInput{Name: "/app/b", Value: "1", Type: "StringList", Tags: map[string]string{"env": "prod"}})
	put(t, s, ssm.PutParameterInput{Name: "/app/sub/c", Value: "1", Type: "String"})
	put(t, s, ssm.PutParameterInput{Name: "other", Value: "1", Type: "String", Description: "described"})
	tests := []struct {
		name    string
		filters []ssm.ParameterFilter
		want    []string
	}{
		{"all", nil, []string{"/app/a", "/app/b", "/app/sub/c", "other"}},
		{"name-equals", []ssm.ParameterFilter{{Key: "Name", Values: []string{"other"}}}, []string{"other"}},
		{"name-begins", []ssm.ParameterFilter{{Key: "Name", Option: "BeginsWith", Values: []string{"/app/"}}}, []string{"/app/a", "/app/b", "/app/sub/c"}},
		{"name-contains", []ssm.ParameterFilter{{Key: "Name", Option: "Contains", Values: []string{"sub"}}}, []string{"/app/sub/c"}},
		{"path-one-level", []ssm.ParameterFilter{{Key: "Path", Values: []string{"/app"}}}, []string{"/app/a", "/app/b"}},
		{"path-recursive", []ssm.ParameterFilter{{Key: "Path", Option: "Recursive", Values: []string{"/app"}}}, []string{"/app/a", "/app/b", "/app/sub/c"}},
		{"type", []ssm.ParameterFilter{{Key: "Type", Values: []string{"StringList"}}}, []string{"/app/b"}},
		{"tag-value", []ssm.ParameterFilter{{Key: "tag:env", Values: []string{"dev"}}}, []string{"/app/a"}},
		{"tag-exists", []ssm.ParameterFilter{{Key: "tag:env"}}, []string{"/app/a", "/app/b"}},
		{"two-filters", []ssm.ParameterFilter{{Key: "Path", Values: []string{"/app"}}, {Key: "tag:env", Values: []string{"prod"}}}, []string{"/app/b"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got []string
			in := ssm.DescribeInput{Filters: tt.filters, MaxResults: 1}
			for pages := 0; ; pages++ {
				meta, next, err := s.DescribeParameters(ctx, in)
				if err != nil {
					t.Fatal(err)
				}
				for _, m := range meta {
					got = append(got, m.Name)
				}
				if next == "" || pages > 10 {
					break
				}
				in.NextToken = next
			}
			if !cmp.Equal(got, tt.want) {
				t.Errorf("DescribeParameters(%s) = %q, want %q", tt.name, got, tt.want)
			}
		})
	}
	bad := [][]ssm.ParameterFilter{
		{{Key: "Label", Values: []string{"x"}}},
		{{Key: "Name", Option: "Regex", Values: []string{"x"}}},
		{{Key: "Path", Option: "Equals", Values: []string{"/app"}}},
		{{Key: "Type"}},
		{{Key: "Type", Values: []string{"String"}}, {Key: "Type", Values: []string{"String"}}},
	}
	for _, f := range bad {
		_, _, err := s.DescribeParameters(ctx, ssm.DescribeInput{Filters: f})
		wantCode(t, fmt.Sprintf("DescribeParameters(%+v)", f), err, "ValidationException", "")
	}
	tags, err := s.ListTagsForResource(ctx, "/app/a")
	if err != nil || !cmp.Equal(tags, map[string]string{"env": "dev"}) {
		t.Errorf("ListTagsForResource(/app/a) = %v, %v", tags, err)
	}
}

func TestParametersSurviveRestart(t *testing.T) {
	s, db, dir := newService(t)
	put(t, s, ssm.PutParameterInput{Name: "/keep", Value: "me", Type: "String"})
	db.Close()
	db, err := store.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	s, err = ssm.New(ssm.Config{DB: db})
	if err != nil {
		t.Fatal(err)
	}
	p, err := s.GetParameter(context.Background(), "/keep", false)
	if err != nil || p.Value != "me" {
		t.Errorf("after restart GetParameter = %+v, %v", p, err)
	}
}
