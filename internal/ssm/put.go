package ssm

import (
	"cmp"
	"context"
	"fmt"
	"maps"
	"regexp"
	"time"

	"github.com/cloudlet-dev/cloudlet/internal/store"
)

// PutParameterInput is PutParameter's request. Empty strings mean "not
// given".
type PutParameterInput struct {
	Name  string
	Value string
	// Type is required when creating; on overwrite, empty keeps the
	// current type.
	Type           string
	Description    string
	KeyID          string // SecureString only; empty means alias/aws/ssm
	AllowedPattern string
	Tier           string // empty means Standard
	DataType       string // empty means "text"
	Overwrite      bool
	Tags           map[string]string
}

// PutParameterOutput is PutParameter's answer.
type PutParameterOutput struct {
	Version int64  `json:"Version"`
	Tier    string `json:"Tier"`
}

// PutParameter creates a parameter, or with Overwrite makes a new version
// of an existing one. Without Overwrite an existing parameter is
// ParameterAlreadyExists.
func (s *Service) PutParameter(ctx context.Context, in PutParameterInput) (*PutParameterOutput, error) {
	if err := validateName(in.Name); err != nil {
		return nil, err
	}
	if err := validatePut(&in); err != nil {
		return nil, err
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	var out PutParameterOutput
	err := s.db.Update(func(tx *store.Tx) error {
		cur, exists, err := store.Get[record](tx, bucketParams, in.Name)
		if err != nil {
			return err
		}
		if exists && !in.Overwrite {
			return ssmError(CodeParameterAlreadyExists, "The parameter already exists. To overwrite this value, set the overwrite option in the request to true.")
		}
		rec := record{Tags: maps.Clone(in.Tags)}
		if exists {
			// What an overwrite leaves out stays as it was.
			rec = cur
			in.Type = cmp.Or(in.Type, cur.Type)
			in.Description = cmp.Or(in.Description, cur.Description)
			in.AllowedPattern = cmp.Or(in.AllowedPattern, cur.AllowedPattern)
			in.DataType = cmp.Or(in.DataType, cur.DataType)
			if in.Type == cur.Type {
				in.KeyID = cmp.Or(in.KeyID, cur.KeyID)
			}
		}
		in.DataType = cmp.Or(in.DataType, "text")
		if in.Type == "" {
			return ssmError(CodeValidation, "A parameter type is required when you create a parameter.")
		}
		if in.AllowedPattern != "" {
			re, err := regexp.Compile(in.AllowedPattern)
			if err != nil {
				return ssmError(CodeInvalidAllowedPattern, "The request doesn't meet the regular expression requirement.")
			}
			if !re.MatchString(in.Value) {
				return ssmError(CodeParameterPatternMismatch, "Parameter value, cannot be validated against allowedPattern: %s", in.AllowedPattern)
			}
		}
		tier, err := chooseTier(in.Tier, rec.Tier, len(in.Value))
		if err != nil {
			return err
		}
		keyID := ""
		if in.Type == TypeSecureString {
			keyID = in.KeyID
			if keyID == "" {
				keyID = defaultKeyID
			}
		}
		rec.version = version{
			Name:             in.Name,
			Type:             in.Type,
			Value:            in.Value,
			Version:          cur.Version + 1,
			LastModifiedDate: s.now().UTC().Truncate(time.Millisecond),
			LastModifiedUser: "arn:aws:iam::" + s.accountID + ":root",
			Description:      in.Description,
			AllowedPattern:   in.AllowedPattern,
			KeyID:            keyID,
			Tier:             tier,
			DataType:         in.DataType,
		}
		if err := tx.Put(bucketParams, in.Name, rec); err != nil {
			return err
		}
		if err := tx.Put(bucketHistory, historyKey(in.Name, rec.Version), rec.version); err != nil {
			return err
		}
		// AWS keeps 100 versions and drops the oldest (labels, which can
		// pin a version, are not supported here).
		if old := rec.Version - maxVersions; old > 0 {
			if err := tx.Delete(bucketHistory, historyKey(in.Name, old)); err != nil {
				return err
			}
		}
		out = PutParameterOutput{Version: rec.Version, Tier: tier}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("put parameter %s: %w", in.Name, err)
	}
	return &out, nil
}

// validatePut checks what can be checked without the current version, and
// fills defaults.
func validatePut(in *PutParameterInput) error {
	if in.Value == "" {
		return validation(nil, "value", "Member must have length greater than or equal to 1")
	}
	if len(in.Value) > maxAdvancedValue {
		return validation(nil, "value", fmt.Sprintf("Member must have length less than or equal to %d", maxAdvancedValue))
	}
	switch in.Type {
	case "", TypeString, TypeStringList, TypeSecureString:
	default:
		return validation(&in.Type, "type", enumSet(TypeSecureString, TypeStringList, TypeString))
	}
	switch in.Tier {
	case "", TierStandard, TierAdvanced, TierIntelligentTiering:
	default:
		return validation(&in.Tier, "tier", enumSet(TierStandard, TierAdvanced, TierIntelligentTiering))
	}
	switch in.DataType {
	case "", "text", "aws:ec2:image", "aws:ssm:integration":
	default:
		return ssmError(CodeValidation, "The following data type is not supported: %s (Data type names are all lowercase.)", in.DataType)
	}
	if len(in.Description) > 1024 {
		return validation(nil, "description", "Member must have length less than or equal to 1024")
	}
	if len(in.Tags) > 0 && in.Overwrite {
		return ssmError(CodeValidation, "Invalid request: tags and overwrite can't be used together. To create a parameter with tags, please remove overwrite flag. "+
			"To update tags for an existing parameter, please use AddTagsToResource or RemoveTagsFromResource.")
	}
	return nil
}

// chooseTier applies the tier rules: a value over 4 KB needs Advanced
// (Intelligent-Tiering picks it), and an Advanced parameter never goes
// back to Standard.
func chooseTier(asked, current string, valueLen int) (string, error) {
	tier := asked
	switch asked {
	case "":
		tier = TierStandard
		if current == TierAdvanced {
			tier = TierAdvanced
		}
	case TierIntelligentTiering:
		tier = TierStandard
		if valueLen > maxStandardValue || current == TierAdvanced {
			tier = TierAdvanced
		}
	case TierStandard:
		if current == TierAdvanced {
			return "", ssmError(CodeValidation, "This parameter uses the advanced-parameter tier. You can't downgrade a parameter from the advanced-parameter tier to the standard-parameter tier. "+
				"If necessary, you can delete the advanced parameter and recreate it as a standard parameter.")
		}
	}
	if tier == TierStandard && valueLen > maxStandardValue {
		return "", ssmError(CodeValidation, "Standard tier parameters support a maximum parameter value of 4096 characters. "+
			"To create a larger parameter value, upgrade the parameter to use the advanced-parameter tier. "+
			"For more information, see https://docs.aws.amazon.com/systems-manager/latest/userguide/parameter-store-advanced-parameters.html")
	}
	return tier, nil
}

func historyKey(name string, v int64) string { return fmt.Sprintf("%s\x00%020d", name, v) }
