package awsapi_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	lambdasdk "github.com/aws/aws-sdk-go-v2/service/lambda"
	ltypes "github.com/aws/aws-sdk-go-v2/service/lambda/types"
)

func TestLambdaConcurrency(t *testing.T) {
	e := newEnv(t)
	cx := ctx(t)
	c := lambdasdk.NewFromConfig(e.cfg())
	createEcho(t, c, "echo")
	none, err := c.GetFunctionConcurrency(cx, &lambdasdk.GetFunctionConcurrencyInput{FunctionName: aws.String("echo")})
	if err != nil || none.ReservedConcurrentExecutions != nil {
		t.Errorf("GetFunctionConcurrency(unreserved) = %v, %v; want no reservation", none.ReservedConcurrentExecutions, err)
	}
	put, err := c.PutFunctionConcurrency(cx, &lambdasdk.PutFunctionConcurrencyInput{FunctionName: aws.String("echo"), ReservedConcurrentExecutions: aws.Int32(5)})
	if err != nil || aws.ToInt32(put.ReservedConcurrentExecutions) != 5 {
		t.Fatalf("PutFunctionConcurrency = %v, %v", put, err)
	}
	got, err := c.GetFunctionConcurrency(cx, &lambdasdk.GetFunctionConcurrencyInput{FunctionName: aws.String("echo")})
	if err != nil || aws.ToInt32(got.ReservedConcurrentExecutions) != 5 {
		t.Errorf("GetFunctionConcurrency = %v, %v; want 5", got.ReservedConcurrentExecutions, err)
	}
	fn, err := c.GetFunction(cx, &lambdasdk.GetFunctionInput{FunctionName: aws.String("echo")})
	if err != nil || fn.Concurrency == nil || aws.ToInt32(fn.Concurrency.ReservedConcurrentExecutions) != 5 {
		t.Errorf("GetFunction Concurrency = %+v, %v; want 5", fn.Concurrency, err)
	}
	acct, err := c.GetAccountSettings(cx, &lambdasdk.GetAccountSettingsInput{})
	if err != nil || acct.AccountLimit.ConcurrentExecutions != 1000 || aws.ToInt32(acct.AccountLimit.UnreservedConcurrentExecutions) != 995 ||
		acct.AccountUsage.FunctionCount != 1 {
		t.Errorf("GetAccountSettings = %+v %+v, %v; want 1000 concurrent, 995 unreserved, 1 function", acct.AccountLimit, acct.AccountUsage, err)
	}
	for _, tc := range []struct {
		name       string
		n          int32
		fn         string
		code       string
		wantStatus int
	}{
		{"too many", 950, "echo", "InvalidParameterValueException", 400},
		{"negative", -1, "echo", "ValidationException", 400},
		{"qualified", 1, "echo:$LATEST", "InvalidParameterValueException", 400},
		{"missing", 1, "nope", "ResourceNotFoundException", 404},
	} {
		_, err := c.PutFunctionConcurrency(cx, &lambdasdk.PutFunctionConcurrencyInput{FunctionName: aws.String(tc.fn), ReservedConcurrentExecutions: aws.Int32(tc.n)})
		if code, _, status := apiErr(err); code != tc.code || status != tc.wantStatus {
			t.Errorf("PutFunctionConcurrency(%s: %s, %d) = %s %d, want %s %d", tc.name, tc.fn, tc.n, code, status, tc.code, tc.wantStatus)
		}
	}
	if _, err := c.DeleteFunctionConcurrency(cx, &lambdasdk.DeleteFunctionConcurrencyInput{FunctionName: aws.String("echo")}); err != nil {
		t.Fatalf("DeleteFunctionConcurrency: %v", err)
	}
	if got, err := c.GetFunctionConcurrency(cx, &lambdasdk.GetFunctionConcurrencyInput{FunctionName: aws.String("echo")}); err != nil || got.ReservedConcurrentExecutions != nil {
		t.Errorf("GetFunctionConcurrency after delete = %v, %v; want none", got.ReservedConcurrentExecutions, err)
	}
	_, err = c.PutFunctionConcurrency(cx, &lambdasdk.PutFunctionConcurrencyInput{FunctionName: aws.String("echo"), ReservedConcurrentExecutions: aws.Int32(0)})
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.Invoke(cx, &lambdasdk.InvokeInput{FunctionName: aws.String("echo")})
	var tooMany *ltypes.TooManyRequestsException
	if code, msg, status := apiErr(err); code != "TooManyRequestsException" || status != 429 || msg != "Rate Exceeded." ||
		!errorsAs(err, &tooMany) || tooMany.Reason != ltypes.ThrottleReasonReservedFunctionConcurrentInvocationLimitExceeded {
		t.Errorf("Invoke(reserved 0) = %s %q %d, want TooManyRequestsException 429 with the reserved reason", code, msg, status)
	}
}

