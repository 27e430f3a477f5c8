package awsapi

import (
	"net/http"
	"slices"
	"strings"

	"github.com/cloudlet-dev/cloudlet/internal/awsapi/query"
	"github.com/cloudlet-dev/cloudlet/internal/awserr"
	"github.com/cloudlet-dev/cloudlet/internal/stack"
)

// maxTemplateBody is the TemplateBody limit; larger templates go through
// S3 and TemplateURL (spec cloudformation §10).
const maxTemplateBody = 51200

// queryForm decodes a Query request: the form body of a POST, merged with
// the URL's query (old clients send GET).
func queryForm(c *call) (query.Form, error) {
	raw := string(c.body)
	if c.r.Method == http.MethodGet || raw == "" {
		raw = c.r.URL.RawQuery
	} else if c.r.URL.RawQuery != "" {
		raw = c.r.URL.RawQuery + "&" + raw
	}
	f, err := query.Parse(raw)
	if err != nil {
		return query.Form{}, awserr.New("MalformedQueryString", "The query string is malformed: %v", err)
	}
	return f, nil
}

type cfnOp func(h *Handler, c *call, f query.Form) (any, error)

// cfnOps maps CloudFormation actions to their adapters. A nil result
// writes no Result element (operations without output).
var cfnOps = map[string]cfnOp{
	"CreateStack":                 (*Handler).cfnCreateStack,
	"UpdateStack":                 (*Handler).cfnUpdateStack,
	"DeleteStack":                 (*Handler).cfnDeleteStack,
	"DescribeStacks":              (*Handler).cfnDescribeStacks,
	"ListStacks":                  (*Handler).cfnListStacks,
	"DescribeStackEvents":         (*Handler).cfnDescribeStackEvents,
	"DescribeStackResource":       (*Handler).cfnDescribeStackResource,
	"DescribeStackResources":      (*Handler).cfnDescribeStackResources,
	"ListStackResources":          (*Handler).cfnListStackResources,
	"GetTemplate":                 (*Handler).cfnGetTemplate,
	"GetTemplateSummary":          (*Handler).cfnGetTemplateSummary,
	"ValidateTemplate":            (*Handler).cfnValidateTemplate,
	"CreateChangeSet":             (*Handler).cfnCreateChangeSet,
	"DescribeChangeSet":           (*Handler).cfnDescribeChangeSet,
	"ExecuteChangeSet":            (*Handler).cfnExecuteChangeSet,
	"DeleteChangeSet":             (*Handler).cfnDeleteChangeSet,
	"ListChangeSets":              (*Handler).cfnListChangeSets,
	"ListExports":                 (*Handler).cfnListExports,
	"ListImports":                 (*Handler).cfnListImports,
	"UpdateTerminationProtection": (*Handler).cfnUpdateTerminationProtection,
}

func (h *Handler) serveCloudFormation(c *call) error {
	f, err := queryForm(c)
	if err != nil {
		return err
	}
	c.op = f.Get("Action")
	op := cfnOps[c.op]
	if op == nil {
		return notImplemented(c, c.op)
	}
	if h.cfg.Stacks == nil {
		return serviceMissing(c, c.op)
	}
	if err := h.authorize(c, "cloudformation:"+c.op, h.stackARNFor(f.Get("StackName"))); err != nil {
		return err
	}
	res, err := op(h, c, f)
	if err != nil {
		return err
	}
	query.WriteResult(c.w, c.op, xmlnsCloudFormation, c.requestID, res)
	return nil
}

// stackARNFor is the resource an action on a stack is authorised against.
func (h *Handler) stackARNFor(name string) string {
	switch {
	case name == "":
		return "*"
	case strings.HasPrefix(name, "arn:"):
		return name
	}
	return h.arn("cloudformation", "stack/"+name+"/*")
}

func requireStackName(f query.Form) (string, error) {
	n := f.Get("StackName")
	if n == "" {
		return "", awserr.New(awserr.CodeValidationError, "StackName is a required parameter.")
	}
	return n, nil
}

// templateInput reads TemplateBody (bounded) and TemplateURL.
func templateInput(f query.Form) (body []byte, url string, err error) {
	if f.Has("TemplateBody") {
		b := f.Get("TemplateBody")
		if len(b) > maxTemplateBody {
			return nil, "", awserr.New(awserr.CodeValidationError,
				"1 validation error detected: Value '%s' at 'templateBody' failed to satisfy constraint: Member must have length less than or equal to %d", b, maxTemplateBody)
		}
		body = []byte(b)
	}
	return body, f.Get("TemplateURL"), nil
}

