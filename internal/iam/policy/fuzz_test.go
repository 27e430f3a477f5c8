package policy

import (
	"errors"
	"testing"
)

// FuzzParse feeds arbitrary documents to Parse as each kind: it must never
// panic, must fail only with an *Error, must be deterministic, and what it
// accepts must evaluate without panicking. Seeds live in
// testdata/fuzz/FuzzParse.
func FuzzParse(f *testing.F) {
	f.Add(`{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:*","Resource":"*"}}`, 0)
	f.Fuzz(func(t *testing.T, doc string, k int) {
		kind := Kind(uint(k) % 3)
		p, err := Parse(doc, kind)
		_, err2 := Parse(doc, kind)
		if (err == nil) != (err2 == nil) || (err != nil && err.Error() != err2.Error()) {
			t.Fatalf("Parse(%q) not deterministic: %v then %v", doc, err, err2)
		}
		if err != nil {
			var perr *Error
			if !errors.As(err, &perr) {
				t.Fatalf("Parse(%q) = %T %v, want *Error", doc, err, err)
			}
			return
		}
		for _, r := range []Request{
			{Principal: Principal{Kind: KindRole, ARN: "arn:aws:iam::123456789012:role/r", AccountID: "123456789012"}, Action: "s3:GetObject", Resource: "arn:aws:s3:::b/k"},
			{Principal: Principal{Kind: KindService, Service: "apigateway.amazonaws.com"}, Action: "lambda:InvokeFunction", Resource: "arn:aws:lambda:us-east-1:123456789012:function:f",
				Context: map[string][]string{"aws:SourceArn": {"arn:aws:execute-api:us-east-1:123456789012:a/b/GET/"}, "aws:username": {"bob"}, "k": {"1", "x"}}},
			{Principal: Principal{Kind: KindAnonymous}, Action: "", Resource: ""},
		} {
			m := p.Evaluate(&r)
			if m.Effect != "" && (m.Index < 0 || m.Index >= len(p.Statements)) {
				t.Fatalf("Evaluate = %+v for %d statements", m, len(p.Statements))
			}
		}
	})
}
