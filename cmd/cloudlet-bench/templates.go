package main

import (
	"encoding/json"
	"fmt"
)

// The templates the suite deploys besides the seed. They are built as
// JSON values (CloudFormation reads JSON templates as well as YAML), so
// that code and names need no YAML quoting.

type obj = map[string]any

// The seed's handler (fa-005-lambda.yaml), and the same answer in the
// other runtimes.
const (
	seedPython = "import json\n\ndef lambda_handler(event, context):\n  return {\n    'statusCode': 200,\n    'body': json.dumps('Hello form Awstut !')\n  }\n"
	seedNode   = "exports.handler = async (event) => ({\n  statusCode: 200,\n  body: JSON.stringify('Hello form Awstut !'),\n});\n"
	sleepPy    = "import time\n\ndef handler(event, context):\n  time.sleep(1)\n  return 'slept'\n"
	// seedAnswer is the seed API's body for GET /.
	seedAnswer = `"Hello form Awstut !"`
)

// Runtimes and handlers of the suite's functions.
const (
	pythonRuntime = "python3.8" // the seed's
	goRuntime     = "provided.al2023"
	benchBucket   = "cloudlet-bench"
	goCodeKey     = "gofn.zip"
)

func ref(name string) obj          { return obj{"Ref": name} }
func getAtt(name, attr string) obj { return obj{"Fn::GetAtt": []string{name, attr}} }
func sub(s string) obj             { return obj{"Fn::Sub": s} }
func template(resources obj) []byte {
	return mustJSON(obj{"AWSTemplateFormatVersion": "2010-09-09", "Resources": resources})
}

func mustJSON(v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err) // only maps of strings and slices: cannot fail
	}
	return b
}

// lambdaRole is the seed's execution role.
func lambdaRole() obj {
	return obj{"Type": "AWS::IAM::Role", "Properties": obj{
		"AssumeRolePolicyDocument": obj{"Version": "2012-10-17", "Statement": []obj{{
			"Effect": "Allow", "Action": "sts:AssumeRole", "Principal": obj{"Service": []string{"lambda.amazonaws.com"}}}}},
		"ManagedPolicyArns": []string{"arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole"},
	}}
}

// fnSpec is one function of a template.
type fnSpec struct {
	Name, Runtime, Handler string
	// Inline is ZipFile code (Python, Node.js); empty means the Go
	// bootstrap from the suite's bucket.
	Inline string
	// Timeout in seconds; 0 means Lambda's default.
	Timeout int
}

// function is an AWS::Lambda::Function using the template's Role.
func function(f fnSpec) obj {
	code := obj{"S3Bucket": benchBucket, "S3Key": goCodeKey}
	if f.Inline != "" {
		code = obj{"ZipFile": f.Inline}
	}
	props := obj{"FunctionName": f.Name, "Runtime": f.Runtime, "Handler": f.Handler, "Code": code,
		"Role": getAtt("Role", "Arn")}
	if f.Timeout > 0 {
		props["Timeout"] = f.Timeout
	}
	return obj{"Type": "AWS::Lambda::Function", "Properties": props}
}

// functionsTemplate is a role and the functions.
func functionsTemplate(fs []fnSpec) []byte {
	res := obj{"Role": lambdaRole()}
	for i, f := range fs {
		res[fmt.Sprintf("Fn%03d", i)] = function(f)
	}
	return template(res)
}

// appTemplate is the seed's app flattened into one stack, for a function
// of any runtime: the same API, stage, integration (payload 2.0, with a
// credentials role) and route as fa-005-apigateway.yaml. Its output ApiId
// is the API to call.
func appTemplate(prefix string, f fnSpec) []byte {
	f.Name = prefix + "-function"
	t := obj{
		"AWSTemplateFormatVersion": "2010-09-09",
		"Resources": obj{
			"Role":     lambdaRole(),
			"Function": function(f),
			"HttpApi":  obj{"Type": "AWS::ApiGatewayV2::Api", "Properties": obj{"Name": prefix + "-HttpApi", "Description": "HttpApi.", "ProtocolType": "HTTP"}},
			"Stage":    obj{"Type": "AWS::ApiGatewayV2::Stage", "Properties": obj{"ApiId": ref("HttpApi"), "AutoDeploy": true, "StageName": "$default"}},
			"Integration": obj{"Type": "AWS::ApiGatewayV2::Integration", "Properties": obj{
				"ApiId": ref("HttpApi"), "ConnectionType": "INTERNET", "CredentialsArn": getAtt("ApiGatewayRole", "Arn"),
				"IntegrationMethod": "POST", "IntegrationType": "AWS_PROXY", "IntegrationUri": getAtt("Function", "Arn"),
				"PayloadFormatVersion": "2.0"}},
			"Route": obj{"Type": "AWS::ApiGatewayV2::Route", "Properties": obj{
				"ApiId": ref("HttpApi"), "RouteKey": "GET /", "Target": sub("integrations/${Integration}")}},
			"ApiGatewayRole": obj{"Type": "AWS::IAM::Role", "Properties": obj{
				"AssumeRolePolicyDocument": obj{"Version": "2012-10-17", "Statement": []obj{{
					"Effect": "Allow", "Action": "sts:AssumeRole", "Principal": obj{"Service": []string{"apigateway.amazonaws.com"}}}}},
				"Policies": []obj{{"PolicyName": prefix + "-InvokeFunctionPolicy", "PolicyDocument": obj{"Version": "2012-10-17",
					"Statement": []obj{{"Effect": "Allow", "Action": []string{"lambda:InvokeFunction"}, "Resource": []any{getAtt("Function", "Arn")}}}}}},
			}},
		},
		"Outputs": obj{"ApiId": obj{"Value": ref("HttpApi")}},
	}
	return mustJSON(t)
}

// parametersTemplate is n independent SSM parameters.
func parametersTemplate(n int) []byte {
	res := obj{}
	for i := range n {
		res[fmt.Sprintf("P%03d", i)] = obj{"Type": "AWS::SSM::Parameter", "Properties": obj{"Type": "String", "Value": fmt.Sprintf("v%d", i)}}
	}
	return template(res)
}

// spec returns the function spec of a runtime key with the seed's answer.
func spec(key, nodeRuntime string) fnSpec {
	switch key {
	case "python":
		return fnSpec{Runtime: pythonRuntime, Handler: "index.lambda_handler", Inline: seedPython}
	case "node":
		return fnSpec{Runtime: nodeRuntime, Handler: "index.handler", Inline: seedNode}
	}
	return fnSpec{Runtime: goRuntime, Handler: "bootstrap"}
}
