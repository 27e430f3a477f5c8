package provider

import (
	"context"

	"github.com/cloudlet-dev/cloudlet/internal/logs"
	"github.com/cloudlet-dev/cloudlet/internal/stack"
)

// LogGroup is AWS::Logs::LogGroup (spec cloudformation §6.6). Ref is the
// group name; Arn ends in ":*".
type LogGroup struct{ Logs *logs.Service }

var (
	_ stack.Updater = LogGroup{}
	_ stack.Planner = LogGroup{}
)

func (LogGroup) Schema() stack.Schema {
	return stack.Schema{
		Properties: []string{"DataProtectionPolicy", "FieldIndexPolicies", "KmsKeyId", "LogGroupClass", "LogGroupName",
			"RetentionInDays", "Tags"},
		CreateOnly: []string{"LogGroupClass", "LogGroupName"},
		Attributes: []string{"Arn"},
	}
}

// PlannedID is the LogGroupName, or {stack}-{LogicalId}-{suffix}.
func (LogGroup) PlannedID(req *stack.Request) (string, error) {
	name, err := newProps(req.LogicalID, req.Properties).str("LogGroupName")
	if name == "" && err == nil {
		name = req.PhysicalName(512)
	}
	return name, err
}

func (l LogGroup) Create(ctx context.Context, req *stack.Request) (*stack.Result, error) {
	name, err := l.PlannedID(req)
	if err != nil {
		return nil, err
	}
	p := newProps(req.LogicalID, req.Properties)
	days, err := p.intPtr("RetentionInDays")
	if err != nil {
		return nil, err
	}
	tags, err := p.tags("Tags")
	if err != nil {
		return nil, err
	}
	if err := l.Logs.CreateLogGroup(ctx, name, days, tags); err != nil {
		return nil, err
	}
	return l.result(req, name), nil
}

func (l LogGroup) result(req *stack.Request, name string) *stack.Result {
	arn := "arn:" + req.Stack.Partition + ":logs:" + req.Stack.Region + ":" + req.Stack.AccountID + ":log-group:" + name + ":*"
	return &stack.Result{PhysicalID: name, Attributes: map[string]any{"Arn": arn}}
}

// Update changes the retention; the other updatable properties (tags,
// KMS key, policies) are recorded only: the Logs service keeps no more.
func (l LogGroup) Update(ctx context.Context, req *stack.Request) (*stack.Result, error) {
	days, err := newProps(req.LogicalID, req.Properties).intPtr("RetentionInDays")
	if err != nil {
		return nil, err
	}
	if days != nil {
		err = l.Logs.PutRetentionPolicy(ctx, req.PhysicalID, *days)
	} else if req.OldProperties["RetentionInDays"] != nil {
		err = l.Logs.DeleteRetentionPolicy(ctx, req.PhysicalID)
	}
	if err != nil {
		return nil, err
	}
	return l.result(req, req.PhysicalID), nil
}

func (l LogGroup) Delete(ctx context.Context, req *stack.Request) error {
	return ignoreNotFound(l.Logs.DeleteLogGroup(ctx, req.PhysicalID))
}
