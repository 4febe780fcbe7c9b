package backup_test

import (
	"context"
	"fmt"
	"os"
	"strconv"
	"testing"

	"planner-tui/ops/backup"
)

// BenchmarkBackup measures Take on a scratch database of about
// PLANNER_TUI_BENCH_MB megabytes of table data (default 50), reporting MB/s
// of dump written. Compare with `docker exec db pg_dump ... > file`.
func BenchmarkBackup(b *testing.B) {
	mb := 50
	if v, err := strconv.Atoi(os.Getenv("PLANNER_TUI_BENCH_MB")); err == nil && v > 0 {
		mb = v
	}
	sb, tg, conn := scratch(b)
	rows := mb << 20 / 220
	execB(b, conn, "CREATE TABLE big (id int, pad text)",
		fmt.Sprintf("INSERT INTO big SELECT g, md5(g::text) || repeat('x', 180) FROM generate_series(1, %d) g", rows))
	b.ResetTimer()
	var size int64
	for i := 0; i < b.N; i++ {
		r, err := backup.Take(context.Background(), sb.Client, tg, fmt.Sprintf("bench_%d", i))
		if err != nil {
			b.Fatal(err)
		}
		size = r.Size
		b.StopTimer()
		os.Remove(r.Path)
		b.StartTimer()
	}
	b.SetBytes(size)
}
