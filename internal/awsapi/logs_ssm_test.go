package awsapi_test

import (
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	cwl "github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	cwltypes "github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs/types"
	ssmsdk "github.com/aws/aws-sdk-go-v2/service/ssm"
	ssmtypes "github.com/aws/aws-sdk-go-v2/service/ssm/types"
)

func TestLogs(t *testing.T) {
	e := newEnv(t)
	cx := ctx(t)
	c := cwl.NewFromConfig(e.cfg())
	g := aws.String("/aws/lambda/echo")
	if _, err := c.CreateLogGroup(cx, &cwl.CreateLogGroupInput{LogGroupName: g}); err != nil {
		t.Fatalf("CreateLogGroup: %v", err)
	}
	_, err := c.CreateLogGroup(cx, &cwl.CreateLogGroupInput{LogGroupName: g})
	if code, msg, status := apiErr(err); code != "ResourceAlreadyExistsException" || status != 400 || msg != "The specified log group already exists" {
		t.Errorf("CreateLogGroup(dup) = %s %q %d", code, msg, status)
	}
	if _, err := c.PutRetentionPolicy(cx, &cwl.PutRetentionPolicyInput{LogGroupName: g, RetentionInDays: aws.Int32(7)}); err != nil {
		t.Fatalf("PutRetentionPolicy: %v", err)
	}
	dg, err := c.DescribeLogGroups(cx, &cwl.DescribeLogGroupsInput{LogGroupNamePrefix: aws.String("/aws/")})
	if err != nil || len(dg.LogGroups) != 1 || aws.ToInt32(dg.LogGroups[0].RetentionInDays) != 7 {
		t.Fatalf("DescribeLogGroups = %+v, %v", dg, err)
	}
	if _, err := c.CreateLogStream(cx, &cwl.CreateLogStreamInput{LogGroupName: g, LogStreamName: aws.String("s1")}); err != nil {
		t.Fatalf("CreateLogStream: %v", err)
	}
	now := time.Now().UnixMilli()
	if _, err := c.PutLogEvents(cx, &cwl.PutLogEventsInput{LogGroupName: g, LogStreamName: aws.String("s1"), LogEvents: []cwltypes.InputLogEvent{
		{Timestamp: aws.Int64(now), Message: aws.String("hello ERROR one")}, {Timestamp: aws.Int64(now + 1), Message: aws.String("fine")}}}); err != nil {
		t.Fatalf("PutLogEvents: %v", err)
	}
	ds, err := c.DescribeLogStreams(cx, &cwl.DescribeLogStreamsInput{LogGroupName: g})
	if err != nil || len(ds.LogStreams) != 1 || aws.ToString(ds.LogStreams[0].LogStreamName) != "s1" {
		t.Fatalf("DescribeLogStreams = %+v, %v", ds, err)
	}
	ge, err := c.GetLogEvents(cx, &cwl.GetLogEventsInput{LogGroupName: g, LogStreamName: aws.String("s1"), StartFromHead: aws.Bool(true)})
	if err != nil || len(ge.Events) != 2 || aws.ToString(ge.Events[0].Message) != "hello ERROR one" {
		t.Fatalf("GetLogEvents = %+v, %v", ge, err)
	}
	fe, err := c.FilterLogEvents(cx, &cwl.FilterLogEventsInput{LogGroupName: g, FilterPattern: aws.String("ERROR"), StartTime: aws.Int64(now - 1000)})
	if err != nil || len(fe.Events) != 1 || aws.ToString(fe.Events[0].LogStreamName) != "s1" {
		t.Fatalf("FilterLogEvents(ERROR) = %+v, %v", fe, err)
	}
	_, err = c.GetLogEvents(cx, &cwl.GetLogEventsInput{LogGroupName: aws.String("nope"), LogStreamName: aws.String("s1")})
	var rnf *cwltypes.ResourceNotFoundException
	if code, _, _ := apiErr(err); code != "ResourceNotFoundException" || !errorsAs(err, &rnf) {
		t.Errorf("GetLogEvents(no group) = %v, want ResourceNotFoundException", err)
	}
	if _, err := c.DeleteLogGroup(cx, &cwl.DeleteLogGroupInput{LogGroupName: g}); err != nil {
		t.Fatalf("DeleteLogGroup: %v", err)
	}
	_, err = c.StartQuery(cx, &cwl.StartQueryInput{LogGroupName: g, QueryString: aws.String("x"), StartTime: aws.Int64(0), EndTime: aws.Int64(1)})
	if code, _, status := apiErr(err); code != "NotImplemented" || status != 501 {
		t.Errorf("StartQuery = %s %d, want NotImplemented 501", code, status)
	}
}

