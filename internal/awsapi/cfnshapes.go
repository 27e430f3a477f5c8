package awsapi

import (
	"github.com/cloudlet-dev/cloudlet/internal/awsapi/query"
	"github.com/cloudlet-dev/cloudlet/internal/stack"
)

// CloudFormation's XML output shapes (spec cloudformation §9.2). Lists are
// Name>member; absent optional members are omitted.

type cfnParameter struct {
	ParameterKey   string `xml:"ParameterKey"`
	ParameterValue string `xml:"ParameterValue"`
	ResolvedValue  string `xml:"ResolvedValue,omitempty"`
}

type cfnOutput struct {
	OutputKey   string `xml:"OutputKey"`
	OutputValue string `xml:"OutputValue"`
	Description string `xml:"Description,omitempty"`
	ExportName  string `xml:"ExportName,omitempty"`
}

type cfnTag struct {
	Key   string `xml:"Key"`
	Value string `xml:"Value"`
}

type cfnDrift struct {
	StackDriftStatus string `xml:"StackDriftStatus"`
}

type cfnResourceDrift struct {
	StackResourceDriftStatus string `xml:"StackResourceDriftStatus"`
}

type cfnStack struct {
	StackID                     string         `xml:"StackId"`
	StackName                   string         `xml:"StackName"`
	ChangeSetID                 string         `xml:"ChangeSetId,omitempty"`
	Description                 string         `xml:"Description,omitempty"`
	Parameters                  []cfnParameter `xml:"Parameters>member"`
	CreationTime                query.Time     `xml:"CreationTime"`
	DeletionTime                query.Time     `xml:"DeletionTime"`
	LastUpdatedTime             query.Time     `xml:"LastUpdatedTime"`
	RollbackConfiguration       struct{}       `xml:"RollbackConfiguration"`
	StackStatus                 string         `xml:"StackStatus"`
	StackStatusReason           string         `xml:"StackStatusReason,omitempty"`
	DisableRollback             bool           `xml:"DisableRollback"`
	NotificationARNs            []string       `xml:"NotificationARNs>member"`
	Capabilities                []string       `xml:"Capabilities>member"`
	Outputs                     []cfnOutput    `xml:"Outputs>member"`
	Tags                        []cfnTag       `xml:"Tags>member"`
	EnableTerminationProtection bool           `xml:"EnableTerminationProtection"`
	ParentID                    string         `xml:"ParentId,omitempty"`
	RootID                      string         `xml:"RootId,omitempty"`
	DriftInformation            cfnDrift       `xml:"DriftInformation"`
}

// maskedValue is what AWS shows for a NoEcho parameter.
const maskedValue = "****"

func cfnStackOf(st *stack.Stack) cfnStack {
	out := cfnStack{StackID: st.ID, StackName: st.Name, Description: st.Description,
		CreationTime: query.Time{Time: st.CreationTime}, DeletionTime: query.Time{Time: st.DeletionTime},
		LastUpdatedTime: query.Time{Time: st.LastUpdatedTime}, StackStatus: st.Status, StackStatusReason: st.StatusReason,
		DisableRollback: st.DisableRollback, NotificationARNs: st.NotificationARNs, Capabilities: st.Capabilities,
		EnableTerminationProtection: st.TerminationProtect, ParentID: st.ParentID, RootID: st.RootID,
		DriftInformation: cfnDrift{"NOT_CHECKED"}}
	out.Parameters = cfnParameters(st.Parameters)
	for _, o := range st.Outputs {
		out.Outputs = append(out.Outputs, cfnOutput{OutputKey: o.Key, OutputValue: o.Value, Description: o.Description, ExportName: o.ExportName})
	}
	out.Tags = cfnTags(st.Tags)
	return out
}

func cfnParameters(ps []stack.Parameter) []cfnParameter {
	var out []cfnParameter
	for _, p := range ps {
		v := p.Value
		if p.NoEcho {
			v = maskedValue
		}
		out = append(out, cfnParameter{ParameterKey: p.Key, ParameterValue: v, ResolvedValue: p.ResolvedValue})
	}
	return out
}

