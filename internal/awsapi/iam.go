package awsapi

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/cloudlet-dev/cloudlet/internal/awsapi/query"
	"github.com/cloudlet-dev/cloudlet/internal/awserr"
	"github.com/cloudlet-dev/cloudlet/internal/iam"
)

// IAM's Query shapes. Policy documents travel URL-encoded in answers, as
// IAM sends them (botocore decodes them).

type iamTag struct {
	Key   string `xml:"Key"`
	Value string `xml:"Value"`
}

type iamRole struct {
	Path                     string     `xml:"Path"`
	RoleName                 string     `xml:"RoleName"`
	RoleID                   string     `xml:"RoleId"`
	ARN                      string     `xml:"Arn"`
	CreateDate               query.Time `xml:"CreateDate"`
	AssumeRolePolicyDocument string     `xml:"AssumeRolePolicyDocument"`
	Description              string     `xml:"Description,omitempty"`
	MaxSessionDuration       int32      `xml:"MaxSessionDuration"`
	PermissionsBoundary      *struct {
		PermissionsBoundaryType string `xml:"PermissionsBoundaryType"`
		PermissionsBoundaryArn  string `xml:"PermissionsBoundaryArn"`
	} `xml:"PermissionsBoundary"`
	Tags []iamTag `xml:"Tags>member"`
}

func iamRoleOf(r *iam.Role) iamRole {
	out := iamRole{Path: r.Path, RoleName: r.RoleName, RoleID: r.RoleID, ARN: r.ARN, CreateDate: query.Time{Time: r.CreateDate},
		AssumeRolePolicyDocument: url.QueryEscape(r.AssumeRolePolicyDocument), Description: r.Description,
		MaxSessionDuration: r.MaxSessionDuration, Tags: iamTags(r.Tags)}
	if r.PermissionsBoundary != nil {
		out.PermissionsBoundary = &struct {
			PermissionsBoundaryType string `xml:"PermissionsBoundaryType"`
			PermissionsBoundaryArn  string `xml:"PermissionsBoundaryArn"`
		}{r.PermissionsBoundary.PermissionsBoundaryType, r.PermissionsBoundary.PermissionsBoundaryARN}
	}
	return out
}

func iamTags(ts []iam.Tag) []iamTag {
	var out []iamTag
	for _, t := range ts {
		out = append(out, iamTag(t))
	}
	return out
}

func tagsOf(f query.Form) []iam.Tag {
	var out []iam.Tag
	for _, t := range f.Structs("Tags") {
		out = append(out, iam.Tag{Key: t.Get("Key"), Value: t.Get("Value")})
	}
	return out
}

type iamPolicy struct {
	PolicyName                    string     `xml:"PolicyName"`
	PolicyID                      string     `xml:"PolicyId"`
	ARN                           string     `xml:"Arn"`
	Path                          string     `xml:"Path"`
	DefaultVersionID              string     `xml:"DefaultVersionId"`
	AttachmentCount               int32      `xml:"AttachmentCount"`
	PermissionsBoundaryUsageCount int32      `xml:"PermissionsBoundaryUsageCount"`
	IsAttachable                  bool       `xml:"IsAttachable"`
	Description                   string     `xml:"Description,omitempty"`
	CreateDate                    query.Time `xml:"CreateDate"`
	UpdateDate                    query.Time `xml:"UpdateDate"`
	Tags                          []iamTag   `xml:"Tags>member"`
}

func iamPolicyOf(p *iam.Policy) iamPolicy {
	return iamPolicy{PolicyName: p.PolicyName, PolicyID: p.PolicyID, ARN: p.ARN, Path: p.Path, DefaultVersionID: p.DefaultVersionID,
		AttachmentCount: p.AttachmentCount, PermissionsBoundaryUsageCount: p.PermissionsBoundaryUsageCount,
		IsAttachable: p.IsAttachable, Description: p.Description, CreateDate: query.Time{Time: p.CreateDate},
		UpdateDate: query.Time{Time: p.UpdateDate}, Tags: iamTags(p.Tags)}
}

type iamPolicyVersion struct {
	Document         string     `xml:"Document"`
	VersionID        string     `xml:"VersionId"`
	IsDefaultVersion bool       `xml:"IsDefaultVersion"`
	CreateDate       query.Time `xml:"CreateDate"`
}

