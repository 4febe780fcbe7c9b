package runner

import (
	"context"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"planner-tui/ops/fsutil/fstest"
)

// smallFS is a tmpfs of the given size, unmounted at the end of the test.
func smallFS(t *testing.T, size string) string { return fstest.SmallFS(t, size) }

// runToExit is run, and then waits for the supervisor to exit: Wait
// returns on the reported result, and the supervisor then syncs and closes
// its files, which keep a test mount busy until it exits.
func runToExit(t *testing.T, spec Spec) (Result, string) {
	t.Helper()
	var out syncBuffer
	job, err := Start(context.Background(), spec, &out)
	if err != nil {
		t.Fatal(err)
	}
	res, err := job.Wait()
	if err != nil {
		t.Fatal(err)
	}
	select {
	case <-job.procDone:
	case <-time.After(10 * time.Second):
		t.Fatal("the supervisor did not exit")
	}
	return res, out.String()
}

// A command that fills the state filesystem with its output still has its
// exit code recorded in result.json, on disk, and the result says the log
// is incomplete.
func TestFullStateFilesystemKeepsTheExitCode(t *testing.T) {
	fs := smallFS(t, "1m")
	spec := Spec{
		JobDir:    filepath.Join(fs, "job"),
		Dir:       t.TempDir(),
		Script:    "head -c 4000000 /dev/zero | tr '\\0' x; exit 7",
		OutputCap: -1, // the log alone fills the filesystem
		// The log is incomplete here, so the live stream must carry
		// everything: a reader starved of CPU (race detector, 2 cores)
		// must not end it.
		LiveStall: time.Minute,
	}
	res, live := runToExit(t, spec)
	if res.ExitCode != 7 || res.Err != "" {
		t.Errorf("reported result = %+v, want exit 7", res)
	}
	if len(live) != 4000000 {
		t.Errorf("live stream carried %d bytes, want all 4000000", len(live))
	}
	onDisk, ok, err := ReadResult(spec.JobDir)
	if err != nil || !ok {
		t.Fatalf("result.json on the full filesystem: ok=%v err=%v", ok, err)
	}
	if onDisk.ExitCode != 7 || !strings.Contains(onDisk.LogError, "no space left") {
		t.Errorf("result.json = %+v, want exit 7 and a log error about the full disk", onDisk)
	}
}

// A state filesystem already too full to reserve the result's space
// refuses the job: nothing runs whose exit code could not be kept.
func TestFullStateFilesystemRefusesToStart(t *testing.T) {
	fs := smallFS(t, "64k")
	if err := os.WriteFile(filepath.Join(fs, "filler"), make([]byte, 60<<10), 0o600); err != nil && !strings.Contains(err.Error(), "no space") {
		t.Fatal(err)
	}
	marker := filepath.Join(t.TempDir(), "ran")
	spec := Spec{JobDir: filepath.Join(fs, "job"), Dir: t.TempDir(), Script: "touch " + marker}
	res, _ := runToExit(t, spec)
	if res.ExitCode != -1 || !strings.Contains(res.Err, "state filesystem") || !strings.Contains(res.Err, "nothing ran") {
		t.Errorf("result = %+v, want a refusal naming the state filesystem", res)
	}
	if _, err := os.Stat(marker); err == nil {
		t.Errorf("the command ran although its result had no room")
	}
}

