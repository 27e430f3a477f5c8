package iam_test

import (
	"context"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/cloudlet-dev/cloudlet/internal/iam"
)

var update = flag.Bool("update", os.Getenv("UPDATE_GOLDEN") != "", "rewrite testdata/*.golden files")

// TestCatalogGolden pins the AWS managed policy catalog: names, paths,
// IDs and versions. A change to catalog.json shows up here as a diff.
func TestCatalogGolden(t *testing.T) {
	e := newEnv(t)
	out, err := e.svc.ListPolicies(context.Background(), iam.ListPoliciesInput{Scope: "AWS"})
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	for _, p := range out.Policies {
		fmt.Fprintf(&b, "%s\t%s\t%s\t%s\n", p.ARN, p.PolicyID, p.DefaultVersionID, p.UpdateDate.Format("2006-01-02"))
	}
	golden := filepath.Join("testdata", "catalog.golden")
	if *update {
		if err := os.WriteFile(golden, []byte(b.String()), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatalf("read %s (run with -update to create): %v", golden, err)
	}
	if b.String() != string(want) {
		t.Errorf("catalog listing differs from %s (run with -update if intended):\ngot:\n%s\nwant:\n%s", golden, b.String(), want)
	}
}