func iamVersionOf(v *iam.PolicyVersion) iamPolicyVersion {
	return iamPolicyVersion{Document: url.QueryEscape(v.Document), VersionID: v.VersionID, IsDefaultVersion: v.IsDefaultVersion,
		CreateDate: query.Time{Time: v.CreateDate}}
}

// iamResource is the ARN an IAM action is authorised against.
func (h *Handler) iamResource(f query.Form) string {
	switch {
	case f.Get("PolicyArn") != "":
		return f.Get("PolicyArn")
	case f.Get("RoleName") != "":
		return "arn:aws:iam::" + h.cfg.AccountID + ":role/" + f.Get("RoleName")
	}
	return "*"
}

func (h *Handler) serveIAM(c *call) error {
	f, err := queryForm(c)
	if err != nil {
		return err
	}
	c.op = f.Get("Action")
	if h.cfg.IAM == nil {
		return serviceMissing(c, c.op)
	}
	if err := h.authorize(c, "iam:"+c.op, h.iamResource(f)); err != nil {
		return err
	}
	s, cx := h.cfg.IAM, c.ctx()
	role, policyARN := f.Get("RoleName"), f.Get("PolicyArn")
	var res any // nil: no Result element
	switch c.op {
	case "CreateRole":
		var r *iam.Role
		in := iam.CreateRoleInput{RoleName: role, Path: f.Get("Path"), AssumeRolePolicyDocument: f.Get("AssumeRolePolicyDocument"),
			Description: f.Get("Description"), PermissionsBoundary: f.Get("PermissionsBoundary"), Tags: tagsOf(f)}
		if n, ok := f.Int("MaxSessionDuration"); ok {
			in.MaxSessionDuration = int32(n)
		}
		if r, err = s.CreateRole(cx, in); err == nil {
			res = struct {
				Role iamRole `xml:"Role"`
			}{iamRoleOf(r)}
		}
	case "GetRole":
		var r *iam.Role
		if r, err = s.GetRole(cx, role); err == nil {
			res = struct {
				Role iamRole `xml:"Role"`
			}{iamRoleOf(r)}
		}
	case "DeleteRole":
		err = s.DeleteRole(cx, role)
	case "ListRoles":
		var out *iam.ListRolesOutput
		in := iam.ListRolesInput{PathPrefix: f.Get("PathPrefix"), Marker: f.Get("Marker")}
		in.MaxItems, _ = f.Int("MaxItems")
		if out, err = s.ListRoles(cx, in); err == nil {
			var list struct {
				Roles       []iamRole `xml:"Roles>member"`
				IsTruncated bool      `xml:"IsTruncated"`
				Marker      string    `xml:"Marker,omitempty"`
			}
			for i := range out.Roles {
				list.Roles = append(list.Roles, iamRoleOf(&out.Roles[i]))
			}
			list.IsTruncated, list.Marker = out.IsTruncated, out.Marker
			res = list
		}
	case "UpdateRole":
		in := iam.UpdateRoleInput{RoleName: role}
		if f.Has("Description") {
			d := f.Get("Description")
			in.Description = &d
		}
		if n, ok := f.Int("MaxSessionDuration"); ok {
			m := int32(n)
			in.MaxSessionDuration = &m
		}
		if err = s.UpdateRole(cx, in); err == nil {
			res = struct{}{}
		}
	case "UpdateAssumeRolePolicy":
		err = s.UpdateAssumeRolePolicy(cx, role, f.Get("PolicyDocument"))
	case "TagRole":
		err = s.TagRole(cx, role, tagsOf(f))
	case "UntagRole":
		err = s.UntagRole(cx, role, f.List("TagKeys"))
	case "PutRolePolicy":
		err = s.PutRolePolicy(cx, role, f.Get("PolicyName"), f.Get("PolicyDocument"))
	case "GetRolePolicy":
		var p *iam.RolePolicy
		if p, err = s.GetRolePolicy(cx, role, f.Get("PolicyName")); err == nil {
			res = struct {
				RoleName       string `xml:"RoleName"`
				PolicyName     string `xml:"PolicyName"`
				PolicyDocument string `xml:"PolicyDocument"`
			}{p.RoleName, p.PolicyName, url.QueryEscape(p.PolicyDocument)}
		}
	case "DeleteRolePolicy":
		err = s.DeleteRolePolicy(cx, role, f.Get("PolicyName"))
	case "ListRolePolicies":
		var names []string
		if names, err = s.ListRolePolicies(cx, role); err == nil {
			res = struct {
				PolicyNames []string `xml:"PolicyNames>member"`
				IsTruncated bool     `xml:"IsTruncated"`
			}{PolicyNames: names}
		}
	case "AttachRolePolicy":
		err = s.AttachRolePolicy(cx, role, policyARN)
	case "DetachRolePolicy":
		err = s.DetachRolePolicy(cx, role, policyARN)
	case "ListAttachedRolePolicies":
		var ps []iam.AttachedPolicy
		if ps, err = s.ListAttachedRolePolicies(cx, role); err == nil {
			type attached struct {
				PolicyName string `xml:"PolicyName"`
				PolicyArn  string `xml:"PolicyArn"`
			}
			var list struct {
				AttachedPolicies []attached `xml:"AttachedPolicies>member"`
				IsTruncated      bool       `xml:"IsTruncated"`
			}
			for _, p := range ps {
				list.AttachedPolicies = append(list.AttachedPolicies, attached{p.PolicyName, p.PolicyARN})
			}
			res = list
		}
	case "CreatePolicy":
		var p *iam.Policy
		if p, err = s.CreatePolicy(cx, iam.CreatePolicyInput{PolicyName: f.Get("PolicyName"), Path: f.Get("Path"),
			PolicyDocument: f.Get("PolicyDocument"), Description: f.Get("Description"), Tags: tagsOf(f)}); err == nil {
			res = struct {
				Policy iamPolicy `xml:"Policy"`
			}{iamPolicyOf(p)}
		}
	case "GetPolicy":
		var p *iam.Policy
		if p, err = s.GetPolicy(cx, policyARN); err == nil {
			res = struct {
				Policy iamPolicy `xml:"Policy"`
			}{iamPolicyOf(p)}
		}
	case "DeletePolicy":
		err = s.DeletePolicy(cx, policyARN)
	case "ListPolicies":
		var out *iam.ListPoliciesOutput
		in := iam.ListPoliciesInput{Scope: f.Get("Scope"), OnlyAttached: f.Bool("OnlyAttached"), PathPrefix: f.Get("PathPrefix"), Marker: f.Get("Marker")}
		in.MaxItems, _ = f.Int("MaxItems")
		if out, err = s.ListPolicies(cx, in); err == nil {
			var list struct {
				Policies    []iamPolicy `xml:"Policies>member"`
				IsTruncated bool        `xml:"IsTruncated"`
				Marker      string      `xml:"Marker,omitempty"`
			}
			for i := range out.Policies {
				list.Policies = append(list.Policies, iamPolicyOf(&out.Policies[i]))
			}
			list.IsTruncated, list.Marker = out.IsTruncated, out.Marker
			res = list
		}
	case "GetPolicyVersion":
		var v *iam.PolicyVersion
		if v, err = s.GetPolicyVersion(cx, policyARN, f.Get("VersionId")); err == nil {
			res = struct {
				PolicyVersion iamPolicyVersion `xml:"PolicyVersion"`
			}{iamVersionOf(v)}
		}
	case "ListPolicyVersions":
		var vs []iam.PolicyVersion
		if vs, err = s.ListPolicyVersions(cx, policyARN); err == nil {
			var list struct {
				Versions    []iamPolicyVersion `xml:"Versions>member"`
				IsTruncated bool               `xml:"IsTruncated"`
			}
			for i := range vs {
				v := iamVersionOf(&vs[i])
				v.Document = "" // ListPolicyVersions leaves documents out
				list.Versions = append(list.Versions, v)
			}
			res = list
		}
	case "CreatePolicyVersion":
		var v *iam.PolicyVersion
		if v, err = s.CreatePolicyVersion(cx, policyARN, f.Get("PolicyDocument"), f.Bool("SetAsDefault")); err == nil {
			res = struct {
				PolicyVersion iamPolicyVersion `xml:"PolicyVersion"`
			}{iamVersionOf(v)}
		}
	case "DeletePolicyVersion":
		err = s.DeletePolicyVersion(cx, policyARN, f.Get("VersionId"))
	case "SetDefaultPolicyVersion":
		err = s.SetDefaultPolicyVersion(cx, policyARN, f.Get("VersionId"))
	default:
		return notImplemented(c, c.op)
	}
	if err != nil {
		return err
	}
	query.WriteResult(c.w, c.op, xmlnsIAM, c.requestID, res)
	return nil
}