func TestLambdaEventInvokeConfig(t *testing.T) {
	start := time.Now().Truncate(time.Millisecond)
	e := newEnv(t)
	cx := ctx(t)
	c := lambdasdk.NewFromConfig(e.cfg())
	createEcho(t, c, "echo")
	createEcho(t, c, "sink")
	const sink = "arn:aws:lambda:us-east-1:000000000000:function:sink"
	put, err := c.PutFunctionEventInvokeConfig(cx, &lambdasdk.PutFunctionEventInvokeConfigInput{FunctionName: aws.String("echo"),
		MaximumRetryAttempts: aws.Int32(1), DestinationConfig: &ltypes.DestinationConfig{OnFailure: &ltypes.OnFailure{Destination: aws.String(sink)}}})
	if err != nil {
		t.Fatalf("PutFunctionEventInvokeConfig: %v", err)
	}
	if aws.ToString(put.FunctionArn) != "arn:aws:lambda:us-east-1:000000000000:function:echo:$LATEST" || aws.ToInt32(put.MaximumRetryAttempts) != 1 ||
		put.MaximumEventAgeInSeconds != nil || aws.ToString(put.DestinationConfig.OnFailure.Destination) != sink {
		t.Errorf("PutFunctionEventInvokeConfig = %+v", put)
	}
	if put.LastModified == nil || put.LastModified.Before(start) || put.LastModified.After(time.Now()) {
		t.Errorf("PutFunctionEventInvokeConfig LastModified = %v, want the time of the call (epoch seconds on the wire)", put.LastModified)
	}
	up, err := c.UpdateFunctionEventInvokeConfig(cx, &lambdasdk.UpdateFunctionEventInvokeConfigInput{FunctionName: aws.String("echo"),
		MaximumEventAgeInSeconds: aws.Int32(120)})
	if err != nil || aws.ToInt32(up.MaximumRetryAttempts) != 1 || aws.ToInt32(up.MaximumEventAgeInSeconds) != 120 {
		t.Errorf("UpdateFunctionEventInvokeConfig = %+v, %v; want retries kept and age 120", up, err)
	}
	got, err := c.GetFunctionEventInvokeConfig(cx, &lambdasdk.GetFunctionEventInvokeConfigInput{FunctionName: aws.String("echo")})
	if err != nil || aws.ToInt32(got.MaximumEventAgeInSeconds) != 120 || got.LastModified == nil {
		t.Errorf("GetFunctionEventInvokeConfig = %+v, %v", got, err)
	}
	list, err := c.ListFunctionEventInvokeConfigs(cx, &lambdasdk.ListFunctionEventInvokeConfigsInput{FunctionName: aws.String("echo")})
	if err != nil || len(list.FunctionEventInvokeConfigs) != 1 {
		t.Errorf("ListFunctionEventInvokeConfigs = %+v, %v; want one", list, err)
	}
	for _, tc := range []struct {
		name       string
		call       func() error
		code, msg  string
		wantStatus int
	}{
		{"Put(nothing)", func() error {
			_, err := c.PutFunctionEventInvokeConfig(cx, &lambdasdk.PutFunctionEventInvokeConfigInput{FunctionName: aws.String("echo")})
			return err
		}, "InvalidParameterValueException", "You must specify at least one of error handling or destination setting.", 400},
		{"Put(retries 3)", func() error {
			_, err := c.PutFunctionEventInvokeConfig(cx, &lambdasdk.PutFunctionEventInvokeConfigInput{FunctionName: aws.String("echo"), MaximumRetryAttempts: aws.Int32(3)})
			return err
		}, "ValidationException", "", 400},
		{"Get(none set)", func() error {
			_, err := c.GetFunctionEventInvokeConfig(cx, &lambdasdk.GetFunctionEventInvokeConfigInput{FunctionName: aws.String("sink")})
			return err
		}, "ResourceNotFoundException", "The function arn:aws:lambda:us-east-1:000000000000:function:sink:$LATEST doesn't have an EventInvokeConfig", 404},
		{"Put(missing function)", func() error {
			_, err := c.PutFunctionEventInvokeConfig(cx, &lambdasdk.PutFunctionEventInvokeConfigInput{FunctionName: aws.String("nope"), MaximumRetryAttempts: aws.Int32(0)})
			return err
		}, "ResourceNotFoundException", "The function doesn't exist.", 404},
	} {
		code, msg, status := apiErr(tc.call())
		if code != tc.code || status != tc.wantStatus || (tc.msg != "" && msg != tc.msg) {
			t.Errorf("%s = %s %q %d, want %s %q %d", tc.name, code, msg, status, tc.code, tc.msg, tc.wantStatus)
		}
	}
	if _, err := c.DeleteFunctionEventInvokeConfig(cx, &lambdasdk.DeleteFunctionEventInvokeConfigInput{FunctionName: aws.String("echo")}); err != nil {
		t.Fatalf("DeleteFunctionEventInvokeConfig: %v", err)
	}
	if _, err := c.GetFunctionEventInvokeConfig(cx, &lambdasdk.GetFunctionEventInvokeConfigInput{FunctionName: aws.String("echo")}); err == nil {
		t.Errorf("GetFunctionEventInvokeConfig after delete succeeded")
	}
}

