package console

import "testing"

func TestTailFilter(t *testing.T) {
	tests := []struct {
		filter, msg string
		want        bool
	}{
		{"", "anything", true},
		{"ERROR", "[ERROR] boom", true},
		{"ERROR", "error: lower case", false},
		{"ERROR boom", "[ERROR] boom", true},
		{"ERROR boom", "[ERROR] bang", false},
		{`"Task timed out"`, "2026 abc Task timed out after 3.00 seconds", true},
		{`"Task timed out"`, "Task was timed out", false},
		{"ERROR -Exiting", "ERROR Exiting now", false},
		{"ERROR -Exiting", "ERROR boom", true},
		{"?ERROR ?WARN", "WARN disk", true},
		{"?ERROR ?WARN", "INFO fine", false},
		{`REPORT "Status: error"`, "REPORT RequestId: x\tStatus: error\t", true},
	}
	for _, tt := range tests {
		match, err := compileTailFilter(tt.filter)
		if err != nil {
			t.Fatalf("compileTailFilter(%q) = %v", tt.filter, err)
		}
		if got := match(tt.msg); got != tt.want {
			t.Errorf("compileTailFilter(%q)(%q) = %v, want %v", tt.filter, tt.msg, got, tt.want)
		}
	}
	for _, bad := range []string{`{ $.level = "error" }`, `[ip, user]`, `"unterminated`} {
		if _, err := compileTailFilter(bad); err == nil {
			t.Errorf("compileTailFilter(%q) = nil error, want a refusal", bad)
		}
	}
}