// serveSTS answers GetCallerIdentity and AssumeRole; the credentials
// AssumeRole issues are honoured by authenticate as the role's session.
func (h *Handler) serveSTS(c *call) error {
	f, err := queryForm(c)
	if err != nil {
		return err
	}
	c.op = f.Get("Action")
	if h.cfg.IAM == nil {
		return serviceMissing(c, c.op)
	}
	switch c.op {
	case "GetCallerIdentity":
		userID := h.cfg.AccountID
		if !c.root {
			userID = c.principal.ARN
			if name := roleNameOf(c.principal.RoleARN); name != "" {
				if r, err := h.cfg.IAM.GetRole(c.ctx(), name); err == nil {
					userID = r.RoleID + ":" + sessionNameOf(c.principal.ARN)
				}
			}
		}
		query.WriteResult(c.w, c.op, xmlnsSTS, c.requestID, struct {
			UserID  string `xml:"UserId"`
			Account string `xml:"Account"`
			ARN     string `xml:"Arn"`
		}{userID, h.cfg.AccountID, c.principal.ARN})
		return nil
	case "AssumeRole":
		return h.stsAssumeRole(c, f)
	}
	return notImplemented(c, c.op)
}

func roleNameOf(roleARN string) string {
	i := strings.LastIndexByte(roleARN, '/')
	if i < 0 {
		return ""
	}
	return roleARN[i+1:]
}

