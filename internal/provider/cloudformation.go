package provider

import (
	"context"
	"net/url"

	"github.com/cloudlet-dev/cloudlet/internal/stack"
)

// WaitConditionHandle is AWS::CloudFormation::WaitConditionHandle: it
// makes nothing. Its Ref is a presigned-style URL, as AWS's is; nothing
// listens there, as cloudlet has no AWS::CloudFormation::WaitCondition.
type WaitConditionHandle struct{}

var _ stack.Planner = WaitConditionHandle{}

func (WaitConditionHandle) Schema() stack.Schema { return stack.Schema{} }

func (WaitConditionHandle) PlannedID(req *stack.Request) (string, error) {
	return "https://cloudformation-waitcondition-" + req.Stack.Region + ".s3.amazonaws.com/" +
		url.PathEscape(req.Stack.ID) + "/" + req.LogicalID + "?X-Amz-Expires=86400&X-Amz-Signature=" + req.Suffix(), nil
}

func (w WaitConditionHandle) Create(ctx context.Context, req *stack.Request) (*stack.Result, error) {
	id, _ := w.PlannedID(req)
	return &stack.Result{PhysicalID: id}, nil
}

func (WaitConditionHandle) Delete(ctx context.Context, req *stack.Request) error { return nil }

// CDKMetadata is AWS::CDK::Metadata, the CDK's analytics record: it
// makes nothing (its Condition is usually CDKMetadataAvailable).
type CDKMetadata struct{}

var _ stack.Updater = CDKMetadata{}

func (CDKMetadata) Schema() stack.Schema {
	return stack.Schema{Properties: []string{"Analytics", "Modules"}}
}

func (CDKMetadata) Create(ctx context.Context, req *stack.Request) (*stack.Result, error) {
	return &stack.Result{PhysicalID: req.PhysicalName(64)}, nil
}

func (CDKMetadata) Update(ctx context.Context, req *stack.Request) (*stack.Result, error) {
	return &stack.Result{PhysicalID: req.PhysicalID}, nil
}

func (CDKMetadata) Delete(ctx context.Context, req *stack.Request) error { return nil }
