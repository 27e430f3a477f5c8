package template_test

import (
	"strconv"
	"strings"
	"testing"

	"github.com/cloudlet-dev/cloudlet/internal/template"
)

// largeTemplate has n functions, each with a role, chained by DependsOn in
// tens: the shape of a big real stack.
func largeTemplate(n int) string {
	var b strings.Builder
	b.WriteString("AWSTemplateFormatVersion: 2010-09-09\nParameters:\n  Prefix: {Type: String, Default: big}\nConditions:\n  IsBig: !Equals [!Ref Prefix, big]\nResources:\n")
	for i := 0; i < n/2; i++ {
		id := strconv.Itoa(i)
		b.WriteString("  Role" + id + ":\n    Type: AWS::IAM::Role\n    Properties:\n      AssumeRolePolicyDocument:\n        Version: 2012-10-17\n        Statement:\n          - {Effect: Allow, Principal: {Service: lambda.amazonaws.com}, Action: sts:AssumeRole}\n")
		b.WriteString("  Fn" + id + ":\n    Type: AWS::Lambda::Function\n")
		if i%10 != 0 {
			b.WriteString("    DependsOn: Fn" + strconv.Itoa(i-1) + "\n")
		}
		b.WriteString("    Properties:\n      FunctionName: !Sub ${Prefix}-fn-" + id + "\n      Role: !GetAtt Role" + id + ".Arn\n      Runtime: python3.12\n      Handler: index.handler\n      MemorySize: !If [IsBig, 1024, 128]\n      Code: {ZipFile: \"def handler(e, c): return 1\"}\n      Environment: {Variables: {REGION: !Ref AWS::Region, NAME: !Join [\"-\", [!Ref Prefix, " + id + "]]}}\n")
	}
	return b.String()
}

func BenchmarkParseSeed(b *testing.B) {
	src := []byte(readSeedB(b, "fa-005-apigateway.yaml"))
	b.SetBytes(int64(len(src)))
	for b.Loop() {
		if _, err := template.Parse("fa-005-apigateway.yaml", src); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkParseLarge(b *testing.B) {
	src := []byte(largeTemplate(500))
	b.SetBytes(int64(len(src)))
	for b.Loop() {
		if _, err := template.Parse("big.yaml", src); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkValidateAndOrderLarge(b *testing.B) {
	tp := mustParse(b, "big.yaml", largeTemplate(500))
	for b.Loop() {
		if err := tp.Validate(); err != nil {
			b.Fatal(err)
		}
		if _, err := tp.Order(nil); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkEvalLarge(b *testing.B) {
	tp := mustParse(b, "big.yaml", largeTemplate(500))
	params, err := tp.ResolveParameters(nil, nil)
	if err != nil {
		b.Fatal(err)
	}
	scope := testScope(params, nil)
	conds, err := tp.EvalConditions(scope)
	if err != nil {
		b.Fatal(err)
	}
	scope.Conditions = conds
	for b.Loop() {
		for _, r := range tp.Resources {
			if _, err := template.Eval(r.Properties, scope); err != nil {
				b.Fatal(err)
			}
		}
	}
}

func readSeedB(b *testing.B, name string) string {
	src, err := readFileOrSkip(b, seedDir+"/"+name)
	if err != nil {
		b.Fatal(err)
	}
	return src
}