func TestLambdaUpdateConfigurationAndLists(t *testing.T) {
	e := newEnv(t)
	cx := ctx(t)
	c := lambdasdk.NewFromConfig(e.cfg())
	created, err := c.CreateFunction(cx, &lambdasdk.CreateFunctionInput{FunctionName: aws.String("echo"), Runtime: ltypes.RuntimePython311,
		Role: aws.String(testRole), Handler: aws.String("index.handler"), Tags: map[string]string{"team": "a"},
		Environment: &ltypes.Environment{Variables: map[string]string{"A": "1"}},
		Code:        &ltypes.FunctionCode{ZipFile: zipOf(t, map[string]string{"index.py": echoHandler})}})
	if err != nil {
		t.Fatal(err)
	}
	up, err := c.UpdateFunctionConfiguration(cx, &lambdasdk.UpdateFunctionConfigurationInput{FunctionName: aws.String("echo"),
		Timeout: aws.Int32(30), Description: aws.String("now slower")})
	if err != nil || aws.ToInt32(up.Timeout) != 30 || aws.ToString(up.Description) != "now slower" ||
		up.Environment == nil || up.Environment.Variables["A"] != "1" || aws.ToInt32(up.MemorySize) != 128 ||
		aws.ToString(up.RevisionId) == aws.ToString(created.RevisionId) {
		t.Fatalf("UpdateFunctionConfiguration = %+v, %v; want timeout 30, the rest kept, a new revision", up, err)
	}
	cleared, err := c.UpdateFunctionConfiguration(cx, &lambdasdk.UpdateFunctionConfigurationInput{FunctionName: aws.String("echo"),
		Environment: &ltypes.Environment{}})
	if err != nil || (cleared.Environment != nil && len(cleared.Environment.Variables) != 0) {
		t.Errorf("UpdateFunctionConfiguration(empty Environment) = %+v, %v; want no variables", cleared.Environment, err)
	}
	for _, tc := range []struct {
		name       string
		in         *lambdasdk.UpdateFunctionConfigurationInput
		code       string
		wantStatus int
	}{
		{"timeout 901", &lambdasdk.UpdateFunctionConfigurationInput{FunctionName: aws.String("echo"), Timeout: aws.Int32(901)}, "ValidationException", 400},
		{"stale revision", &lambdasdk.UpdateFunctionConfigurationInput{FunctionName: aws.String("echo"), RevisionId: aws.String(aws.ToString(created.RevisionId))}, "PreconditionFailedException", 412},
		{"missing", &lambdasdk.UpdateFunctionConfigurationInput{FunctionName: aws.String("nope"), Timeout: aws.Int32(5)}, "ResourceNotFoundException", 404},
	} {
		_, err := c.UpdateFunctionConfiguration(cx, tc.in)
		if code, _, status := apiErr(err); code != tc.code || status != tc.wantStatus {
			t.Errorf("UpdateFunctionConfiguration(%s) = %s %d, want %s %d", tc.name, code, status, tc.code, tc.wantStatus)
		}
	}
	tags, err := c.ListTags(cx, &lambdasdk.ListTagsInput{Resource: created.FunctionArn})
	if err != nil || tags.Tags["team"] != "a" {
		t.Errorf("ListTags = %v, %v; want team=a", tags.Tags, err)
	}
	_, err = c.TagResource(cx, &lambdasdk.TagResourceInput{Resource: created.FunctionArn, Tags: map[string]string{"b": "2"}})
	if code, _, status := apiErr(err); code != "NotImplemented" || status != 501 {
		t.Errorf("TagResource = %s %d, want NotImplemented 501", code, status)
	}

	for i := range 3 {
		createEcho(t, c, fmt.Sprintf("fn%d", i))
	}
	var names []string
	var marker *string
	for pages := 0; ; pages++ {
		page, err := c.ListFunctions(cx, &lambdasdk.ListFunctionsInput{MaxItems: aws.Int32(2), Marker: marker})
		if err != nil || pages > 3 {
			t.Fatalf("ListFunctions page %d = %v, %v", pages, page, err)
		}
		for _, f := range page.Functions {
			names = append(names, aws.ToString(f.FunctionName))
		}
		if marker = page.NextMarker; marker == nil {
			break
		}
	}
	if got := fmt.Sprint(names); got != "[echo fn0 fn1 fn2]" {
		t.Errorf("ListFunctions pages = %s, want [echo fn0 fn1 fn2]", got)
	}
	_, err = c.ListFunctions(cx, &lambdasdk.ListFunctionsInput{FunctionVersion: ltypes.FunctionVersion("NOPE")})
	if code, _, status := apiErr(err); code != "ValidationException" || status != 400 {
		t.Errorf("ListFunctions(FunctionVersion NOPE) = %s %d, want ValidationException 400", code, status)
	}
}