// stackParameters reads Parameters.member.N: values, and the keys sent
// with UsePreviousValue=true.
func stackParameters(f query.Form) (map[string]string, []string) {
	var vals map[string]string
	var prev []string
	for _, p := range f.Structs("Parameters") {
		k := p.Get("ParameterKey")
		if p.Bool("UsePreviousValue") {
			prev = append(prev, k)
			continue
		}
		if vals == nil {
			vals = map[string]string{}
		}
		vals[k] = p.Get("ParameterValue")
	}
	return vals, prev
}

type cfnStackIDResult struct {
	StackID string `xml:"StackId"`
}

func (h *Handler) cfnCreateStack(c *call, f query.Form) (any, error) {
	name, err := requireStackName(f)
	if err != nil {
		return nil, err
	}
	body, url, err := templateInput(f)
	if err != nil {
		return nil, err
	}
	vals, prev := stackParameters(f)
	if len(prev) > 0 {
		return nil, awserr.New(awserr.CodeValidationError, "Invalid input for parameter key %s. Cannot specify usePreviousValue as true for non existing stack", prev[0])
	}
	disable := f.Bool("DisableRollback")
	switch f.Get("OnFailure") {
	case "DO_NOTHING":
		disable = true
	case "", "ROLLBACK":
	case "DELETE":
		return nil, notImplemented(c, "CreateStack with OnFailure=DELETE")
	default:
		return nil, awserr.New(awserr.CodeValidationError, "1 validation error detected: Value '%s' at 'onFailure' failed to satisfy constraint: Member must satisfy enum value set: [DO_NOTHING, ROLLBACK, DELETE]", f.Get("OnFailure"))
	}
	if f.Has("DisableRollback") && f.Has("OnFailure") {
		return nil, awserr.New(awserr.CodeValidationError, "You cannot specify both DisableRollback and OnFailure.")
	}
	st, err := h.cfg.Stacks.CreateStack(c.ctx(), stack.CreateInput{StackName: name, TemplateBody: body, TemplateURL: url,
		Parameters: vals, Capabilities: f.List("Capabilities"), DisableRollback: disable,
		Tags: f.Pairs("Tags", "Key", "Value"), NotificationARNs: f.List("NotificationARNs"),
		EnableTerminationProtection: f.Bool("EnableTerminationProtection")})
	if err != nil {
		return nil, err
	}
	h.settle(c, st.ID)
	return cfnStackIDResult{st.ID}, nil
}

func (h *Handler) cfnUpdateStack(c *call, f query.Form) (any, error) {
	name, err := requireStackName(f)
	if err != nil {
		return nil, err
	}
	body, url, err := templateInput(f)
	if err != nil {
		return nil, err
	}
	usePrev := f.Bool("UsePreviousTemplate")
	if !usePrev && body == nil && url == "" {
		return nil, awserr.New(awserr.CodeValidationError, "Either Template URL or Template Body must be specified.")
	}
	vals, prev := stackParameters(f)
	st, err := h.cfg.Stacks.UpdateStack(c.ctx(), stack.UpdateInput{StackName: name, TemplateBody: body, TemplateURL: url,
		UsePreviousTemplate: usePrev, Parameters: vals, UsePrevious: prev, Capabilities: f.List("Capabilities"),
		DisableRollback: f.Bool("DisableRollback")})
	if err != nil {
		return nil, err
	}
	h.settle(c, st.ID)
	return cfnStackIDResult{st.ID}, nil
}

func (h *Handler) cfnDeleteStack(c *call, f query.Form) (any, error) {
	name, err := requireStackName(f)
	if err != nil {
		return nil, err
	}
	if len(f.List("RetainResources")) > 0 {
		return nil, notImplemented(c, "DeleteStack with RetainResources")
	}
	// The ID outlives the name, so the wait can follow the stack to
	// DELETE_COMPLETE; a stack that does not exist is deleted silently.
	id := ""
	if st, err := h.cfg.Stacks.Describe(c.ctx(), name); err == nil {
		id = st.ID
	}
	if err := h.cfg.Stacks.DeleteStack(c.ctx(), name); err != nil {
		return nil, err
	}
	if id != "" {
		h.settle(c, id)
	}
	return nil, nil
}