func TestOutputCap(t *testing.T) {
	tests := []struct {
		name    string
		size    int64 // bytes the command prints
		cap     int64
		dropped int64
	}{
		{"over the cap", 3_000_000, 100_000, 2_900_000},
		{"exactly the cap", 100_000, 100_000, 0},
		{"under the cap", 5_000, 100_000, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			spec := newSpec(t, "yes | head -c "+itoa64(tt.size)+"; exit 3")
			spec.OutputCap = tt.cap
			res, live := run(t, spec)
			if res.ExitCode != 3 || res.Dropped != tt.dropped || res.Bytes != min(tt.size, tt.cap) {
				t.Errorf("result = %+v, want exit 3, %d dropped", res, tt.dropped)
			}
			log := readLog(t, spec.JobDir)
			body := strings.Repeat("y\n", int(tt.size/2))
			line := ""
			if tt.dropped > 0 {
				line = "… output truncated: " + itoa64(tt.dropped) + " bytes dropped (cap " + itoa64(tt.cap) + " bytes, PLANNER_TUI_OUTPUT_CAP)\n"
			}
			if want := body[:min(tt.size, tt.cap)] + line; log != want {
				t.Errorf("output.log: %d bytes ending %q, want %d bytes ending %q", len(log), tail(log), len(want), tail(want))
			}
			// The live stream is not capped: the operator watching sees
			// everything, then the same line.
			if want := body + line; live != want {
				t.Errorf("live: %d bytes ending %q, want %d bytes ending %q", len(live), tail(live), len(want), tail(want))
			}
		})
	}
}

func TestOutputCapFromEnv(t *testing.T) {
	tests := []struct {
		val  string
		want int64
		err  bool
	}{
		{"", 0, false},
		{"1048576", 1 << 20, false},
		{"64K", 64 << 10, false},
		{"256m", 256 << 20, false},
		{"2G", 2 << 30, false},
		{"none", -1, false},
		{"0", -1, false},
		{"-5", 0, true},
		{"12X", 0, true},
		{"lots", 0, true},
	}
	for _, tt := range tests {
		t.Setenv(EnvOutputCap, tt.val)
		got, err := OutputCapFromEnv()
		if got != tt.want || (err != nil) != tt.err {
			t.Errorf("%s=%q: %d, %v; want %d, error %v", EnvOutputCap, tt.val, got, err, tt.want, tt.err)
		}
	}
}

func itoa64(n int64) string { return strconv.FormatInt(n, 10) }

func tail(s string) string {
	if len(s) > 80 {
		return s[len(s)-80:]
	}
	return s
}

func TestNeverStarted(t *testing.T) {
	old := time.Now().Add(-time.Minute)
	tests := []struct {
		name  string
		files []string // created in the job dir; nil: no job dir
		want  string
	}{
		{"no job dir", nil, "planner-tui stopped before it started the supervisor"},
		{"job dir, no spec", []string{SupervisorLogFile}, "planner-tui stopped while it started the supervisor"},
		{"spec, no pid", []string{SupervisorLogFile, SpecFile}, "the supervisor ended before it started the command"},
		{"pid file", []string{SupervisorLogFile, SpecFile, PidFile}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "job")
			if tt.files != nil {
				if err := os.Mkdir(dir, 0o700); err != nil {
					t.Fatal(err)
				}
				for _, f := range tt.files {
					if err := os.WriteFile(filepath.Join(dir, f), nil, 0o600); err != nil {
						t.Fatal(err)
					}
				}
				// Past the start-up grace: a supervisor would have written its pid.
				if err := os.Chtimes(dir, old, old); err != nil {
					t.Fatal(err)
				}
			}
			if got := NeverStarted(dir); got != tt.want {
				t.Errorf("NeverStarted = %q, want %q", got, tt.want)
			}
		})
	}
}

// The "supervisor died" result another process records also fits in the
// reserved space when the filesystem is full.
func TestDiedResultOnFullFilesystem(t *testing.T) {
	fs := smallFS(t, "64k")
	job := filepath.Join(fs, "job")
	if err := os.Mkdir(job, 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(job, ResultFile), []byte(strings.Repeat(" ", resultReserve)), 0o600); err != nil {
		t.Fatal(err)
	}
	// Fill what is left.
	f, err := os.Create(filepath.Join(fs, "filler"))
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := f.Write(make([]byte, 4096)); err != nil {
			break
		}
	}
	f.Close()
	if _, err := diedResult(job); err != nil {
		t.Fatalf("diedResult on a full filesystem: %v", err)
	}
	r, ok, err := ReadResult(job)
	if err != nil || !ok || r.ExitCode != -1 || !strings.Contains(r.Err, "never started") {
		t.Errorf("result = %+v, %v, %v", r, ok, err)
	}
}
