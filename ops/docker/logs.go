package docker

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/docker/docker/api/types/container"
	"github.com/docker/docker/pkg/stdcopy"
)

// LogOptions selects which log lines to read.
type LogOptions struct {
	Tail   int       // last N lines before following; 0 = all, -1 = none
	Since  time.Time // only lines at or after this time (zero = no bound)
	Follow bool      // keep streaming, across restarts, until ctx ends
}

// LogLine is one line of container output. Stream is "stdout", "stderr", or
// "event" for the lines Logs adds itself when following across a restart.
type LogLine struct {
	Time   time.Time
	Stream string
	Text   string
}

// restartPoll is how often Logs looks for a stopped container to come back.
const restartPoll = 250 * time.Millisecond

// Logs streams a container's output to out, line by line, with the daemon's
// timestamps. Without a TTY the stream is demultiplexed into stdout and
// stderr. When following, the daemon ends the stream (EOF) as the container
// stops; Logs then waits for it to run again and reopens the stream from
// just after the last line seen, so a restart neither loses nor repeats
// lines. It returns nil when ctx ends or (not following) at the end of the
// log; an error if the container is removed or the daemon fails.
func (c *Client) Logs(ctx context.Context, containerID string, opt LogOptions, out func(LogLine)) error {
	in, err := c.api.ContainerInspect(ctx, containerID)
	if err != nil {
		return c.wrap("logs "+shortID(containerID), err)
	}
	tty := in.Config != nil && in.Config.Tty
	started := ""
	if in.State != nil {
		started = in.State.StartedAt
	}
	since := opt.Since
	tail := "all"
	switch {
	case opt.Tail > 0:
		tail = strconv.Itoa(opt.Tail)
	case opt.Tail < 0:
		tail = "0"
	}
	for {
		last, err := c.logsOnce(ctx, containerID, tty, since, tail, opt.Follow, out)
		if ctx.Err() != nil {
			return nil
		}
		if err != nil {
			return err
		}
		if !last.IsZero() {
			// The daemon includes lines at exactly Since: start just after.
			since = last.Add(time.Nanosecond)
		}
		if !opt.Follow {
			return nil
		}
		tail = "all" // after a restart, everything since the last line
		// EOF while following: the container stopped. Wait for it to start.
		if since.IsZero() {
			since = time.Now()
		}
		for first := true; ; first = false {
			in, err := c.api.ContainerInspect(ctx, containerID)
			if ctx.Err() != nil {
				return nil
			}
			if err != nil {
				return c.wrap("logs "+shortID(containerID), err)
			}
			st := in.State
			if st != nil && st.Running {
				if st.StartedAt != started {
					started = st.StartedAt
					out(LogLine{Time: time.Now(), Stream: "event", Text: "container started " + st.StartedAt})
				}
				break
			}
			if first && st != nil {
				out(LogLine{Time: time.Now(), Stream: "event",
					Text: fmt.Sprintf("container %s (exit code %d); waiting for it to start", st.Status, st.ExitCode)})
			}
			select {
			case <-ctx.Done():
				return nil
			case <-time.After(restartPoll):
			}
		}
	}
}

// logsOnce reads one log stream to its end and returns the last timestamp.
func (c *Client) logsOnce(ctx context.Context, id string, tty bool, since time.Time, tail string, follow bool, out func(LogLine)) (time.Time, error) {
	opts := container.LogsOptions{ShowStdout: true, ShowStderr: true, Timestamps: true, Follow: follow, Tail: tail}
	if !since.IsZero() {
		opts.Since = since.UTC().Format(time.RFC3339Nano)
	}
	rc, err := c.api.ContainerLogs(ctx, id, opts)
	if err != nil {
		return time.Time{}, c.wrap("logs "+shortID(id), err)
	}
	defer rc.Close()
	stop := context.AfterFunc(ctx, func() { rc.Close() })
	defer stop()
	var last time.Time
	emit := func(stream string) *lineWriter {
		return &lineWriter{fn: func(line []byte) {
			l := parseLogLine(line, stream)
			if !l.Time.IsZero() {
				last = l.Time
			}
			out(l)
		}}
	}
	stdout, stderr := emit("stdout"), emit("stderr")
	if tty {
		_, err = io.Copy(stdout, rc)
	} else {
		_, err = stdcopy.StdCopy(stdout, stderr, rc)
	}
	stdout.flush()
	stderr.flush()
	if err != nil && !errors.Is(err, io.EOF) && ctx.Err() == nil {
		return last, c.wrap("logs "+shortID(id), err)
	}
	return last, nil
}

// parseLogLine splits the daemon's "RFC3339Nano text" prefix off a line.
func parseLogLine(line []byte, stream string) LogLine {
	s := strings.TrimSuffix(string(line), "\r")
	if i := strings.IndexByte(s, ' '); i > 0 {
		if t, err := time.Parse(time.RFC3339Nano, s[:i]); err == nil {
			return LogLine{Time: t, Stream: stream, Text: s[i+1:]}
		}
	}
	return LogLine{Stream: stream, Text: s}
}

// lineWriter calls fn for each complete line written to it; flush emits a
// final unterminated line.
type lineWriter struct {
	buf []byte
	fn  func([]byte)
}

// maxLine bounds a single line so a log without newlines cannot grow memory
// without limit; longer lines are cut into pieces.
const maxLine = 64 << 10

func (w *lineWriter) Write(p []byte) (int, error) {
	n := len(p)
	for len(p) > 0 {
		i := bytes.IndexByte(p, '\n')
		if i < 0 {
			w.buf = append(w.buf, p...)
			if len(w.buf) >= maxLine {
				w.fn(w.buf)
				w.buf = w.buf[:0]
			}
			break
		}
		w.buf = append(w.buf, p[:i]...)
		w.fn(w.buf)
		w.buf = w.buf[:0]
		p = p[i+1:]
	}
	return n, nil
}

func (w *lineWriter) flush() {
	if len(w.buf) > 0 {
		w.fn(w.buf)
		w.buf = w.buf[:0]
	}
}