func (h *Handler) cfnDescribeStacks(c *call, f query.Form) (any, error) {
	type result struct {
		Stacks []cfnStack `xml:"Stacks>member"`
	}
	if name := f.Get("StackName"); name != "" {
		st, err := h.cfg.Stacks.Describe(c.ctx(), name)
		if err != nil {
			return nil, err
		}
		return result{[]cfnStack{cfnStackOf(st)}}, nil
	}
	all, err := h.cfg.Stacks.ListStacks(c.ctx())
	if err != nil {
		return nil, err
	}
	var out result
	for _, st := range all {
		if st.Status != stack.DeleteComplete {
			out.Stacks = append(out.Stacks, cfnStackOf(st))
		}
	}
	return out, nil
}

func (h *Handler) cfnListStacks(c *call, f query.Form) (any, error) {
	all, err := h.cfg.Stacks.ListStacks(c.ctx())
	if err != nil {
		return nil, err
	}
	filter := f.List("StackStatusFilter")
	var out struct {
		StackSummaries []cfnStackSummary `xml:"StackSummaries>member"`
	}
	for _, st := range all {
		if len(filter) > 0 && !slices.Contains(filter, st.Status) {
			continue
		}
		out.StackSummaries = append(out.StackSummaries, cfnStackSummary{StackID: st.ID, StackName: st.Name,
			TemplateDescription: st.Description, CreationTime: query.Time{Time: st.CreationTime},
			LastUpdatedTime: query.Time{Time: st.LastUpdatedTime}, DeletionTime: query.Time{Time: st.DeletionTime},
			StackStatus: st.Status, StackStatusReason: st.StatusReason, ParentID: st.ParentID, RootID: st.RootID,
			DriftInformation: cfnDrift{"NOT_CHECKED"}})
	}
	return out, nil
}

func (h *Handler) cfnDescribeStackEvents(c *call, f query.Form) (any, error) {
	name, err := requireStackName(f)
	if err != nil {
		return nil, err
	}
	evs, err := h.cfg.Stacks.Events(c.ctx(), name)
	if err != nil {
		return nil, err
	}
	var out struct {
		StackEvents []cfnEvent `xml:"StackEvents>member"`
	}
	for _, e := range evs {
		out.StackEvents = append(out.StackEvents, cfnEvent{StackID: e.StackID, EventID: e.EventID, StackName: e.StackName,
			LogicalResourceID: e.LogicalResourceID, PhysicalResourceID: e.PhysicalResourceID, ResourceType: e.ResourceType,
			Timestamp: query.Time{Time: e.Timestamp}, ResourceStatus: e.ResourceStatus,
			ResourceStatusReason: e.ResourceStatusReason, ResourceProperties: e.ResourceProperties})
	}
	return out, nil
}

// stackResources returns a stack and its resources.
func (h *Handler) stackResources(c *call, name string) (*stack.Stack, []stack.Resource, error) {
	st, err := h.cfg.Stacks.Describe(c.ctx(), name)
	if err != nil {
		return nil, nil, err
	}
	rs, err := h.cfg.Stacks.Resources(c.ctx(), st.ID)
	return st, rs, err
}

func (h *Handler) cfnDescribeStackResources(c *call, f query.Form) (any, error) {
	name, phys := f.Get("StackName"), f.Get("PhysicalResourceId")
	if name == "" && phys == "" {
		return nil, awserr.New(awserr.CodeValidationError, "Either StackName or PhysicalResourceId must be specified.")
	}
	if name == "" {
		var err error
		if name, err = h.stackOwning(c, phys); err != nil {
			return nil, err
		}
	}
	st, rs, err := h.stackResources(c, name)
	if err != nil {
		return nil, err
	}
	logical := f.Get("LogicalResourceId")
	var out struct {
		StackResources []cfnStackResource `xml:"StackResources>member"`
	}
	for _, r := range rs {
		if (logical != "" && r.LogicalID != logical) || (phys != "" && r.PhysicalID != phys) {
			continue
		}
		out.StackResources = append(out.StackResources, cfnStackResource{StackName: st.Name, StackID: st.ID,
			LogicalResourceID: r.LogicalID, PhysicalResourceID: r.PhysicalID, ResourceType: r.Type,
			Timestamp: query.Time{Time: r.Timestamp}, ResourceStatus: r.Status, ResourceStatusReason: r.StatusReason,
			DriftInformation: cfnResourceDrift{"NOT_CHECKED"}})
	}
	return out, nil
}

