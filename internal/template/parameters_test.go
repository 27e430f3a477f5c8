package template_test

import (
	"errors"
	"fmt"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/cloudlet-dev/cloudlet/internal/template"
)

func TestResolveParametersTypes(t *testing.T) {
	tp := mustParse(t, "t.yaml", `Parameters:
  S: {Type: String}
  N: {Type: Number, Default: 42}
  F: {Type: Number, Default: "1.5"}
  NL: {Type: "List<Number>", Default: "1, 2,3"}
  CDL: {Type: CommaDelimitedList, Default: " a , b,,c "}
  Subnet: {Type: "AWS::EC2::Subnet::Id", Default: subnet-1}
  Subnets: {Type: "List<AWS::EC2::Subnet::Id>", Default: "subnet-1,subnet-2"}
  SSMName: {Type: "AWS::SSM::Parameter::Name", Default: /a/b}
  Latest: {Type: "AWS::SSM::Parameter::Value<String>", Default: /ami/latest}
  Many: {Type: "AWS::SSM::Parameter::Value<List<String>>", Default: /list}
  Secret: {Type: String, NoEcho: true, Default: hunter2}
Resources:
  R: {Type: T}
`)
	ssm := func(name string) (string, error) {
		switch name {
		case "/ami/latest":
			return "ami-123", nil
		case "/list":
			return "x, y", nil
		}
		return "", fmt.Errorf("parameter %s not found", name)
	}
	got, err := tp.ResolveParameters(map[string]string{"S": "hello"}, ssm)
	if err != nil {
		t.Fatalf("ResolveParameters = %v", err)
	}
	want := map[string]template.Value{
		"S":       {String: "hello"},
		"N":       {String: "42"},
		"F":       {String: "1.5"},
		"NL":      {String: "1, 2,3", List: []string{"1", "2", "3"}},
		"CDL":     {String: " a , b,,c ", List: []string{"a", "b", "", "c"}},
		"Subnet":  {String: "subnet-1"},
		"Subnets": {String: "subnet-1,subnet-2", List: []string{"subnet-1", "subnet-2"}},
		"SSMName": {String: "/a/b"},
		"Latest":  {String: "ami-123", SSMKey: "/ami/latest"},
		"Many":    {String: "x, y", List: []string{"x", "y"}, SSMKey: "/list"},
		"Secret":  {String: "hunter2"},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("ResolveParameters mismatch (-want +got):\n%s", diff)
	}
	if got := tp.MaskedValue("Secret", "hunter2"); got != "****" {
		t.Errorf("MaskedValue(Secret) = %q, want ****", got)
	}
	if got := tp.MaskedValue("S", "hello"); got != "hello" {
		t.Errorf("MaskedValue(S) = %q, want hello", got)
	}
}

func TestResolveParametersErrors(t *testing.T) {
	tests := []struct {
		name     string
		params   string
		supplied map[string]string
		want     string
	}{
		{"Missing", "A: {Type: String}\n  B: {Type: String}\n  C: {Type: String, Default: c}", nil, "Parameters: [A, B] must have values"},
		{"Unknown", "A: {Type: String, Default: a}", map[string]string{"Y": "1", "X": "2"}, "Parameters: [X, Y] do not exist in the template"},
		{"UnknownType", "A: {Type: Strin, Default: a}", nil, "Template format error: Unrecognized parameter type: Strin"},
		{"UnknownListType", "A: {Type: \"List<Foo>\", Default: a}", nil, "Template format error: Unrecognized parameter type: List<Foo>"},
		{"NotANumber", "A: {Type: Number}", map[string]string{"A": "abc"}, "Parameter 'A' must be a number."},
		{"HexNotANumber", "A: {Type: Number}", map[string]string{"A": "0x10"}, "Parameter 'A' must be a number."},
		{"ListItemNotANumber", "A: {Type: \"List<Number>\"}", map[string]string{"A": "1,x"}, "Parameter 'A' must be a number."},
		{"AllowedValues", "A: {Type: String, AllowedValues: [dev, prod]}", map[string]string{"A": "test"}, "Parameter 'A' must be one of AllowedValues"},
		{"AllowedValuesPerItem", "A: {Type: CommaDelimitedList, AllowedValues: [a, b]}", map[string]string{"A": "a, c"}, "Parameter 'A' must be one of AllowedValues"},
		{"AllowedPattern", "A: {Type: String, AllowedPattern: \"[a-z]+\"}", map[string]string{"A": "abc1"}, "Parameter 'A' must match pattern [a-z]+"},
		{"MinLength", "A: {Type: String, MinLength: 3}", map[string]string{"A": "ab"}, "Parameter 'A' must contain at least 3 characters"},
		{"MaxLength", "A: {Type: String, MaxLength: \"2\"}", map[string]string{"A": "abc"}, "Parameter 'A' must contain at most 2 characters"},
		{"MaxLengthCountsCharacters", "A: {Type: String, MaxLength: 2}", map[string]string{"A": "éé"}, ""},
		{"MinValue", "A: {Type: Number, MinValue: 1.50}", map[string]string{"A": "1"}, "Parameter 'A' must be a number not less than 1.50"},
		{"MaxValue", "A: {Type: Number, MaxValue: 10}", map[string]string{"A": "11"}, "Parameter 'A' must be a number not greater than 10"},
		{"ConstraintDescription", "A: {Type: String, AllowedValues: [dev, prod], ConstraintDescription: \"Must be one of: dev, prod\"}", map[string]string{"A": "x"}, "Parameter A failed to satisfy constraint: Must be one of: dev, prod"},
		{"ConstraintDescriptionLength", "A: {Type: String, MinLength: 5, ConstraintDescription: too short}", map[string]string{"A": "x"}, "Parameter A failed to satisfy constraint: too short"},
		{"BadDefault", "A: {Type: String, Default: x, AllowedValues: [a]}", nil, "Parameter 'A' must be one of AllowedValues"},
		{"SSMPatternAppliesToName", "A: {Type: \"AWS::SSM::Parameter::Value<String>\", AllowedPattern: \"/ok/.*\"}", map[string]string{"A": "/bad"}, "Parameter 'A' must match pattern /ok/.*"},
		{"SSMMissing", "A: {Type: \"AWS::SSM::Parameter::Value<String>\"}\n  B: {Type: \"AWS::SSM::Parameter::Value<String>\"}", map[string]string{"A": "/x", "B": "/y"}, "Unable to fetch parameters [/x, /y] from parameter store for this account."},
		{"JavaOnlyPatternIsNotChecked", "A: {Type: String, AllowedPattern: \"(?=a).*\"}", map[string]string{"A": "b"}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tp := mustParse(t, "t.yaml", "Parameters:\n  "+tt.params+"\nResources:\n  R: {Type: T}\n")
			_, err := tp.ResolveParameters(tt.supplied, func(string) (string, error) { return "", errors.New("not found") })
			if got := errMessage(err); got != tt.want {
				t.Errorf("ResolveParameters(%v) = %q, want %q", tt.supplied, got, tt.want)
			}
			if ae := template.AWSError(err); err != nil && (ae == nil || ae.Code != "ValidationError" || ae.HTTPStatus() != 400) {
				t.Errorf("AWSError(ResolveParameters) = %v, want a 400 ValidationError", ae)
			}
		})
	}
}
