package checklist

import (
	"slices"
	"strings"
	"testing"
)

func TestLintDuplicateHeadings(t *testing.T) {
	tests := []struct {
		name string
		src  string
		want []string
	}{
		{"distinct headings", "# T\n\n## Deploy\n\n### Backup\n\n### Migrate\n", nil},
		{"two steps of one name in a section", "# T\n\n## Deploy\n\n### Check logs\n\n### Restart\n\n### Check logs\n", []string{
			`rb.md:9: warning: duplicate heading "Check logs" (first at rb.md:5): its id deploy/check-logs-1 has a number that shifts when a heading of that name is inserted before it; give it a distinct title`}},
		{"the same step name in two sections", "# T\n\n## Deploy\n\n### Verify\n\n## Rollback\n\n### Verify\n", []string{
			`rb.md:9: warning: duplicate heading "Verify" (first at rb.md:5): its id rollback/verify-1 has a number that shifts when a heading of that name is inserted before it; give it a distinct title`}},
		{"two sections of one name, three times", "# T\n\n## Notes\n\n## Notes\n\n## Notes\n", []string{
			`rb.md:5: warning: duplicate heading "Notes" (first at rb.md:3): its id notes-1 has a number that shifts when a heading of that name is inserted before it; give it a distinct title`,
			`rb.md:7: warning: duplicate heading "Notes" (first at rb.md:3): its id notes-2 has a number that shifts when a heading of that name is inserted before it; give it a distinct title`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got []string
			for _, p := range Lint("rb.md", []byte(tt.src)) {
				if strings.Contains(p.Message, "duplicate heading") {
					got = append(got, p.String())
				}
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("got  %q\nwant %q", got, tt.want)
			}
		})
	}
}
