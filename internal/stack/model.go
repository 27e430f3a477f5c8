package stack

import (
	"fmt"
	"time"

	"github.com/cloudlet-dev/cloudlet/internal/template"
)

// Stack statuses, spelled as AWS spells them (spec cloudformation §5.1).
const (
	CreateInProgress                        = "CREATE_IN_PROGRESS"
	CreateFailed                            = "CREATE_FAILED"
	CreateComplete                          = "CREATE_COMPLETE"
	RollbackInProgress                      = "ROLLBACK_IN_PROGRESS"
	RollbackFailed                          = "ROLLBACK_FAILED"
	RollbackComplete                        = "ROLLBACK_COMPLETE"
	DeleteInProgress                        = "DELETE_IN_PROGRESS"
	DeleteFailed                            = "DELETE_FAILED"
	DeleteComplete                          = "DELETE_COMPLETE"
	DeleteSkipped                           = "DELETE_SKIPPED"
	UpdateInProgress                        = "UPDATE_IN_PROGRESS"
	UpdateCompleteCleanupInProgress         = "UPDATE_COMPLETE_CLEANUP_IN_PROGRESS"
	UpdateComplete                          = "UPDATE_COMPLETE"
	UpdateFailed                            = "UPDATE_FAILED"
	UpdateRollbackInProgress                = "UPDATE_ROLLBACK_IN_PROGRESS"
	UpdateRollbackFailed                    = "UPDATE_ROLLBACK_FAILED"
	UpdateRollbackCompleteCleanupInProgress = "UPDATE_ROLLBACK_COMPLETE_CLEANUP_IN_PROGRESS"
	UpdateRollbackComplete                  = "UPDATE_ROLLBACK_COMPLETE"
	ReviewInProgress                        = "REVIEW_IN_PROGRESS"
)

// StackType is the resource type of stacks themselves, used in stack-level
// events and for nested stacks.
const StackType = "AWS::CloudFormation::Stack"

// stackTransitions lists, for each stack status, the statuses it may move
// to. Anything not listed is refused: the engine never invents a path AWS
// does not take.
var stackTransitions = map[string][]string{
	"":                                      {CreateInProgress, ReviewInProgress},
	ReviewInProgress:                        {CreateInProgress, DeleteInProgress},
	CreateInProgress:                        {CreateComplete, CreateFailed, RollbackInProgress},
	CreateFailed:                            {DeleteInProgress, RollbackInProgress},
	RollbackInProgress:                      {RollbackComplete, RollbackFailed},
	RollbackComplete:                        {DeleteInProgress},
	RollbackFailed:                          {DeleteInProgress},
	CreateComplete:                          {UpdateInProgress, DeleteInProgress},
	UpdateInProgress:                        {UpdateCompleteCleanupInProgress, UpdateFailed, UpdateRollbackInProgress},
	UpdateCompleteCleanupInProgress:         {UpdateComplete},
	UpdateComplete:                          {UpdateInProgress, DeleteInProgress},
	UpdateFailed:                            {UpdateInProgress, UpdateRollbackInProgress, DeleteInProgress},
	UpdateRollbackInProgress:                {UpdateRollbackCompleteCleanupInProgress, UpdateRollbackFailed},
	UpdateRollbackCompleteCleanupInProgress: {UpdateRollbackComplete},
	UpdateRollbackComplete:                  {UpdateInProgress, DeleteInProgress},
	UpdateRollbackFailed:                    {DeleteInProgress, UpdateRollbackInProgress},
	DeleteInProgress:                        {DeleteComplete, DeleteFailed},
	DeleteFailed:                            {DeleteInProgress},
}

// canTransition reports whether a stack may go from one status to another.
func canTransition(from, to string) bool {
	for _, s := range stackTransitions[from] {
		if s == to {
			return true
		}
	}
	return false
}

// IsTerminal reports whether a stack status ends an operation.
func IsTerminal(status string) bool {
	switch status {
	case CreateComplete, CreateFailed, RollbackComplete, RollbackFailed,
		DeleteComplete, DeleteFailed, UpdateComplete, UpdateFailed,
		UpdateRollbackComplete, UpdateRollbackFailed, ReviewInProgress:
		return true
	}
	return false
}

