package main

import (
	"bytes"
	"context"
	"encoding/xml"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"time"

	"github.com/cloudlet-dev/cloudlet/internal/awsapi"
)

// cfnClient calls a running cloudlet's CloudFormation Query API, signed,
// as the AWS CLI does (spec cloudformation §9).
type cfnClient struct{ c *awsClient }

// call sends Action with params and decodes the <ActionResult> into out
// (nil for operations without output). An error answer becomes an
// *apiError with AWS's code and message.
func (c cfnClient) call(ctx context.Context, action string, params url.Values, out any) error {
	if params == nil {
		params = url.Values{}
	}
	params.Set("Action", action)
	params.Set("Version", "2010-05-15")
	// The AWS API answers stack operations once they are over (for the
	// AWS CLI's waiters); this client follows their events live instead.
	h := http.Header{"Content-Type": {"application/x-www-form-urlencoded; charset=utf-8"}, awsapi.NoWaitHeader: {"1"}}
	_, raw, err := c.c.call(ctx, "cloudformation", http.MethodPost, "/", nil, h, []byte(params.Encode()))
	if err != nil {
		var ae *apiError
		if errors.As(err, &ae) {
			var doc struct {
				Code    string `xml:"Error>Code"`
				Message string `xml:"Error>Message"`
			}
			if xml.Unmarshal(raw, &doc) == nil && doc.Code != "" {
				ae.Code, ae.Message = doc.Code, doc.Message
			}
		}
		return err
	}
	if out == nil {
		return nil
	}
	dec := xml.NewDecoder(bytes.NewReader(raw))
	for {
		tok, err := dec.Token()
		if err != nil {
			return fmt.Errorf("%s: no %sResult in the answer: %w", action, action, err)
		}
		if se, ok := tok.(xml.StartElement); ok && se.Name.Local == action+"Result" {
			return dec.DecodeElement(out, &se)
		}
	}
}

// isCode reports whether err is an AWS error with the code.
func isCode(err error, code string) bool {
	var ae *apiError
	return errors.As(err, &ae) && ae.Code == code
}

type cfnParam struct {
	Key   string `xml:"ParameterKey"`
	Value string `xml:"ParameterValue"`
}

type cfnOut struct {
	Key         string `xml:"OutputKey"`
	Value       string `xml:"OutputValue"`
	Description string `xml:"Description"`
	ExportName  string `xml:"ExportName"`
}

type cfnStackInfo struct {
	ID              string     `xml:"StackId"`
	Name            string     `xml:"StackName"`
	Description     string     `xml:"Description"`
	Status          string     `xml:"StackStatus"`
	Reason          string     `xml:"StackStatusReason"`
	Created         time.Time  `xml:"CreationTime"`
	Updated         time.Time  `xml:"LastUpdatedTime"`
	Parameters      []cfnParam `xml:"Parameters>member"`
	Outputs         []cfnOut   `xml:"Outputs>member"`
	Capabilities    []string   `xml:"Capabilities>member"`
	ParentID        string     `xml:"ParentId"`
	RootID          string     `xml:"RootId"`
	TerminationProt bool       `xml:"EnableTerminationProtection"`
}

type cfnEvent struct {
	ID         string    `xml:"EventId"`
	StackID    string    `xml:"StackId"`
	StackName  string    `xml:"StackName"`
	LogicalID  string    `xml:"LogicalResourceId"`
	PhysicalID string    `xml:"PhysicalResourceId"`
	Type       string    `xml:"ResourceType"`
	Time       time.Time `xml:"Timestamp"`
	Status     string    `xml:"ResourceStatus"`
	Reason     string    `xml:"ResourceStatusReason"`
}

type cfnResource struct {
	LogicalID  string    `xml:"LogicalResourceId"`
	PhysicalID string    `xml:"PhysicalResourceId"`
	Type       string    `xml:"ResourceType"`
	Time       time.Time `xml:"Timestamp"`
	Status     string    `xml:"ResourceStatus"`
	Reason     string    `xml:"ResourceStatusReason"`
}

