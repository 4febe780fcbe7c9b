package runner

import (
	"context"
	"fmt"
	"io"
	"os/exec"
	"path/filepath"
	"slices"
	"testing"
	"time"
)

// BenchmarkRun compares a job run through Start/Wait with the same script
// run by bash directly, output to /dev/null (direct-ms) and to a file
// (tofile-ms: what keeping a log costs at least). Runs alternate, so load
// on the machine hits all alike; the metrics are medians; ratio is
// runner-ms / direct-ms.
func BenchmarkRun(b *testing.B) {
	scripts := []struct{ name, script string }{
		{"seq1e6", "seq 1 1000000"},
		{"200MB", "head -c 200000000 /dev/zero"},
	}
	modes := []struct {
		name    string
		live    bool
		secrets []string
	}{
		{"headless", false, nil},
		{"live", true, nil},
		{"live+3secrets", true, []string{"Tr0ub4dor&3", "postgres-superuser-pw", "sk_live_4eC39HqLyjWDarjtT1zdp7dc"}},
	}
	for _, s := range scripts {
		for _, m := range modes {
			b.Run(s.name+"/"+m.name, func(b *testing.B) {
				dir := b.TempDir()
				var direct, toFile, runner []time.Duration
				i := 0
				for b.Loop() {
					i++
					t := time.Now()
					if err := exec.Command("bash", "-c", s.script).Run(); err != nil {
						b.Fatal(err)
					}
					direct = append(direct, time.Since(t))

					t = time.Now()
					if err := exec.Command("bash", "-c", s.script+" > "+filepath.Join(dir, "direct.log")).Run(); err != nil {
						b.Fatal(err)
					}
					toFile = append(toFile, time.Since(t))

					spec := Spec{JobDir: filepath.Join(dir, fmt.Sprint(i)), Dir: dir, Script: s.script, Secrets: m.secrets}
					var out io.Writer
					if m.live {
						out = io.Discard
					}
					t = time.Now()
					job, err := Start(context.Background(), spec, out)
					if err != nil {
						b.Fatal(err)
					}
					res, err := job.Wait()
					if err != nil || res.ExitCode != 0 {
						b.Fatal(res, err)
					}
					runner = append(runner, time.Since(t))
				}
				d, r := median(direct), median(runner)
				b.ReportMetric(float64(d.Microseconds())/1000, "direct-ms")
				b.ReportMetric(float64(median(toFile).Microseconds())/1000, "tofile-ms")
				b.ReportMetric(float64(r.Microseconds())/1000, "runner-ms")
				b.ReportMetric(float64(r)/float64(d), "ratio")
			})
		}
	}
}

func median(ds []time.Duration) time.Duration {
	ds = slices.Clone(ds)
	slices.Sort(ds)
	return ds[len(ds)/2]
}
