package ui

import (
	"context"
	"io"
	"os"
	"os/exec"
	"runtime"
	"sync/atomic"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"

	"planner-tui/ops/session"
)

type countWriter struct{ n atomic.Int64 }

func (w *countWriter) Write(p []byte) (int, error) { w.n.Add(int64(len(p))); return len(p), nil }

// BenchmarkStreamMillionLines runs `seq 1 1000000` through the real engine
// (detached supervisor, masking, log file) and a real program
// (renderer included, output counted instead of shown) and reports the
// time to the final frame, the bytes written to the terminal and the heap.
// Compare with the time seq takes on its own (reported as seq-ns).
func BenchmarkStreamMillionLines(b *testing.B) {
	const id = "deploy/step-1-hello/million-lines"
	t0 := time.Now()
	if err := exec.Command("bash", "-c", "seq 1 1000000 >/dev/null").Run(); err != nil {
		b.Fatal(err)
	}
	seqTime := time.Since(t0)
	for b.Loop() {
		tmp, err := os.MkdirTemp("", "ui-bench-")
		if err != nil {
			b.Fatal(err)
		}
		defer os.RemoveAll(tmp)
		os.MkdirAll(tmp+"/planner", 0o755)
		os.MkdirAll(tmp+"/x", 0o755)
		s, err := session.Open(context.Background(), sessionOptions(tmp))
		if err != nil {
			b.Fatal(err)
		}
		defer s.Close()
		e := engineBackend{s}
		m := newModel(e, Options{NoColor: true})
		_, tg := findCommand(s.Runbook(), id)
		m.c.width, m.c.height = 120, 40
		m.open(tg) // the procedure with its log pane on screen
		out := &countWriter{}
		done := make(chan struct{})
		var once atomic.Bool
		pr, pw := io.Pipe()
		p := tea.NewProgram(m, tea.WithInput(pr), tea.WithOutput(out), tea.WithWindowSize(120, 40),
			tea.WithFilter(func(_ tea.Model, msg tea.Msg) tea.Msg {
				if d, ok := msg.(jobDoneMsg); ok && d.cmdID == id && once.CompareAndSwap(false, true) {
					close(done)
				}
				return msg
			}))
		go func() {
			<-done
			p.Quit()
		}()
		start := time.Now()
		go p.Send(runMsg{cmdID: id})
		if _, err := p.Run(); err != nil {
			b.Fatal(err)
		}
		elapsed := time.Since(start)
		pw.Close()
		var ms runtime.MemStats
		runtime.ReadMemStats(&ms)
		b.ReportMetric(float64(elapsed.Milliseconds()), "ms-to-done")
		b.ReportMetric(float64(seqTime.Milliseconds()), "seq-ms")
		b.ReportMetric(float64(out.n.Load()), "tty-bytes")
		b.ReportMetric(float64(ms.HeapInuse)/(1<<20), "heap-MiB")
		if got := m.c.status(id); got.Status != "ok" {
			b.Fatalf("status %+v", got)
		}
		if total, _ := m.c.logs[id].Stats(); total != 1000000 {
			b.Fatalf("lines %d", total)
		}
	}
}

// BenchmarkProcedureView is the cost of one frame of the procedure screen
// with a full log pane: what each output batch costs the event loop.
func BenchmarkProcedureView(b *testing.B) {
	e := newTestEngine(&testing.T{})
	m := newModel(e, Options{})
	m.Update(tea.WindowSizeMsg{Width: 160, Height: 50})
	_, tg := findCommand(e.rb, idHello)
	m.open(tg)
	buf := NewLogBuffer(logCap)
	for i := 0; i < 10000; i++ {
		buf.Write([]byte("some output line with a few words in it 12345\n"))
	}
	m.c.logs[idHello] = buf
	m.proc.refresh()
	for b.Loop() {
		m.proc.log.onOutput()
		_ = m.View()
	}
}
