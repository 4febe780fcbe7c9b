package ui

import (
	"bytes"
	"fmt"
	"io"
	"os"

	tea "charm.land/bubbletea/v2"
)

const (
	// tailLines is how much of an earlier command's log file is shown.
	tailLines = 200
	// tailBytes bounds the read: the last 256 KiB hold 200 lines of any
	// sane output (lines are cut at maxLineBytes on screen anyway).
	tailBytes = 256 << 10
)

// readTail reads the last tailLines lines of a log file into a closed
// buffer, in a Cmd (file I/O). A missing file shows as one line saying so.
func readTail(path string) tea.Cmd {
	return func() tea.Msg {
		buf := NewLogBuffer(tailLines + 1)
		lines, err := tailOf(path, tailLines)
		if err != nil {
			fmt.Fprintf(buf, "cannot read the log: %v\n", err)
		}
		for _, l := range lines {
			buf.Write(l)
			buf.Write([]byte{'\n'})
		}
		buf.Close()
		return tailMsg{path: path, buf: buf}
	}
}

// tailOf returns the last n lines of the file, reading at most tailBytes.
func tailOf(path string, n int) ([][]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, err
	}
	off := max(0, st.Size()-tailBytes)
	data := make([]byte, st.Size()-off)
	if _, err := f.ReadAt(data, off); err != nil && err != io.EOF {
		return nil, fmt.Errorf("read %s: %w", path, err)
	}
	if off > 0 {
		// the first line is cut: drop it
		if i := bytes.IndexByte(data, '\n'); i >= 0 {
			data = data[i+1:]
		}
	}
	data = bytes.TrimSuffix(data, []byte{'\n'})
	if len(data) == 0 {
		return nil, nil
	}
	lines := bytes.Split(data, []byte{'\n'})
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return lines, nil
}
