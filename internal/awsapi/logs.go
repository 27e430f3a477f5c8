package awsapi

import (
	"strings"

	"github.com/cloudlet-dev/cloudlet/internal/awsapi/awsjson"
	"github.com/cloudlet-dev/cloudlet/internal/logs"
)

// logsTargetPrefix prefixes CloudWatch Logs' X-Amz-Target values.
const logsTargetPrefix = "Logs_20140328."

// logsRequest is the union of the members the supported operations read
// (JSON 1.1 bodies use the model's camelCase names).
type logsRequest struct {
	LogGroupName        string               `json:"logGroupName"`
	LogGroupNamePrefix  string               `json:"logGroupNamePrefix"`
	LogStreamName       string               `json:"logStreamName"`
	LogStreamNamePrefix string               `json:"logStreamNamePrefix"`
	LogStreamNames      []string             `json:"logStreamNames"`
	RetentionInDays     *int                 `json:"retentionInDays"`
	Tags                map[string]string    `json:"tags"`
	NextToken           string               `json:"nextToken"`
	Limit               int                  `json:"limit"`
	OrderBy             string               `json:"orderBy"`
	Descending          bool                 `json:"descending"`
	LogEvents           []logs.InputLogEvent `json:"logEvents"`
	StartTime           int64                `json:"startTime"`
	EndTime             int64                `json:"endTime"`
	StartFromHead       bool                 `json:"startFromHead"`
	FilterPattern       string               `json:"filterPattern"`
	Interleaved         bool                 `json:"interleaved"`
}

func (h *Handler) serveLogs(c *call) error {
	c.op = strings.TrimPrefix(c.r.Header.Get("X-Amz-Target"), logsTargetPrefix)
	if h.cfg.Logs == nil {
		return serviceMissing(c, c.op)
	}
	var in logsRequest
	if err := decodeJSON(c, &in); err != nil {
		return err
	}
	resource := "*"
	if in.LogGroupName != "" {
		resource = h.arn("logs", "log-group:"+in.LogGroupName+":*")
		if in.LogStreamName != "" {
			resource = h.arn("logs", "log-group:"+in.LogGroupName+":log-stream:"+in.LogStreamName)
		}
	}
	if err := h.authorize(c, "logs:"+c.op, resource); err != nil {
		return err
	}
	s, cx := h.cfg.Logs, c.ctx()
	var out any
	var err error
	switch c.op {
	case "CreateLogGroup":
		err = s.CreateLogGroup(cx, in.LogGroupName, nil, in.Tags)
	case "DeleteLogGroup":
		err = s.DeleteLogGroup(cx, in.LogGroupName)
	case "DescribeLogGroups":
		var groups []logs.LogGroup
		var next string
		groups, next, err = s.DescribeLogGroups(cx, in.LogGroupNamePrefix, in.NextToken, in.Limit)
		if groups == nil {
			groups = []logs.LogGroup{}
		}
		out = struct {
			LogGroups []logs.LogGroup `json:"logGroups"`
			NextToken string          `json:"nextToken,omitempty"`
		}{groups, next}
	case "PutRetentionPolicy":
		days := 0
		if in.RetentionInDays != nil {
			days = *in.RetentionInDays
		}
		err = s.PutRetentionPolicy(cx, in.LogGroupName, days)
	case "DeleteRetentionPolicy":
		err = s.DeleteRetentionPolicy(cx, in.LogGroupName)
	case "CreateLogStream":
		err = s.CreateLogStream(cx, in.LogGroupName, in.LogStreamName)
	case "DeleteLogStream":
		err = s.DeleteLogStream(cx, in.LogGroupName, in.LogStreamName)
	case "DescribeLogStreams":
		var streams []logs.LogStream
		var next string
		streams, next, err = s.DescribeLogStreams(cx, in.LogGroupName, in.LogStreamNamePrefix, in.OrderBy, in.Descending, in.NextToken, in.Limit)
		if streams == nil {
			streams = []logs.LogStream{}
		}
		out = struct {
			LogStreams []logs.LogStream `json:"logStreams"`
			NextToken  string           `json:"nextToken,omitempty"`
		}{streams, next}
	case "PutLogEvents":
		out, err = s.PutLogEvents(cx, in.LogGroupName, in.LogStreamName, in.LogEvents)
	case "GetLogEvents":
		out, err = s.GetLogEvents(cx, logs.GetLogEventsInput{LogGroupName: in.LogGroupName, LogStreamName: in.LogStreamName,
			StartTime: in.StartTime, EndTime: in.EndTime, NextToken: in.NextToken, Limit: in.Limit, StartFromHead: in.StartFromHead})
	case "FilterLogEvents":
		out, err = s.FilterLogEvents(cx, logs.FilterInput{LogGroupName: in.LogGroupName, LogStreamNames: in.LogStreamNames,
			LogStreamNamePrefix: in.LogStreamNamePrefix, StartTime: in.StartTime, EndTime: in.EndTime,
			FilterPattern: in.FilterPattern, NextToken: in.NextToken, Limit: in.Limit, Interleaved: in.Interleaved})
	case "ListTagsLogGroup":
		var tags map[string]string
		tags, err = s.TagsForLogGroup(cx, in.LogGroupName)
		out = map[string]map[string]string{"tags": tags}
	default:
		return notImplemented(c, c.op)
	}
	if err != nil {
		return err
	}
	awsjson.WriteJSON(c.w, out)
	return nil
}
