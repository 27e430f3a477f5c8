package iam_test

import (
	"context"
	"regexp"
	"testing"
	"time"

	"github.com/cloudlet-dev/cloudlet/internal/iam"
)

var (
	accessKeyRE = regexp.MustCompile(`^ASIA[A-Z0-9]{16}$`)
	secretRE    = regexp.MustCompile(`^[A-Za-z0-9+/]{40}$`)
)

func TestIssueAndLookupCredentials(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	role := e.createRole("fn-role", "/service-role/", lambdaTrust)
	creds, err := e.svc.IssueCredentials(ctx, role.ARN, "my-function", 0)
	if err != nil {
		t.Fatal(err)
	}
	if !accessKeyRE.MatchString(creds.AccessKeyID) || !secretRE.MatchString(creds.SecretAccessKey) || len(creds.SessionToken) < 100 {
		t.Errorf("IssueCredentials = %+v, want ASIA key, 40-character secret, long token", creds)
	}
	if want := e.clock.Now().Add(time.Hour); !creds.Expiration.Equal(want) {
		t.Errorf("Expiration = %v, want %v (one hour by default)", creds.Expiration, want)
	}
	got, p, err := e.svc.LookupAccessKey(ctx, creds.AccessKeyID)
	if err != nil {
		t.Fatal(err)
	}
	if *got != *creds {
		t.Errorf("LookupAccessKey credentials = %+v, want %+v", got, creds)
	}
	want := iam.Principal{Kind: iam.KindAssumedRole, ARN: "arn:aws:sts::000000000000:assumed-role/fn-role/my-function", AccountID: "000000000000", RoleARN: role.ARN}
	if p != want {
		t.Errorf("LookupAccessKey principal = %+v, want %+v", p, want)
	}

	e.clock.Advance(time.Hour)
	_, _, err = e.svc.LookupAccessKey(ctx, creds.AccessKeyID)
	checkErr(t, "LookupAccessKey(expired)", err, "ExpiredToken", 403, "The security token included in the request is expired")
	_, _, err = e.svc.LookupAccessKey(ctx, "ASIAUNKNOWNUNKNOWN00")
	checkErr(t, "LookupAccessKey(unknown)", err, "InvalidClientTokenId", 403, "The security token included in the request is invalid.")

	// Expired sessions are swept from the store on restart.
	e.reopen()
	_, _, err = e.svc.LookupAccessKey(ctx, creds.AccessKeyID)
	checkErr(t, "LookupAccessKey(expired, after restart)", err, "InvalidClientTokenId", 403, "The security token included in the request is invalid.")
}

func TestIssueCredentialsErrors(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	role := e.createRole("r", "/", lambdaTrust)
	tests := []struct {
		name, arn, session string
		d                  time.Duration
		code               string
		status             int
		msg                string
	}{
		{"no_role", "arn:aws:iam::000000000000:role/ghost", "s1", 0, "NoSuchEntity", 404, "The role with name ghost cannot be found."},
		{"not_a_role_arn", "arn:aws:iam::000000000000:user/u", "s1", 0, "NoSuchEntity", 404, "The role with name arn:aws:iam::000000000000:user/u cannot be found."},
		{"short_session", role.ARN, "s", 0, "ValidationError", 400, "1 validation error detected: Value 's' at 'roleSessionName' failed to satisfy constraint: Member must have length greater than or equal to 2"},
		{"bad_session", role.ARN, "a b", 0, "ValidationError", 400, `1 validation error detected: Value 'a b' at 'roleSessionName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\w+=,.@-]*`},
		{"too_short", role.ARN, "s1", time.Minute, "ValidationError", 400, "1 validation error detected: Value '60' at 'durationSeconds' failed to satisfy constraint: Member must have value greater than or equal to 900"},
		{"beyond_max_session", role.ARN, "s1", 2 * time.Hour, "ValidationError", 400, "The requested DurationSeconds exceeds the MaxSessionDuration set for this role."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := e.svc.IssueCredentials(ctx, tt.arn, tt.session, tt.d)
			checkErr(t, "IssueCredentials", err, tt.code, tt.status, tt.msg)
		})
	}
	if _, err := e.svc.IssueCredentials(ctx, role.ARN, "s1", 15*time.Minute); err != nil {
		t.Errorf("IssueCredentials(15m) = %v", err)
	}
}

// A session keeps acting as its role: the role's policies decide, and a
// policy naming the role matches its sessions.
func TestSessionActsAsRole(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	role := e.createRole("r", "/deep/path/", lambdaTrust)
	creds, err := e.svc.IssueCredentials(ctx, role.ARN, "s1", 0)
	if err != nil {
		t.Fatal(err)
	}
	_, p, err := e.svc.LookupAccessKey(ctx, creds.AccessKeyID)
	if err != nil {
		t.Fatal(err)
	}
	pol := []byte(`{"Version":"2012-10-17","Statement":[{"Sid":"role","Effect":"Allow","Principal":{"AWS":"` + role.ARN + `"},"Action":"lambda:InvokeFunction","Resource":"*"}]}`)
	d, err := e.svc.Authorize(ctx, iam.Request{Principal: p, Action: "lambda:InvokeFunction", Resource: seedFunctionARN, ResourcePolicy: pol})
	if err != nil || !d.Allowed {
		t.Errorf("Authorize(session via role-named resource policy) = %+v, %v", d, err)
	}
	// The same, when the caller knows only the session ARN.
	p.RoleARN = ""
	d, err = e.svc.Authorize(ctx, iam.Request{Principal: p, Action: "lambda:InvokeFunction", Resource: seedFunctionARN, ResourcePolicy: pol})
	if err != nil || !d.Allowed {
		t.Errorf("Authorize(session ARN only) = %+v, %v", d, err)
	}
}

func BenchmarkLookupAccessKey(b *testing.B) {
	e := newEnv(b)
	role := e.createRole("r", "/", lambdaTrust)
	creds, err := e.svc.IssueCredentials(context.Background(), role.ARN, "s1", 0)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, _, err := e.svc.LookupAccessKey(context.Background(), creds.AccessKeyID); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkIssueCredentials(b *testing.B) {
	e := newEnv(b)
	role := e.createRole("r", "/", lambdaTrust)
	for b.Loop() {
		if _, err := e.svc.IssueCredentials(context.Background(), role.ARN, "s1", 0); err != nil {
			b.Fatal(err)
		}
	}
}
