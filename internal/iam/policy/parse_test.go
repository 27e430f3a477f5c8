package policy

import (
	"errors"
	"testing"
)

func TestParseErrors(t *testing.T) {
	const v = `"Version":"2012-10-17",`
	tests := []struct {
		name string
		kind Kind
		doc  string
		want string // IAM's message; "" for a valid document
	}{
		{"valid_identity", Identity, `{` + v + `"Statement":{"Effect":"Allow","Action":"s3:ListBucket","Resource":"arn:aws:s3:::b"}}`, ""},
		{"valid_list", Identity, `{` + v + `"Statement":[{"Effect":"Allow","Action":["s3:Get*","s3:List*"],"Resource":["*"]}]}`, ""},
		{"valid_star_action", Identity, `{` + v + `"Statement":{"Effect":"Allow","Action":"*","Resource":"*"}}`, ""},
		{"valid_odd_action_name", Identity, `{` + v + `"Statement":{"Effect":"Allow","Action":"iam: asdf safdsf af ","Resource":"*"}}`, ""},
		{"valid_three_part_arn", Identity, `{` + v + `"Statement":{"Effect":"Allow","Action":"s3:Get","Resource":"arn:aws:fdsasf"}}`, ""},
		{"valid_empty_condition", Identity, `{` + v + `"Statement":{"Effect":"Allow","Action":"s3:Get","Resource":"*","Condition":{}}}`, ""},
		{"valid_condition_types", Identity, `{` + v + `"Statement":{"Effect":"Allow","Action":"s3:Get","Resource":"*","Condition":{"Bool":{"aws:SecureTransport":false},"NumericLessThan":{"s3:max-keys":10},"ForAllValues:StringEquals":{"aws:TagKeys":["a","b"]},"DateGreaterThan":{"aws:CurrentTime":"2017-07-01T00:00:00Z"},"IpAddress":{"aws:SourceIp":["10.0.0.0/8","::1"]},"StringLikeIfExists":{"k":"v*"},"Null":{"k":"true"}}}}`, ""},
		{"valid_with_id", Identity, `{` + v + `"Id":"x","Statement":{"Effect":"Deny","NotAction":"iam:*","NotResource":"arn:aws:iam::*:role/x"}}`, ""},
		{"valid_trust", Trust, `{` + v + `"Statement":[{"Effect":"Allow","Principal":{"Service":["lambda.amazonaws.com"]},"Action":"sts:AssumeRole"}]}`, ""},
		{"valid_trust_2008", Trust, `{"Version":"2008-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::123456789012:root"},"Action":["sts:AssumeRole"]}]}`, ""},
		{"valid_trust_no_version", Trust, `{"Statement":[{"Effect":"Allow","Principal":{"AWS":"123456789012"},"Action":"sts:AssumeRole"}]}`, ""},
		{"valid_resource_star_principal", Resource, `{` + v + `"Statement":[{"Effect":"Allow","Principal":"*","Action":"lambda:InvokeFunction","Resource":"arn:aws:lambda:us-east-1:123456789012:function:f"}]}`, ""},

		{"not_json", Identity, `This is not a json document`, msgSyntax},
		{"json_array", Identity, `[]`, msgSyntax},
		{"json_null", Identity, `null`, msgSyntax},
		{"trailing_garbage", Identity, `{` + v + `"Statement":{"Effect":"Allow","Action":"s3:Get","Resource":"*"}} x`, msgSyntax},
		{"no_version_identity", Identity, `{"Statement":{"Effect":"Allow","Action":"s3:ListBucket","Resource":"*"}}`, msgVersion},
		{"version_2008_identity", Identity, `{"Version":"2008-10-17","Statement":{"Effect":"Allow","Action":"s3:ListBucket","Resource":"*"}}`, msgVersion},
		{"version_unknown", Identity, `{"Version":"2013-10-17","Statement":{"Effect":"Allow","Action":"s3:ListBucket","Resource":"*"}}`, msgSyntax},
		{"version_not_string", Trust, `{"Version":2012,"Statement":{"Effect":"Allow","Action":"sts:AssumeRole","Principal":"*"}}`, msgSyntax},
		{"no_statement", Identity, `{"Version":"2012-10-17"}`, msgSyntax},
		{"empty_statement_list", Identity, `{` + v + `"Statement":[]}`, msgSyntax},
		{"statement_string", Identity, `{` + v + `"Statement":["afd"]}`, msgSyntax},
		{"extra_top_field", Identity, `{` + v + `"Statement":{"Effect":"Allow","Action":"s3:Get","Resource":"*"},"Extra field":"value"}`, msgSyntax},
		{"extra_statement_field", Identity, `{` + v + `"Statement":{"Effect":"Allow","Action":"s3:Get","Resource":"*","Extra":"v"}}`, msgSyntax},
		{"lowercase_field", Identity, `{` + v + `"Statement":{"effect":"Allow","Action":"s3:Get","Resource":"*"}}`, msgSyntax},
		{"id_list", Identity, `{` + v + `"Id":["x"],"Statement":{"Effect":"Allow","Action":"s3:Get","Resource":"*"}}`, msgSyntax},
		{"sid_object", Identity, `{` + v + `"Statement":{"Sid":{},"Effect":"Allow","Action":"s3:Get","Resource":"*"}}`, msgSyntax},
		{"no_effect", Identity, `{` + v + `"Statement":{"Action":"s3:Get","Resource":"*"}}`, msgSyntax},
		{"action_and_notaction", Identity, `{` + v + `"Statement":{"Effect":"Allow","Action":"s3:Get","NotAction":"iam:dsf","Resource":"*"}}`, msgSyntax},
		{"resource_and_notresource", Identity, `{` + v + `"Statement":{"Effect":"Allow","Action":"s3:Get","Resource":"*","NotResource":"*"}}`, msgSyntax},
		{"action_object", Identity, `{` + v + `"Statement":{"Effect":"Allow","Action":{},"Resource":"*"}}`, msgSyntax},
		{"action_nested_list", Identity, `{` + v + `"Statement":{"Effect":"Allow","Action":[[]],"Resource":"*"}}`, msgSyntax},
		{"resource_object_in_list", Identity, `{` + v + `"Statement":{"Effect":"Deny","Action":"s3:Get","Resource":["adf",{}]}}`, msgSyntax},
		{"condition_list", Identity, `{` + v + `"Statement":{"Effect":"Allow","Action":"s3:Get","Resource":"*","Condition":[]}}`, msgSyntax},
		{"condition_string", Identity, `{` + v + `"Statement":{"Effect":"Allow","Action":"s3:Get","Resource":"*","Condition":"a"}}`, msgSyntax},
		{"condition_unknown_operator", Identity, `{` + v + `"Statement":{"Effect":"Allow","Action":"s3:Get","Resource":"*","Condition":{"x":{"a":"1"}}}}`, msgSyntax},
		{"condition_operator_string", Identity, `{` + v + `"Statement":{"Effect":"Allow","Action":"s3:Get","Resource":"*","Condition":{"DateGreaterThan":"b"}}}`, msgSyntax},
		{"condition_value_object", Identity, `{` + v + `"Statement":{"Effect":"Allow","Action":"s3:Get","Resource":"*","Condition":{"StringEquals":{"a":{}}}}}`, msgSyntax},
		{"condition_double_colon", Identity, `{` + v + `"Statement":{"Effect":"Allow","Action":"s3:Get","Resource":"*","Condition":{"ForAnyValue::StringEqualsIfExists":{"a":"b"}}}}`, msgSyntax},
		{"condition_value_null", Identity, `{` + v + `"Statement":{"Effect":"Allow","Action":"s3:Get","Resource":"*","Condition":{"StringEquals":{"a":null}}}}`, msgSyntax},
		{"principal_bare_arn", Resource, `{` + v + `"Statement":{"Effect":"Allow","Principal":"arn:aws:iam::123456789012:root","Action":"s3:Get","Resource":"*"}}`, msgSyntax},
		{"principal_unknown_type", Resource, `{` + v + `"Statement":{"Effect":"Allow","Principal":{"Robot":"x"},"Action":"s3:Get","Resource":"*"}}`, msgSyntax},

		{"effect_lowercase", Identity, `{` + v + `"Statement":{"Effect":"allow","Action":"s3:Get","Resource":"*"}}`, msgLegacy},
		{"effect_odd_case_before_sid", Identity, `{` + v + `"Statement":[{"Sid":"s","Effect":"aLLow","Action":"s3:Get","Resource":"*"},{"Sid":"s","Effect":"Allow"}]}`, msgLegacy},
		{"bad_date", Identity, `{` + v + `"Statement":{"Effect":"Allow","Action":"s3:Get","Resource":"*","Condition":{"DateGreaterThan":{"a":"sdfdsf"}}}}`, msgLegacy},
		{"bad_date_before_actions", Identity, `{` + v + `"Statement":{"Effect":"Allow","Condition":{"DateLessThan":{"a":"234-13"}}}}`, msgLegacy},
		{"epoch_overflow", Identity, `{` + v + `"Statement":{"Effect":"Allow","Action":"s3:Get","Resource":"*","Condition":{"DateLessThan":{"a":"9223372036854775808"}}}}`, msgLegacy},
		{"bad_number", Identity, `{` + v + `"Statement":{"Effect":"Allow","Action":"s3:Get","Resource":"*","Condition":{"NumericEquals":{"a":"ten"}}}}`, msgLegacy},
		{"bad_ip", Identity, `{` + v + `"Statement":{"Effect":"Allow","Action":"s3:Get","Resource":"*","Condition":{"IpAddress":{"aws:SourceIp":"10.0.0.300/8"}}}}`, msgLegacy},
		{"five_part_arn", Identity, `{` + v + `"Statement":{"Effect":"Allow","Action":"s3:Get","Resource":"arn:aws:s3::example_bucket"}}`, msgLegacy},
		{"four_part_arn", Identity, `{` + v + `"Statement":{"Effect":"Allow","Action":"s3:Get","Resource":"arn:aws::fdsasf"}}`, msgLegacy},

		{"duplicate_sid", Identity, `{` + v + `"Statement":[{"Sid":"sdf","Effect":"Allow","Action":"s3:Get","Resource":"*"},{"Sid":"sdf","Effect":"Allow"}]}`, msgSidUnique},
		{"no_action", Identity, `{` + v + `"Statement":{"Effect":"Allow","Resource":"*"}}`, msgNoActions},
		{"empty_action_list", Identity, `{` + v + `"Statement":{"Effect":"Allow","Action":[],"Resource":"*"}}`, msgNoActions},
		{"first_statement_without_action", Identity, `{` + v + `"Statement":[{"Effect":"Deny"},{"Effect":"Allow","Action":"s3:Get","Resource":"*"}]}`, msgNoActions},
		{"no_resource", Identity, `{` + v + `"Statement":{"Effect":"Allow","Action":"s3:ListBucket"}}`, msgNoResources},
		{"no_resource_before_vendor", Identity, `{` + v + `"Statement":{"Effect":"Allow","Action":"invalid"}}`, msgNoResources},
		{"empty_resource_list", Identity, `{` + v + `"Statement":{"Effect":"Allow","Action":"s3:Get","Resource":[]}}`, msgNoResources},
		{"action_no_vendor", Identity, `{` + v + `"Statement":{"Effect":"Allow","Action":"invalid","Resource":"*"}}`, msgVendor},
		{"notaction_empty", Identity, `{` + v + `"Statement":{"Effect":"Allow","NotAction":"","Resource":"*"}}`, msgVendor},
		{"action_two_colons", Identity, `{` + v + `"Statement":{"Effect":"Allow","Action":"s3:List:Bucket","Resource":"*"}}`, msgColon},
		{"action_bad_vendor", Identity, `{` + v + `"Statement":{"Effect":"Allow","Action":"a a:ListBucket","Resource":"*"}}`, "Vendor a a is not valid"},
		{"resource_not_arn", Identity, `{` + v + `"Statement":{"Effect":"Allow","Action":"s3:Get","Resource":"invalid resource"}}`, `Resource invalid resource must be in ARN format or "*".`},
		{"resource_empty", Identity, `{` + v + `"Statement":{"Effect":"Allow","Action":"s3:Get","Resource":""}}`, `Resource  must be in ARN format or "*".`},
		{"resource_two_parts", Identity, `{` + v + `"Statement":{"Effect":"Allow","Action":"s3:Get","Resource":"arn:aws"}}`, msgResourceVendor},
		{"resource_bad_partition", Identity, `{` + v + `"Statement":{"Effect":"Allow","Action":"s3:Get","Resource":["arn:error:s3:::example_bucket"]}}`, `Partition "error" is not valid for resource "arn:error:s3:::example_bucket".`},

		{"identity_with_principal", Identity, `{` + v + `"Statement":{"Effect":"Allow","Principal":"*","Action":"s3:*","Resource":"*"}}`, msgPrincipalBanned},
		{"resource_without_principal", Resource, `{` + v + `"Statement":{"Effect":"Allow","Action":"lambda:InvokeFunction","Resource":"*"}}`, msgPrincipalMissing},
		{"trust_without_principal", Trust, `{` + v + `"Statement":{"Effect":"Allow","Action":"sts:AssumeRole"}}`, msgPrincipalMissing},
		{"trust_with_resource", Trust, `{` + v + `"Statement":{"Effect":"Allow","Action":"sts:AssumeRole","Resource":"*"}}`, msgTrustResource},
		{"trust_with_notresource", Trust, `{` + v + `"Statement":{"Effect":"Allow","Principal":"*","Action":"sts:AssumeRole","NotResource":"*"}}`, msgTrustNotResource},
		{"trust_other_action", Trust, `{` + v + `"Statement":{"Effect":"Allow","Principal":{"Service":"lambda.amazonaws.com"},"Action":"lambda:InvokeFunction"}}`, msgTrustAction},
		{"trust_bad_aws_principal", Trust, `{` + v + `"Statement":{"Effect":"Allow","Principal":{"AWS":"bob"},"Action":"sts:AssumeRole"}}`, `Invalid principal in policy: "AWS":"bob"`},
		{"trust_bad_service_principal", Trust, `{` + v + `"Statement":{"Effect":"Allow","Principal":{"Service":"lambda"},"Action":"sts:AssumeRole"}}`, `Invalid principal in policy: "SERVICE":"lambda"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := Parse(tt.doc, tt.kind)
			if tt.want == "" {
				if err != nil {
					t.Fatalf("Parse(%s) = %v, want a policy", tt.doc, err)
				}
				if p.Kind() != tt.kind || len(p.Statements) == 0 {
					t.Errorf("Parse(%s) = kind %v with %d statements", tt.doc, p.Kind(), len(p.Statements))
				}
				return
			}
			var perr *Error
			if !errors.As(err, &perr) {
				t.Fatalf("Parse(%s) = %v, %v; want *Error %q", tt.doc, p, err, tt.want)
			}
			if perr.Message != tt.want {
				t.Errorf("Parse(%s) = %q, want %q", tt.doc, perr.Message, tt.want)
			}
		})
	}
}

func TestParseKeepsMetadata(t *testing.T) {
	p, err := Parse(`{"Version":"2012-10-17","Id":"default","Statement":[{"Sid":"a","Effect":"Deny","Action":"s3:*","Resource":"*"},{"Effect":"Allow","Action":"s3:*","Resource":"*"}]}`, Identity)
	if err != nil {
		t.Fatal(err)
	}
	if p.Version != Version2012 || p.ID != "default" {
		t.Errorf("Parse = version %q id %q, want %q %q", p.Version, p.ID, Version2012, "default")
	}
	if got := p.Statements[0].Label(0); got != `"a"` {
		t.Errorf("Label(0) = %s, want %q", got, `"a"`)
	}
	if got := p.Statements[1].Label(1); got != "#2" {
		t.Errorf("Label(1) = %s, want #2", got)
	}
	if p.Statements[0].Effect != Deny || p.Statements[1].Effect != Allow {
		t.Errorf("effects = %s, %s; want Deny, Allow", p.Statements[0].Effect, p.Statements[1].Effect)
	}
}