// Stack is the record of one stack.
type Stack struct {
	ID, Name           string
	Status             string
	StatusReason       string `json:",omitempty"`
	Description        string `json:",omitempty"`
	Region, AccountID  string
	ParentID, RootID   string `json:",omitempty"`
	ParentLogicalID    string `json:",omitempty"`
	TemplateBody       string
	TemplateName       string
	Parameters         []Parameter
	Capabilities       []string `json:",omitempty"`
	DisableRollback    bool
	CreationTime       time.Time
	LastUpdatedTime    time.Time         `json:",omitzero"`
	DeletionTime       time.Time         `json:",omitzero"`
	Outputs            []Output          `json:",omitempty"`
	TerminationProtect bool              `json:",omitempty"`
	NotificationARNs   []string          `json:",omitempty"`
	Tags               map[string]string `json:",omitempty"`
	// Previous holds the template and parameters to restore if the
	// running update fails.
	Previous *Snapshot `json:",omitempty"`
	// ChangeSetID is the change set whose execution made the stack's
	// current state, if any.
	ChangeSetID string `json:",omitempty"`
}

// Masked returns a copy of the stack with the values of NoEcho parameters
// replaced by "****", as DescribeStacks shows them (spec §3.3). Outputs
// are not masked, as on AWS.
func (s *Stack) Masked() *Stack {
	cp := *s
	cp.Parameters = maskParameters(s.Parameters)
	cp.Previous = nil
	return &cp
}

func maskParameters(ps []Parameter) []Parameter {
	out := make([]Parameter, len(ps))
	for i, p := range ps {
		if p.NoEcho {
			p.Value, p.ResolvedValue = template.Masked, ""
		}
		out[i] = p
	}
	return out
}

// Snapshot is a template and its parameters, kept to roll an update back.
type Snapshot struct {
	TemplateBody, TemplateName string
	Parameters                 []Parameter
	Outputs                    []Output `json:",omitempty"`
	// Resources are the logical IDs the stack had before the update: the
	// rollback's cleanup deletes every other one.
	Resources []string `json:",omitempty"`
	// Current are the logical IDs of the new template, set once its
	// resources are done: the update's cleanup deletes every other one.
	Current []string `json:",omitempty"`
}

// Parameter is a parameter's value as the stack was deployed with it.
type Parameter struct {
	Key, Value string
	// List is true for list-typed parameters (Value is comma-joined).
	List   bool `json:",omitempty"`
	NoEcho bool `json:",omitempty"`
	// ResolvedValue is the value an SSM-typed parameter resolved to.
	ResolvedValue string `json:",omitempty"`
}

// Output is a stack output.
type Output struct {
	Key, Value  string
	Description string `json:",omitempty"`
	ExportName  string `json:",omitempty"`
}

// Resource is the record of one resource in a stack.
type Resource struct {
	LogicalID    string
	Type         string
	PhysicalID   string `json:",omitempty"`
	Status       string
	StatusReason string         `json:",omitempty"`
	Properties   map[string]any `json:",omitempty"`
	Attributes   map[string]any `json:",omitempty"`
	Timestamp    time.Time
	// DeletionPolicy and UpdateReplacePolicy as the template gave them.
	DeletionPolicy      string `json:",omitempty"`
	UpdateReplacePolicy string `json:",omitempty"`
	// PlannedID is the physical ID a Create in progress will give the
	// resource, recorded before the provider is called (Planner) so that
	// a crash during Create cannot orphan what it made: recovery deletes
	// by it. Empty once Create has returned.
	PlannedID string `json:",omitempty"`
	// Obsolete is a physical copy that a replacement (or the rollback of
	// one) made obsolete; the cleanup phase deletes it.
	Obsolete *Copy `json:",omitempty"`
	// Metadata is the resource's evaluated Metadata, as JSON text.
	Metadata string `json:",omitempty"`
}

// Copy is one physical copy of a resource: what deleting it needs.
type Copy struct {
	Type       string
	PhysicalID string
	Properties map[string]any `json:",omitempty"`
	Attributes map[string]any `json:",omitempty"`
}

// Event is one stack event (spec cloudformation §5.3).
type Event struct {
	StackID, StackName   string
	EventID              string
	LogicalResourceID    string
	PhysicalResourceID   string
	ResourceType         string
	Timestamp            time.Time
	ResourceStatus       string
	ResourceStatusReason string `json:",omitempty"`
	ResourceProperties   string `json:",omitempty"`
}

// OperationError is returned by Wait when a stack operation ended in a
// failure status.
type OperationError struct {
	StackName, Status, Reason string
	// Detail is the first failure, with the file, line and logical ID it
	// concerns when known; nil after a restart.
	Detail error
}

func (e *OperationError) Error() string {
	msg := fmt.Sprintf("stack %s: %s", e.StackName, e.Status)
	if e.Reason != "" {
		msg += ": " + e.Reason
	}
	if e.Detail != nil {
		msg += "\n  first failure: " + e.Detail.Error()
	}
	return msg
}

// Unwrap gives errors.Is/As the first failure.
func (e *OperationError) Unwrap() error { return e.Detail }
