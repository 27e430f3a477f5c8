package apigw

import "testing"

func TestWildcardMatch(t *testing.T) {
	tests := []struct {
		pattern, s string
		want       bool
	}{
		{"*", "", true},
		{"*", "arn:aws:execute-api:us-east-1:1:abc/$default/GET/pets/1", true},
		{"arn:aws:execute-api:*:*:abc/*/GET/*", "arn:aws:execute-api:us-east-1:1:abc/dev/GET/pets/1", true},
		{"arn:aws:execute-api:*:*:abc/*/GET/*", "arn:aws:execute-api:us-east-1:1:abc/dev/POST/pets/1", false},
		{"a?c", "abc", true},
		{"a?c", "ac", false},
		{"a*b*c", "a-b-b-c", true},
		{"a*b*c", "a-b-b-", false},
		{"abc", "ABC", false},
		{"", "", true},
		{"", "a", false},
		{"**", "x", true},
	}
	for _, tt := range tests {
		if got := wildcardMatch(tt.pattern, tt.s); got != tt.want {
			t.Errorf("wildcardMatch(%q, %q) = %v, want %v", tt.pattern, tt.s, got, tt.want)
		}
	}
}

func TestPolicyAllows(t *testing.T) {
	const arn = "arn:aws:execute-api:us-east-1:1:abc/$default/GET/pets/1"
	tests := []struct {
		name, doc string
		want      bool
		invalid   bool
	}{
		{"allowOne", `{"Statement":{"Effect":"Allow","Action":"execute-api:Invoke","Resource":"` + arn + `"}}`, true, false},
		{"allowList", `{"Statement":[{"Effect":"Allow","Action":["s3:Get*","execute-api:*"],"Resource":["x","arn:*"]}]}`, true, false},
		{"actionCaseInsensitive", `{"Statement":[{"Effect":"allow","Action":"Execute-API:invoke","Resource":"*"}]}`, true, false},
		{"denyWins", `{"Statement":[{"Effect":"Allow","Action":"*","Resource":"*"},{"Effect":"Deny","Action":"*","Resource":"*/GET/*"}]}`, false, false},
		{"noMatch", `{"Statement":[{"Effect":"Allow","Action":"*","Resource":"*/POST/*"}]}`, false, false},
		{"emptyStatements", `{"Statement":[]}`, false, false},
		{"noStatement", `{"Version":"2012-10-17"}`, false, true},
		{"badEffect", `{"Statement":[{"Effect":"Perhaps","Action":"*","Resource":"*"}]}`, false, true},
		{"noResource", `{"Statement":[{"Effect":"Allow","Action":"*"}]}`, false, true},
		{"numberAction", `{"Statement":[{"Effect":"Allow","Action":7,"Resource":"*"}]}`, false, true},
	}
	for _, tt := range tests {
		p, err := parsePolicy([]byte(tt.doc))
		if (err != nil) != tt.invalid {
			t.Errorf("parsePolicy(%s) error = %v, want invalid %v", tt.name, err, tt.invalid)
			continue
		}
		if got := p.allows("execute-api:Invoke", arn); got != tt.want {
			t.Errorf("parsePolicy(%s).allows = %v, want %v", tt.name, got, tt.want)
		}
	}
}
