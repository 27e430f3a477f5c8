package reliability_test

import (
	"bytes"
	"context"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"
)

// control is the test's side of a custom resource: the function asks it
// what to do with each request, so the test decides which request hangs
// (the one during which cloudlet is killed) and learns when it arrived.
// It speaks over loopback, which functions reach in every sandbox mode.
type control struct {
	URL    string
	hangOn string // RequestType whose first request hangs
	hung   chan struct{}

	mu   sync.Mutex
	seen map[string]int
}

func newControl(t *testing.T, hangOn string) *control {
	t.Helper()
	c := &control{hangOn: hangOn, hung: make(chan struct{}), seen: map[string]int{}}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{Handler: c}
	go func() { _ = srv.Serve(ln) }()
	t.Cleanup(func() { _ = srv.Close() })
	c.URL = "http://" + ln.Addr().String()
	return c
}

func (c *control) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	typ := strings.TrimPrefix(r.URL.Path, "/")
	c.mu.Lock()
	c.seen[typ]++
	first := c.seen[typ] == 1
	c.mu.Unlock()
	if typ == c.hangOn && first {
		close(c.hung)
		fmt.Fprint(w, "hang")
		return
	}
	fmt.Fprint(w, "answer")
}

func (c *control) count(typ string) int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.seen[typ]
}

// customTemplate is a stack of SSM parameters and a custom resource whose
// function asks the control server, then either hangs (after starting a
// child that would outlive it if nothing killed it) or answers SUCCESS.
// %[1]s is the runtime; Version and Extra change between deploys.
const customTemplate = `Parameters:
  Control: {Type: String}
  Mark: {Type: String}
  Version: {Type: String, Default: "1"}
  Extra: {Type: String, Default: "no"}
Conditions:
  WithExtra: !Equals [!Ref Extra, "yes"]
Resources:
  Role:
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument:
        Version: "2012-10-17"
        Statement:
          - {Effect: Allow, Principal: {Service: lambda.amazonaws.com}, Action: sts:AssumeRole}
  Before:
    Type: AWS::SSM::Parameter
    Properties: {Type: String, Value: before}
  Added:
    Type: AWS::SSM::Parameter
    Condition: WithExtra
    Properties: {Type: String, Value: added}
  Handler:
    Type: AWS::Lambda::Function
    Properties:
      Runtime: %[1]s
      Handler: index.handler
      Role: !GetAtt Role.Arn
      Timeout: 900
      Environment: {Variables: {CONTROL: !Ref Control, MARK: !Ref Mark}}
      Code:
        ZipFile: |
          import json, os, subprocess, time, urllib.request
          def handler(event, context):
              what = urllib.request.urlopen(os.environ["CONTROL"] + "/" + event["RequestType"]).read()
              if what == b"hang":
                  subprocess.Popen(["sleep", "600"])
                  time.sleep(600)
              body = json.dumps({"Status": "SUCCESS", "PhysicalResourceId": "waiting",
                  "StackId": event["StackId"], "RequestId": event["RequestId"],
                  "LogicalResourceId": event["LogicalResourceId"], "Data": {}}).encode()
              req = urllib.request.Request(event["ResponseURL"], data=body, method="PUT")
              urllib.request.urlopen(req).read()
  Waiting:
    Type: Custom::Waiting
    DependsOn: Before
    Properties:
      ServiceToken: !GetAtt Handler.Arn
      Version: !Ref Version
      After: !If [WithExtra, !Ref Added, none]
`

// parameterExists asks s's SSM whether a parameter exists.
func parameterExists(t *testing.T, s *server, name string) bool {
	t.Helper()
	r := awsCall(t, s.URL, "ssm", http.MethodPost, "/", http.Header{"X-Amz-Target": {"AmazonSSM.GetParameter"},
		"Content-Type": {"application/x-amz-json-1.1"}}, []byte(fmt.Sprintf(`{"Name":%q}`, name)))
	switch {
	case r.status == 200:
		return true
	case r.status == 400 && strings.Contains(r.body, "ParameterNotFound"):
		return false
	}
	t.Fatalf("GetParameter(%s) = %d %s", name, r.status, r.body)
	return false
}