func sessionNameOf(sessionARN string) string {
	i := strings.LastIndexByte(sessionARN, '/')
	return sessionARN[i+1:]
}

func (h *Handler) stsAssumeRole(c *call, f query.Form) error {
	roleARN, session := f.Get("RoleArn"), f.Get("RoleSessionName")
	if roleARN == "" || session == "" {
		return awserr.New(awserr.CodeValidationError, "1 validation error detected: Value null at '%s' failed to satisfy constraint: Member must not be null",
			map[bool]string{true: "roleArn", false: "roleSessionName"}[roleARN == ""])
	}
	ok, err := h.cfg.IAM.CanAssume(c.ctx(), roleARN, c.principal)
	if err != nil {
		if e, isAWS := awserr.As(err); isAWS && e.Code == awserr.CodeNoSuchEntity {
			ok = false
		} else {
			return err
		}
	}
	if !ok {
		return awserr.WithStatus(http.StatusForbidden, "AccessDenied", "User: %s is not authorized to perform: sts:AssumeRole on resource: %s",
			c.principal.ARN, roleARN)
	}
	var d time.Duration
	if n, ok := f.Int("DurationSeconds"); ok {
		d = time.Duration(n) * time.Second
	}
	creds, err := h.cfg.IAM.IssueCredentials(c.ctx(), roleARN, session, d)
	if err != nil {
		return err
	}
	name := roleNameOf(roleARN)
	assumedID := session
	if r, err := h.cfg.IAM.GetRole(c.ctx(), name); err == nil {
		assumedID = r.RoleID + ":" + session
	}
	type credentials struct {
		AccessKeyID     string     `xml:"AccessKeyId"`
		SecretAccessKey string     `xml:"SecretAccessKey"`
		SessionToken    string     `xml:"SessionToken"`
		Expiration      query.Time `xml:"Expiration"`
	}
	type assumed struct {
		AssumedRoleID string `xml:"AssumedRoleId"`
		ARN           string `xml:"Arn"`
	}
	query.WriteResult(c.w, c.op, xmlnsSTS, c.requestID, struct {
		Credentials     credentials `xml:"Credentials"`
		AssumedRoleUser assumed     `xml:"AssumedRoleUser"`
	}{credentials{creds.AccessKeyID, creds.SecretAccessKey, creds.SessionToken, query.Time{Time: creds.Expiration}},
		assumed{assumedID, fmt.Sprintf("arn:aws:sts::%s:assumed-role/%s/%s", h.cfg.AccountID, name, session)}})
	return nil
}
