package awsapi

import (
	"github.com/cloudlet-dev/cloudlet/internal/awsapi/query"
	"github.com/cloudlet-dev/cloudlet/internal/awserr"
	"github.com/cloudlet-dev/cloudlet/internal/stack"
)

// Change sets are the engine's (spec cloudformation §5.6): it validates
// them, computes their changes, keeps them in the store and runs them.
// These adapters translate the Query shapes.

func (h *Handler) cfnCreateChangeSet(c *call, f query.Form) (any, error) {
	name, err := requireStackName(f)
	if err != nil {
		return nil, err
	}
	if f.Get("ChangeSetType") == "IMPORT" {
		return nil, notImplemented(c, "CreateChangeSet with ChangeSetType=IMPORT")
	}
	vals, prev := stackParameters(f)
	in := stack.CreateChangeSetInput{StackName: name, ChangeSetName: f.Get("ChangeSetName"), ChangeSetType: f.Get("ChangeSetType"),
		UsePreviousTemplate: f.Bool("UsePreviousTemplate"), Parameters: vals, UsePrevious: prev,
		Capabilities: f.List("Capabilities"), Tags: f.Pairs("Tags", "Key", "Value"),
		NotificationARNs: f.List("NotificationARNs"), Description: f.Get("Description")}
	if !in.UsePreviousTemplate {
		// Read here rather than by the engine, so that a TemplateURL S3
		// lacks answers as AWS does (cfntemplate.go).
		if in.TemplateName, in.TemplateBody, err = h.templateFrom(c, f, false); err != nil {
			return nil, err
		}
	}
	cs, err := h.cfg.Stacks.CreateChangeSet(c.ctx(), in)
	if e, ok := awserr.As(err); ok && e.Code == awserr.CodeAlreadyExistsException && h.dropSpentChangeSet(c, in.ChangeSetName, name) {
		cs, err = h.cfg.Stacks.CreateChangeSet(c.ctx(), in)
	}
	if err != nil {
		return nil, err
	}
	// The engine computes a change set before it answers, so the change
	// set is CREATE_COMPLETE (or FAILED) by the time the client's waiter
	// first asks.
	return struct {
		ID      string `xml:"Id"`
		StackID string `xml:"StackId"`
	}{cs.ID, cs.StackID}, nil
}

// dropSpentChangeSet deletes the stack's change set of that name if it
// can no longer be executed — it FAILED, or was executed — and reports
// whether it did. The AWS CLI names its change sets
// awscli-cloudformation-package-deploy-<epoch seconds> (SAM CLI
// samcli-deploy<epoch seconds>) and leaves them behind (spec
// cloudformation §10); against AWS two deploys never fall in one second,
// against cloudlet they do, and the second would be refused
// AlreadyExistsException. A spent change set is history only, so
// replacing it loses little; one still AVAILABLE or executing keeps AWS's
// refusal.
func (h *Handler) dropSpentChangeSet(c *call, csName, stackName string) bool {
	old, err := h.cfg.Stacks.DescribeChangeSet(c.ctx(), csName, stackName)
	if err != nil || old.ExecutionStatus == stack.ExecutionAvailable || old.ExecutionStatus == stack.ExecutionInProgress {
		return false
	}
	return h.cfg.Stacks.DeleteChangeSet(c.ctx(), old.ID, "") == nil
}

type cfnChangeTarget struct {
	Attribute          string `xml:"Attribute"`
	Name               string `xml:"Name,omitempty"`
	RequiresRecreation string `xml:"RequiresRecreation,omitempty"`
}

type cfnChangeDetail struct {
	Target        cfnChangeTarget `xml:"Target"`
	Evaluation    string          `xml:"Evaluation,omitempty"`
	ChangeSource  string          `xml:"ChangeSource,omitempty"`
	CausingEntity string          `xml:"CausingEntity,omitempty"`
}