// physicalIDs lists the stack's resources by logical ID.
func physicalIDs(t *testing.T, s *server, stackName string) map[string]string {
	t.Helper()
	var out struct {
		Resources []struct {
			LogicalResourceID  string `xml:"LogicalResourceId"`
			PhysicalResourceID string `xml:"PhysicalResourceId"`
		} `xml:"DescribeStackResourcesResult>StackResources>member"`
	}
	s.cfn(t, url.Values{"Action": {"DescribeStackResources"}, "StackName": {stackName}}, &out)
	ids := map[string]string{}
	for _, r := range out.Resources {
		ids[r.LogicalResourceID] = r.PhysicalResourceID
	}
	return ids
}

func stackForm(action, name, body string, params map[string]string) url.Values {
	form := url.Values{"Action": {action}, "StackName": {name}, "TemplateBody": {body}, "Capabilities.member.1": {"CAPABILITY_IAM"}}
	i := 1
	for k, v := range params {
		form.Set(fmt.Sprintf("Parameters.member.%d.ParameterKey", i), k)
		form.Set(fmt.Sprintf("Parameters.member.%d.ParameterValue", i), v)
		i++
	}
	return form
}

// killDuring runs a stack operation against a real cloudlet, kills it
// with SIGKILL while the custom resource's request of type hangOn hangs,
// and restarts it on the same data directory. It returns the restarted
// server, the stack's resources before the kill and the control server.
func killDuring(t *testing.T, hangOn string, first, second func(s *server, c *control, mark string)) (*server, *control, string) {
	t.Helper()
	c := newControl(t, hangOn)
	mark := newMark(t)
	data := t.TempDir()
	s := serve(t, data)
	first(s, c, mark)
	second(s, c, mark)
	select {
	case <-c.hung:
	case <-time.After(3 * time.Minute):
		t.Fatalf("the custom resource never received its %s request\n%s", hangOn, s.output())
	}
	// The function now sleeps in its request; its child sleeps too.
	if !eventually(30*time.Second, func() bool { return len(processesWith("MARK="+mark)) >= 2 }) {
		t.Fatalf("the hanging function and its child are not running: %v", processesWith("MARK="+mark))
	}
	s.kill9(t)
	t.Cleanup(func() { killAll(processesWith("MARK=" + mark)) })
	old := "AWS_ENDPOINT_URL=" + s.URL
	s = serve(t, data)
	// The runtime died with cloudlet; the child it started did not, and
	// only the restarted cloudlet can find it. (The restarted cloudlet's
	// own environments of the function may run: they are not orphans.)
	var left []int
	if !eventually(10*time.Second, func() bool { left = processesWith(old); return len(left) == 0 }) {
		t.Errorf("processes %v of the killed cloudlet's function are still running after the restart", left)
	}
	return s, c, mark
}

// stackEvents lists the stack's events as "LogicalId STATUS reason" lines.
func stackEvents(t *testing.T, s *server, name string) string {
	t.Helper()
	var out struct {
		Events []struct {
			LogicalResourceID    string `xml:"LogicalResourceId"`
			ResourceStatus       string `xml:"ResourceStatus"`
			ResourceStatusReason string `xml:"ResourceStatusReason"`
		} `xml:"DescribeStackEventsResult>StackEvents>member"`
	}
	s.cfn(t, url.Values{"Action": {"DescribeStackEvents"}, "StackName": {name}}, &out)
	var b strings.Builder
	for _, e := range out.Events {
		fmt.Fprintf(&b, "%s %s %s\n", e.LogicalResourceID, e.ResourceStatus, e.ResourceStatusReason)
	}
	return b.String()
}

