package awserr_test

import (
	"fmt"
	"testing"

	"github.com/cloudlet-dev/cloudlet/internal/awserr"
)

func TestCodeThroughWrapping(t *testing.T) {
	base := awserr.WithStatus(404, awserr.CodeResourceNotFound, "Function not found: %s", "arn")
	wrapped := fmt.Errorf("invoke: %w", base)
	if got, want := awserr.Code(wrapped), awserr.CodeResourceNotFound; got != want {
		t.Errorf("Code(wrapped) = %q, want %q", got, want)
	}
	e, ok := awserr.As(wrapped)
	if !ok || e.HTTPStatus() != 404 || e.Message != "Function not found: arn" {
		t.Errorf("As(wrapped) = %+v, %v; want the 404 error", e, ok)
	}
	if got := awserr.Code(fmt.Errorf("disk full")); got != "InternalFailure" {
		t.Errorf("Code(plain) = %q, want InternalFailure", got)
	}
	if got := (&awserr.Error{Code: "X"}).HTTPStatus(); got != 400 {
		t.Errorf("zero Status HTTPStatus() = %d, want 400", got)
	}
}