type cfnSummary struct {
	ID          string    `xml:"StackId"`
	Name        string    `xml:"StackName"`
	Description string    `xml:"TemplateDescription"`
	Status      string    `xml:"StackStatus"`
	Created     time.Time `xml:"CreationTime"`
	Updated     time.Time `xml:"LastUpdatedTime"`
	ParentID    string    `xml:"ParentId"`
}

func (c cfnClient) describe(ctx context.Context, nameOrID string) (*cfnStackInfo, error) {
	var out struct {
		Stacks []cfnStackInfo `xml:"Stacks>member"`
	}
	if err := c.call(ctx, "DescribeStacks", url.Values{"StackName": {nameOrID}}, &out); err != nil {
		return nil, err
	}
	if len(out.Stacks) == 0 {
		return nil, &apiError{Status: 400, Code: "ValidationError", Message: "Stack with id " + nameOrID + " does not exist"}
	}
	return &out.Stacks[0], nil
}

// events returns a stack's events, oldest first.
func (c cfnClient) events(ctx context.Context, stackID string) ([]cfnEvent, error) {
	var all []cfnEvent
	token := ""
	for {
		var out struct {
			Events []cfnEvent `xml:"StackEvents>member"`
			Next   string     `xml:"NextToken"`
		}
		p := url.Values{"StackName": {stackID}}
		if token != "" {
			p.Set("NextToken", token)
		}
		if err := c.call(ctx, "DescribeStackEvents", p, &out); err != nil {
			return nil, err
		}
		all = append(all, out.Events...)
		if token = out.Next; token == "" {
			break
		}
	}
	sort.SliceStable(all, func(i, j int) bool { return all[i].Time.Before(all[j].Time) })
	return all, nil
}

func (c cfnClient) resources(ctx context.Context, nameOrID string) ([]cfnResource, error) {
	var out struct {
		Resources []cfnResource `xml:"StackResources>member"`
	}
	err := c.call(ctx, "DescribeStackResources", url.Values{"StackName": {nameOrID}}, &out)
	return out.Resources, err
}

func (c cfnClient) list(ctx context.Context) ([]cfnSummary, error) {
	var all []cfnSummary
	token := ""
	for {
		var out struct {
			Summaries []cfnSummary `xml:"StackSummaries>member"`
			Next      string       `xml:"NextToken"`
		}
		p := url.Values{}
		if token != "" {
			p.Set("NextToken", token)
		}
		if err := c.call(ctx, "ListStacks", p, &out); err != nil {
			return nil, err
		}
		all = append(all, out.Summaries...)
		if token = out.Next; token == "" {
			return all, nil
		}
	}
}

// stackInput is what CreateStack and UpdateStack send.
type stackInput struct {
	name, templateBody, templateURL string
	params                          map[string]string
	capabilities                    []string
}

func (in stackInput) values() url.Values {
	p := url.Values{"StackName": {in.name}}
	if in.templateURL != "" {
		p.Set("TemplateURL", in.templateURL)
	} else {
		p.Set("TemplateBody", in.templateBody)
	}
	keys := make([]string, 0, len(in.params))
	for k := range in.params {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for i, k := range keys {
		p.Set("Parameters.member."+strconv.Itoa(i+1)+".ParameterKey", k)
		p.Set("Parameters.member."+strconv.Itoa(i+1)+".ParameterValue", in.params[k])
	}
	for i, c := range in.capabilities {
		p.Set("Capabilities.member."+strconv.Itoa(i+1), c)
	}
	return p
}

func (c cfnClient) create(ctx context.Context, in stackInput) (string, error) {
	var out struct {
		ID string `xml:"StackId"`
	}
	err := c.call(ctx, "CreateStack", in.values(), &out)
	return out.ID, err
}

func (c cfnClient) update(ctx context.Context, in stackInput) (string, error) {
	var out struct {
		ID string `xml:"StackId"`
	}
	err := c.call(ctx, "UpdateStack", in.values(), &out)
	return out.ID, err
}

func (c cfnClient) delete(ctx context.Context, nameOrID string) error {
	return c.call(ctx, "DeleteStack", url.Values{"StackName": {nameOrID}}, nil)
}
