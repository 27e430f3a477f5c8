package awsapi

import (
	"maps"
	"net/http"
	"regexp"
	"sort"
	"strings"
	"time"

	"github.com/cloudlet-dev/cloudlet/internal/awsapi/query"
	"github.com/cloudlet-dev/cloudlet/internal/awserr"
	"github.com/cloudlet-dev/cloudlet/internal/stack"
	"github.com/cloudlet-dev/cloudlet/internal/template"
)

// changeSet is a CloudFormation change set, kept here in memory until
// stack.Engine owns change sets (spec cloudformation §5.6). It records
// what to run and a resource-level diff; executing it is CreateStack or
// UpdateStack. Change sets do not survive a restart.
type changeSet struct {
	id, name, stackID, stackName, typ string
	description                       string
	body, templateName, url           string
	params                            map[string]string
	usePrevious                       []string
	capabilities                      []string
	tags                              map[string]string
	status, reason, execStatus        string
	created                           time.Time
	changes                           []csChange
}

type csChange struct {
	Action, LogicalID, PhysicalID, Type, Replacement string
}

// noChangesReason is the sentence both CLIs match to print "No changes to
// deploy" (spec cloudformation §5.6).
const noChangesReason = "The submitted information didn't contain changes. Submit different information to create a change set."

var changeSetNameRE = regexp.MustCompile(`^[a-zA-Z][-a-zA-Z0-9]{0,127}$`)

func (h *Handler) cfnCreateChangeSet(c *call, f query.Form) (any, error) {
	name, err := requireStackName(f)
	if err != nil {
		return nil, err
	}
	csName := f.Get("ChangeSetName")
	if !changeSetNameRE.MatchString(csName) {
		return nil, awserr.New(awserr.CodeValidationError,
			"1 validation error detected: Value '%s' at 'changeSetName' failed to satisfy constraint: Member must satisfy regular expression pattern: [a-zA-Z][-a-zA-Z0-9]*", csName)
	}
	typ := f.Get("ChangeSetType")
	if typ == "" {
		typ = "UPDATE"
	}
	if typ != "CREATE" && typ != "UPDATE" {
		return nil, notImplemented(c, "CreateChangeSet with ChangeSetType="+typ)
	}
	vals, prev := stackParameters(f)
	cs := &changeSet{name: csName, stackName: name, typ: typ, description: f.Get("Description"), params: vals,
		usePrevious: prev, capabilities: f.List("Capabilities"), tags: f.Pairs("Tags", "Key", "Value"),
		created: h.now().UTC(), status: "CREATE_COMPLETE", execStatus: "AVAILABLE"}
	cur, err := h.cfg.Stacks.Describe(c.ctx(), name)
	live := err == nil && cur.Status != stack.DeleteComplete && cur.Status != stack.ReviewInProgress
	switch {
	case typ == "CREATE" && live:
		return nil, awserr.New(awserr.CodeValidationError, "Stack [%s] already exists and cannot be created again with the changeSet [%s].", name, csName)
	case typ == "UPDATE" && !live:
		return nil, awserr.New(awserr.CodeValidationError, "Stack [%s] does not exist", name)
	}
	if f.Bool("UsePreviousTemplate") {
		if !live {
			return nil, awserr.New(awserr.CodeValidationError, "Stack [%s] does not exist", name)
		}
		cs.body, cs.templateName = cur.TemplateBody, cur.TemplateName
	} else {
		tn, body, err := h.templateFrom(c, f, false)
		if err != nil {
			return nil, err
		}
		cs.body, cs.templateName = string(body), tn
		if url := f.Get("TemplateURL"); url != "" && f.Get("TemplateBody") == "" {
			cs.url = url
		}
	}
	t, err := parseTemplate(cs.templateName, []byte(cs.body))
	if err != nil {
		return nil, err
	}
	if live {
		cs.stackID = cur.ID
		h.diff(c, cs, t, cur)
	} else {
		cs.stackID = h.arn("cloudformation", "stack/"+name+"/"+newRequestID())
		for _, r := range t.Resources {
			cs.changes = append(cs.changes, csChange{Action: "Add", LogicalID: r.LogicalID, Type: r.Type})
		}
	}
	cs.id = h.arn("cloudformation", "changeSet/"+csName+"/"+newRequestID())
	h.mu.Lock()
	for id, old := range h.changeSets {
		if old.stackName == name && old.name == csName {
			delete(h.changeSets, id)
		}
	}
	h.changeSets[cs.id] = cs
	h.mu.Unlock()
	return struct {
		ID      string `xml:"Id"`
		StackID string `xml:"StackId"`
	}{cs.id, cs.stackID}, nil
}