func cfnTags(tags map[string]string) []cfnTag {
	var out []cfnTag
	for _, k := range sortedKeys(tags) {
		out = append(out, cfnTag{Key: k, Value: tags[k]})
	}
	return out
}

type cfnEvent struct {
	StackID              string     `xml:"StackId"`
	EventID              string     `xml:"EventId"`
	StackName            string     `xml:"StackName"`
	LogicalResourceID    string     `xml:"LogicalResourceId"`
	PhysicalResourceID   string     `xml:"PhysicalResourceId"`
	ResourceType         string     `xml:"ResourceType"`
	Timestamp            query.Time `xml:"Timestamp"`
	ResourceStatus       string     `xml:"ResourceStatus"`
	ResourceStatusReason string     `xml:"ResourceStatusReason,omitempty"`
	ResourceProperties   string     `xml:"ResourceProperties,omitempty"`
}

type cfnStackResource struct {
	StackName            string           `xml:"StackName"`
	StackID              string           `xml:"StackId"`
	LogicalResourceID    string           `xml:"LogicalResourceId"`
	PhysicalResourceID   string           `xml:"PhysicalResourceId,omitempty"`
	ResourceType         string           `xml:"ResourceType"`
	Timestamp            query.Time       `xml:"Timestamp"`
	ResourceStatus       string           `xml:"ResourceStatus"`
	ResourceStatusReason string           `xml:"ResourceStatusReason,omitempty"`
	DriftInformation     cfnResourceDrift `xml:"DriftInformation"`
}

type cfnStackResourceDetail struct {
	StackName            string           `xml:"StackName"`
	StackID              string           `xml:"StackId"`
	LogicalResourceID    string           `xml:"LogicalResourceId"`
	PhysicalResourceID   string           `xml:"PhysicalResourceId,omitempty"`
	ResourceType         string           `xml:"ResourceType"`
	LastUpdatedTimestamp query.Time       `xml:"LastUpdatedTimestamp"`
	ResourceStatus       string           `xml:"ResourceStatus"`
	ResourceStatusReason string           `xml:"ResourceStatusReason,omitempty"`
	Metadata             string           `xml:"Metadata,omitempty"`
	DriftInformation     cfnResourceDrift `xml:"DriftInformation"`
}

type cfnResourceSummary struct {
	LogicalResourceID    string           `xml:"LogicalResourceId"`
	PhysicalResourceID   string           `xml:"PhysicalResourceId,omitempty"`
	ResourceType         string           `xml:"ResourceType"`
	LastUpdatedTimestamp query.Time       `xml:"LastUpdatedTimestamp"`
	ResourceStatus       string           `xml:"ResourceStatus"`
	ResourceStatusReason string           `xml:"ResourceStatusReason,omitempty"`
	DriftInformation     cfnResourceDrift `xml:"DriftInformation"`
}

type cfnStackSummary struct {
	StackID             string     `xml:"StackId"`
	StackName           string     `xml:"StackName"`
	TemplateDescription string     `xml:"TemplateDescription,omitempty"`
	CreationTime        query.Time `xml:"CreationTime"`
	LastUpdatedTime     query.Time `xml:"LastUpdatedTime"`
	DeletionTime        query.Time `xml:"DeletionTime"`
	StackStatus         string     `xml:"StackStatus"`
	StackStatusReason   string     `xml:"StackStatusReason,omitempty"`
	ParentID            string     `xml:"ParentId,omitempty"`
	RootID              string     `xml:"RootId,omitempty"`
	DriftInformation    cfnDrift   `xml:"DriftInformation"`
}

type cfnTemplateParameter struct {
	ParameterKey  string `xml:"ParameterKey"`
	DefaultValue  string `xml:"DefaultValue,omitempty"`
	ParameterType string `xml:"ParameterType,omitempty"`
	NoEcho        bool   `xml:"NoEcho"`
	Description   string `xml:"Description,omitempty"`
	// ParameterConstraints is GetTemplateSummary's only.
	ParameterConstraints *struct {
		AllowedValues []string `xml:"AllowedValues>member"`
	} `xml:"ParameterConstraints"`
}
