package policy

import (
	"encoding/json"
	"testing"
	"time"
)

// TestConditionOperators evaluates one condition block against a request
// context. ctx nil means the key is absent from the request.
func TestConditionOperators(t *testing.T) {
	tests := []struct {
		name string
		op   string
		vals any // policy value(s) for key "k"
		ctx  []string
		want bool
	}{
		{"StringEquals_match", "StringEquals", "abc", []string{"abc"}, true},
		{"StringEquals_case", "StringEquals", "abc", []string{"ABC"}, false},
		{"StringEquals_any_policy_value", "StringEquals", []string{"x", "abc"}, []string{"abc"}, true},
		{"StringEquals_absent", "StringEquals", "abc", nil, false},
		{"StringNotEquals_other", "StringNotEquals", "abc", []string{"xyz"}, true},
		{"StringNotEquals_same", "StringNotEquals", "abc", []string{"abc"}, false},
		{"StringNotEquals_none_of", "StringNotEquals", []string{"a", "b"}, []string{"b"}, false},
		// IAM: a negated operator on an absent key is true.
		{"StringNotEquals_absent", "StringNotEquals", "abc", nil, true},
		{"StringEqualsIgnoreCase", "StringEqualsIgnoreCase", "abc", []string{"AbC"}, true},
		{"StringNotEqualsIgnoreCase", "StringNotEqualsIgnoreCase", "abc", []string{"AbC"}, false},
		{"StringLike_star", "StringLike", "home/*", []string{"home/bob/x"}, true},
		{"StringLike_question", "StringLike", "v?", []string{"v1"}, true},
		{"StringLike_case", "StringLike", "Home/*", []string{"home/x"}, false},
		{"StringNotLike", "StringNotLike", "home/*", []string{"etc/x"}, true},
		{"StringNotLike_match", "StringNotLike", "home/*", []string{"home/x"}, false},
		{"NumericEquals", "NumericEquals", "10", []string{"10.0"}, true},
		{"NumericEquals_json_number", "NumericEquals", 10, []string{"10"}, true},
		{"NumericNotEquals", "NumericNotEquals", "10", []string{"11"}, true},
		{"NumericLessThan", "NumericLessThan", "10", []string{"9"}, true},
		{"NumericLessThan_equal", "NumericLessThan", "10", []string{"10"}, false},
		{"NumericLessThanEquals", "NumericLessThanEquals", "10", []string{"10"}, true},
		{"NumericGreaterThan", "NumericGreaterThan", "10", []string{"11"}, true},
		{"NumericGreaterThanEquals", "NumericGreaterThanEquals", "10", []string{"9"}, false},
		{"Numeric_request_not_number", "NumericLessThan", "10", []string{"x"}, false},
		{"DateEquals_forms", "DateEquals", "2020-01-01T00:00:00Z", []string{"1577836800"}, true},
		{"DateNotEquals", "DateNotEquals", "2020-01-01", []string{"2020-01-02T00:00:00Z"}, true},
		{"DateLessThan", "DateLessThan", "2020-01-01T00:00:00Z", []string{"2019-12-31T23:59:59Z"}, true},
		{"DateLessThanEquals", "DateLessThanEquals", "2020-01-01T00:00:00Z", []string{"2020-01-01T00:00:00+00:00"}, true},
		{"DateGreaterThan", "DateGreaterThan", "2020-01-01T00:00:00Z", []string{"2019-12-31T23:59:59Z"}, false},
		{"DateGreaterThanEquals", "DateGreaterThanEquals", "2020-01-01T00:00:00Z", []string{"2020-01-01T01:00:00+01:00"}, true},
		{"Bool_true", "Bool", "true", []string{"true"}, true},
		{"Bool_json_bool", "Bool", false, []string{"false"}, true},
		{"Bool_mismatch", "Bool", "true", []string{"false"}, false},
		{"Bool_absent", "Bool", "false", nil, false},
		{"BinaryEquals", "BinaryEquals", "QmluYXJ5VmFsdWVJbkJhc2U2NA==", []string{"QmluYXJ5VmFsdWVJbkJhc2U2NA=="}, true},
		{"IpAddress_cidr", "IpAddress", "203.0.113.0/24", []string{"203.0.113.7"}, true},
		{"IpAddress_outside", "IpAddress", "203.0.113.0/24", []string{"198.51.100.7"}, false},
		{"IpAddress_single", "IpAddress", "127.0.0.1", []string{"127.0.0.1"}, true},
		{"IpAddress_v6", "IpAddress", "2001:db8::/32", []string{"2001:db8::1"}, true},
		{"IpAddress_mapped_v4", "IpAddress", "10.0.0.0/8", []string{"::ffff:10.1.2.3"}, true},
		{"IpAddress_garbage", "IpAddress", "10.0.0.0/8", []string{"localhost"}, false},
		{"NotIpAddress", "NotIpAddress", "10.0.0.0/8", []string{"192.168.1.1"}, true},
		{"NotIpAddress_inside", "NotIpAddress", "10.0.0.0/8", []string{"10.0.0.1"}, false},
		{"ArnEquals", "ArnEquals", "arn:aws:sns:us-east-1:123456789012:t", []string{"arn:aws:sns:us-east-1:123456789012:t"}, true},
		{"ArnLike", "ArnLike", "arn:aws:execute-api:us-east-1:123456789012:api/*/GET/*", []string{"arn:aws:execute-api:us-east-1:123456789012:api/prod/GET/x"}, true},
		{"ArnLike_other_api", "ArnLike", "arn:aws:execute-api:us-east-1:123456789012:api/*", []string{"arn:aws:execute-api:us-east-1:123456789012:other/prod/GET/x"}, false},
		{"ArnLike_not_arn", "ArnLike", "arn:aws:s3:::*", []string{"bucket"}, false},
		{"ArnNotEquals", "ArnNotEquals", "arn:aws:s3:::a", []string{"arn:aws:s3:::b"}, true},
		{"ArnNotLike", "ArnNotLike", "arn:aws:s3:::a*", []string{"arn:aws:s3:::abc"}, false},
		{"ArnNotLike_absent", "ArnNotLike", "arn:aws:s3:::a*", nil, true},
		{"Null_true_absent", "Null", "true", nil, true},
		{"Null_true_present", "Null", "true", []string{"x"}, false},
		{"Null_false_present", "Null", "false", []string{"x"}, true},
		{"Null_false_absent", "Null", "false", nil, false},
		{"IfExists_absent", "StringEqualsIfExists", "abc", nil, true},
		{"IfExists_present_mismatch", "StringEqualsIfExists", "abc", []string{"x"}, false},
		{"IfExists_present_match", "StringLikeIfExists", "a*", []string{"ax"}, true},
		{"ForAnyValue_one_matches", "ForAnyValue:StringEquals", []string{"a", "b"}, []string{"z", "b"}, true},
		{"ForAnyValue_none_match", "ForAnyValue:StringEquals", []string{"a", "b"}, []string{"y", "z"}, false},
		{"ForAnyValue_absent", "ForAnyValue:StringEquals", "a", nil, false},
		{"ForAnyValue_negated", "ForAnyValue:StringNotEquals", []string{"a"}, []string{"a", "z"}, true},
		{"ForAllValues_all_match", "ForAllValues:StringEquals", []string{"a", "b"}, []string{"a", "b"}, true},
		{"ForAllValues_one_extra", "ForAllValues:StringEquals", []string{"a", "b"}, []string{"a", "c"}, false},
		// IAM's documented trap: ForAllValues is true when the key is absent
		// or empty.
		{"ForAllValues_absent", "ForAllValues:StringEquals", "a", nil, true},
		{"ForAllValues_empty", "ForAllValues:StringEquals", "a", []string{}, true},
		{"ForAllValues_negated", "ForAllValues:StringNotLike", "secret*", []string{"a", "b"}, true},
		{"ForAllValues_negated_hit", "ForAllValues:StringNotLike", "secret*", []string{"a", "secret1"}, false},
		{"multi_valued_key_single_operator", "StringEquals", "b", []string{"a", "b"}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cond, _ := json.Marshal(map[string]any{tt.op: map[string]any{"k": tt.vals}})
			doc := `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:GetObject","Resource":"*","Condition":` + string(cond) + `}}`
			p, err := Parse(doc, Identity)
			if err != nil {
				t.Fatalf("Parse(%s) = %v", doc, err)
			}
			r := &Request{Action: "s3:GetObject", Resource: "arn:aws:s3:::b/k"}
			if tt.ctx != nil {
				r.Context = map[string][]string{"k": tt.ctx}
			}
			got := p.Evaluate(r).Effect == Allow
			if got != tt.want {
				t.Errorf("%s %v with k=%q: allowed = %v, want %v", tt.op, tt.vals, tt.ctx, got, tt.want)
			}
		})
	}
}