// diff fills an UPDATE change set's changes by comparing templates
// resource by resource; an identical template and parameters make the
// change set FAILED with AWS's "didn't contain changes" reason.
func (h *Handler) diff(c *call, cs *changeSet, t *template.Template, cur *stack.Stack) {
	prevVals := map[string]string{}
	for _, p := range cur.Parameters {
		prevVals[p.Key] = p.Value
	}
	newVals := map[string]string{}
	for _, p := range t.Parameters {
		switch {
		case cs.params[p.Name] != "" || hasKey(cs.params, p.Name):
			newVals[p.Name] = cs.params[p.Name]
		case contains(cs.usePrevious, p.Name):
			newVals[p.Name] = prevVals[p.Name]
		case p.Default != nil:
			newVals[p.Name] = *p.Default
		}
	}
	paramsChanged := !maps.Equal(newVals, prevVals)
	old, _ := template.Parse(cur.TemplateName, []byte(cur.TemplateBody))
	phys := map[string]string{}
	if rs, err := h.cfg.Stacks.Resources(c.ctx(), cur.ID); err == nil {
		for _, r := range rs {
			phys[r.LogicalID] = r.PhysicalID
		}
	}
	for _, r := range t.Resources {
		var o *template.Resource
		if old != nil {
			o = old.Resource(r.LogicalID)
		}
		switch {
		case o == nil:
			cs.changes = append(cs.changes, csChange{Action: "Add", LogicalID: r.LogicalID, Type: r.Type})
		case o.Type != r.Type:
			cs.changes = append(cs.changes, csChange{Action: "Modify", LogicalID: r.LogicalID, PhysicalID: phys[r.LogicalID], Type: r.Type, Replacement: "True"})
		case o.Properties.String() != r.Properties.String() || paramsChanged && mentionsParameter(r.Properties, newVals, prevVals):
			cs.changes = append(cs.changes, csChange{Action: "Modify", LogicalID: r.LogicalID, PhysicalID: phys[r.LogicalID], Type: r.Type, Replacement: "Conditional"})
		}
	}
	if old != nil {
		for _, r := range old.Resources {
			if t.Resource(r.LogicalID) == nil {
				cs.changes = append(cs.changes, csChange{Action: "Remove", LogicalID: r.LogicalID, PhysicalID: phys[r.LogicalID], Type: r.Type})
			}
		}
	}
	if len(cs.changes) == 0 && cs.body == cur.TemplateBody && !paramsChanged {
		cs.status, cs.reason, cs.execStatus = "FAILED", noChangesReason, "UNAVAILABLE"
	}
}

func hasKey(m map[string]string, k string) bool { _, ok := m[k]; return ok }

func contains(s []string, v string) bool {
	for _, x := range s {
		if x == v {
			return true
		}
	}
	return false
}

// mentionsParameter reports whether a resource's properties name (by Ref
// or ${} in Sub) a parameter whose value changed.
func mentionsParameter(props *template.Node, newVals, prevVals map[string]string) bool {
	text := props.String()
	for k, v := range newVals {
		if prevVals[k] != v && strings.Contains(text, k) {
			return true
		}
	}
	return false
}

