package lambda_test

import (
	"context"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/cloudlet-dev/cloudlet/internal/awserr"
	"github.com/cloudlet-dev/cloudlet/internal/lambda"
)

// TestCodeLinks: GetFunction and GetLayerVersion answer presigned links
// that the service accepts for ten minutes, and refuses, in S3's words,
// once they lapse or when any part of them was changed.
func TestCodeLinks(t *testing.T) {
	ctx := context.Background()
	t0 := time.Date(2024, 5, 1, 12, 0, 0, 0, time.UTC)
	now := t0
	key := []byte("a key of the platform's")
	s := newService(t, lambda.Config{EndpointURL: "http://127.0.0.1:4566", CodeLinkKey: key, Now: func() time.Time { return now }})
	src := "def handler(e, c):\n    return 1\n"
	for _, name := range []string{"fn", "other"} {
		if _, err := s.CreateFunction(ctx, lambda.CreateFunctionInput{FunctionName: name, Runtime: "python3.12", Handler: "index.handler",
			Role: testRole, Code: lambda.Code{InlineSource: &src}}); err != nil {
			t.Fatal(err)
		}
	}
	fn, err := s.GetFunction(ctx, "fn", "$LATEST")
	if err != nil {
		t.Fatal(err)
	}
	layer, err := s.PublishLayerVersion(ctx, lambda.PublishLayerVersionInput{LayerName: "lib", Content: lambda.Code{ZipFile: zipOf(t, map[string]string{"python/lib.py": ""})}})
	if err != nil {
		t.Fatal(err)
	}
	got, err := s.GetLayerVersion(ctx, "lib", 1)
	if err != nil {
		t.Fatal(err)
	}
	list, err := s.ListLayerVersions(ctx, "lib", "", "", "", 0)
	if err != nil || len(list.LayerVersions) != 1 {
		t.Fatalf("ListLayerVersions(lib) = %+v, %v", list, err)
	}
	const want = "http://127.0.0.1:4566/_cloudlet/api/functions/fn/code?Qualifier=%24LATEST&X-Amz-Date=20240501T120000Z&X-Amz-Expires=600&X-Amz-Signature="
	if !strings.HasPrefix(fn.Code.Location, want) {
		t.Errorf("GetFunction(fn).Code.Location = %s, want %s<signature>", fn.Code.Location, want)
	}
	// edit returns link with its query changed by f.
	edit := func(link string, f func(q url.Values)) string {
		u, _ := url.Parse(link)
		q := u.Query()
		f(q)
		u.RawQuery = q.Encode()
		return u.String()
	}
	mismatch := "SignatureDoesNotMatch: The request signature we calculated does not match the signature you provided. Check your key and signing method."
	tests := []struct {
		name  string
		link  string
		after time.Duration
		want  string // "" is accepted
	}{
		{"function", fn.Code.Location, 0, ""},
		{"function-last-second", fn.Code.Location, lambda.CodeLinkTTL, ""},
		{"layer-published", layer.Content.Location, 0, ""},
		{"layer-got", got.Content.Location, 0, ""},
		{"layer-listed", list.LayerVersions[0].Content.Location, 0, ""},
		{"parameters-reordered", strings.Replace(fn.Code.Location, "?Qualifier=%24LATEST&", "?", 1) + "&Qualifier=%24LATEST", 0, ""},
		{"expired", fn.Code.Location, lambda.CodeLinkTTL + time.Second, "AccessDenied: Request has expired"},
		{"unsigned", "http://127.0.0.1:4566/_cloudlet/api/functions/fn/code", 0, "AccessDenied: Access Denied"},
		{"no-signature", edit(fn.Code.Location, func(q url.Values) { q.Del("X-Amz-Signature") }), 0, "AccessDenied: Access Denied"},
		{"other-function", strings.Replace(fn.Code.Location, "/fn/", "/other/", 1), 0, mismatch},
		{"other-qualifier", edit(fn.Code.Location, func(q url.Values) { q.Set("Qualifier", "1") }), 0, mismatch},
		{"no-qualifier", edit(fn.Code.Location, func(q url.Values) { q.Del("Qualifier") }), 0, mismatch},
		{"longer-life", edit(fn.Code.Location, func(q url.Values) { q.Set("X-Amz-Expires", "604800") }), lambda.CodeLinkTTL + time.Second, mismatch},
		{"later-date", edit(fn.Code.Location, func(q url.Values) { q.Set("X-Amz-Date", "20240501T130000Z") }), time.Hour, mismatch},
		{"signature-changed", edit(fn.Code.Location, func(q url.Values) {
			sig := []byte(q.Get("X-Amz-Signature"))
			sig[0] ^= 1
			q.Set("X-Amz-Signature", string(sig))
		}), 0, mismatch},
		{"signature-twice", fn.Code.Location + "&X-Amz-Signature=00", 0, mismatch},
		{"parameter-added", fn.Code.Location + "&versionId=1", 0, mismatch},
		{"layer-other-version", strings.Replace(layer.Content.Location, "/lib/1?", "/lib/2?", 1), 0, mismatch},
		{"bad-date", edit(fn.Code.Location, func(q url.Values) { q.Set("X-Amz-Date", "yesterday") }), 0,
			`AuthorizationQueryParametersError: X-Amz-Date must be in the ISO8601 Long Format "yyyyMMdd'T'HHmmss'Z'"`},
		{"bad-expires", edit(fn.Code.Location, func(q url.Values) { q.Set("X-Amz-Expires", "-1") }), 0,
			"AuthorizationQueryParametersError: X-Amz-Expires should be a number"},
		{"huge-expires", edit(fn.Code.Location, func(q url.Values) { q.Set("X-Amz-Expires", "99999999999999999") }), 0,
			"AuthorizationQueryParametersError: X-Amz-Expires must be less than a week (in seconds) that is 604800"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			now = t0.Add(tt.after)
			u, err := url.Parse(tt.link)
			if err != nil {
				t.Fatal(err)
			}
			err = s.VerifyCodeLink(u.Path, u.Query())
			got := ""
			if err != nil {
				got = err.Error()
			}
			if got != tt.want {
				t.Errorf("VerifyCodeLink(%s) = %q, want %q", tt.link, got, tt.want)
			}
		})
	}

	now = t0.Add(lambda.CodeLinkTTL + time.Second)
	u, _ := url.Parse(fn.Code.Location)
	e, _ := awserr.As(s.VerifyCodeLink(u.Path, u.Query()))
	wantFields := map[string]string{"X-Amz-Expires": "600", "Expires": "2024-05-01T12:10:00Z", "ServerTime": "2024-05-01T12:10:01Z"}
	if e == nil || e.HTTPStatus() != 403 || len(e.Fields) != 3 || e.Fields["Expires"] != wantFields["Expires"] || e.Fields["ServerTime"] != wantFields["ServerTime"] || e.Fields["X-Amz-Expires"] != "600" {
		t.Errorf("VerifyCodeLink(expired) = %+v, want 403 with fields %v", e, wantFields)
	}

	// Another service accepts the link only with the same key.
	now = t0
	same := newService(t, lambda.Config{CodeLinkKey: key, Now: func() time.Time { return now }})
	other := newService(t, lambda.Config{Now: func() time.Time { return now }})
	if err := same.VerifyCodeLink(u.Path, u.Query()); err != nil {
		t.Errorf("VerifyCodeLink with the same key = %v, want nil", err)
	}
	if err := other.VerifyCodeLink(u.Path, u.Query()); awserr.Code(err) != "SignatureDoesNotMatch" {
		t.Errorf("VerifyCodeLink with another key = %v, want SignatureDoesNotMatch", err)
	}
}