func TestSSM(t *testing.T) {
	e := newEnv(t)
	cx := ctx(t)
	c := ssmsdk.NewFromConfig(e.cfg())
	put, err := c.PutParameter(cx, &ssmsdk.PutParameterInput{Name: aws.String("/app/db/url"), Value: aws.String("postgres://x"), Type: ssmtypes.ParameterTypeString})
	if err != nil || put.Version != 1 {
		t.Fatalf("PutParameter = %+v, %v", put, err)
	}
	if _, err := c.PutParameter(cx, &ssmsdk.PutParameterInput{Name: aws.String("/app/secret"), Value: aws.String("s3cr3t"), Type: ssmtypes.ParameterTypeSecureString}); err != nil {
		t.Fatal(err)
	}
	_, err = c.PutParameter(cx, &ssmsdk.PutParameterInput{Name: aws.String("/app/db/url"), Value: aws.String("y"), Type: ssmtypes.ParameterTypeString})
	if code, _, _ := apiErr(err); code != "ParameterAlreadyExists" {
		t.Errorf("PutParameter(exists) = %v, want ParameterAlreadyExists", err)
	}
	g, err := c.GetParameter(cx, &ssmsdk.GetParameterInput{Name: aws.String("/app/db/url")})
	if err != nil || aws.ToString(g.Parameter.Value) != "postgres://x" || g.Parameter.LastModifiedDate == nil || g.Parameter.LastModifiedDate.Year() < 2000 {
		t.Fatalf("GetParameter = %+v, %v", g, err)
	}
	sec, err := c.GetParameter(cx, &ssmsdk.GetParameterInput{Name: aws.String("/app/secret"), WithDecryption: aws.Bool(true)})
	if err != nil || aws.ToString(sec.Parameter.Value) != "s3cr3t" {
		t.Fatalf("GetParameter(decrypt) = %+v, %v", sec, err)
	}
	gs, err := c.GetParameters(cx, &ssmsdk.GetParametersInput{Names: []string{"/app/db/url", "/nope"}})
	if err != nil || len(gs.Parameters) != 1 || len(gs.InvalidParameters) != 1 {
		t.Fatalf("GetParameters = %+v, %v", gs, err)
	}
	bp, err := c.GetParametersByPath(cx, &ssmsdk.GetParametersByPathInput{Path: aws.String("/app"), Recursive: aws.Bool(true)})
	if err != nil || len(bp.Parameters) != 2 {
		t.Fatalf("GetParametersByPath = %+v, %v", bp, err)
	}
	dp, err := c.DescribeParameters(cx, &ssmsdk.DescribeParametersInput{})
	if err != nil || len(dp.Parameters) != 2 {
		t.Fatalf("DescribeParameters = %+v, %v", dp, err)
	}
	if _, err := c.DeleteParameter(cx, &ssmsdk.DeleteParameterInput{Name: aws.String("/app/db/url")}); err != nil {
		t.Fatalf("DeleteParameter: %v", err)
	}
	_, err = c.GetParameter(cx, &ssmsdk.GetParameterInput{Name: aws.String("/app/db/url")})
	var nf *ssmtypes.ParameterNotFound
	if !errorsAs(err, &nf) {
		t.Errorf("GetParameter(deleted) = %v, want ParameterNotFound", err)
	}
	dps, err := c.DeleteParameters(cx, &ssmsdk.DeleteParametersInput{Names: []string{"/app/secret", "/nope"}})
	if err != nil || len(dps.DeletedParameters) != 1 || len(dps.InvalidParameters) != 1 {
		t.Fatalf("DeleteParameters = %+v, %v", dps, err)
	}
}