// findChangeSet finds a change set by ARN, or by name within a stack;
// missing ones get ChangeSetNotFound (404, spec cloudformation §5.6).
func (h *Handler) findChangeSet(c *call, stackName, csName string) (*changeSet, error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if cs := h.changeSets[csName]; cs != nil {
		return cs, nil
	}
	if !strings.HasPrefix(csName, "arn:") && stackName == "" {
		return nil, awserr.New(awserr.CodeValidationError, "StackName must be specified if ChangeSetName is not specified as an ARN.")
	}
	for _, cs := range h.changeSets {
		if cs.name == csName && (cs.stackName == stackName || cs.stackID == stackName) {
			return cs, nil
		}
	}
	if stackName != "" && !strings.HasPrefix(csName, "arn:") {
		if _, err := h.cfg.Stacks.Describe(c.ctx(), stackName); err != nil && !h.pendingCreate(stackName) {
			return nil, awserr.New(awserr.CodeValidationError, "Stack [%s] does not exist", stackName)
		}
	}
	return nil, awserr.WithStatus(http.StatusNotFound, "ChangeSetNotFound", "ChangeSet [%s] does not exist", csName)
}

// pendingCreate reports whether a CREATE change set names the stack (the
// caller holds h.mu).
func (h *Handler) pendingCreate(stackName string) bool {
	for _, cs := range h.changeSets {
		if cs.stackName == stackName && cs.typ == "CREATE" {
			return true
		}
	}
	return false
}

func (h *Handler) cfnDescribeChangeSet(c *call, f query.Form) (any, error) {
	cs, err := h.findChangeSet(c, f.Get("StackName"), f.Get("ChangeSetName"))
	if err != nil {
		return nil, err
	}
	type detail struct{}
	type resourceChange struct {
		Action             string   `xml:"Action"`
		LogicalResourceID  string   `xml:"LogicalResourceId"`
		PhysicalResourceID string   `xml:"PhysicalResourceId,omitempty"`
		ResourceType       string   `xml:"ResourceType"`
		Replacement        string   `xml:"Replacement,omitempty"`
		Scope              []string `xml:"Scope>member"`
		Details            []detail `xml:"Details>member"`
	}
	type change struct {
		Type           string         `xml:"Type"`
		ResourceChange resourceChange `xml:"ResourceChange"`
	}
	out := struct {
		ChangeSetName    string         `xml:"ChangeSetName"`
		ChangeSetID      string         `xml:"ChangeSetId"`
		StackID          string         `xml:"StackId"`
		StackName        string         `xml:"StackName"`
		Description      string         `xml:"Description,omitempty"`
		Parameters       []cfnParameter `xml:"Parameters>member"`
		CreationTime     query.Time     `xml:"CreationTime"`
		ExecutionStatus  string         `xml:"ExecutionStatus"`
		Status           string         `xml:"Status"`
		StatusReason     string         `xml:"StatusReason,omitempty"`
		NotificationARNs []string       `xml:"NotificationARNs>member"`
		Capabilities     []string       `xml:"Capabilities>member"`
		Tags             []cfnTag       `xml:"Tags>member"`
		Changes          []change       `xml:"Changes>member"`
		IncludeNested    bool           `xml:"IncludeNestedStacks"`
	}{ChangeSetName: cs.name, ChangeSetID: cs.id, StackID: cs.stackID, StackName: cs.stackName, Description: cs.description,
		CreationTime: query.Time{Time: cs.created}, ExecutionStatus: cs.execStatus, Status: cs.status, StatusReason: cs.reason,
		Capabilities: cs.capabilities, Tags: cfnTags(cs.tags)}
	for _, k := range sortedKeys(cs.params) {
		out.Parameters = append(out.Parameters, cfnParameter{ParameterKey: k, ParameterValue: cs.params[k]})
	}
	for _, ch := range cs.changes {
		out.Changes = append(out.Changes, change{Type: "Resource", ResourceChange: resourceChange{Action: ch.Action,
			LogicalResourceID: ch.LogicalID, PhysicalResourceID: ch.PhysicalID, ResourceType: ch.Type, Replacement: ch.Replacement}})
	}
	return out, nil
}

