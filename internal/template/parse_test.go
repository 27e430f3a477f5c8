package template_test

import (
	"errors"
	"strconv"
	"strings"
	"testing"

	"github.com/cloudlet-dev/cloudlet/internal/template"
)

func TestParseShortFormsToLongForm(t *testing.T) {
	tests := []struct {
		name, yaml, want string
	}{
		{"Ref", `!Ref Foo`, `{"Ref":"Foo"}`},
		{"RefQuotedPseudo", `!Ref "AWS::Region"`, `{"Ref":"AWS::Region"}`},
		{"Condition", `!Condition IsProd`, `{"Condition":"IsProd"}`},
		{"SubString", `!Sub "${A}-x"`, `{"Fn::Sub":"${A}-x"}`},
		{"SubList", "!Sub\n  - ${A}\n  - A: 1", `{"Fn::Sub":["${A}",{"A":1}]}`},
		{"GetAttDotted", `!GetAtt LambdaStack.Outputs.FunctionArn`, `{"Fn::GetAtt":["LambdaStack","Outputs.FunctionArn"]}`},
		{"GetAttNoDot", `!GetAtt Res`, `{"Fn::GetAtt":["Res"]}`},
		{"GetAttList", `!GetAtt [R, A.B]`, `{"Fn::GetAtt":["R","A.B"]}`},
		{"TaggedMapKeepsMap", "!Base64\n  Fn::Sub: x", `{"Fn::Base64":{"Fn::Sub":"x"}}`},
		{"Nested", `!If [C, !Ref A, !Ref "AWS::NoValue"]`, `{"Fn::If":["C",{"Ref":"A"},{"Ref":"AWS::NoValue"}]}`},
		{"TaggedNumberIsString", `!Ref 123`, `{"Ref":"123"}`},
		{"AnyTag", `!Whatever x`, `{"Fn::Whatever":"x"}`},
		{"StrTag", `!!str 0123`, `"0123"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			src := "Resources:\n  R:\n    Type: T\n    Properties:\n      P: " + indent(tt.yaml, "        ") + "\n"
			tp := mustParse(t, "t.yaml", src)
			if got := tp.Resources[0].Properties.Get("P").String(); got != tt.want {
				t.Errorf("Parse(%q) P = %s, want %s", tt.yaml, got, tt.want)
			}
		})
	}
}

// indent indents every line after the first.
func indent(s, pre string) string { return strings.ReplaceAll(s, "\n", "\n"+pre) }

func TestParseKeepsScalarText(t *testing.T) {
	src := `AWSTemplateFormatVersion: 2010-09-09
Resources:
  R:
    Type: T
    Properties:
      Version: 1.10
      Octal: 0123
      Hex: 0x1F
      Date: 2012-10-17
      Yes: yes
      Bool: True
      Quoted: "123"
      Null: ~
      Block: |
        line1
        line2
`
	tp := mustParse(t, "t.yaml", src)
	props := tp.Resources[0].Properties
	tests := []struct {
		key      string
		kind     template.Kind
		value    string
		evalWant any
	}{
		{"Version", template.KindNumber, "1.10", "1.10"},
		{"Octal", template.KindNumber, "0123", "0123"},
		{"Hex", template.KindNumber, "0x1F", "0x1F"},
		{"Date", template.KindString, "2012-10-17", "2012-10-17"},
		{"Yes", template.KindString, "yes", "yes"},
		{"Bool", template.KindBool, "True", true},
		{"Quoted", template.KindString, "123", "123"},
		{"Null", template.KindNull, "", nil},
		{"Block", template.KindString, "line1\nline2\n", "line1\nline2\n"},
	}
	v, err := template.Eval(props, testScope(nil, nil))
	if err != nil {
		t.Fatalf("Eval = %v", err)
	}
	got := v.(map[string]any)
	for _, tt := range tests {
		n := props.Get(tt.key)
		if n.Kind != tt.kind || n.Value != tt.value {
			t.Errorf("%s = (%v, %q), want (%v, %q)", tt.key, n.Kind, n.Value, tt.kind, tt.value)
		}
		if g := got[tt.key]; g != tt.evalWant && !(isNumber(g) && numberText(g) == tt.evalWant) {
			t.Errorf("Eval(%s) = %#v, want %#v", tt.key, g, tt.evalWant)
		}
	}
	if tp.FormatVersion != "2010-09-09" {
		t.Errorf("FormatVersion = %q, want 2010-09-09", tp.FormatVersion)
	}
}

func TestParseAnchorsAliasesAndMergeKeys(t *testing.T) {
	src := `Resources:
  A:
    Type: T
    Properties: &props
      Name: shared
      Tags: &tags
        - Key: k
          Value: v
  B:
    Type: T
    Properties:
      <<: *props
      Name: own
      Extra: *tags
  C:
    Type: T
    Properties:
      <<: [{X: 1}, {X: 2, Y: 3}]
`
	tp := mustParse(t, "t.yaml", src)
	tests := []struct{ id, want string }{
		{"A", `{"Name":"shared","Tags":[{"Key":"k","Value":"v"}]}`},
		// B's own Name wins over the merged one; merged keys sit where << was.
		{"B", `{"Tags":[{"Key":"k","Value":"v"}],"Name":"own","Extra":[{"Key":"k","Value":"v"}]}`},
		{"C", `{"X":1,"Y":3}`},
	}
	for _, tt := range tests {
		got := tp.Resource(tt.id).Properties.String()
		if got != tt.want {
			t.Errorf("Properties of %s = %s, want %s", tt.id, got, tt.want)
		}
	}
}

func TestParseErrors(t *testing.T) {
	tests := []struct {
		name      string
		src       string
		message   string // AWS's message
		line, col int
		detail    string // in Error()
	}{
		{
			name:    "YAMLBadIndentation",
			src:     "Resources:\n  R:\n    Type: T\n    Properties:\n      A: 1\n       B: 2\n",
			message: "Template format error: YAML not well-formed. (line 6, column 9)", line: 6, col: 9,
			detail: "mapping value is not allowed in this context",
		},
		{
			name:    "YAMLOverIndentedKey",
			src:     "Resources:\n  R:\n    Type: T\n     Properties:\n      A: 1\n",
			message: "Template format error: YAML not well-formed. (line 4, column 16)", line: 4, col: 16,
		},
		{
			name:    "YAMLUnderIndentedKey",
			src:     "Resources:\n  R:\n    Type: T\n   Properties:\n      A: 1\n",
			message: "Template format error: YAML not well-formed. (line 4, column 4)", line: 4, col: 4,
		},
		{
			name:    "YAMLTab",
			src:     "Resources:\n\tR: 1\n",
			message: "Template format error: YAML not well-formed. (line 2, column 1)", line: 2, col: 1,
		},
		{
			name:    "YAMLBadSequenceIndent",
			src:     "Resources:\n  R:\n    Type: T\n    DependsOn:\n      - x\n     - y\n",
			message: "Template format error: YAML not well-formed. (line 6, column 6)", line: 6, col: 6,
		},
		{
			name:    "YAMLDuplicateKey",
			src:     "Resources:\n  R:\n    Type: T\n  R:\n    Type: U\n",
			message: "Template format error: YAML not well-formed. (line 4, column 3)", line: 4, col: 3,
			detail: `mapping key "R" already defined`,
		},
		{
			name:    "JSONSyntax",
			src:     "{\n  \"Resources\": {\n    \"R\": {\"Type\": \"T\"]\n  }\n}\n",
			message: "Template format error: JSON not well-formed. (line 3, column 22)", line: 3, col: 22,
		},
		{
			name:    "JSONDuplicateKey",
			src:     `{"Resources": {"R": {"Type": "T"}, "R": {"Type": "U"}}}`,
			message: "Template format error: JSON not well-formed. (line 1, column 36)", line: 1, col: 36,
			detail: `duplicate key "R"`,
		},
		{
			name:    "JSONTruncated",
			src:     `{"Resources": {`,
			message: "Template format error: JSON not well-formed. (line 1, column 15)", line: 1, col: 15,
		},
		{
			name:    "UndefinedAlias",
			src:     "Resources:\n  R:\n    Type: *nope\n",
			message: "Template format error: YAML not well-formed. (line 3, column 11)", line: 3, col: 11,
			detail: "names no anchor",
		},
		{
			name:    "TwoDocuments",
			src:     "Resources: {}\n---\nResources: {}\n",
			message: "Template format error: YAML not well-formed. (line 3, column 10)", line: 3, col: 10,
		},
		{
			name:    "ForbiddenTag",
			src:     "Resources:\n  R:\n    Type: !!binary aGk=\n",
			message: "Template format error: YAML not well-formed. (line 3, column 11)", line: 3, col: 11,
		},
		{
			name:    "NotAMap",
			src:     "- a\n- b\n",
			message: "Template format error: unsupported structure.", line: 1, col: 1,
		},
		{
			name:    "Empty",
			src:     "",
			message: "Template format error: unsupported structure.", line: 1, col: 1,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := template.Parse("t.yaml", []byte(tt.src))
			var te *template.Error
			if !errors.As(err, &te) {
				t.Fatalf("Parse(%q) = %v, want a *template.Error", tt.src, err)
			}
			if te.Message != tt.message {
				t.Errorf("Parse(%q) message = %q, want %q", tt.src, te.Message, tt.message)
			}
			if te.Pos.Line != tt.line || te.Pos.Col != tt.col || te.Pos.File != "t.yaml" {
				t.Errorf("Parse(%q) pos = %v, want t.yaml:%d:%d", tt.src, te.Pos, tt.line, tt.col)
			}
			if !strings.Contains(err.Error(), tt.detail) {
				t.Errorf("Parse(%q).Error() = %q, want it to contain %q", tt.src, err.Error(), tt.detail)
			}
			if ae := template.AWSError(err); ae == nil || ae.Code != "ValidationError" || ae.Message != tt.message {
				t.Errorf("AWSError(Parse(%q)) = %v, want ValidationError %q", tt.src, ae, tt.message)
			}
		})
	}
}

func TestParseYAMLErrorKeepsSourceExcerpt(t *testing.T) {
	src := "Resources:\n  R:\n    Type: T\n    Properties:\n      A: 1\n       B: 2\n"
	_, err := template.Parse("fa.yaml", []byte(src))
	got := err.Error()
	for _, want := range []string{"fa.yaml:6:9: Template format error: YAML not well-formed. (line 6, column 9)", "6 |        B: 2"} {
		if !strings.Contains(got, want) {
			t.Errorf("Parse().Error() = %q, want it to contain %q", got, want)
		}
	}
}

func TestParseJSONFirst(t *testing.T) {
	src := `{
  "AWSTemplateFormatVersion": "2010-09-09",
  "Resources": {
    "R": {"Type": "T", "Properties": {"N": 1.50, "B": true, "Z": null, "S": "a\u00e9\"b"}}
  }
}`
	tp := mustParse(t, "t.json", src)
	props := tp.Resources[0].Properties
	if got, want := props.String(), `{"N":1.50,"B":true,"Z":null,"S":"aé\"b"}`; got != want {
		t.Errorf("Properties = %s, want %s", got, want)
	}
	if p := props.Get("N").Pos; p.Line != 4 || p.Col != 44 {
		t.Errorf("position of N's value = %v, want t.json:4:44", p)
	}
	if p := tp.Resources[0].Pos; p.Line != 4 || p.Col != 5 {
		t.Errorf("position of R = %v, want t.json:4:5", p)
	}
}

func TestParseTooLarge(t *testing.T) {
	src := "Resources: {}\n#" + strings.Repeat("x", 1_000_000)
	_, err := template.Parse("big.yaml", []byte(src))
	if got, want := errMessage(err), "Template may not exceed 1000000 bytes in size."; got != want {
		t.Errorf("Parse(1MB+) = %q, want %q", got, want)
	}
}

func TestParseAliasBombIsBounded(t *testing.T) {
	var b strings.Builder
	b.WriteString("a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n")
	for i := 1; i < 9; i++ {
		prev := "*a" + strconv.Itoa(i-1)
		b.WriteString("a" + strconv.Itoa(i) + ": &a" + strconv.Itoa(i) + " [" + strings.Repeat(prev+", ", 9) + prev + "]\n")
	}
	b.WriteString("Resources: {R: {Type: T, Properties: {P: *a8}}}\n")
	_, err := template.Parse("bomb.yaml", []byte(b.String()))
	if err == nil || !strings.Contains(err.Error(), "expands to more than") {
		t.Errorf("Parse(alias bomb) = %v, want the expansion limit error", err)
	}
}

// goccy/go-yaml splits `!Ref AWS::Region` at the colon inside flow
// mappings; Parse repairs the token stream (see repairFlowTags).
func TestParseTaggedColonInFlowMapping(t *testing.T) {
	tests := []struct{ yaml, want string }{
		{`{Key: Name, Value: !Ref AWS::StackName}`, `{"Key":"Name","Value":{"Ref":"AWS::StackName"}}`},
		{`{A: !Ref AWS::NoValue, B: 1}`, `{"A":{"Ref":"AWS::NoValue"},"B":1}`},
		{`{A: [x, !Ref AWS::Region]}`, `{"A":["x",{"Ref":"AWS::Region"}]}`},
		{`{A: !Ref a:b::c, B: !GetAtt S.Outputs.X}`, `{"A":{"Ref":"a:b::c"},"B":{"Fn::GetAtt":["S","Outputs.X"]}}`},
		{`{A: !Ref x, B: y}`, `{"A":{"Ref":"x"},"B":"y"}`},
		{`{A: a:b}`, `{"A":"a:b"}`},
		{`{"A": "B"}`, `{"A":"B"}`},
	}
	for _, tt := range tests {
		tp := mustParse(t, "t.yaml", "Resources:\n  R:\n    Type: T\n    Properties:\n      P: "+tt.yaml+"\n")
		if got := tp.Resources[0].Properties.Get("P").String(); got != tt.want {
			t.Errorf("Parse(%s) = %s, want %s", tt.yaml, got, tt.want)
		}
	}
}
