package stack

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/cloudlet-dev/cloudlet/internal/awserr"
	"github.com/cloudlet-dev/cloudlet/internal/store"
)

// Change set statuses and execution statuses (spec §5.6).
const (
	ChangeSetCreateComplete = "CREATE_COMPLETE"
	ChangeSetFailed         = "FAILED"

	ExecutionUnavailable = "UNAVAILABLE"
	ExecutionAvailable   = "AVAILABLE"
	ExecutionInProgress  = "EXECUTE_IN_PROGRESS"
	ExecutionComplete    = "EXECUTE_COMPLETE"
	ExecutionFailed      = "EXECUTE_FAILED"
)

// Change set types.
const (
	ChangeSetTypeCreate = "CREATE"
	ChangeSetTypeUpdate = "UPDATE"
)

// Error codes of the change set operations (spec §9.3).
const (
	CodeChangeSetNotFound      = "ChangeSetNotFound"
	CodeInvalidChangeSetStatus = "InvalidChangeSetStatus"
)

// NoChangesReason is the status reason of a change set that changes
// nothing; the AWS CLI and SAM CLI match it to say "No changes to
// deploy" (spec §5.6).
const NoChangesReason = "The submitted information didn't contain changes. Submit different information to create a change set."

// ChangeSet is a proposed stack operation, computed when it is created
// and run by ExecuteChangeSet.
type ChangeSet struct {
	ID, Name           string
	StackID, StackName string
	// Type is CREATE or UPDATE.
	Type            string
	Description     string `json:",omitempty"`
	Status          string
	StatusReason    string `json:",omitempty"`
	ExecutionStatus string
	CreationTime    time.Time
	// Parameters are the values the change set would deploy with; use
	// Masked before showing them.
	Parameters       []Parameter
	Capabilities     []string          `json:",omitempty"`
	Tags             map[string]string `json:",omitempty"`
	NotificationARNs []string          `json:",omitempty"`
	Changes          []Change          `json:",omitempty"`

	// What ExecuteChangeSet runs.
	TemplateBody, TemplateName string
	Supplied                   map[string]string `json:",omitempty"`
}

// Masked returns a copy with NoEcho parameter values masked, as
// DescribeChangeSet shows them (spec §3.3).
func (c *ChangeSet) Masked() *ChangeSet {
	cp := *c
	cp.Parameters = maskParameters(c.Parameters)
	cp.Supplied = nil
	return &cp
}

// Change is one resource change of a change set (DescribeChangeSet's
// ResourceChange). Only Add, Modify and Remove are produced: SAM CLI
// indexes its output by those three (spec §5.6).
type Change struct {
	Action             string // Add | Modify | Remove
	LogicalResourceID  string
	PhysicalResourceID string `json:",omitempty"`
	ResourceType       string
	// Replacement is True, False or Conditional for Modify, empty
	// otherwise.
	Replacement string         `json:",omitempty"`
	Scope       []string       `json:",omitempty"`
	Details     []ChangeDetail `json:",omitempty"`
}

// ChangeDetail says what about a resource changes and why.
type ChangeDetail struct {
	Target ChangeTarget
	// Evaluation is Static (known now) or Dynamic (known only when the
	// resources it depends on are updated).
	Evaluation string
	// ChangeSource is DirectModification, ParameterReference,
	// ResourceReference, ResourceAttribute or Automatic (nested stacks).
	ChangeSource  string
	CausingEntity string `json:",omitempty"`
}

// ChangeTarget is the property a detail is about.
type ChangeTarget struct {
	Attribute          string // Properties
	Name               string `json:",omitempty"`
	RequiresRecreation string // Never | Conditionally | Always
}

// CreateChangeSetInput is a CreateChangeSet request.
type CreateChangeSetInput struct {
	StackName, ChangeSetName string
	// ChangeSetType is CREATE or UPDATE ("" means UPDATE).
	ChangeSetType       string
	TemplateBody        []byte
	TemplateURL         string
	TemplateName        string
	UsePreviousTemplate bool
	Parameters          map[string]string
	UsePrevious         []string
	Capabilities        []string
	Tags                map[string]string
	NotificationARNs    []string
	Description         string
}

var changeSetNameRE = regexp.MustCompile(`^[a-zA-Z][-a-zA-Z0-9]*$`)

func changeSetNotFound(name string) error {
	return awserr.WithStatus(404, CodeChangeSetNotFound, "ChangeSet [%s] does not exist", name)
}

func stackMissing(name string) error {
	return awserr.New(awserr.CodeValidationError, "Stack [%s] does not exist", name)
}