func (h *Handler) cfnExecuteChangeSet(c *call, f query.Form) (any, error) {
	cs, err := h.findChangeSet(c, f.Get("StackName"), f.Get("ChangeSetName"))
	if err != nil {
		return nil, err
	}
	h.mu.Lock()
	ready := cs.execStatus == "AVAILABLE"
	h.mu.Unlock()
	if !ready {
		return nil, awserr.New("InvalidChangeSetStatus", "ChangeSet [%s] cannot be executed in its current status of [%s]", cs.id, cs.status)
	}
	disable := f.Bool("DisableRollback")
	var body []byte
	if cs.url == "" {
		body = []byte(cs.body)
	}
	if cs.typ == "CREATE" {
		_, err = h.cfg.Stacks.CreateStack(c.ctx(), stack.CreateInput{StackName: cs.stackName, TemplateBody: body,
			TemplateURL: cs.url, TemplateName: cs.templateName, Parameters: cs.params, Capabilities: cs.capabilities,
			DisableRollback: disable, Tags: cs.tags})
	} else {
		_, err = h.cfg.Stacks.UpdateStack(c.ctx(), stack.UpdateInput{StackName: cs.stackName, TemplateBody: body,
			TemplateURL: cs.url, TemplateName: cs.templateName, Parameters: cs.params, UsePrevious: cs.usePrevious,
			Capabilities: cs.capabilities, DisableRollback: disable})
	}
	if err != nil {
		return nil, err
	}
	// Executing a change set removes the stack's other change sets (spec
	// cloudformation §5.6); this one stays, EXECUTE_COMPLETE.
	h.mu.Lock()
	for id, other := range h.changeSets {
		if other.stackName == cs.stackName && other != cs {
			delete(h.changeSets, id)
		}
	}
	cs.execStatus = "EXECUTE_COMPLETE"
	h.mu.Unlock()
	return struct{}{}, nil
}

func (h *Handler) cfnDeleteChangeSet(c *call, f query.Form) (any, error) {
	cs, err := h.findChangeSet(c, f.Get("StackName"), f.Get("ChangeSetName"))
	if err != nil {
		return nil, err
	}
	h.mu.Lock()
	delete(h.changeSets, cs.id)
	h.mu.Unlock()
	return struct{}{}, nil
}

func (h *Handler) cfnListChangeSets(c *call, f query.Form) (any, error) {
	name, err := requireStackName(f)
	if err != nil {
		return nil, err
	}
	type summary struct {
		StackID         string     `xml:"StackId"`
		StackName       string     `xml:"StackName"`
		ChangeSetID     string     `xml:"ChangeSetId"`
		ChangeSetName   string     `xml:"ChangeSetName"`
		ExecutionStatus string     `xml:"ExecutionStatus"`
		Status          string     `xml:"Status"`
		StatusReason    string     `xml:"StatusReason,omitempty"`
		CreationTime    query.Time `xml:"CreationTime"`
		Description     string     `xml:"Description,omitempty"`
	}
	var out struct {
		Summaries []summary `xml:"Summaries>member"`
	}
	h.mu.Lock()
	for _, cs := range h.changeSets {
		if cs.stackName == name || cs.stackID == name {
			out.Summaries = append(out.Summaries, summary{cs.stackID, cs.stackName, cs.id, cs.name, cs.execStatus, cs.status, cs.reason, query.Time{Time: cs.created}, cs.description})
		}
	}
	h.mu.Unlock()
	if len(out.Summaries) == 0 {
		if _, err := h.cfg.Stacks.Describe(c.ctx(), name); err != nil {
			return nil, awserr.New(awserr.CodeValidationError, "Stack [%s] does not exist", name)
		}
	}
	sort.Slice(out.Summaries, func(i, j int) bool { return out.Summaries[i].CreationTime.Before(out.Summaries[j].CreationTime.Time) })
	return out, nil
}
