package review

import (
	"os"
	"path/filepath"
	"testing"
)

const groundFile = `package upload

func Send(data []byte) error {
	for i := 0; i < 3; i++ {
		if err := post(data); err == nil {
			return nil
		}
	}
	return errRetries
}
`

const groundDiff = `diff --git a/upload/send.go b/upload/send.go
index 1111111..2222222 100644
--- a/upload/send.go
+++ b/upload/send.go
@@ -3,5 +3,9 @@ package upload
 func Send(data []byte) error {
-	return post(data)
+	for i := 0; i < 3; i++ {
+		if err := post(data); err == nil {
+			return nil
+		}
+	}
+	return errRetries
 }
`

func TestGrounded(t *testing.T) {
	ws := t.TempDir()
	if err := os.MkdirAll(filepath.Join(ws, "upload"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(ws, "upload", "send.go"), []byte(groundFile), 0o644); err != nil {
		t.Fatal(err)
	}
	os.WriteFile(filepath.Join(t.TempDir(), "outside.go"), []byte(groundFile), 0o644)
	ev := Evidence{Workspace: ws, Diff: groundDiff}
	cases := []struct {
		name  string
		file  string
		lines [2]int
		quote string
		want  bool
	}{
		{"exact lines", "upload/send.go", [2]int{4, 5}, "\tfor i := 0; i < 3; i++ {\n\t\tif err := post(data); err == nil {", true},
		{"whitespace differs", "upload/send.go", [2]int{4, 4}, "for i := 0;   i < 3; i++ {", true},
		{"diff prefixes", "upload/send.go", [2]int{4, 9}, "+\tfor i := 0; i < 3; i++ {\n+\t\tif err := post(data); err == nil {", true},
		{"with diff header", "upload/send.go", [2]int{4, 9}, "@@ -3,5 +3,9 @@\n+\treturn errRetries", true},
		{"removed line only in the diff", "upload/send.go", [2]int{4, 4}, "-\treturn post(data)", true},
		{"subsequence with elision", "upload/send.go", [2]int{4, 9}, "for i := 0; i < 3; i++ {\n...\nreturn errRetries", true},
		{"line numbers a little off", "upload/send.go", [2]int{7, 7}, "for i := 0; i < 3; i++ {", true},
		{"part of a line", "upload/send.go", [2]int{5, 5}, "err := post(data)", true},
		{"not in the code", "upload/send.go", [2]int{4, 9}, "if retries > maxRetries {", false},
		{"right code, wrong place", "upload/send.go", [2]int{1, 1}, "return errRetries", false},
		{"lines out of order", "upload/send.go", [2]int{4, 9}, "return errRetries\nfor i := 0; i < 3; i++ {", false},
		{"too short to prove anything", "upload/send.go", [2]int{8, 8}, "}", false},
		{"missing file", "upload/other.go", [2]int{1, 3}, "func Send(data []byte) error {", false},
		{"path outside the workspace", "../outside.go", [2]int{3, 3}, "func Send(data []byte) error {", false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f := Finding{Summary: "s", File: tc.file, LineRange: tc.lines, QuotedSnippet: tc.quote}
			if got := ev.Grounded(f); got != tc.want {
				t.Fatalf("Grounded = %v, want %v", got, tc.want)
			}
		})
	}
}