// CreateChangeSet validates the template and computes the changes it
// would make. A CREATE change set for a new name makes the stack, in
// REVIEW_IN_PROGRESS. Template, parameter and capability errors are
// returned; a change set that changes nothing is stored FAILED with
// NoChangesReason, as on AWS.
func (e *Engine) CreateChangeSet(ctx context.Context, in CreateChangeSetInput) (*ChangeSet, error) {
	if len(in.ChangeSetName) > 128 || !changeSetNameRE.MatchString(in.ChangeSetName) {
		return nil, awserr.New(awserr.CodeValidationError,
			"1 validation error detected: Value '%s' at 'changeSetName' failed to satisfy constraint: Member must satisfy regular expression pattern: [a-zA-Z][-a-zA-Z0-9]*", in.ChangeSetName)
	}
	typ := in.ChangeSetType
	if typ == "" {
		typ = ChangeSetTypeUpdate
	}
	if typ != ChangeSetTypeCreate && typ != ChangeSetTypeUpdate {
		return nil, awserr.New(awserr.CodeValidationError,
			"1 validation error detected: Value '%s' at 'changeSetType' failed to satisfy constraint: Member must satisfy enum value set: [IMPORT, UPDATE, CREATE]", typ)
	}
	cur, err := e.lookupStack(in.StackName)
	if err != nil {
		return nil, err
	}
	cs := &ChangeSet{Name: in.ChangeSetName, StackName: in.StackName, Type: typ, Description: in.Description,
		CreationTime: e.now().UTC(), Capabilities: in.Capabilities, Tags: in.Tags, NotificationARNs: in.NotificationARNs}
	var review *Stack
	switch typ {
	case ChangeSetTypeCreate:
		if cur != nil && cur.Status != ReviewInProgress {
			return nil, awserr.New(awserr.CodeValidationError,
				"Stack [%s] already exists and cannot be created again with the changeSet [%s].", in.StackName, in.ChangeSetName)
		}
		if err := validateStackName(in.StackName); err != nil {
			return nil, err
		}
		id := e.stackARN(in.StackName)
		if cur != nil {
			id = cur.ID
		}
		name, body, err := e.templateOf(ctx, in.TemplateName, in.TemplateBody, in.TemplateURL)
		if err != nil {
			return nil, err
		}
		p, err := e.prepare(ctx, prepareInput{name: name, body: body, supplied: in.Parameters, caps: in.Capabilities,
			stackName: in.StackName, stackID: id})
		if err != nil {
			return nil, err
		}
		cs.StackID, cs.TemplateBody, cs.TemplateName = id, string(body), name
		cs.Parameters, cs.Supplied = p.record, in.Parameters
		cs.Changes = addChanges(p)
		review = cur
		if review == nil {
			review = &Stack{ID: id, Name: in.StackName, Region: e.cfg.Region, AccountID: e.cfg.AccountID,
				CreationTime: e.now().UTC(), TemplateBody: string(body), TemplateName: name, Description: p.tmpl.Description,
				Parameters: p.record, Capabilities: in.Capabilities, Tags: in.Tags, NotificationARNs: in.NotificationARNs}
		}
	default:
		if cur == nil {
			return nil, stackMissing(in.StackName)
		}
		if cur.Status == ReviewInProgress {
			return nil, awserr.New(awserr.CodeValidationError, "Stack [%s] does not exist", in.StackName)
		}
		next, p, err := e.planUpdate(ctx, UpdateInput{StackName: cur.ID, TemplateBody: in.TemplateBody, TemplateURL: in.TemplateURL,
			TemplateName: in.TemplateName, UsePreviousTemplate: in.UsePreviousTemplate, Parameters: in.Parameters,
			UsePrevious: in.UsePrevious, Capabilities: in.Capabilities, Tags: in.Tags, NotificationARNs: in.NotificationARNs,
			viaChangeSet: true})
		switch {
		case errors.Is(err, ErrNoUpdates):
			cs.Status, cs.StatusReason, cs.ExecutionStatus = ChangeSetFailed, NoChangesReason, ExecutionUnavailable
			next = cur
		case err != nil:
			return nil, err
		default:
			if cs.Changes, err = e.computeChanges(ctx, cur, p); err != nil {
				return nil, err
			}
		}
		cs.StackID, cs.TemplateBody, cs.TemplateName = cur.ID, next.TemplateBody, next.TemplateName
		cs.Parameters, cs.Supplied = next.Parameters, suppliedFrom(next.Parameters)
	}
	if cs.Status == "" {
		cs.Status, cs.ExecutionStatus = ChangeSetCreateComplete, ExecutionAvailable
	}
	cs.ID = fmt.Sprintf("arn:%s:cloudformation:%s:%s:changeSet/%s/%s", e.partition(), e.cfg.Region, e.cfg.AccountID, cs.Name, newUUID())
	put := func(tx *store.Tx) error {
		all, err := store.List[ChangeSet](tx, bucketChangeSets, "")
		if err != nil {
			return err
		}
		for _, o := range all {
			if o.StackID == cs.StackID && o.Name == cs.Name {
				return awserr.New(awserr.CodeAlreadyExistsException, "ChangeSet [%s] already exists", cs.Name)
			}
		}
		return tx.Put(bucketChangeSets, cs.ID, cs)
	}
	if review != nil && review.Status == "" {
		r := e.newRun(review, nil, nil)
		err = r.setStatusWith(ReviewInProgress, "User Initiated", func(tx *store.Tx) error {
			if cur, err := lookup(tx, in.StackName); err != nil {
				return err
			} else if cur != nil && cur.Status != DeleteComplete {
				return awserr.New(awserr.CodeValidationError,
					"Stack [%s] already exists and cannot be created again with the changeSet [%s].", in.StackName, in.ChangeSetName)
			}
			if err := tx.Put(bucketNames, in.StackName, review.ID); err != nil {
				return err
			}
			return put(tx)
		})
	} else {
		err = e.db.Update(put)
	}
	if err != nil {
		return nil, err
	}
	return cs, nil
}