func TestConditionKeysAreCaseInsensitive(t *testing.T) {
	p, err := Parse(`{"Version":"2012-10-17","Statement":{"Effect":"Allow","Principal":{"Service":"apigateway.amazonaws.com"},"Action":"lambda:InvokeFunction","Resource":"*","Condition":{"ArnLike":{"AWS:SourceArn":"arn:aws:execute-api:us-east-1:123456789012:api/*"}}}}`, Resource)
	if err != nil {
		t.Fatal(err)
	}
	r := &Request{
		Principal: Principal{Kind: KindService, Service: "apigateway.amazonaws.com"},
		Action:    "lambda:InvokeFunction",
		Resource:  "arn:aws:lambda:us-east-1:123456789012:function:f",
		Context:   map[string][]string{"aws:sourcearn": {"arn:aws:execute-api:us-east-1:123456789012:api/$default/GET/"}},
	}
	if got := p.Evaluate(r).Effect; got != Allow {
		t.Errorf("Evaluate(lowercase key) = %q, want Allow", got)
	}
}

func TestGlobalConditionKeys(t *testing.T) {
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	tests := []struct {
		name, cond string
		principal  Principal
		want       bool
	}{
		{"current_time_after", `{"DateGreaterThan":{"aws:CurrentTime":"2026-01-01T00:00:00Z"}}`, Principal{}, true},
		{"current_time_before", `{"DateLessThan":{"aws:CurrentTime":"2026-01-01T00:00:00Z"}}`, Principal{}, false},
		{"epoch_time", `{"NumericGreaterThan":{"aws:EpochTime":1700000000}}`, Principal{}, true},
		{"principal_arn_of_session_is_role", `{"ArnLike":{"aws:PrincipalArn":"arn:aws:iam::123456789012:role/*"}}`,
			Principal{Kind: KindAssumedRole, ARN: "arn:aws:sts::123456789012:assumed-role/r/s", RoleARN: "arn:aws:iam::123456789012:role/r", AccountID: "123456789012"}, true},
		{"principal_account", `{"StringEquals":{"aws:PrincipalAccount":"123456789012"}}`,
			Principal{Kind: KindRole, ARN: "arn:aws:iam::123456789012:role/r", AccountID: "123456789012"}, true},
		{"principal_service_name", `{"StringEquals":{"aws:PrincipalServiceName":"apigateway.amazonaws.com"}}`,
			Principal{Kind: KindService, Service: "apigateway.amazonaws.com"}, true},
		{"principal_type", `{"StringEquals":{"aws:PrincipalType":"Account"}}`,
			Principal{Kind: KindRoot, ARN: "arn:aws:iam::123456789012:root", AccountID: "123456789012"}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := Parse(`{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:GetObject","Resource":"*","Condition":`+tt.cond+`}}`, Identity)
			if err != nil {
				t.Fatal(err)
			}
			r := &Request{Principal: tt.principal, Action: "s3:GetObject", Resource: "arn:aws:s3:::b", Now: now}
			if got := p.Evaluate(r).Effect == Allow; got != tt.want {
				t.Errorf("Evaluate(%s) allowed = %v, want %v", tt.cond, got, tt.want)
			}
		})
	}
}