// Issue 8 §3b: kill -9 during a stack update. After a restart on the same
// data the store opens, the update is rolled back to the previous
// template with a reason, what the update had added is gone, what was
// there before is still there, and no function process is left over.
func TestCrashDuringUpdate(t *testing.T) {
	if testing.Short() {
		t.Skip("kills a real cloudlet binary")
	}
	body := fmt.Sprintf(customTemplate, pythonRuntime(t))
	var before map[string]string
	s, c, _ := killDuring(t, "Update",
		func(s *server, c *control, mark string) {
			s.cfn(t, stackForm("CreateStack", "upd", body, map[string]string{"Control": c.URL, "Mark": mark}), nil)
			if st := s.settled(t, "upd"); st.Status != "CREATE_COMPLETE" {
				t.Fatalf("create = %+v\n%s", st, s.output())
			}
			before = physicalIDs(t, s, "upd")
		},
		func(s *server, c *control, mark string) {
			s.cfn(t, stackForm("UpdateStack", "upd", body, map[string]string{"Control": c.URL, "Mark": mark, "Version": "2", "Extra": "yes"}), nil)
		})
	if st := s.settled(t, "upd"); st.Status != "UPDATE_ROLLBACK_COMPLETE" {
		t.Errorf("after restart the stack is %+v, want UPDATE_ROLLBACK_COMPLETE", st)
	}
	// The reason is where AWS gives it: on the events that started the rollback.
	evs := stackEvents(t, s, "upd")
	for _, want := range []string{"Waiting UPDATE_FAILED Resource update cancelled: cloudlet stopped",
		"upd UPDATE_ROLLBACK_IN_PROGRESS The following resource(s) failed to update: [Waiting]."} {
		if !strings.Contains(evs, want) {
			t.Errorf("events lack %q:\n%s", want, evs)
		}
	}
	after := physicalIDs(t, s, "upd")
	if _, ok := after["Added"]; ok {
		t.Errorf("resources after rollback = %v, want no Added", after)
	}
	if !parameterExists(t, s, before["Before"]) || after["Before"] != before["Before"] {
		t.Errorf("parameter Before (%s) after rollback: resources %v", before["Before"], after)
	}
	if n := c.count("Update"); n < 2 {
		t.Errorf("the custom resource got %d Update requests, want the update's and the rollback's", n)
	}
}

// Issue 8 §3c: kill -9 during a stack delete. After a restart the delete
// runs to its end: the stack and everything in it are gone.
func TestCrashDuringDelete(t *testing.T) {
	if testing.Short() {
		t.Skip("kills a real cloudlet binary")
	}
	body := fmt.Sprintf(customTemplate, pythonRuntime(t))
	var before map[string]string
	s, _, _ := killDuring(t, "Delete",
		func(s *server, c *control, mark string) {
			s.cfn(t, stackForm("CreateStack", "del", body, map[string]string{"Control": c.URL, "Mark": mark}), nil)
			if st := s.settled(t, "del"); st.Status != "CREATE_COMPLETE" {
				t.Fatalf("create = %+v\n%s", st, s.output())
			}
			before = physicalIDs(t, s, "del")
		},
		func(s *server, c *control, mark string) {
			s.cfn(t, url.Values{"Action": {"DeleteStack"}, "StackName": {"del"}}, nil)
		})
	if st := s.settled(t, "del"); st.Status != "" {
		t.Errorf("after restart the stack is %+v, want it deleted", st)
	}
	if parameterExists(t, s, before["Before"]) {
		t.Errorf("parameter %s outlived the stack's delete", before["Before"])
	}
	r := awsCall(t, s.URL, "lambda", http.MethodGet, "/2015-03-31/functions/"+before["Handler"], nil, nil)
	if r.status != 404 {
		t.Errorf("GetFunction(%s) after the delete = %d %s, want 404", before["Handler"], r.status, r.body)
	}
}

// putObject streams n bytes of b to bucket/key; it returns once the
// request is answered (or the connection dies).
func putObject(ctx context.Context, base, bucket, key string, body io.Reader, n int64) (int, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPut, base+"/"+bucket+"/"+key, body)
	if err != nil {
		return 0, err
	}
	req.ContentLength = n
	signHash(req, "s3", "UNSIGNED-PAYLOAD", rootKey, rootSecret, "")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, resp.Body)
	return resp.StatusCode, nil
}

// jsonOf decodes a JSON body or fails.
func jsonOf(t *testing.T, body string, v any) {
	t.Helper()
	if err := json.Unmarshal([]byte(body), v); err != nil {
		t.Fatalf("%v: %s", err, body)
	}
}