// lookupStack finds a live stack by name or ID; nil when there is none.
func (e *Engine) lookupStack(nameOrID string) (*Stack, error) {
	var st *Stack
	err := e.db.View(func(tx *store.Tx) error {
		var err error
		st, err = lookup(tx, nameOrID)
		return err
	})
	if st != nil && st.Status == DeleteComplete {
		st = nil
	}
	return st, err
}

// findChangeSet finds a change set by ARN, or by name within the stack.
func (e *Engine) findChangeSet(nameOrID, stackName string) (*ChangeSet, error) {
	if !strings.HasPrefix(nameOrID, "arn:") && stackName == "" {
		return nil, awserr.New(awserr.CodeValidationError, "StackName must be specified if ChangeSetName is not specified as an ARN.")
	}
	var stackID string
	if stackName != "" {
		st, err := e.lookupStack(stackName)
		if err != nil {
			return nil, err
		}
		if st == nil {
			return nil, stackMissing(stackName)
		}
		stackID = st.ID
	}
	var out *ChangeSet
	err := e.db.View(func(tx *store.Tx) error {
		if strings.HasPrefix(nameOrID, "arn:") {
			cs, ok, err := store.Get[ChangeSet](tx, bucketChangeSets, nameOrID)
			if ok && (stackID == "" || cs.StackID == stackID) {
				out = &cs
			}
			return err
		}
		all, err := store.List[ChangeSet](tx, bucketChangeSets, "")
		for i := range all {
			if all[i].StackID == stackID && all[i].Name == nameOrID {
				out = &all[i]
			}
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	if out == nil {
		return nil, changeSetNotFound(nameOrID)
	}
	return out, nil
}

// DescribeChangeSet returns a change set by ARN, or by name with its
// stack's name or ID. Use Masked before showing it.
func (e *Engine) DescribeChangeSet(ctx context.Context, changeSetName, stackName string) (*ChangeSet, error) {
	return e.findChangeSet(changeSetName, stackName)
}

// ListChangeSets returns the stack's change sets, oldest first.
func (e *Engine) ListChangeSets(ctx context.Context, stackName string) ([]ChangeSet, error) {
	st, err := e.lookupStack(stackName)
	if err != nil {
		return nil, err
	}
	if st == nil {
		return nil, stackMissing(stackName)
	}
	var out []ChangeSet
	err = e.db.View(func(tx *store.Tx) error {
		all, err := store.List[ChangeSet](tx, bucketChangeSets, "")
		for _, cs := range all {
			if cs.StackID == st.ID {
				out = append(out, cs)
			}
		}
		return err
	})
	slices.SortStableFunc(out, func(a, b ChangeSet) int { return a.CreationTime.Compare(b.CreationTime) })
	return out, err
}

// DeleteChangeSet deletes a change set that is not being executed.
func (e *Engine) DeleteChangeSet(ctx context.Context, changeSetName, stackName string) error {
	cs, err := e.findChangeSet(changeSetName, stackName)
	if err != nil {
		return err
	}
	if cs.ExecutionStatus == ExecutionInProgress {
		return awserr.New(CodeInvalidChangeSetStatus, "Cannot delete ChangeSet in status %s", cs.ExecutionStatus)
	}
	return e.db.Update(func(tx *store.Tx) error { return tx.Delete(bucketChangeSets, cs.ID) })
}

// ExecuteChangeSet starts the operation a change set describes and
// returns the stack as it starts; Wait waits for the end. The stack's
// other change sets are deleted, as on AWS.
func (e *Engine) ExecuteChangeSet(ctx context.Context, changeSetName, stackName string, disableRollback bool) (*Stack, error) {
	cs, err := e.findChangeSet(changeSetName, stackName)
	if err != nil {
		return nil, err
	}
	if cs.Status != ChangeSetCreateComplete {
		return nil, awserr.New(CodeInvalidChangeSetStatus, "ChangeSet [%s] cannot be executed in its current status of [%s]", cs.ID, cs.Status)
	}
	if cs.ExecutionStatus != ExecutionAvailable {
		return nil, awserr.New(CodeInvalidChangeSetStatus, "ChangeSet [%s] cannot be executed in its current execution status of [%s]", cs.ID, cs.ExecutionStatus)
	}
	cur, err := e.lookupStack(cs.StackID)
	if err != nil {
		return nil, err
	}
	if cur == nil {
		return nil, stackMissing(cs.StackName)
	}
	var r *run
	switch cs.Type {
	case ChangeSetTypeCreate:
		if cur.Status != ReviewInProgress {
			return nil, awserr.New(CodeInvalidChangeSetStatus, "ChangeSet [%s] cannot be executed in its current execution status of [OBSOLETE]", cs.ID)
		}
		review := *cur
		review.ChangeSetID = cs.ID
		r, err = e.startCreate(ctx, CreateInput{StackName: cur.Name, TemplateBody: []byte(cs.TemplateBody), TemplateName: cs.TemplateName,
			Parameters: cs.Supplied, Capabilities: cs.Capabilities, DisableRollback: disableRollback, Tags: cs.Tags,
			NotificationARNs: cs.NotificationARNs, review: &review})
	default:
		var next *Stack
		var p *prepared
		next, p, err = e.planUpdate(ctx, UpdateInput{StackName: cur.ID, TemplateBody: []byte(cs.TemplateBody), TemplateName: cs.TemplateName,
			Parameters: cs.Supplied, Capabilities: cs.Capabilities, DisableRollback: disableRollback, Tags: cs.Tags,
			NotificationARNs: cs.NotificationARNs, viaChangeSet: true})
		if err == nil {
			next.ChangeSetID = cs.ID
			r, err = e.beginUpdate(next, p)
		}
	}
	if err != nil {
		return nil, err
	}
	csID := cs.ID
	r.onEnd = func(status string) {
		exec := ExecutionFailed
		if status == CreateComplete || status == UpdateComplete {
			exec = ExecutionComplete
		}
		_ = e.setExecutionStatus(csID, exec)
	}
	if err := e.db.Update(func(tx *store.Tx) error {
		all, err := store.List[ChangeSet](tx, bucketChangeSets, "")
		if err != nil {
			return err
		}
		for _, o := range all {
			if o.StackID == cs.StackID && o.ID != cs.ID {
				if err := tx.Delete(bucketChangeSets, o.ID); err != nil {
					return err
				}
			}
		}
		cs.ExecutionStatus = ExecutionInProgress
		return tx.Put(bucketChangeSets, cs.ID, cs)
	}); err != nil {
		return nil, err
	}
	st := *r.st
	end, ok := e.begin(r.st.ID)
	if !ok {
		return nil, busy(r.st)
	}
	go func() {
		defer end()
		if cs.Type == ChangeSetTypeCreate {
			r.runCreate(e.ctx)
		} else {
			r.runUpdate(e.ctx)
		}
	}()
	return &st, nil
}

func (e *Engine) setExecutionStatus(id, status string) error {
	return e.db.Update(func(tx *store.Tx) error {
		cs, ok, err := store.Get[ChangeSet](tx, bucketChangeSets, id)
		if err != nil || !ok {
			return err
		}
		cs.ExecutionStatus = status
		return tx.Put(bucketChangeSets, id, cs)
	})
}

// dropChangeSets deletes a deleted stack's change sets.
func dropChangeSets(tx *store.Tx, stackID string) error {
	all, err := store.List[ChangeSet](tx, bucketChangeSets, "")
	if err != nil {
		return err
	}
	for _, cs := range all {
		if cs.StackID == stackID {
			if err := tx.Delete(bucketChangeSets, cs.ID); err != nil {
				return err
			}
		}
	}
	return nil
}
