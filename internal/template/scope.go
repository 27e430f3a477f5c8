package template

import (
	"strings"
)

// Scope is what evaluation needs to know about the stack being deployed.
// The stack engine fills it; fields that are empty get the values below.
type Scope struct {
	Region, AccountID string
	// Partition defaults from Region: aws-cn for cn-*, aws-us-gov for
	// us-gov-*, aws otherwise (spec §2).
	Partition string
	// URLSuffix defaults to amazonaws.com, or amazonaws.com.cn in China.
	URLSuffix          string
	StackName, StackID string
	NotificationARNs   []string
	// Params are the resolved parameter values, from ResolveParameters.
	Params map[string]Value
	// Conditions are the evaluated conditions, from EvalConditions. A
	// condition missing here is evaluated when first needed.
	Conditions map[string]bool
	// Resources gives live resource values; nil during validation and while
	// evaluating Conditions or Rules, which may not reference resources.
	Resources Resolver
	// ImportValue returns the value of an export; nil means there are no
	// exports ("No export named X found").
	ImportValue func(name string) (string, error)
}

// Resolver gives the live values of a stack's resources.
type Resolver interface {
	// Ref returns the resource's Ref value (its physical ID or the value its
	// type documents).
	Ref(logicalID string) (any, error)
	// GetAtt returns an attribute; attribute may contain dots
	// ("Outputs.FunctionArn", "SnapStartResponse.ApplyOn").
	GetAtt(logicalID, attribute string) (any, error)
}

// Value is a resolved parameter value.
type Value struct {
	// String is the value as a string: the value supplied (or resolved from
	// SSM) for scalar types, the comma-separated text for list types.
	String string
	// List holds the items of a list-typed parameter (CommaDelimitedList,
	// List<...>, SSM list types), space-trimmed for CommaDelimitedList;
	// nil for scalar types.
	List []string
	// SSMKey is the SSM parameter name that was supplied for an
	// AWS::SSM::Parameter::Value<...> parameter, whose String/List hold the
	// value read from SSM (DescribeStacks reports it as ResolvedValue);
	// empty for other types.
	SSMKey string
}

// IsList reports whether v is a list-typed value.
func (v Value) IsList() bool { return v.List != nil }

// Pseudo parameter names (spec §2).
const (
	PseudoAccountID        = "AWS::AccountId"
	PseudoRegion           = "AWS::Region"
	PseudoStackName        = "AWS::StackName"
	PseudoStackID          = "AWS::StackId"
	PseudoPartition        = "AWS::Partition"
	PseudoURLSuffix        = "AWS::URLSuffix"
	PseudoNotificationARNs = "AWS::NotificationARNs"
	PseudoNoValue          = "AWS::NoValue"
)

// IsPseudo reports whether name is a pseudo parameter.
func IsPseudo(name string) bool {
	switch name {
	case PseudoAccountID, PseudoRegion, PseudoStackName, PseudoStackID,
		PseudoPartition, PseudoURLSuffix, PseudoNotificationARNs, PseudoNoValue:
		return true
	}
	return false
}

// pseudo returns a pseudo parameter's value: a string, or []any for
// AWS::NotificationARNs. AWS::NoValue is handled by the caller.
func (s *Scope) pseudo(name string) any {
	switch name {
	case PseudoAccountID:
		return s.AccountID
	case PseudoRegion:
		return s.Region
	case PseudoStackName:
		return s.StackName
	case PseudoStackID:
		return s.StackID
	case PseudoPartition:
		return s.partition()
	case PseudoURLSuffix:
		if s.URLSuffix != "" {
			return s.URLSuffix
		}
		if strings.HasPrefix(s.Region, "cn-") {
			return "amazonaws.com.cn"
		}
		return "amazonaws.com"
	case PseudoNotificationARNs:
		out := make([]any, len(s.NotificationARNs))
		for i, a := range s.NotificationARNs {
			out[i] = a
		}
		return out
	}
	return nil
}

func (s *Scope) partition() string {
	switch {
	case s.Partition != "":
		return s.Partition
	case strings.HasPrefix(s.Region, "cn-"):
		return "aws-cn"
	case strings.HasPrefix(s.Region, "us-gov-"):
		return "aws-us-gov"
	}
	return "aws"
}