type cfnResourceChange struct {
	Action             string            `xml:"Action"`
	LogicalResourceID  string            `xml:"LogicalResourceId"`
	PhysicalResourceID string            `xml:"PhysicalResourceId,omitempty"`
	ResourceType       string            `xml:"ResourceType"`
	Replacement        string            `xml:"Replacement,omitempty"`
	Scope              []string          `xml:"Scope>member"`
	Details            []cfnChangeDetail `xml:"Details>member"`
}

type cfnChange struct {
	Type           string            `xml:"Type"`
	ResourceChange cfnResourceChange `xml:"ResourceChange"`
}

func cfnChanges(chs []stack.Change) []cfnChange {
	var out []cfnChange
	for _, ch := range chs {
		rc := cfnResourceChange{Action: ch.Action, LogicalResourceID: ch.LogicalResourceID, PhysicalResourceID: ch.PhysicalResourceID,
			ResourceType: ch.ResourceType, Replacement: ch.Replacement, Scope: ch.Scope}
		for _, d := range ch.Details {
			rc.Details = append(rc.Details, cfnChangeDetail{Target: cfnChangeTarget{Attribute: d.Target.Attribute, Name: d.Target.Name,
				RequiresRecreation: d.Target.RequiresRecreation}, Evaluation: d.Evaluation, ChangeSource: d.ChangeSource, CausingEntity: d.CausingEntity})
		}
		out = append(out, cfnChange{Type: "Resource", ResourceChange: rc})
	}
	return out
}

func (h *Handler) cfnDescribeChangeSet(c *call, f query.Form) (any, error) {
	cs, err := h.cfg.Stacks.DescribeChangeSet(c.ctx(), f.Get("ChangeSetName"), f.Get("StackName"))
	if err != nil {
		return nil, err
	}
	cs = cs.Masked()
	return struct {
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
		Changes          []cfnChange    `xml:"Changes>member"`
		IncludeNested    bool           `xml:"IncludeNestedStacks"`
	}{ChangeSetName: cs.Name, ChangeSetID: cs.ID, StackID: cs.StackID, StackName: cs.StackName, Description: cs.Description,
		Parameters: cfnParameters(cs.Parameters), CreationTime: query.Time{Time: cs.CreationTime}, ExecutionStatus: cs.ExecutionStatus,
		Status: cs.Status, StatusReason: cs.StatusReason, NotificationARNs: cs.NotificationARNs, Capabilities: cs.Capabilities,
		Tags: cfnTags(cs.Tags), Changes: cfnChanges(cs.Changes)}, nil
}

func (h *Handler) cfnExecuteChangeSet(c *call, f query.Form) (any, error) {
	csName := f.Get("ChangeSetName")
	if csName == "" {
		return nil, awserr.New(awserr.CodeValidationError, "ChangeSetName is a required parameter.")
	}
	st, err := h.cfg.Stacks.ExecuteChangeSet(c.ctx(), csName, f.Get("StackName"), f.Bool("DisableRollback"))
	if err != nil {
		return nil, err
	}
	h.settle(c, st.ID)
	// An empty output shape still needs its Result element (spec §9.2).
	return struct{}{}, nil
}

func (h *Handler) cfnDeleteChangeSet(c *call, f query.Form) (any, error) {
	if err := h.cfg.Stacks.DeleteChangeSet(c.ctx(), f.Get("ChangeSetName"), f.Get("StackName")); err != nil {
		return nil, err
	}
	return struct{}{}, nil
}

func (h *Handler) cfnListChangeSets(c *call, f query.Form) (any, error) {
	name, err := requireStackName(f)
	if err != nil {
		return nil, err
	}
	all, err := h.cfg.Stacks.ListChangeSets(c.ctx(), name)
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
	for _, cs := range all {
		out.Summaries = append(out.Summaries, summary{cs.StackID, cs.StackName, cs.ID, cs.Name, cs.ExecutionStatus, cs.Status,
			cs.StatusReason, query.Time{Time: cs.CreationTime}, cs.Description})
	}
	return out, nil
}
