package ui

import "testing"

// An item named exactly as typed is offered before items that only contain
// the words, whatever their order in the runbook.
func TestPickerRanksExactTitleFirst(t *testing.T) {
	items := []pickItem{
		{label: "step    Step 3: Take the stack down", title: "Step 3: Take the stack down"},
		{label: "command Take the stack down and up", title: "Take the stack down and up"},
		{label: "command Take the stack down", title: "Take the stack down"},
		{label: "command Restart", title: "Restart", hay: "take the stack down"},
	}
	tests := []struct {
		query string
		want  []int
	}{
		{"take the stack down", []int{2, 0, 1, 3}},
		{"TAKE THE STACK DOWN", []int{2, 0, 1, 3}},
		{"restart", []int{3}},
		{"stack up", []int{1}},
	}
	for _, tt := range tests {
		d := newPicker("Search", "", items, true)
		d.filter.SetValue(tt.query)
		d.apply()
		if len(d.shown) != len(tt.want) {
			t.Errorf("%q: shown %v, want %v", tt.query, d.shown, tt.want)
			continue
		}
		for i := range tt.want {
			if d.shown[i] != tt.want[i] {
				t.Errorf("%q: shown %v, want %v", tt.query, d.shown, tt.want)
				break
			}
		}
	}
}