// tryAWS sends one root-signed request and reports a transport error
// instead of failing: requests in flight when cloudlet is killed fail.
func tryAWS(ctx context.Context, base, service, method, path string, header http.Header, body []byte) (int, string, error) {
	req, err := http.NewRequestWithContext(ctx, method, base+path, bytes.NewReader(body))
	if err != nil {
		return 0, "", err
	}
	for k, vs := range header {
		req.Header[k] = vs
	}
	sign(req, service, body, rootKey, rootSecret, "")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, "", err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b), err
}

// logsCall calls a CloudWatch Logs action (JSON 1.1).
func logsCall(ctx context.Context, base, action string, in any) (int, string, error) {
	body, _ := json.Marshal(in)
	return tryAWS(ctx, base, "logs", http.MethodPost, "/", http.Header{"X-Amz-Target": {"Logs_20140328." + action},
		"Content-Type": {"application/x-amz-json-1.1"}}, body)
}

// Issue 8 §3e: kill -9 under heavy logging. Every event whose
// PutLogEvents was answered before the kill is there after the restart.
func TestCrashDuringLogging(t *testing.T) {
	if testing.Short() {
		t.Skip("kills a real cloudlet binary")
	}
	data := t.TempDir()
	s := serve(t, data)
	ctx := context.Background()
	const writers, perBatch = 8, 50
	if st, body, err := logsCall(ctx, s.URL, "CreateLogGroup", map[string]string{"logGroupName": "heavy"}); err != nil || st != 200 {
		t.Fatalf("CreateLogGroup = %d %s %v", st, body, err)
	}
	for w := range writers {
		if st, body, err := logsCall(ctx, s.URL, "CreateLogStream", map[string]string{"logGroupName": "heavy", "logStreamName": fmt.Sprint("w", w)}); err != nil || st != 200 {
			t.Fatalf("CreateLogStream = %d %s %v", st, body, err)
		}
	}
	type event struct {
		Timestamp int64  `json:"timestamp"`
		Message   string `json:"message"`
	}
	acked := make([][]string, writers) // per writer, the messages acknowledged
	var total sync.WaitGroup
	var mu sync.Mutex
	count := 0
	enough := make(chan struct{})
	for w := range writers {
		total.Add(1)
		go func() {
			defer total.Done()
			for b := 0; ; b++ {
				batch := make([]event, perBatch)
				now := time.Now().UnixMilli()
				for e := range batch {
					batch[e] = event{now, fmt.Sprintf("w%d b%d e%d %s", w, b, e, strings.Repeat("x", 200))}
				}
				st, _, err := logsCall(ctx, s.URL, "PutLogEvents", map[string]any{"logGroupName": "heavy", "logStreamName": fmt.Sprint("w", w), "logEvents": batch})
				if err != nil || st != 200 {
					return // cloudlet is gone
				}
				for _, e := range batch {
					acked[w] = append(acked[w], e.Message)
				}
				mu.Lock()
				count++
				if count == 400 {
					close(enough)
				}
				mu.Unlock()
			}
		}()
	}
	select {
	case <-enough:
	case <-time.After(2 * time.Minute):
		t.Fatalf("400 batches were not acknowledged within 2 minutes\n%s", s.output())
	}
	s.kill9(t)
	total.Wait()
	s = serve(t, data)
	for w := range writers {
		got := map[string]bool{}
		token := ""
		for {
			in := map[string]any{"logGroupName": "heavy", "logStreamName": fmt.Sprint("w", w), "startFromHead": true}
			if token != "" {
				in["nextToken"] = token
			}
			st, body, err := logsCall(ctx, s.URL, "GetLogEvents", in)
			if err != nil || st != 200 {
				t.Fatalf("GetLogEvents = %d %s %v", st, body, err)
			}
			var out struct {
				Events           []event `json:"events"`
				NextForwardToken string  `json:"nextForwardToken"`
			}
			jsonOf(t, body, &out)
			for _, e := range out.Events {
				got[e.Message] = true
			}
			if len(out.Events) == 0 || out.NextForwardToken == token {
				break
			}
			token = out.NextForwardToken
		}
		missing := 0
		for _, m := range acked[w] {
			if !got[m] {
				missing++
			}
		}
		if missing > 0 || len(acked[w]) == 0 {
			t.Errorf("stream w%d: %d of the %d acknowledged events are missing after the restart", w, missing, len(acked[w]))
		}
	}
}