func TestPolicyVariables(t *testing.T) {
	tests := []struct {
		name, version, resource, cond string
		ctx                           map[string][]string
		req                           string
		want                          bool
	}{
		{"resource_var", "2012-10-17", "arn:aws:s3:::b/${aws:username}/*", "", map[string][]string{"aws:username": {"bob"}}, "arn:aws:s3:::b/bob/x", true},
		{"resource_var_other_user", "2012-10-17", "arn:aws:s3:::b/${aws:username}/*", "", map[string][]string{"aws:username": {"bob"}}, "arn:aws:s3:::b/alice/x", false},
		{"resource_var_missing", "2012-10-17", "arn:aws:s3:::b/${aws:username}/*", "", nil, "arn:aws:s3:::b//x", false},
		{"resource_var_default", "2012-10-17", "arn:aws:s3:::b/${aws:username, 'guest'}/*", "", nil, "arn:aws:s3:::b/guest/x", true},
		{"value_is_literal_not_wildcard", "2012-10-17", "arn:aws:s3:::b/${aws:username}", "", map[string][]string{"aws:username": {"*"}}, "arn:aws:s3:::b/anything", false},
		{"escape_star", "2012-10-17", "arn:aws:s3:::b/${*}", "", nil, "arn:aws:s3:::b/*", true},
		{"escape_star_is_literal", "2012-10-17", "arn:aws:s3:::b/${*}", "", nil, "arn:aws:s3:::b/x", false},
		{"dollar_without_brace", "2012-10-17", "arn:aws:s3:::b/$x*", "", nil, "arn:aws:s3:::b/$xy", true},
		{"no_vars_in_2008", "2008-10-17", "arn:aws:s3:::b/${aws:username}", "", map[string][]string{"aws:username": {"bob"}}, "arn:aws:s3:::b/${aws:username}", true},
		{"condition_var", "2012-10-17", "*", `,"Condition":{"StringEquals":{"s3:prefix":"home/${aws:username}"}}`, map[string][]string{"aws:username": {"bob"}, "s3:prefix": {"home/bob"}}, "arn:aws:s3:::b", true},
		{"condition_var_like", "2012-10-17", "*", `,"Condition":{"StringLike":{"s3:prefix":"home/${aws:username}/*"}}`, map[string][]string{"aws:username": {"bob"}, "s3:prefix": {"home/bob/a"}}, "arn:aws:s3:::b", true},
		{"condition_var_arn", "2012-10-17", "*", `,"Condition":{"ArnLike":{"aws:SourceArn":"arn:aws:sns:*:${aws:PrincipalAccount}:*"}}`, map[string][]string{"aws:PrincipalAccount": {"123456789012"}, "aws:SourceArn": {"arn:aws:sns:us-east-1:123456789012:t"}}, "arn:aws:s3:::b", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			doc := `{"Version":"` + tt.version + `","Statement":{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"` + tt.resource + `"` + tt.cond + `}}`
			p, err := Parse(doc, Resource)
			if err != nil {
				t.Fatalf("Parse(%s) = %v", doc, err)
			}
			r := &Request{Principal: Principal{Kind: KindAnonymous}, Action: "s3:GetObject", Resource: tt.req, Context: tt.ctx}
			if got := p.Evaluate(r).Effect == Allow; got != tt.want {
				t.Errorf("Evaluate(%s on %s) allowed = %v, want %v", tt.resource, tt.req, got, tt.want)
			}
		})
	}
}
