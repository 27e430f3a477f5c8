package query_test

import (
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/cloudlet-dev/cloudlet/internal/awsapi/query"
)

func TestForm(t *testing.T) {
	// The captured CreateStack body of spec cloudformation §9.1, with the
	// empty-list form of `aws cloudformation deploy`.
	raw := "Action=CreateStack&Version=2010-05-15&StackName=s1&TemplateBody=a+b&Parameters.member.1.ParameterKey=Env&Parameters.member.1.ParameterValue=prod&Parameters.member.2.ParameterKey=Other&Parameters.member.2.UsePreviousValue=true&Capabilities.member.2=CAPABILITY_AUTO_EXPAND&Capabilities.member.1=CAPABILITY_IAM&Tags.member.1.Key=a&Tags.member.1.Value=b&NotificationARNs=&Attributes.entry.1.key=k&Attributes.entry.1.value=v&DisableRollback=true"
	f, err := query.Parse(raw)
	if err != nil {
		t.Fatal(err)
	}
	if got := f.Get("TemplateBody"); got != "a b" {
		t.Errorf(`Get(TemplateBody) = %q, want "a b"`, got)
	}
	if got, want := f.List("Capabilities"), []string{"CAPABILITY_IAM", "CAPABILITY_AUTO_EXPAND"}; !cmp.Equal(got, want) {
		t.Errorf("List(Capabilities) = %v, want %v", got, want)
	}
	if got := f.List("NotificationARNs"); got != nil || !f.Has("NotificationARNs") {
		t.Errorf("List(NotificationARNs) = %v, want nil for the empty-list form", got)
	}
	ps := f.Structs("Parameters")
	if len(ps) != 2 || ps[0].Get("ParameterValue") != "prod" || !ps[1].Bool("UsePreviousValue") {
		t.Errorf("Structs(Parameters) = %+v", ps)
	}
	if got := f.Pairs("Tags", "Key", "Value"); !cmp.Equal(got, map[string]string{"a": "b"}) {
		t.Errorf("Pairs(Tags) = %v", got)
	}
	if got := f.Map("Attributes", "key", "value"); !cmp.Equal(got, map[string]string{"k": "v"}) {
		t.Errorf("Map(Attributes) = %v", got)
	}
	if !f.Bool("DisableRollback") || f.Bool("Missing") {
		t.Errorf("Bool = %v %v", f.Bool("DisableRollback"), f.Bool("Missing"))
	}
}

func TestWriteResultAndError(t *testing.T) {
	rec := httptest.NewRecorder()
	query.WriteResult(rec, "ExecuteChangeSet", "http://cloudformation.amazonaws.com/doc/2010-05-15/", "rid", struct{}{})
	if body := rec.Body.String(); !strings.Contains(body, "<ExecuteChangeSetResult></ExecuteChangeSetResult>") || !strings.Contains(body, "<RequestId>rid</RequestId>") {
		t.Errorf("WriteResult(empty output) = %s, want the empty Result wrapper (spec cloudformation §9.2)", body)
	}
	rec = httptest.NewRecorder()
	query.WriteResult(rec, "DeleteStack", "ns", "rid", nil)
	if strings.Contains(rec.Body.String(), "DeleteStackResult") {
		t.Errorf("WriteResult(no output) = %s, want no Result element", rec.Body.String())
	}
	rec = httptest.NewRecorder()
	query.WriteError(rec, 400, "ns", "ValidationError", "Stack with id <x> does not exist", "rid")
	res := rec.Result()
	want := `<ErrorResponse xmlns="ns"><Error><Type>Sender</Type><Code>ValidationError</Code><Message>Stack with id &lt;x&gt; does not exist</Message></Error><RequestId>rid</RequestId></ErrorResponse>`
	if res.StatusCode != 400 || !strings.Contains(rec.Body.String(), want) {
		t.Errorf("WriteError = %d %s, want 400 %s", res.StatusCode, rec.Body.String(), want)
	}
}

// FuzzParse: no form body panics the decoder or its list and map readers.
func FuzzParse(f *testing.F) {
	f.Add("Action=CreateStack&Parameters.member.1.ParameterKey=a&Tags.member.1.Key=k&Attributes.entry.1.key=x")
	f.Add("Capabilities=&A.member.0=x&A.member.-1=y&A.member.99999999999999999999=z&%zz")
	f.Fuzz(func(t *testing.T, raw string) {
		form, err := query.Parse(raw)
		if err != nil {
			return
		}
		_ = form.List("A")
		_ = form.List("Capabilities")
		for _, s := range form.Structs("Parameters") {
			_ = s.Get("ParameterKey")
		}
		_ = form.Pairs("Tags", "Key", "Value")
		_ = form.Map("Attributes", "key", "value")
	})
}
