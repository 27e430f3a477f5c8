package apigw

import (
	"strings"
	"time"
)

// AccessLogSink receives a stage's access log lines (accessLogSettings).
// The logs service implements it. It must not block: it is called on the
// request path after the response is written.
type AccessLogSink interface {
	AppendAccessLog(group, stream string, t time.Time, line string)
}

// accessLog is a stage's compiled access log settings.
type accessLog struct {
	group, stream string
	format        []tmplPart // static text and $context variable names
}

// logGroupFromARN takes the group name out of
// arn:aws:logs:{region}:{acct}:log-group:{name}[:*].
func logGroupFromARN(arn string) (string, bool) {
	_, name, ok := strings.Cut(arn, ":log-group:")
	if !ok || !strings.HasPrefix(arn, "arn:") {
		return "", false
	}
	name = strings.TrimSuffix(name, ":*")
	return name, name != ""
}

// validateAccessLog checks accessLogSettings: a log group ARN and a format
// that has $context.requestId, as AWS requires.
func validateAccessLog(a *AccessLogSettings) error {
	if a == nil || (a.DestinationARN == "" && a.Format == "") {
		return nil
	}
	if _, ok := logGroupFromARN(a.DestinationARN); !ok {
		return badRequest("Invalid destination ARN %q for access logs: use a CloudWatch Logs log group ARN", a.DestinationARN)
	}
	if !strings.Contains(a.Format, "$context.requestId") && !strings.Contains(a.Format, "$context.extendedRequestId") {
		return badRequest("Access Log format must contain at least $context.requestId or $context.extendedRequestId")
	}
	return nil
}

// compileAccessLog parses a stage's settings; nil when there are none.
// The stream is named {apiId}_{stage} [UNV: AWS's naming is not recorded].
func compileAccessLog(a *AccessLogSettings, apiID, stage string) *accessLog {
	if a == nil || a.Format == "" {
		return nil
	}
	group, ok := logGroupFromARN(a.DestinationARN)
	if !ok {
		return nil
	}
	al := &accessLog{group: group, stream: apiID + "_" + stage}
	f := a.Format
	for f != "" {
		i := strings.Index(f, "$context.")
		if i < 0 {
			al.format = append(al.format, tmplPart{text: f})
			break
		}
		if i > 0 {
			al.format = append(al.format, tmplPart{text: f[:i]})
		}
		j := i + len("$context.")
		for j < len(f) && isLogVarChar(f[j]) {
			j++
		}
		name := strings.TrimRight(f[i+len("$context."):j], ".")
		j = i + len("$context.") + len(name)
		al.format = append(al.format, tmplPart{text: name, source: true})
		f = f[j:]
	}
	return al
}

func isLogVarChar(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '.' || c == '_' || c == '-'
}

// line renders one request; a variable without a value is "-".
func (al *accessLog) line(x *exchange) string {
	var b strings.Builder
	for _, p := range al.format {
		if !p.source {
			b.WriteString(p.text)
			continue
		}
		if v, ok := x.contextVar(p.text); ok && v != "" {
			b.WriteString(v)
		} else {
			b.WriteByte('-')
		}
	}
	return b.String()
}