// stackOwning finds the live stack with a resource of that physical ID.
func (h *Handler) stackOwning(c *call, phys string) (string, error) {
	all, err := h.cfg.Stacks.ListStacks(c.ctx())
	if err != nil {
		return "", err
	}
	for _, st := range all {
		if st.Status == stack.DeleteComplete {
			continue
		}
		rs, err := h.cfg.Stacks.Resources(c.ctx(), st.ID)
		if err != nil {
			return "", err
		}
		for _, r := range rs {
			if r.PhysicalID == phys {
				return st.ID, nil
			}
		}
	}
	return "", awserr.New(awserr.CodeValidationError, "Stack for %s does not exist", phys)
}

func (h *Handler) cfnDescribeStackResource(c *call, f query.Form) (any, error) {
	name, err := requireStackName(f)
	if err != nil {
		return nil, err
	}
	st, rs, err := h.stackResources(c, name)
	if err != nil {
		return nil, err
	}
	logical := f.Get("LogicalResourceId")
	for _, r := range rs {
		if r.LogicalID == logical {
			return struct {
				Detail cfnStackResourceDetail `xml:"StackResourceDetail"`
			}{cfnStackResourceDetail{StackName: st.Name, StackID: st.ID, LogicalResourceID: r.LogicalID,
				PhysicalResourceID: r.PhysicalID, ResourceType: r.Type, LastUpdatedTimestamp: query.Time{Time: r.Timestamp},
				ResourceStatus: r.Status, ResourceStatusReason: r.StatusReason, Metadata: r.Metadata,
				DriftInformation: cfnResourceDrift{"NOT_CHECKED"}}}, nil
		}
	}
	return nil, awserr.New(awserr.CodeValidationError, "Resource %s does not exist for stack %s", logical, name)
}

func (h *Handler) cfnListStackResources(c *call, f query.Form) (any, error) {
	name, err := requireStackName(f)
	if err != nil {
		return nil, err
	}
	_, rs, err := h.stackResources(c, name)
	if err != nil {
		return nil, err
	}
	var out struct {
		Summaries []cfnResourceSummary `xml:"StackResourceSummaries>member"`
	}
	for _, r := range rs {
		out.Summaries = append(out.Summaries, cfnResourceSummary{LogicalResourceID: r.LogicalID, PhysicalResourceID: r.PhysicalID,
			ResourceType: r.Type, LastUpdatedTimestamp: query.Time{Time: r.Timestamp}, ResourceStatus: r.Status,
			ResourceStatusReason: r.StatusReason, DriftInformation: cfnResourceDrift{"NOT_CHECKED"}})
	}
	return out, nil
}

func (h *Handler) cfnGetTemplate(c *call, f query.Form) (any, error) {
	type result struct {
		TemplateBody    string   `xml:"TemplateBody"`
		StagesAvailable []string `xml:"StagesAvailable>member"`
	}
	name := f.Get("StackName")
	if csName := f.Get("ChangeSetName"); csName != "" {
		if name == "" && !strings.HasPrefix(csName, "arn:") {
			return nil, awserr.New(awserr.CodeValidationError, "StackName is a required parameter.")
		}
		cs, err := h.cfg.Stacks.DescribeChangeSet(c.ctx(), csName, name)
		if err != nil {
			return nil, err
		}
		return result{cs.TemplateBody, []string{"Original", "Processed"}}, nil
	}
	if name == "" {
		return nil, awserr.New(awserr.CodeValidationError, "StackName is a required parameter.")
	}
	st, err := h.cfg.Stacks.Describe(c.ctx(), name)
	if err != nil {
		return nil, err
	}
	return result{st.TemplateBody, []string{"Original", "Processed"}}, nil
}

func (h *Handler) cfnUpdateTerminationProtection(c *call, f query.Form) (any, error) {
	name, err := requireStackName(f)
	if err != nil {
		return nil, err
	}
	if !f.Has("EnableTerminationProtection") {
		return nil, awserr.New(awserr.CodeValidationError, "EnableTerminationProtection is a required parameter.")
	}
	st, err := h.cfg.Stacks.UpdateTerminationProtection(c.ctx(), name, f.Bool("EnableTerminationProtection"))
	if err != nil {
		return nil, err
	}
	return cfnStackIDResult{st.ID}, nil
}
