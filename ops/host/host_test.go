package host

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestDiskRealAndMissing(t *testing.T) {
	dir := t.TempDir()
	missing := filepath.Join(dir, "nope")
	us := Disk(dir, missing)
	if len(us) != 2 {
		t.Fatalf("got %d usages, want 2", len(us))
	}
	if us[0].Err != "" || us[0].Total == 0 || us[0].Used+us[0].Avail > us[0].Total || us[0].UsedPct < 0 || us[0].UsedPct > 100 {
		t.Errorf("usage of %s not plausible: %+v", dir, us[0])
	}
	if us[1].Err == "" || !strings.Contains(us[1].Err, missing) || !strings.Contains(us[1].Err, "no such file") {
		t.Errorf("missing path: Err = %q, want it to name the path and say no such file", us[1].Err)
	}
}

func TestMemReal(t *testing.T) {
	if _, err := os.Stat("/proc/meminfo"); err != nil {
		t.Skip("no /proc/meminfo on this system")
	}
	m, err := Mem()
	if err != nil {
		t.Fatal(err)
	}
	if m.Total == 0 || m.Available > m.Total || m.UsedPct < 0 || m.UsedPct > 100 {
		t.Errorf("implausible memory %+v", m)
	}
}

func TestParseMeminfo(t *testing.T) {
	tests := []struct {
		name    string
		in      string
		want    Memory
		wantErr string
	}{
		{"normal", "MemTotal:       1000 kB\nMemFree:  10 kB\nMemAvailable:    250 kB\n",
			Memory{Total: 1024000, Available: 256000, UsedPct: 75}, ""},
		{"no available", "MemTotal: 1000 kB\n", Memory{}, "missing"},
		{"garbage", "MemTotal: lots kB\n", Memory{}, "not a number"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := parseMeminfo(strings.NewReader(tt.in))
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want %q", err, tt.wantErr)
				}
				return
			}
			if err != nil || got != tt.want {
				t.Fatalf("got %+v, %v; want %+v", got, err, tt.want)
			}
		})
	}
}

func TestWarnings(t *testing.T) {
	const g = 1 << 30
	tests := []struct {
		name     string
		disk     []Usage
		mem      Memory
		want     []string // What of each warning, in order
		critical []bool
	}{
		{"all fine", []Usage{{Path: "/", Total: 100 * g, Used: 50 * g, Avail: 50 * g, UsedPct: 50}}, Memory{Total: g, Available: g / 2, UsedPct: 50}, nil, nil},
		{"disk warn", []Usage{{Path: "/var", Total: 100 * g, Used: 86 * g, Avail: 14 * g, UsedPct: 86}}, Memory{}, []string{"disk /var"}, []bool{false}},
		{"disk exactly 85 warns", []Usage{{Path: "/", UsedPct: 85, Total: g}}, Memory{}, []string{"disk /"}, []bool{false}},
		{"disk critical", []Usage{{Path: "/", UsedPct: 96, Total: g}}, Memory{}, []string{"disk /"}, []bool{true}},
		{"missing path", []Usage{{Path: "/backups", Err: "no such file"}}, Memory{}, []string{"disk /backups"}, []bool{false}},
		{"memory", nil, Memory{Total: g, Available: g / 20, UsedPct: 95}, []string{"memory"}, []bool{false}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ws := Warnings(tt.disk, tt.mem, Thresholds{})
			if len(ws) != len(tt.want) {
				t.Fatalf("got %+v, want %v", ws, tt.want)
			}
			for i, w := range ws {
				if w.What != tt.want[i] || w.Critical != tt.critical[i] || w.Message == "" {
					t.Errorf("warning %d = %+v, want What %q critical %v", i, w, tt.want[i], tt.critical[i])
				}
			}
		})
	}
	ws := Warnings([]Usage{{Path: "/", UsedPct: 96, Total: 100 * g, Avail: 4 * g}}, Memory{}, Thresholds{})
	if !strings.Contains(ws[0].Message, "96% full") || !strings.Contains(ws[0].Message, "4.0G free of 100.0G") {
		t.Errorf("message %q does not say how full and how much is free", ws[0].Message)
	}
}
