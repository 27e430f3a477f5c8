package lambda_test

import (
	"context"
	"testing"

	"github.com/cloudlet-dev/cloudlet/internal/lambda"
)

// AWS: MaxItems is 1–10000; the message names the bound crossed.
func TestMaxItemsOutOfRange(t *testing.T) {
	s := newService(t, lambda.Config{})
	tests := []struct {
		in   int
		want string
	}{
		{-5, "ValidationException: 1 validation error detected: Value '-5' at 'maxItems' failed to satisfy constraint: Member must have value greater than or equal to 1"},
		{10001, "ValidationException: 1 validation error detected: Value '10001' at 'maxItems' failed to satisfy constraint: Member must have value less than or equal to 10000"},
	}
	for _, tt := range tests {
		_, err := s.ListFunctions(context.Background(), lambda.ListFunctionsInput{MaxItems: tt.in})
		if err == nil || err.Error() != tt.want {
			t.Errorf("ListFunctions(MaxItems %d) = %v, want %s", tt.in, err, tt.want)
		}
	}
}