// Issue 8 §3d: kill -9 during S3 uploads. After the restart an object
// acknowledged before the kill is whole, an upload cut short is not
// visible — neither as a new object nor over the old one — and a
// multipart upload that was never completed is no object either.
func TestCrashDuringUploads(t *testing.T) {
	if testing.Short() {
		t.Skip("kills a real cloudlet binary")
	}
	data := t.TempDir()
	s := serve(t, data)
	ctx := context.Background()
	s3 := func(method, path string, body []byte) (int, string) {
		st, b, err := tryAWS(ctx, s.URL, "s3", method, path, nil, body)
		if err != nil {
			t.Fatalf("%s %s: %v", method, path, err)
		}
		return st, b
	}
	if st, b := s3(http.MethodPut, "/bkt", nil); st != 200 {
		t.Fatalf("CreateBucket = %d %s", st, b)
	}
	old := bytes.Repeat([]byte("a"), 1<<20)
	if st, b := s3(http.MethodPut, "/bkt/k", old); st != 200 {
		t.Fatalf("PutObject(k) = %d %s", st, b)
	}
	st, b := s3(http.MethodPost, "/bkt/parts?uploads", nil)
	var mp struct {
		UploadID string `xml:"UploadId"`
	}
	if st != 200 || xml.Unmarshal([]byte(b), &mp) != nil {
		t.Fatalf("CreateMultipartUpload = %d %s", st, b)
	}
	if st, b := s3(http.MethodPut, "/bkt/parts?partNumber=1&uploadId="+mp.UploadID, bytes.Repeat([]byte("p"), 5<<20)); st != 200 {
		t.Fatalf("UploadPart = %d %s", st, b)
	}
	// Two uploads of 64 MiB each, over k and to a new key n, are cut off
	// once 16 MiB of each have gone through.
	const size, sent = 64 << 20, 16 << 20
	var uploads sync.WaitGroup
	writers := map[string]*io.PipeWriter{}
	for _, key := range []string{"k", "n"} {
		pr, pw := io.Pipe()
		writers[key] = pw
		uploads.Add(1)
		go func() {
			defer uploads.Done()
			_, _ = putObject(ctx, s.URL, "bkt", key, pr, size)
		}()
	}
	chunk := bytes.Repeat([]byte("z"), 1<<20)
	for _, pw := range writers {
		for range sent / len(chunk) {
			if _, err := pw.Write(chunk); err != nil {
				t.Fatalf("upload: %v", err)
			}
		}
	}
	s.kill9(t)
	for _, pw := range writers {
		pw.CloseWithError(io.ErrUnexpectedEOF)
	}
	uploads.Wait()

	s = serve(t, data)
	if st, b := s3(http.MethodGet, "/bkt/k", nil); st != 200 || b != string(old) {
		t.Errorf("GET k after the restart = %d, %d bytes; want 200 and the 1 MiB acknowledged before the kill", st, len(b))
	}
	for _, key := range []string{"n", "parts"} {
		if st, b := s3(http.MethodGet, "/bkt/"+key, nil); st != 404 || !strings.Contains(b, "<Code>NoSuchKey</Code>") {
			t.Errorf("GET %s after the restart = %d %.200s, want 404 NoSuchKey", key, st, b)
		}
	}
	st, b = s3(http.MethodGet, "/bkt?list-type=2", nil)
	var list struct {
		Keys []string `xml:"Contents>Key"`
	}
	if st != 200 || xml.Unmarshal([]byte(b), &list) != nil || fmt.Sprint(list.Keys) != "[k]" {
		t.Errorf("ListObjectsV2 after the restart = %d %s, want only k", st, b)
	}
}
